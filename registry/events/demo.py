"""Demo events: a term of shared learning across partners, some already held (with attendance), some to come.

Built through the same services as real use; past events are booked while still ahead and then moved to
their real dates, as the host would, so every booking went through the booking rules.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from registry import clock
from registry.cli_viewer import COMMAND_LINE
from registry.events import bookings, service
from registry.events.schemas import AttendanceItem, EventIn, EventPatch, SessionIn
from registry.events.tables import Event
from registry.people.tables import Practitioner
from registry.settings import get_settings

__all__ = ("load_events",)

# title, host, format, competences, topics, capacity, sessions, hours each, evening?
EVENTS = (
    ("Participatory budgeting in practice", "DCC", "in_person", ["C4", "C6"], ["participation"], 20, 1, 3, False),
    ("Trauma-informed youth work", "TAYYOUTH", "hybrid", ["C2", "C3"], ["youth work"], 25, 2, 2.5, False),
    ("Becoming a registered CLD practitioner", "DCC", "online", ["C7"], ["cldsc"], 40, 1, 1.5, True),
    ("ESOL conversation clubs that work", "PERTHESOL", "in_person", ["C3"], ["esol"], 15, 1, 2, False),
    ("Evaluating outcomes with learners", "FIFEALN", "online", ["C7", "C5"], ["evaluation"], 30, 4, 1.5, True),
    ("Family learning in schools", "ANGUS", "in_person", ["C3", "C6"], ["schools", "family learning"], 18, 1, 5, False),
    ("Community profiling with open data", "NHST", "online", ["C1"], ["data"], 30, 1, 2, False),
    ("Volunteer coordination essentials", "DVVA", "in_person", ["C5", "C2"], ["volunteering"], 16, 3, 2, True),
    ("Digital inclusion for adult learners", "FIFECOL", "hybrid", ["C3", "C1"], ["digital"], 24, 1, 3, False),
    ("Reflective practice circle", "LOCHEE-CLT", "in_person", ["C7", "C2"], ["cldsc", "reflection"], 12, 1, 2, True),
)
VENUES = {
    "DCC": "Lochee Community Hub, 185 High Street, Dundee",
    "TAYYOUTH": "Arbroath Community Centre, Arbroath",
    "PERTHESOL": "AK Bell Library, Perth",
    "ANGUS": "Forfar Academy, Forfar",
    "DVVA": "Dundee Volunteer Centre, Dundee",
    "FIFECOL": "Fife College, Kirkcaldy campus",
    "LOCHEE-CLT": "Lochee Library, Dundee",
}


def _link(title: str) -> str:
    return "https://meet.example.org/" + title.lower().replace(" ", "-")


def _sessions(first_day: date, count: int, hours: float, evening: bool) -> list[SessionIn]:
    zone = get_settings().zone
    start = time(18, 0) if evening else time(9, 30)
    out = []
    for week in range(count):
        begins = datetime.combine(first_day + timedelta(days=7 * week), start, zone)
        out.append(SessionIn(starts_at=begins, ends_at=begins + timedelta(hours=hours)))
    return out


async def load_events() -> str:
    """Load the demo events unless there are events already."""
    if await Event.exists():
        return "events already recorded; none added"
    rng = random.Random(2021)
    today = clock.today()
    people = [
        r["id"]
        for r in await Practitioner.select(Practitioner.id)
        .where(Practitioner.left_on.is_null())
        .order_by(Practitioner.id)
    ]
    held = booked = 0
    for index, (title, host, fmt, competences, topics, capacity, count, hours, evening) in enumerate(EVENTS):
        past = index % 3 == 0
        ahead = today + timedelta(days=10 + 9 * index)
        event = await service.create_event(
            COMMAND_LINE,
            EventIn(
                title=title, description=f"A shared learning event of the alliance, hosted by {host}.",
                host_organisation=host, format=fmt,
                venue=VENUES.get(host, "Dundee") if fmt != "online" else None,
                online_url=_link(title) if fmt != "in_person" else None,
                capacity=capacity, sessions=_sessions(ahead, count, hours, evening), competences=competences,
                topics=topics, requires_approval=index == 4, status="published",
            ),
        )  # fmt: skip
        chosen = rng.sample(people, min(len(people), capacity + (3 if index in {2, 5} else -rng.randint(2, 6))))
        made = [await bookings.book(COMMAND_LINE, event.id, pid) for pid in chosen]
        booked += len(made)
        if past:
            held_on = today - timedelta(days=20 + 15 * index)
            await service.update_event(
                COMMAND_LINE, event.id, EventPatch(sessions=_sessions(held_on, count, hours, evening))
            )
            confirmed = [b for b in made if b.status == "confirmed"]
            await bookings.set_attendance(
                COMMAND_LINE,
                event.id,
                [AttendanceItem(booking_id=b.id, attended=rng.random() < 0.85) for b in confirmed],
            )
            held += 1
    return f"{len(EVENTS)} events ({held} already held), {booked} bookings"
