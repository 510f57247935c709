"""Invites and notices through a real SMTP server (aiosmtpd on loopback), parsed by independent parsers."""

from __future__ import annotations

import asyncio
import email
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import vobject
from aiosmtpd.controller import Controller

from registry.accounts.rules import Role
from registry.cli_viewer import COMMAND_LINE
from registry.events import bookings, service
from registry.events.schemas import EventIn, EventPatch, SessionIn
from registry.notify import outbox
from registry.notify.mail import SmtpBackend
from registry.notify.tables import OutboxMessage
from registry.people.tables import Practitioner
from tests.support import Alliance, as_viewer

LONDON = ZoneInfo("Europe/London")


class Collector:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=policy.default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Collector, SmtpBackend]]:
    collector = Collector()
    port = _free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    yield collector, SmtpBackend("127.0.0.1", port, None, None, use_tls=False, start_tls=False)
    controller.stop()


def _calendar(message: EmailMessage) -> tuple[str, Any]:
    """The text/calendar alternative's method parameter, and the calendar parsed by vobject."""
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    attachment = next(p for p in message.walk() if p.get_filename() == "invite.ics")
    assert attachment.get_content() == part.get_content() or attachment.get_payload(decode=True) == part.get_payload(
        decode=True
    )
    return str(part.get_param("method")), vobject.readOne(part.get_payload(decode=True).decode())


async def _event(start: datetime, capacity: int = 5) -> int:
    event = await service.create_event(
        COMMAND_LINE,
        EventIn(title="Youth voice in schools", host_organisation="DCC", format="in_person", venue="Coldside Library",
                capacity=capacity, sessions=[SessionIn(starts_at=start, ends_at=start + timedelta(hours=2))],
                status="published"),
    )  # fmt: skip
    return event.id


EILIDH = as_viewer("eilidh@example.org", "Eilidh", Role.PRACTITIONER)


async def test_booking_sends_a_request_invite_then_update_then_cancel(smtp, alliance: Alliance) -> None:
    collector, backend = smtp
    start = datetime(2030, 3, 5, 10, 0, tzinfo=LONDON)
    event_id = await _event(start)
    booking = await bookings.book(EILIDH, event_id)
    assert (await outbox.deliver_due(backend)).sent == 1
    invite = collector.messages[-1]
    assert invite["To"] == "eilidh@example.org"
    assert invite["Subject"] == "Invitation: Youth voice in schools"
    assert invite.get_content_type() == "multipart/mixed"
    body = invite.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "Tuesday 5 March 2030, 10am to 12pm" in text
    assert "Coldside Library" in text
    assert "You are getting this because" in text
    assert f"/events/{event_id}" in text
    html_body = invite.get_body(preferencelist=("html",))
    assert html_body is not None
    assert "Tuesday 5 March 2030" in html_body.get_content()
    method, calendar = _calendar(invite)
    assert method == "REQUEST"
    assert calendar.method.value == "REQUEST"
    uid = calendar.vevent.uid.value
    assert uid == f"booking-{booking.id}@testserver.local"
    assert calendar.vevent.sequence.value == "0"
    assert calendar.vevent.organizer.value == "mailto:learning-registry@example.org"
    assert calendar.vevent.attendee.value == "mailto:eilidh@example.org"
    assert calendar.vevent.dtstart.value == start
    assert calendar.vtimezone.tzid.value == "Europe/London"

    moved = start + timedelta(days=1, hours=3)
    await service.update_event(
        COMMAND_LINE, event_id, EventPatch(sessions=[SessionIn(starts_at=moved, ends_at=moved + timedelta(hours=1))])
    )
    assert (await outbox.deliver_due(backend)).sent == 1
    update = collector.messages[-1]
    assert update["Subject"] == "Updated: Youth voice in schools"
    method, calendar = _calendar(update)
    assert (method, calendar.vevent.uid.value, calendar.vevent.sequence.value) == ("REQUEST", uid, "1")
    assert calendar.vevent.dtstart.value == moved

    await bookings.cancel(EILIDH, booking.id)
    assert (await outbox.deliver_due(backend)).sent == 1
    method, calendar = _calendar(collector.messages[-1])
    assert (method, calendar.method.value, calendar.vevent.uid.value) == ("CANCEL", "CANCEL", uid)
    assert calendar.vevent.sequence.value == "2"
    assert calendar.vevent.status.value == "CANCELLED"


