"""Reminders go once however often (or in how many instances) the sweeps run; calendar feeds are secret."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
import vobject
from litestar.testing import AsyncTestClient

from registry.accounts.rules import Role
from registry.cli_viewer import COMMAND_LINE
from registry.events import bookings, service
from registry.events.schemas import EventIn, SessionIn
from registry.events.tables import Booking
from registry.notify import feeds, reminders
from registry.notify.tables import CalendarFeed, OutboxMessage
from registry.registration.service import append_change
from tests.support import Alliance, as_viewer, pretend_absent

Client = AsyncTestClient  # type: ignore[type-arg]
EILIDH = as_viewer("eilidh@example.org", "Eilidh", Role.PRACTITIONER)


async def _event(days_ahead: float) -> int:
    start = datetime.now(UTC) + timedelta(days=days_ahead)
    event = await service.create_event(
        COMMAND_LINE,
        EventIn(title="Detached youth work", host_organisation="DCC", format="in_person", venue="Lochee", capacity=5,
                sessions=[SessionIn(starts_at=start, ends_at=start + timedelta(hours=2))], status="published"),
    )  # fmt: skip
    return event.id


async def _subjects(to: str) -> list[str]:
    rows = (
        await OutboxMessage.select(OutboxMessage.subject).where(OutboxMessage.to_email == to).order_by(OutboxMessage.id)
    )
    return [r["subject"] for r in rows]


async def test_event_reminders_go_once_even_from_two_schedulers(alliance: Alliance) -> None:
    event_id = await _event(days_ahead=6.5)
    booking = await bookings.book(EILIDH, event_id)
    # Booked well before the 7-day moment.
    await Booking.update({Booking.created_at: datetime.now(UTC) - timedelta(days=3)}).where(Booking.id == booking.id)
    results = await asyncio.gather(reminders.event_reminders(), reminders.event_reminders())
    assert sum(results) == 1
    assert await reminders.event_reminders() == 0
    assert (await _subjects("eilidh@example.org"))[-1] == "Reminder: Detached youth work in 7 days"
    # The day before, the 1-day reminder goes (once).
    tomorrow_eve = datetime.now(UTC) + timedelta(days=6)
    assert await reminders.event_reminders(now=tomorrow_eve) == 1
    assert await reminders.event_reminders(now=tomorrow_eve) == 0
    assert (await _subjects("eilidh@example.org"))[-1] == "Reminder: Detached youth work tomorrow"


async def test_no_reminder_for_a_moment_before_the_booking(alliance: Alliance) -> None:
    event_id = await _event(days_ahead=3)
    await bookings.book(EILIDH, event_id)  # booked 3 days ahead: the 7-day moment has passed
    assert await reminders.event_reminders() == 0
    assert not [s for s in await _subjects("eilidh@example.org") if s.startswith("Reminder")]


async def test_renewal_reminders_at_90_30_7_days_and_on_lapse(alliance: Alliance) -> None:
    graham = alliance.practitioner_ids["graham@example.org"]
    due = date(2027, 1, 10)
    await append_change(graham, "registered", due.replace(year=2024), renewal_due=due)
    await reminders.renewal_reminders(today=due - timedelta(days=91))
    assert await _subjects("graham@example.org") == []
    for day in (due - timedelta(days=90), due - timedelta(days=45), due - timedelta(days=30), due - timedelta(days=7)):
        await reminders.renewal_reminders(today=day)
    await reminders.renewal_reminders(today=due + timedelta(days=1))
    await reminders.renewal_reminders(today=due + timedelta(days=2))
    keys = sorted(
        r["dedupe_key"]
        for r in await OutboxMessage.select(OutboxMessage.dedupe_key).where(
            OutboxMessage.to_email == "graham@example.org"
        )
    )
    assert keys == [f"renewal:{graham}:{kind}:2027-01-10" for kind in ("30d", "7d", "90d", "lapsed")]


async def test_feed_lists_confirmed_bookings_and_regenerating_ends_the_old_address(
    client: Client, alliance: Alliance
) -> None:
    event_id = await _event(days_ahead=20)
    booking = await bookings.book(EILIDH, event_id)
    pid = alliance.practitioner_ids["eilidh@example.org"]
    token = await feeds.feed_token(pid)
    response = await client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = vobject.readOne(response.text)
    assert [e.uid.value for e in calendar.vevent_list] == [f"booking-{booking.id}@testserver.local"]
    assert (await client.get(f"/calendar/{token[:-2]}xx.ics")).status_code == 404
    new_token = await feeds.regenerate_feed(EILIDH, pid)
    assert (await client.get(f"/calendar/{token}.ics")).status_code == 404
    assert (await client.get(f"/calendar/{new_token}.ics")).status_code == 200
    await bookings.cancel(EILIDH, booking.id)
    emptied = vobject.readOne((await client.get(f"/calendar/{new_token}.ics")).text)
    assert not list(getattr(emptied, "vevent_list", []))


async def test_regenerating_the_feed_twice_at_once_leaves_one_working_address(
    client: Client, alliance: Alliance
) -> None:
    pid = alliance.practitioner_ids["eilidh@example.org"]
    old = await feeds.feed_token(pid)
    tokens = await asyncio.gather(feeds.regenerate_feed(EILIDH, pid), feeds.regenerate_feed(EILIDH, pid))
    assert len(set(tokens)) == 2
    assert old not in tokens
    assert await CalendarFeed.count().where(CalendarFeed.practitioner == pid) == 1
    current = await feeds.feed_token(pid)
    assert current in tokens
    assert (await client.get(f"/calendar/{current}.ics")).status_code == 200
    for ended in {old, *tokens} - {current}:
        assert (await client.get(f"/calendar/{ended}.ics")).status_code == 404


async def test_a_feed_row_inserted_after_the_check_does_not_fail_the_regeneration(
    alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = alliance.practitioner_ids["eilidh@example.org"]
    first = await feeds.regenerate_feed(EILIDH, pid)
    pretend_absent(monkeypatch, CalendarFeed)  # the other request's insert lands after this one's check
    second = await feeds.regenerate_feed(EILIDH, pid)
    assert second != first
    assert await feeds.feed_token(pid) == second


async def test_a_leavers_feed_stops(client: Client, alliance: Alliance) -> None:
    pid = alliance.practitioner_ids["leaver@example.org"]
    assert (await client.get(f"/calendar/{await feeds.feed_token(pid)}.ics")).status_code == 404


async def test_the_alliance_feed_lists_published_events(client: Client, alliance: Alliance) -> None:
    await _event(days_ahead=5)
    response = await client.get("/events.ics")
    assert response.status_code == 200
    calendar = vobject.readOne(response.text)
    assert [e.summary.value for e in calendar.vevent_list] == ["Detached youth work"]


async def test_turning_reminders_off_stops_reminders_but_not_invites(client: Client, alliance: Alliance) -> None:
    from registry.notify import preferences

    await preferences.set_reminders(EILIDH, False)
    event_id = await _event(days_ahead=6.5)
    booking = await bookings.book(EILIDH, event_id)
    await Booking.update({Booking.created_at: datetime.now(UTC) - timedelta(days=3)}).where(Booking.id == booking.id)
    assert await reminders.event_reminders() == 0
    assert await _subjects("eilidh@example.org") == ["Invitation: Detached youth work"]
    await preferences.set_reminders(EILIDH, True)
    assert await reminders.event_reminders() == 1


async def test_weekly_digest_once_per_week_with_the_managers_news(alliance: Alliance) -> None:
    from registry.notify.digest import weekly_digests

    event = await service.create_event(
        COMMAND_LINE,
        EventIn(title="Needs approval", host_organisation="DCC", format="online", online_url="https://meet.example.org/n",
                capacity=5, requires_approval=True, status="published",
                sessions=[SessionIn(starts_at=datetime.now(UTC) + timedelta(days=9), ends_at=datetime.now(UTC) + timedelta(days=9, hours=1))]),
    )  # fmt: skip
    await bookings.book(EILIDH, event.id)
    monday = date(2026, 11, 23)
    await weekly_digests(today=monday)
    await weekly_digests(today=monday + timedelta(days=2))
    digests = await OutboxMessage.select(OutboxMessage.body_text).where(
        (OutboxMessage.to_email == "graham@example.org") & (OutboxMessage.subject == "Your weekly team digest")
    )
    assert len(digests) == 1
    assert "Approve or refuse: Eilidh Morrison — Needs approval" in digests[0]["body_text"]
    await weekly_digests(today=monday + timedelta(days=7))
    assert await OutboxMessage.count().where(OutboxMessage.subject == "Your weekly team digest") >= 2
