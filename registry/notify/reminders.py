"""Reminder sweeps. Each reminder has a unique key (person, kind, target, date), so running a sweep twice,
or in two app instances at once, sends it once (the outbox's unique ``dedupe_key``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from registry import clock
from registry.db import write_tx
from registry.events.tables import Booking, EventSession
from registry.notify.compose import render_mail
from registry.notify.outbox import enqueue, queued_keys
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


_PER_TRANSACTION = 200
"""Messages a sweep writes in one transaction: few enough that the write lock is never held for long."""


@dataclass(frozen=True, slots=True)
class _Due:
    """A reminder that is due: its unique key, and how to write it (only called when it is new)."""

    key: str
    to_email: str
    compose: Callable[[], tuple[str, str, str]]
    """-> (subject, text body, HTML body)."""


async def _queue_new(due: list[_Due]) -> int:
    """Queue the due reminders not queued before, a batch per transaction; how many were queued. Those already
    in the outbox are found with one query per few hundred keys and never composed again: after the first run
    of the day every run is that query alone. The outbox's unique key still decides, so two instances at once
    queue each reminder once."""
    sent_before = await queued_keys([d.key for d in due])
    new = [d for d in due if d.key not in sent_before]
    queued = 0
    for start in range(0, len(new), _PER_TRANSACTION):
        composed = [(d, *d.compose()) for d in new[start : start + _PER_TRANSACTION]]
        async with write_tx():
            for d, subject, text, page in composed:
                queued += await enqueue(d.to_email, subject, text, page, dedupe_key=d.key)
    return queued


def starts_in(days: int) -> str:
    """When an event starts, said from today: ``today``, ``tomorrow``, ``in 3 days``."""
    if days <= 0:
        return "today"
    return "tomorrow" if days == 1 else f"in {days} days"


async def event_reminders(now: datetime | None = None) -> int:
    """7 and 1 days before the first session, to confirmed people who had booked before that moment."""
    now = now or clock.now()
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
    due: list[_Due] = []
    for row in rows:
        if row["email"] in quiet:
            continue
        for days in sorted(EVENT_REMINDER_DAYS):
            moment = row["starts_at"] - timedelta(days=days)
            if now < moment or row["created_at"] > moment:
                continue  # not yet due, or booked after the moment this reminder was for
            starts_on = clock.local_date(row["starts_at"])
            key = f"event-reminder:{row['practitioner']}:{days}d:{row['event']}:{starts_on:%Y-%m-%d}"
            due.append(_Due(key, row["email"], partial(_event_reminder, row, starts_on, now)))
            break  # only the nearest due reminder: nobody gets the 7-day one a day before
    return await _queue_new(due)


def _event_reminder(row: dict[str, Any], starts_on: date, now: datetime) -> tuple[str, str, str]:
    # The days still to go, not the reminder's nominal 7 or 1: a place given from the waiting list (or a sweep
    # that ran late) meets the 7-day reminder nearer the day.
    when = starts_in((starts_on - clock.local_date(now)).days)
    text, page = render_mail(
        "event_reminder", name=row["given_name"], title=row["title"], when=when, starts_at=row["starts_at"],
        link=f"{get_settings().base_url}/events/{row['event']}",
    )  # fmt: skip
    return f"Reminder: {row['title']} {when}", text, page


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
    due: list[_Due] = []
    for current in people:
        practitioner_id = current["id"]
        summary = summaries[practitioner_id]
        # The cycle running today, as every part of the registry tells it: an associate who has applied to
        # become a registered member keeps their renewal date and is reminded of it.
        if current["email"] in quiet or summary.renewal_due is None:
            continue
        due_on: date = summary.renewal_due
        kind = None
        if summary.status == "lapsed":
            kind = "lapsed"
        else:
            for days in sorted(RENEWAL_REMINDER_DAYS):
                if due_on - timedelta(days=days) <= today < due_on:
                    kind = f"{days}d"
                    break
        if kind is None:
            continue
        link = f"{settings.base_url}/practitioners/{practitioner_id}/registration"
        compose = partial(_renewal_reminder, current["given_name"], due_on, kind == "lapsed", link)
        due.append(_Due(f"renewal:{practitioner_id}:{kind}:{due_on:%Y-%m-%d}", current["email"], compose))
    return await _queue_new(due)


async def evaluation_requests(now: datetime | None = None) -> int:
    """After an event's last session has ended, ask each attendee for a short evaluation, once."""
    now = now or clock.now()
    settings = get_settings()
    attended = await Booking.select(
        Booking.id, Booking.event, Booking.event.title.as_alias("title"),
        Booking.practitioner.email.as_alias("email"), Booking.practitioner.given_name.as_alias("given_name"),
    ).where((Booking.status == "attended") & (Booking.updated_at > now - timedelta(days=30)))  # fmt: skip
    events = sorted({r["event"] for r in attended})
    ends = {
        r["event"]: r["ends"]
        for r in await EventSession.raw(
            "SELECT event, MAX(ends_at) AS ends FROM event_session WHERE event IN ("
            + ", ".join("{}" for _ in events)
            + ") GROUP BY event",
            *events,
        )
    } if attended else {}  # fmt: skip
    quiet = await opted_out(r["email"] for r in attended)
    due: list[_Due] = []
    for row in attended:
        if row["email"] in quiet:
            continue
        ended = ends.get(row["event"])
        if ended is None or (ended if isinstance(ended, datetime) else datetime.fromisoformat(str(ended))) > now:
            continue
        link = f"{settings.base_url}/bookings/{row['id']}/evaluation"
        compose = partial(_evaluation_request, row["given_name"], row["title"], link)
        due.append(_Due(f"evaluation:{row['id']}", row["email"], compose))
    return await _queue_new(due)


def _renewal_reminder(name: str, due: date, lapsed: bool, link: str) -> tuple[str, str, str]:
    text, page = render_mail("renewal_reminder", name=name, due=due, lapsed=lapsed, link=link)
    return "Your CLDSC registration renewal", text, page


def _evaluation_request(name: str, title: str, link: str) -> tuple[str, str, str]:
    text, page = render_mail("evaluation_request", name=name, title=title, link=link)
    return f"How was {title}?", text, page