async def test_waitlisted_gets_a_notice_without_an_invite(smtp, alliance: Alliance) -> None:
    collector, backend = smtp
    event_id = await _event(datetime(2030, 3, 5, 10, 0, tzinfo=LONDON), capacity=1)
    await bookings.book(COMMAND_LINE, event_id, alliance.practitioner_ids["graham@example.org"])
    await bookings.book(EILIDH, event_id)
    await outbox.deliver_due(backend)
    notice = next(m for m in collector.messages if m["To"] == "eilidh@example.org")
    assert notice["Subject"] == "Waiting list: Youth voice in schools"
    assert not [p for p in notice.walk() if p.get_content_type() == "text/calendar"]


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        (datetime(2027, 10, 31, 10, 0), datetime(2027, 10, 31, 10, 0, tzinfo=UTC)),  # clocks go back at 02:00
        (datetime(2027, 3, 28, 10, 0), datetime(2027, 3, 28, 9, 0, tzinfo=UTC)),  # clocks go forward at 01:00
    ],
)
async def test_invites_on_the_day_the_clocks_change(smtp, alliance: Alliance, local: datetime, utc: datetime) -> None:
    collector, backend = smtp
    event_id = await _event(local.replace(tzinfo=LONDON))
    await bookings.book(EILIDH, event_id)
    await outbox.deliver_due(backend)
    _, calendar = _calendar(collector.messages[-1])
    assert calendar.vevent.dtstart.value.astimezone(UTC) == utc
    assert (
        f"{local:%A %-d %B %Y}, 10am to 12pm"
        in collector.messages[-1].get_body(preferencelist=("plain",)).get_content()
    )


async def test_messages_wait_while_the_server_is_down_and_go_once_it_is_back(alliance: Alliance) -> None:
    port = _free_port()
    down = SmtpBackend("127.0.0.1", port, None, None, use_tls=False, start_tls=False)
    event_id = await _event(datetime(2030, 3, 5, 10, 0, tzinfo=LONDON))
    await bookings.book(EILIDH, event_id)
    report = await outbox.deliver_due(down)
    assert (report.sent, report.retrying) == (0, 1)
    row = await OutboxMessage.select().first()
    assert row is not None
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert row["next_attempt_at"] > datetime.now(UTC)
    assert row["last_error"]
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert (await outbox.deliver_due(down)).sent == 0  # not due yet: backing off
        await OutboxMessage.update({OutboxMessage.next_attempt_at: datetime.now(UTC)}, force=True)
        assert (await outbox.deliver_due(down)).sent == 1
        assert (await outbox.deliver_due(down)).sent == 0
    finally:
        controller.stop()
    assert len(collector.messages) == 1


async def test_the_last_failure_marks_the_message_failed_and_an_admin_can_retry(alliance: Alliance) -> None:
    down = SmtpBackend("127.0.0.1", _free_port(), None, None, use_tls=False, start_tls=False)
    event_id = await _event(datetime(2030, 3, 5, 10, 0, tzinfo=LONDON))
    await bookings.book(EILIDH, event_id)
    for _ in range(outbox.MAX_ATTEMPTS):
        await OutboxMessage.update({OutboxMessage.next_attempt_at: datetime.now(UTC)}, force=True)
        await outbox.deliver_due(down)
    row = await OutboxMessage.select().first()
    assert row is not None
    assert (row["status"], row["attempts"]) == ("failed", outbox.MAX_ATTEMPTS)
    await outbox.retry_failed(row["id"], "admin@example.org")
    again = await OutboxMessage.select(OutboxMessage.status, OutboxMessage.attempts).first()
    assert again == {"status": "pending", "attempts": 0}


async def test_two_deliverers_at_once_send_each_message_once(smtp, alliance: Alliance) -> None:
    collector, backend = smtp
    event_id = await _event(datetime(2030, 3, 5, 10, 0, tzinfo=LONDON), capacity=10)
    for email_address in ("eilidh@example.org", "ross@example.org", "graham@example.org", "nhs@example.org"):
        await bookings.book(COMMAND_LINE, event_id, alliance.practitioner_ids[email_address])
    reports = await asyncio.gather(outbox.deliver_due(backend), outbox.deliver_due(backend))
    assert sum(r.sent for r in reports) == 4
    assert sorted(m["To"] for m in collector.messages) == sorted(
        ["eilidh@example.org", "ross@example.org", "graham@example.org", "nhs@example.org"]
    )
    assert len({m["Message-ID"] for m in collector.messages}) == 4


async def test_a_name_typed_as_html_is_escaped_in_the_html_part_and_kept_in_the_text(alliance: Alliance) -> None:
    await Practitioner.update({Practitioner.given_name: "<script>alert(1)</script>"}).where(
        Practitioner.email == "eilidh@example.org"
    )
    await bookings.book(EILIDH, await _event(datetime(2030, 3, 5, 10, 0, tzinfo=LONDON)))
    message = await OutboxMessage.select(OutboxMessage.body_text, OutboxMessage.body_html).first()
    assert message is not None
    assert "<script>" not in message["body_html"]
    assert "<p>Dear &lt;script&gt;alert(1)&lt;/script&gt;,</p>" in message["body_html"]
    assert message["body_text"].startswith("Dear <script>alert(1)</script>,\n\nYour place is confirmed.")
