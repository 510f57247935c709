"""Reminder sweeps. Each reminder has a unique key (person, kind, target, date), so running a sweep twice,
or in two app instances at once, sends it once (the outbox's unique ``dedupe_key``)."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from registry import clock
from registry.db import write_tx
from registry.events.tables import Booking, EventSession
from registry.notify.compose import render_mail
from registry.notify.outbox import enqueue
from registry.notify.preferences import opted_out
from registry.people.employment import employed_on
from registry.people.tables import Practitioner
from registry.registration import history as registration
from registry.registration.rules import CONFIRMED
from registry.registration.tables import CldscRegistration
from registry.settings import get_settings

__all__ = (
    "EVENT_REMINDER_DAYS",
    "RENEWAL_REMINDER_DAYS",
    "evaluation_requests",
    "event_reminders",
    "renewal_reminders",
    "starts_in",
)

log = logging.getLogger(__name__)
EVENT_REMINDER_DAYS = (7, 1)
RENEWAL_REMINDER_DAYS = (90, 30, 7)


def starts_in(days: int) -> str:
    """When an event starts, said from today: ``today``, ``tomorrow``, ``in 3 days``."""
    if days <= 0:
        return "today"
    return "tomorrow" if days == 1 else f"in {days} days"


async def event_reminders(now: datetime | None = None) -> int:
    """7 and 1 days before the first session, to confirmed people who had booked before that moment."""
    now = now or clock.now()
    settings = get_settings()
    rows = await Booking.select(
        Booking.id, Booking.created_at, Booking.practitioner, Booking.event,
        Booking.event.title.as_alias("title"), Booking.event.first_starts_at.as_alias("starts_at"),
        Booking.practitioner.email.as_alias("email"), Booking.practitioner.given_name.as_alias("given_name"),
    ).where(
        (Booking.status == "confirmed")
        & (Booking.event.status == "published")
        & (Booking.event.first_starts_at > now)
        & (Booking.event.first_starts_at <= now + timedelta(days=max(EVENT_REMINDER_DAYS)))
    )  # fmt: skip
    quiet = await opted_out(r["email"] for r in rows)
    sent = 0
    for row in rows:
        if row["email"] in quiet:
            continue
        for days in sorted(EVENT_REMINDER_DAYS):
            moment = row["starts_at"] - timedelta(days=days)
            if now < moment or row["created_at"] > moment:
                continue  # not yet due, or booked after the moment this reminder was for
            starts_on = clock.local_date(row["starts_at"])
            # The days still to go, not the reminder's nominal 7 or 1: a place given from the waiting list
            # (or a sweep that ran late) meets the 7-day reminder nearer the day.
            when = starts_in((starts_on - clock.local_date(now)).days)
            text, page = render_mail(
                "event_reminder", name=row["given_name"], title=row["title"], when=when, starts_at=row["starts_at"],
                link=f"{settings.base_url}/events/{row['event']}",
            )  # fmt: skip
            key = f"event-reminder:{row['practitioner']}:{days}d:{row['event']}:{starts_on:%Y-%m-%d}"
            async with write_tx():
                sent += await enqueue(row["email"], f"Reminder: {row['title']} {when}", text, page, dedupe_key=key)
            break  # only the nearest due reminder: nobody gets the 7-day one a day before
    return sent


async def renewal_reminders(today: date | None = None) -> int:
    """90, 30 and 7 days before ``renewal_due``, and once on lapse, to current practitioners."""
    today = today or clock.today()
    settings = get_settings()
    people = await Practitioner.select(Practitioner.id, Practitioner.email, Practitioner.given_name).where(
        employed_on(today)
        & Practitioner.id.is_in(
            CldscRegistration.select(CldscRegistration.practitioner).where(CldscRegistration.state == CONFIRMED)
        )
    )
    summaries = await registration.summary_on((p["id"] for p in people), today)
    quiet = await opted_out(p["email"] for p in people)
    sent = 0
    for current in people:
        practitioner_id = current["id"]
        summary = summaries[practitioner_id]
        # The cycle running today, as every part of the registry tells it: an associate who has applied to
        # become a registered member keeps their renewal date and is reminded of it.
        if current["email"] in quiet or summary.renewal_due is None:
            continue
        due: date = summary.renewal_due
        kind = None
        if summary.status == "lapsed":
            kind = "lapsed"
        else:
            for days in sorted(RENEWAL_REMINDER_DAYS):
                if due - timedelta(days=days) <= today < due:
                    kind = f"{days}d"
                    break
        if kind is None:
            continue
        text, page = render_mail(
            "renewal_reminder", name=current["given_name"], due=due, lapsed=kind == "lapsed",
            link=f"{settings.base_url}/practitioners/{practitioner_id}/registration",
        )  # fmt: skip
        async with write_tx():
            sent += await enqueue(
                current["email"], "Your CLDSC registration renewal", text, page,
                dedupe_key=f"renewal:{practitioner_id}:{kind}:{due:%Y-%m-%d}",
            )  # fmt: skip
    return sent


async def evaluation_requests(now: datetime | None = None) -> int:
    """After an event's last session has ended, ask each attendee for a short evaluation, once."""
    now = now or clock.now()
    settings = get_settings()
    attended = await Booking.select(
        Booking.id, Booking.event, Booking.event.title.as_alias("title"),
        Booking.practitioner.email.as_alias("email"), Booking.practitioner.given_name.as_alias("given_name"),
    ).where((Booking.status == "attended") & (Booking.updated_at > now - timedelta(days=30)))  # fmt: skip
    ends = {
        r["event"]: r["ends"]
        for r in await EventSession.raw(
            "SELECT event, MAX(ends_at) AS ends FROM event_session WHERE event IN ("
            + ", ".join("{}" for _ in attended)
            + ") GROUP BY event",
            *[r["event"] for r in attended],
        )
    } if attended else {}  # fmt: skip
    quiet = await opted_out(r["email"] for r in attended)
    sent = 0
    for row in attended:
        if row["email"] in quiet:
            continue
        ended = ends.get(row["event"])
        if ended is None or (ended if isinstance(ended, datetime) else datetime.fromisoformat(str(ended))) > now:
            continue
        text, page = render_mail(
            "evaluation_request", name=row["given_name"], title=row["title"],
            link=f"{settings.base_url}/bookings/{row['id']}/evaluation",
        )  # fmt: skip
        async with write_tx():
            sent += await enqueue(
                row["email"], f"How was {row['title']}?", text, page, dedupe_key=f"evaluation:{row['id']}"
            )
    return sent
