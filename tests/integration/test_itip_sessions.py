"""Multi-session events land in every calendar (issue 15, point 8): each session is its own iTIP message with
one VEVENT and its own UID ("session 2 of 3" in the summary), and updates and cancellations go per session —
proved through a real SMTP server, every message parsed by vobject, an independent parser."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta
from typing import Any

from piccolo.apps.migrations.commands.backwards import run_backwards
from piccolo.apps.migrations.commands.forwards import run_forwards

from registry.cli_viewer import COMMAND_LINE
from registry.events import bookings, service
from registry.events.schemas import EventIn, EventPatch, SessionIn
from registry.notify import outbox
from registry.notify.mail import SmtpBackend
from registry.notify.tables import CalendarInvite, CalendarSessionInvite
from registry.piccolo_app import APP_CONFIG
from tests.integration.test_mail import Collector, _calendar, smtp  # noqa: F401 - the real SMTP server fixture
from tests.support import Alliance

START = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)


def _sessions(*days: int) -> list[SessionIn]:
    return [SessionIn(starts_at=START + timedelta(days=d), ends_at=START + timedelta(days=d, hours=2)) for d in days]


async def _event(*days: int) -> int:
    event = await service.create_event(
        COMMAND_LINE,
        EventIn(title="Youth voice", host_organisation="DCC", format="in_person", venue="Coldside Library",
                capacity=5, sessions=_sessions(*days), status="published"),
    )  # fmt: skip
    return event.id


async def _delivered(smtp: tuple[Collector, SmtpBackend]) -> list[tuple[str, Any]]:  # noqa: F811
    collector, backend = smtp
    collector.messages.clear()
    await outbox.deliver_due(backend)
    found = []
    for message in collector.messages:
        if str(message["To"]) == "eilidh@example.org" and any(
            p.get_content_type() == "text/calendar" for p in message.walk()
        ):
            found.append(_calendar(message))
    return found


def _one(calendar: Any) -> Any:
    [event] = calendar.vevent_list  # exactly one VEVENT per message
    return event


async def test_each_session_is_its_own_meeting_and_changes_go_per_session(
    smtp: tuple[Collector, SmtpBackend],  # noqa: F811
    alliance: Alliance,
) -> None:
    event_id = await _event(0, 7, 14)
    await _delivered(smtp)
    booking = await bookings.book(COMMAND_LINE, event_id, alliance.practitioner_ids["eilidh@example.org"])
    invites = await _delivered(smtp)
    assert [method for method, _ in invites] == ["REQUEST"] * 3
    events = [_one(calendar) for _, calendar in invites]
    uids = [e.uid.value for e in events]
    assert len(set(uids)) == 3
    assert uids[0] == (await CalendarInvite.select(CalendarInvite.uid).first())["uid"]  # type: ignore[index]
    assert [e.summary.value for e in events] == [f"Youth voice (session {n} of 3)" for n in (1, 2, 3)]
    assert [int(e.sequence.value) for e in events] == [0, 0, 0]
    assert all(c.method.value == "REQUEST" for _, c in invites)

    # Session 2 moves by a day: one update, for session 2 only, with a higher SEQUENCE.
    await service.update_event(COMMAND_LINE, event_id, EventPatch(sessions=_sessions(0, 8, 14)))
    [(method, calendar)] = await _delivered(smtp)
    moved = _one(calendar)
    assert (method, moved.uid.value, int(moved.sequence.value)) == ("REQUEST", uids[1], 1)
    assert moved.dtstart.value.astimezone(UTC) == START + timedelta(days=8)

    # Session 3 is dropped: one CANCEL for its UID; sessions 1 and 2 stay, now "of 2".
    await service.update_event(COMMAND_LINE, event_id, EventPatch(sessions=_sessions(0, 8)))
    found = {(m, _one(c).uid.value): _one(c) for m, c in await _delivered(smtp)}
    assert ("CANCEL", uids[2]) in found
    assert found[("CANCEL", uids[2])].status.value == "CANCELLED"
    assert int(found[("CANCEL", uids[2])].sequence.value) == 1
    assert {key for key in found if key[0] == "REQUEST"} == {("REQUEST", uids[0]), ("REQUEST", uids[1])}
    assert found[("REQUEST", uids[0])].summary.value == "Youth voice (session 1 of 2)"

    # The booking is cancelled: a CANCEL for each session still in the calendar, nothing for the dropped one.
    await bookings.cancel(COMMAND_LINE, booking.id)
    cancels = await _delivered(smtp)
    assert sorted(_one(c).uid.value for m, c in cancels if m == "CANCEL") == sorted(uids[:2])
    assert len(cancels) == 2
    rows = await CalendarSessionInvite.select(CalendarSessionInvite.slot, CalendarSessionInvite.state)
    assert {(r["slot"], r["state"]) for r in rows} == {(0, "cancelled"), (1, "cancelled"), (2, "cancelled")}


async def test_a_one_session_event_is_one_meeting_with_the_bookings_own_uid(
    smtp: tuple[Collector, SmtpBackend],  # noqa: F811
    alliance: Alliance,
) -> None:
    event_id = await _event(0)
    booking = await bookings.book(COMMAND_LINE, event_id, alliance.practitioner_ids["eilidh@example.org"])
    [(method, calendar)] = await _delivered(smtp)
    event = _one(calendar)
    assert method == "REQUEST"
    assert event.uid.value.startswith(f"booking-{booking.id}@")
    assert event.summary.value == "Youth voice"
    # Saving the event with nothing changed sends nothing.
    await service.update_event(COMMAND_LINE, event_id, EventPatch(sessions=_sessions(0)))
    assert await _delivered(smtp) == []


def _migration_id() -> str:
    path = APP_CONFIG.resolved_migrations_folder_path + "/m0034_calendar_session_invites.py"
    spec = importlib.util.spec_from_file_location("m0034_calendar_session_invites", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.ID)


async def test_invites_sent_before_keep_their_sequence_through_the_migration(
    smtp: tuple[Collector, SmtpBackend],  # noqa: F811
    alliance: Alliance,
) -> None:
    event_id = await _event(0, 7)
    booking = await bookings.book(COMMAND_LINE, event_id, alliance.practitioner_ids["eilidh@example.org"])
    await CalendarInvite.update({CalendarInvite.sequence: 4}).where(CalendarInvite.booking == booking.id)
    assert (await run_backwards("registry", migration_id=_migration_id(), auto_agree=True)).success
    assert (await run_forwards("registry")).success
    rows = await CalendarSessionInvite.select(CalendarSessionInvite.slot, CalendarSessionInvite.sequence).where(
        CalendarSessionInvite.booking == booking.id
    )
    assert sorted((r["slot"], r["sequence"]) for r in rows) == [(0, 4), (1, 4)]
    await _delivered(smtp)
    await service.update_event(COMMAND_LINE, event_id, EventPatch(sessions=_sessions(0, 9)))
    sent = [_one(c) for _, c in await _delivered(smtp)]
    assert sorted(int(e.sequence.value) for e in sent) == [5, 5]  # the next after what calendars hold
