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
from tests.support import Alliance, as_viewer, fix_clock, pretend_absent

Client = AsyncTestClient  # type: ignore[type-arg]
EILIDH = as_viewer("eilidh@example.org", "Eilidh", Role.PRACTITIONER)
ROSS = as_viewer("ross@example.org", "Ross", Role.PRACTITIONER)
NOW = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
"""A Monday in winter (GMT), the registry's clock in every test here."""


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    fix_clock(monkeypatch, NOW)


async def _event(days_ahead: float, capacity: int = 5) -> int:
    """An event whose one session starts ``days_ahead`` days after NOW."""
    start = NOW + timedelta(days=days_ahead)
    event = await service.create_event(
        COMMAND_LINE,
        EventIn(title="Detached youth work", host_organisation="DCC", format="in_person", venue="Lochee",
                capacity=capacity, sessions=[SessionIn(starts_at=start, ends_at=start + timedelta(hours=2))],
                status="published"),
    )  # fmt: skip
    return event.id


async def _subjects(to: str) -> list[str]:
    rows = (
        await OutboxMessage.select(OutboxMessage.subject).where(OutboxMessage.to_email == to).order_by(OutboxMessage.id)
    )
    return [r["subject"] for r in rows]


async def test_event_reminders_go_once_even_from_two_schedulers(alliance: Alliance) -> None:
    event_id = await _event(days_ahead=6.9)  # 6:36am on Monday 11 March: the 7-day moment was at 6:36am
    booking = await bookings.book(EILIDH, event_id)
    # Booked well before the 7-day moment.
    await Booking.update({Booking.created_at: NOW - timedelta(days=3)}).where(Booking.id == booking.id)
    results = await asyncio.gather(reminders.event_reminders(), reminders.event_reminders())
    assert sum(results) == 1
    assert await reminders.event_reminders() == 0
    assert (await _subjects("eilidh@example.org"))[-1] == "Reminder: Detached youth work in 7 days"
    # The day before, the 1-day reminder goes (once).
    tomorrow_eve = NOW + timedelta(days=6)
    assert await reminders.event_reminders(now=tomorrow_eve) == 1
    assert await reminders.event_reminders(now=tomorrow_eve) == 0
    assert (await _subjects("eilidh@example.org"))[-1] == "Reminder: Detached youth work tomorrow"


async def test_a_sweep_with_nothing_new_composes_nothing(
    alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every 15 minutes the sweep meets the same week of bookings: what was queued before is known from the
    outbox's keys in one query, and never rendered again (over a million bookings a repeat run took 4.5 s)."""
    event_id = await _event(days_ahead=6.9)
    for viewer in (EILIDH, ROSS):
        booking = await bookings.book(viewer, event_id)
        await Booking.update({Booking.created_at: NOW - timedelta(days=3)}).where(Booking.id == booking.id)
    assert await reminders.event_reminders() == 2
    rendered: list[str] = []
    original = reminders.render_mail

    def counting(template: str, **values: object) -> tuple[str, str]:
        rendered.append(template)
        return original(template, **values)

    monkeypatch.setattr(reminders, "render_mail", counting)
    assert await reminders.event_reminders() == 0
    assert rendered == []
    # Ross books anew (his booking and its reminder gone): only his reminder is composed.
    await Booking.delete().where(Booking.practitioner == alliance.practitioner_ids["ross@example.org"])
    await OutboxMessage.delete().where(OutboxMessage.to_email == "ross@example.org")
    ross = await bookings.book(ROSS, event_id)
    await Booking.update({Booking.created_at: NOW - timedelta(days=3)}).where(Booking.id == ross.id)
    assert await reminders.event_reminders() == 1
    assert rendered == ["event_reminder"]


@pytest.mark.parametrize(
    ("sweep", "when"),
    [
        (datetime(2030, 3, 12, 9, 0, tzinfo=UTC), "in 2 days"),
        (datetime(2030, 3, 13, 20, 0, tzinfo=UTC), "tomorrow"),
        (datetime(2030, 3, 14, 9, 0, tzinfo=UTC), "today"),
    ],
)
async def test_a_reminder_after_promotion_from_the_waiting_list_says_when_the_event_really_starts(
    monkeypatch: pytest.MonkeyPatch, alliance: Alliance, sweep: datetime, when: str
) -> None:
    event_id = await _event(days_ahead=10.375, capacity=1)  # Thursday 14 March 2030 at 6pm
    ross = await bookings.book(ROSS, event_id)
    eilidh = await bookings.book(EILIDH, event_id)  # booked before both reminder moments, but waiting
    assert eilidh.status == "waitlisted"
    fix_clock(monkeypatch, sweep - timedelta(hours=1))
    await bookings.cancel(ROSS, ross.id)  # Eilidh gets the place, after the 7-day moment
    fix_clock(monkeypatch, sweep)
    assert await reminders.event_reminders() == 1
    assert (await _subjects("eilidh@example.org"))[-1] == f"Reminder: Detached youth work {when}"
    body = await OutboxMessage.select(OutboxMessage.body_text).order_by(OutboxMessage.id, ascending=False).first()
    assert body is not None
    assert f"starts {when}" in body["body_text"]
    assert "Thursday 14 March 2030, 6pm" in body["body_text"]


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


async def test_the_alliance_feed_goes_back_a_month_from_the_registrys_today(
    client: Client, monkeypatch: pytest.MonkeyPatch, alliance: Alliance
) -> None:
    fix_clock(monkeypatch, NOW - timedelta(days=60))  # the events are created when they are still to come
    recent = await _event(days_ahead=-20)
    await _event(days_ahead=-40)
    fix_clock(monkeypatch, NOW)
    calendar = vobject.readOne((await client.get("/events.ics")).text)
    assert [e.url.value for e in calendar.vevent_list] == [f"http://testserver.local/events/{recent}"]


async def test_turning_reminders_off_stops_reminders_but_not_invites(client: Client, alliance: Alliance) -> None:
    from registry.notify import preferences

    await preferences.set_reminders(EILIDH, False)
    event_id = await _event(days_ahead=6.5)
    booking = await bookings.book(EILIDH, event_id)
    await Booking.update({Booking.created_at: NOW - timedelta(days=3)}).where(Booking.id == booking.id)
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
                sessions=[SessionIn(starts_at=NOW + timedelta(days=9), ends_at=NOW + timedelta(days=9, hours=1))]),
    )  # fmt: skip
    await bookings.book(EILIDH, event.id)
    monday = NOW.date()
    await weekly_digests(today=monday)
    await weekly_digests(today=monday + timedelta(days=2))
    digests = await OutboxMessage.select(OutboxMessage.body_text).where(
        (OutboxMessage.to_email == "graham@example.org") & (OutboxMessage.subject == "Your weekly team digest")
    )
    assert len(digests) == 1
    assert "Approve or refuse: Eilidh Morrison — Needs approval" in digests[0]["body_text"]
    await weekly_digests(today=monday + timedelta(days=7))
    assert await OutboxMessage.count().where(OutboxMessage.subject == "Your weekly team digest") >= 2
