"""The home page: what needs the signed-in person now, each item linking to where it is done.

- Anyone with a practitioner record: their next bookings, their hours against the CLDSC requirement, their
  renewal countdown, and learning returned to them by a verifier.
- Line managers and verifiers (whatever their role): approvals and protected-time requests waiting, learning
  to verify, and who on the team needs attention (renewals due, behind on protected time) — the weekly
  digest's own list (registry.notify.digest.manager_news), so the two always agree.
- Partner admins (their organisation's), leads and admins: events needing attendance or publishing and
  registrations to confirm; admins also mail that could not be delivered.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from piccolo.columns.combination import WhereRaw

from registry import clock
from registry.accounts.rules import ALLIANCE_ROLES, EDITOR_ROLES, Role, Viewer
from registry.events.tables import Booking, Event, EventSession
from registry.learning.progress import progress_overview
from registry.learning.tables import LearningRecord
from registry.notify.digest import manager_news
from registry.notify.tables import OutboxMessage
from registry.people import service as people
from registry.registration import claims
from registry.registration import service as registration
from registry.registration.rules import CONFIRMING_ROLES
from registry.templating import govdate, localtime

__all__ = ("Item", "Section", "home")

UPCOMING = ("confirmed", "waitlisted", "pending_approval")
SHOWN = 5
"""Items of one kind listed by name before the rest are counted."""
RENEWAL_SOON_DAYS = 90


@dataclass(frozen=True, slots=True)
class Item:
    text: str
    href: str
    detail: str = ""
    urgent: bool = False


@dataclass(slots=True)
class Section:
    title: str
    items: list[Item] = field(default_factory=list)
    key: str = ""


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


async def _next_bookings(practitioner_id: int, now: datetime) -> list[Item]:
    rows = await Booking.select(Booking.status, Booking.event, Booking.event.title.as_alias("title")).where(
        (Booking.practitioner == practitioner_id) & Booking.status.is_in(list(UPCOMING))
        & (Booking.event.status == "published")
    )  # fmt: skip
    if not rows:
        return []
    sessions = await EventSession.select(EventSession.event, EventSession.starts_at, EventSession.ends_at).where(
        EventSession.event.is_in([r["event"] for r in rows])
    )
    starts: dict[int, datetime] = {}
    for s in sessions:
        if s["ends_at"] >= now and (s["event"] not in starts or s["starts_at"] < starts[s["event"]]):
            starts[s["event"]] = s["starts_at"]
    upcoming = sorted((r for r in rows if r["event"] in starts), key=lambda r: starts[r["event"]])
    labels = {"confirmed": "Booked", "waitlisted": "On the waiting list", "pending_approval": "Waiting for approval"}
    return [
        Item(r["title"], f"/events/{r['event']}", f"{labels[r['status']]} · {localtime(starts[r['event']])}")
        for r in upcoming[:SHOWN]
    ]


async def _own(viewer: Viewer, practitioner_id: int, now: datetime) -> list[Section]:
    base = f"/practitioners/{practitioner_id}"
    sections = [Section("Your next bookings", await _next_bookings(practitioner_id, now), "bookings")]
    learning = Section("Your professional learning", key="learning")
    progress = (await progress_overview(viewer, practitioner_id))[0]
    needed = progress.required_pl_hours
    behind = progress.learning_hours < needed
    to_go = f"{needed - progress.learning_hours:g} hours to go" if behind else "requirement met"
    learning.items.append(
        Item(f"{progress.learning_hours:g} of {needed:g} hours", f"{base}/learning", f"{progress.label}: {to_go}")
    )
    returned = await LearningRecord.select(LearningRecord.id, LearningRecord.title).where(
        (LearningRecord.practitioner == practitioner_id) & (LearningRecord.verification_state == "returned")
    )
    for r in returned[:SHOWN]:
        learning.items.append(
            Item(f"Returned to you: {r['title']}", f"{base}/learning/{r['id']}", "Your verifier asked for more", True)
        )
    sections.append(learning)
    reg = await registration.summary_for(viewer, practitioner_id)
    registered = Section("Your CLDSC registration", key="registration")
    days = reg.days_to_renewal
    if reg.status_today == "lapsed" or (days is not None and days < 0):
        registered.items.append(
            Item("Your registration has lapsed", f"{base}/registration", "Renew it with CLDSC", True)
        )
    elif reg.renewal_due is not None and days is not None:
        registered.items.append(
            Item(
                f"Renewal due in {_plural(days, 'day')}", f"{base}/registration", govdate(reg.renewal_due),
                urgent=days <= RENEWAL_SOON_DAYS,
            )
        )  # fmt: skip
    elif reg.status_today in ("none", "withdrawn"):
        registered.items.append(Item("You are not registered with CLDSC", f"{base}/registration", "Record it here"))
    sections.append(registered)
    return sections


async def _team(viewer: Viewer) -> Section:
    team = Section("Waiting for you", key="team")
    items = (await manager_news(clock.today(), viewer.email)).get(viewer.email, [])
    counts = Counter(item.kind for item in items)
    if counts["approval"]:
        team.items.append(Item(f"{_plural(counts['approval'], 'booking')} to approve", "/bookings?team=1", urgent=True))
    if counts["request"]:
        team.items.append(
            Item(f"{_plural(counts['request'], 'request')} for protected time", "/time-requests", urgent=True)
        )
    if counts["verification"]:
        team.items.append(Item(f"{_plural(counts['verification'], 'learning record')} to verify", "/verification"))
    for item in [i for i in items if i.kind == "renewal"][:SHOWN]:
        team.items.append(Item(f"{item.name}: renewal due {govdate(item.due)}", "/practitioners"))
    behind = [i for i in items if i.kind == "behind"]
    if behind:
        names = ", ".join(i.name for i in behind[:SHOWN]) + (
            f" and {len(behind) - SHOWN} more" if len(behind) > SHOWN else ""
        )
        team.items.append(Item(f"Behind on protected learning time: {names}", "/team/learning-time"))
    return team


def _hosted(viewer: Viewer) -> Any:
    if viewer.role in ALLIANCE_ROLES:
        return Event.id > 0
    return Event.host_organisation == (viewer.organisation_id or 0)


async def _hosting(viewer: Viewer, now: datetime) -> Section:
    hosting = Section("Events and records", key="hosting")
    scope = _hosted(viewer)
    drafts = await Event.select(Event.id, Event.title).where((Event.status == "draft") & scope).order_by(Event.id)
    for d in drafts[:SHOWN]:
        hosting.items.append(Item(f"Publish: {d['title']}", f"/events/{d['id']}", "A draft nobody can book yet"))
    if len(drafts) > SHOWN:
        hosting.items.append(Item(f"{_plural(len(drafts) - SHOWN, 'more draft')}", "/events?status=draft"))
    started = WhereRaw("EXISTS (SELECT 1 FROM event_session s WHERE s.event = event.id AND s.starts_at <= {})", now)
    marked = WhereRaw("EXISTS (SELECT 1 FROM booking b WHERE b.event = event.id AND b.status = 'confirmed')")
    unmarked = await Event.select(Event.id, Event.title).where(
        (Event.status == "published") & scope & started & marked
    ).order_by(Event.id, ascending=False)  # fmt: skip
    for e in unmarked[:SHOWN]:
        hosting.items.append(Item(f"Mark attendance: {e['title']}", f"/events/{e['id']}/attendance", urgent=True))
    if len(unmarked) > SHOWN:
        hosting.items.append(Item(f"{_plural(len(unmarked) - SHOWN, 'more event')} to mark", "/events"))
    if viewer.role in CONFIRMING_ROLES:
        _, waiting = await claims.list_claims(viewer, 1, 0)
        if waiting:
            hosting.items.append(
                Item(f"{_plural(waiting, 'registration')} to confirm", "/registration-claims", urgent=True)
            )
    if viewer.role is Role.ADMIN:
        failed = await OutboxMessage.count().where(OutboxMessage.status == "failed")
        if failed:
            hosting.items.append(
                Item(f"{_plural(failed, 'message')} could not be delivered", "/admin/outbox", urgent=True)
            )
    return hosting


async def home(viewer: Viewer) -> list[Section]:
    """The sections of the viewer's home page, in order; a section without items says so on the page."""
    now = clock.now()
    sections: list[Section] = []
    if viewer.role in EDITOR_ROLES:
        sections.append(await _hosting(viewer, now))
    team = await _team(viewer)
    if viewer.role is not Role.PRACTITIONER or team.items:  # a practitioner may verify a peer's learning
        sections.append(team)
    own = await people.own_practitioner_id(viewer)
    if own is not None:
        sections.extend(await _own(viewer, own, now))
    return sections
