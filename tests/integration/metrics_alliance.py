"""A hand-built alliance for the metrics: the test alliance (tests/support.py) plus three people and a year of
events, learning, needs and registrations, each placed on one of METRICS.md's edges. The tests work out
what every metric must be from the list below, by hand.

The reported period P is the financial year 2025-26 (1 April 2025 – 31 March 2026, 365 days); its baseline
is 2024-25. Who is who (from tests/support.py unless marked new):

  1 Graham  DCC  full_time 35  community  qualified  registered 2024-01-10 (renews 2027-01-10); no manager
  2 Eilidh  DCC  part_time 17.5 school    qualified  associate 2025-05-01, records `applied` 2026-01-10;
                                                     manager Graham
  3 Ross    DCC  sessional 6    community            no registration; manager Graham
  4 Amira   FIFE full_time 37   community qualified  registered 2019-06-01, renewal 2022-06-01 (lapsed)
  5 Lorna   DCC  volunteer 4    left 2024-03-31 (in neither year)
  6 Neil    NHST full_time 36   health    qualified  applied 2025-09-01 (never a member)
  7 Lara    FIFE part_time 21   school    qualified  registered 2024-06-01; LEFT ON 2026-03-31, P's last day
                                                     (new)
  8 Lewis   NHST full_time 35   community qualified  registered 2023-03-30, renewal 2026-03-30: LAPSES THE DAY
                                                     BEFORE P ENDS (new)
  9 Nadia   DCC  full_time 35   community            STARTED 2025-10-01, mid-period; manager Graham (new)

So A(2025-26) = Graham, Eilidh, Ross, Amira, Neil, Lewis, Nadia (7: Lorna and Lara have left), and
A(2024-25) = Graham, Eilidh, Ross, Amira, Neil, Lara, Lewis (7: Nadia has not started).

Events (local time; all published):
  E1 DCC hosts, 10 June 2025, 2 h, C1 C4: Graham and Amira attend, Ross booked but does not come
  E2 FIFE hosts, 15 Sep 2025, 3 h, C3, topic cldsc: Eilidh and Ross attend — all from one organisation
  E3 NHST hosts, 3 Nov 2025, 2 h, no competences, topic cldsc: Neil attends, then the event is CANCELLED
  E4 DCC hosts, 00:30 BST on 1 April 2026 (23:30 UTC on 31 March), 1.5 h, C6: Neil attends — in 2026-27
  E5 NHST hosts, 00:30 BST on 1 April 2025 (23:30 UTC on 31 March), 1.5 h, no competences: Neil and Eilidh
     attend — in 2025-26 by its local date
  E6 DCC hosts, 10 Oct 2024, 2 h, C5: Graham and Lara attend (baseline year)
  E7 DCC hosts, 10 Dec 2026, C4: upcoming, nobody has attended
Attending makes a learning record (protected time) on the event's local date with its hours and competences.

Self-recorded learning:
  Eilidh 2025-06-01 4 h C1+C2 (two competences), protected, verified by Graham
  Graham 2026-02-02 3.5 h C7, protected, verification requested from Eilidh (not verified)
  Nadia  2026-03-31 17.5 h C3 (P's last day), not protected
  Lara   2026-03-31 2 h C7 (the day she left), not protected
  Amira  2025-03-31 6 h C6 (baseline's last day), not protected

Learning needs: Graham C4 2025-05-01, Amira C4 2025-06-01, Eilidh C7 2025-07-01, Ross C7 2025-08-01,
Neil C5 2026-03-31 (in P); Lara C5 2026-04-01 (after P); Neil C4 2024-12-01, Graham C1 2024-06-01, Lara C1
2025-02-01 (baseline).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from registry.accounts.rules import Role, Viewer
from registry.cli_viewer import COMMAND_LINE
from registry.events import bookings, service
from registry.events.schemas import AttendanceItem, EventIn, SessionIn
from registry.learning import service as learning
from registry.learning import verification
from registry.learning.schemas import LearningNeedIn
from registry.learning.tables import LearningRecord
from registry.people import service as people
from registry.registration import service as registration
from registry.registration.schemas import RegistrationChangeIn
from tests.support import FIXED_NOW, Alliance, StoppedClock, as_viewer

__all__ = ("MORE_PEOPLE", "Built", "build_metrics_alliance")

MORE_PEOPLE = """email,given_name,family_name,organisation,job_title,contract,weekly_hours,setting,locality,practice_areas,cld_qualified,manager_email,started_on,left_on,cldsc_status,cldsc_category_since,cldsc_number,cldsc_renewal_due
lara@example.org,Lara,Lastday,FIFE,Youth Worker,part_time,21,school,Kirkcaldy,youth work,yes,,2020-01-01,2026-03-31,registered,2024-06-01,CLDSC20007,
lewis@example.org,Lewis,Lapsing,NHST,Health Improvement Practitioner,full_time,35,community,Maryfield,community development,yes,,2019-01-01,,registered,2023-03-30,CLDSC20008,2026-03-30
nadia@example.org,Nadia,Newstart,DCC,Community Development Worker,full_time,35,community,Lochee,community development,no,graham@example.org,2025-10-01,,,,,
"""

LEARNING = """email,completed_on,title,kind,hours,competences,protected_time,reflection
eilidh@example.org,2025-06-01,Group work course,course,4,C1;C2,yes,
graham@example.org,2026-02-02,Peer mentoring,peer_support,3.5,C7,yes,
nadia@example.org,2026-03-31,Community development module,online_learning,17.5,C3,no,
lara@example.org,2026-03-31,Reading on participation,professional_reading,2,C7,no,
amira@example.org,2025-03-31,Shadowing a community council,shadowing,6,C6,no,
"""

NEEDS = (
    ("graham", "C4", "2025-05-01"), ("amira", "C4", "2025-06-01"), ("eilidh", "C7", "2025-07-01"),
    ("ross", "C7", "2025-08-01"), ("nhs", "C5", "2026-03-31"), ("lara", "C5", "2026-04-01"),
    ("nhs", "C4", "2024-12-01"), ("graham", "C1", "2024-06-01"), ("lara", "C1", "2025-02-01"),
)  # fmt: skip


@dataclass
class Built:
    ids: dict[str, int]
    """First part of each email (``graham``, ``nhs``, ``lara``...) → practitioner id."""
    events: dict[str, int] = field(default_factory=dict)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def _held_event(
    clock: StoppedClock, ids: dict[str, int], name: str, host: str, starts: str, hours: float, competences: list[str],
    topics: list[str], came: list[str], stayed_away: tuple[str, ...] = (),
) -> int:  # fmt: skip
    """Published a week ahead, booked, then held: attendance taken an hour after it ends, as a host does."""
    begins = _utc(starts)
    clock.moment = begins - timedelta(days=7)
    event = await service.create_event(
        COMMAND_LINE,
        EventIn(title=name, host_organisation=host, format="online", online_url="https://meet.example.org/m",
                capacity=10, sessions=[SessionIn(starts_at=begins, ends_at=begins + timedelta(hours=hours))],
                competences=competences, topics=topics, status="published"),
    )  # fmt: skip
    booked = {who: await bookings.book(COMMAND_LINE, event.id, ids[who]) for who in (*came, *stayed_away)}
    clock.moment = begins + timedelta(hours=hours + 1)
    await bookings.set_attendance(
        COMMAND_LINE, event.id, [AttendanceItem(booking_id=b.id, attended=who in came) for who, b in booked.items()]
    )
    return event.id


async def build_metrics_alliance(alliance: Alliance, clock: StoppedClock) -> Built:
    """Add the people, registrations, events, learning and needs above; the clock is left at FIXED_NOW."""
    clock.moment = FIXED_NOW
    await people.import_practitioners(COMMAND_LINE, MORE_PEOPLE)
    everyone, _ = await people.list_practitioners(COMMAND_LINE, people.PractitionerFilter(employment="all"), limit=100)
    ids = {p.email.split("@")[0]: p.id for p in everyone}
    built = Built(ids)
    e = built.events
    e["E6"] = await _held_event(clock, ids, "Baseline event", "DCC", "2024-10-10T09:00", 2, ["C5"], [],
                                ["graham", "lara"])  # fmt: skip
    e["E5"] = await _held_event(clock, ids, "Start of the year", "NHST", "2025-03-31T23:30", 1.5, [], [],
                                ["nhs", "eilidh"])  # fmt: skip
    e["E1"] = await _held_event(clock, ids, "Shared practice", "DCC", "2025-06-10T09:00", 2, ["C1", "C4"], [],
                                ["graham", "amira"], ("ross",))  # fmt: skip
    e["E2"] = await _held_event(clock, ids, "Registration explained", "FIFE", "2025-09-15T09:00", 3, ["C3"],
                                ["cldsc"], ["eilidh", "ross"])  # fmt: skip
    e["E3"] = await _held_event(clock, ids, "Cancelled series", "NHST", "2025-11-03T10:00", 2, [], ["cldsc"],
                                ["nhs"])  # fmt: skip
    clock.moment = _utc("2025-11-04T09:00")
    await service.cancel_event(COMMAND_LINE, e["E3"])
    e["E4"] = await _held_event(clock, ids, "End of the year", "DCC", "2026-03-31T23:30", 1.5, ["C6"], [],
                                ["nhs"])  # fmt: skip
    for who, competence, day in NEEDS:
        clock.moment = _utc(f"{day}T12:00")
        await learning.record_need(COMMAND_LINE, ids[who], LearningNeedIn(competence=competence, description="Need"))
    clock.moment = FIXED_NOW
    upcoming = EventIn(
        title="Participatory budgeting", host_organisation="DCC", format="online", capacity=10,
        online_url="https://meet.example.org/pb", competences=["C4"], status="published",
        sessions=[SessionIn(starts_at=_utc("2026-12-10T10:00"), ends_at=_utc("2026-12-10T12:00"))],
    )  # fmt: skip
    e["E7"] = (await service.create_event(COMMAND_LINE, upcoming)).id
    await learning.import_learning(COMMAND_LINE, LEARNING)
    await _verifications(ids)
    # Eilidh, an associate, applies for full membership (a lead records it: it counts at once).
    await registration.record(
        as_viewer("lead@example.org", "Lead", Role.LEAD), ids["eilidh"],
        RegistrationChangeIn(status="applied", effective_from="2026-01-10"),
    )  # fmt: skip
    return built


async def _record_id(practitioner_id: int, title: str) -> int:
    row = await LearningRecord.select(LearningRecord.id).where(
        (LearningRecord.practitioner == practitioner_id) & (LearningRecord.title == title)
    ).first()
    assert row is not None
    return int(row["id"])


async def _verifications(ids: dict[str, int]) -> None:
    eilidh = as_viewer("eilidh@example.org", "Eilidh", Role.PRACTITIONER)
    graham = as_viewer("graham@example.org", "Graham", Role.MANAGER)
    course = await _record_id(ids["eilidh"], "Group work course")
    await verification.request_verification(eilidh, ids["eilidh"], course, "graham@example.org")
    await verification.verify(graham, course, "We talked it through.")
    # Graham has no line manager: he asks Eilidh, an associate member (before she applies), to verify.
    mentoring = await _record_id(ids["graham"], "Peer mentoring")
    await verification.request_verification(graham, ids["graham"], mentoring, "eilidh@example.org")


def viewer_of(role: Role, organisation_id: int | None = None) -> Viewer:
    """A sign-in of that role, tied to no practitioner record."""
    return Viewer(0, f"{role.value}@example.org", role.value, role, organisation_id=organisation_id)
