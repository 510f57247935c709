"""The mail outbox: every message is written here in the transaction that causes it, then delivered."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from registry.events.tables import Booking
from registry.people.tables import Practitioner

__all__ = ("CalendarFeed", "CalendarInvite", "CalendarSessionInvite", "NotificationPreference", "OutboxMessage")


class OutboxMessage(Table, tablename="outbox_message"):
    """One e-mail waiting for delivery, delivered, or given up on after its last try."""

    id: Serial
    message_id = Varchar(length=200, unique=True)
    dedupe_key = Varchar(length=300, null=True, default=None, unique=True)
    to_email = Varchar(length=254, index=True)
    subject = Varchar(length=300)
    body_text = Text()
    body_html = Text()
    ics = Text(null=True, default=None)
    ics_method = Varchar(length=20, null=True, default=None)
    attachment_name = Varchar(length=200, null=True, default=None)
    """A file sent with the message (the quarterly report's indicator CSV), kept as text."""
    attachment_type = Varchar(length=100, null=True, default=None)
    attachment = Text(null=True, default=None)
    status = Varchar(length=20, default="pending", index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(index=True)
    claimed_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)


class CalendarInvite(Table, tablename="calendar_invite"):
    """The calendar entry of a booking: one stable UID (its first session's; the others derive theirs from it)."""

    id: Serial
    booking = ForeignKey(references=Booking, null=False, on_delete=OnDelete.cascade, unique=True)
    uid = Varchar(length=200, unique=True)
    sequence = Integer(default=0)
    """The SEQUENCE last sent when a booking's sessions went in one message; each session now keeps its own
    (``CalendarSessionInvite``), seeded from this by migration m0034."""
    state = Varchar(length=20, default="none")
    """``none`` (nothing sent yet), ``requested`` (an invite is out), ``cancelled``."""


class CalendarSessionInvite(Table, tablename="calendar_session_invite"):
    """What was last sent for one session of a booking: each session is its own iTIP meeting (its own UID,
    ``registry.notify.ical.session_uid`` of the booking's by position), with its own SEQUENCE, so that Outlook
    and Thunderbird file every session, and a change to one session updates only that one."""

    id: Serial
    booking = ForeignKey(references=Booking, null=False, on_delete=OnDelete.cascade, index=True)
    slot = Integer()
    """The session's position in the event, from 0 (0 has the booking's own UID)."""
    sequence = Integer(default=0)
    state = Varchar(length=20, default="requested")
    """``requested`` (in their calendar) or ``cancelled``."""
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    content = Text(default="")
    """The summary, place and description last sent: a change to any is an update."""


class CalendarFeed(Table, tablename="calendar_feed"):
    """The version of a practitioner's secret feed URL: regenerating it raises the version, ending the old URL."""

    id: Serial
    practitioner = ForeignKey(references=Practitioner, null=False, on_delete=OnDelete.cascade, unique=True)
    version = Integer(default=1)


class NotificationPreference(Table, tablename="notification_preference"):
    """Optional messages a person has turned off (invites and cancellations are never optional)."""

    id: Serial
    email = Varchar(length=254, unique=True)
    reminders = Boolean(default=True)
    """Event reminders, renewal reminders, evaluation requests and the manager's weekly digest."""
