"""Shared learning events: sessions, competences, bookings with their history, and evaluations."""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    Bytea,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from registry.learning.tables import Competence, LearningRecord
from registry.people.tables import Organisation, Practitioner

__all__ = ("Booking", "BookingHistory", "Evaluation", "Event", "EventCompetence", "EventMaterial", "EventSession")


class Event(Table, tablename="event"):
    """A cross-partner learning event; a four-week course is one event with four sessions."""

    id: Serial
    title = Varchar(length=300)
    description = Text(default="")
    host_organisation = ForeignKey(references=Organisation, null=False, on_delete=OnDelete.restrict, index=True)
    format = Varchar(length=20)
    venue = Varchar(length=500, null=True, default=None)
    online_url = Varchar(length=1000, null=True, default=None)
    capacity = Integer()
    topics = Text(default="")
    audience = Text(default="")
    requires_approval = Boolean(default=False)
    booking_opens_at = Timestamptz(null=True, default=None)
    booking_closes_at = Timestamptz(null=True, default=None)
    status = Varchar(length=20, default="draft", index=True)
    first_starts_at = Timestamptz(null=True, default=None, index=True)
    fits_part_time = Boolean(default=False)
    """``rules.fits_part_time`` of the sessions, kept by the service whenever they change, so that the list
    filters on it in SQL (a property of all sessions together, which SQL cannot judge in local time)."""
    sequence = Integer(default=0)
    created_by_email = Varchar(length=254)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class EventSession(Table, tablename="event_session"):
    id: Serial
    event = ForeignKey(references=Event, null=False, on_delete=OnDelete.cascade, index=True)
    starts_at = Timestamptz()
    ends_at = Timestamptz()


class EventCompetence(Table, tablename="event_competence"):
    id: Serial
    event = ForeignKey(references=Event, null=False, on_delete=OnDelete.cascade, index=True)
    competence = ForeignKey(references=Competence, null=False, on_delete=OnDelete.restrict)


class EventMaterial(Table, tablename="event_material"):
    """A link or a file (slides, handouts) the host adds for those who attended; files are kept in the database,
    so that every instance of the registry serves them (registry.events.materials)."""

    id: Serial
    event = ForeignKey(references=Event, null=False, on_delete=OnDelete.cascade, index=True)
    title = Varchar(length=200)
    url = Varchar(length=2000, null=True, default=None)
    filename = Varchar(length=200, null=True, default=None)
    media_type = Varchar(length=100, null=True, default=None)
    content = Bytea(null=True, default=None)
    size = Integer(default=0)
    added_by_email = Varchar(length=254)
    added_at = Timestamptz()


class Booking(Table, tablename="booking"):
    """A practitioner's place (or wait) at an event; ``status`` is the current state of an append-only history."""

    id: Serial
    event = ForeignKey(references=Event, null=False, on_delete=OnDelete.cascade, index=True)
    practitioner = ForeignKey(references=Practitioner, null=False, on_delete=OnDelete.cascade, index=True)
    status = Varchar(length=20, index=True)
    booked_by_email = Varchar(length=254)
    waitlisted_at = Timestamptz(null=True, default=None)
    learning_record = ForeignKey(references=LearningRecord, null=True, on_delete=OnDelete.set_null)
    access_needs = Text(null=True, default=None)
    """Access and dietary needs given when booking: for the host and the person only; cleared a month after
    the event (registry.events.needs)."""
    created_at = Timestamptz()
    updated_at = Timestamptz()


class BookingHistory(Table, tablename="booking_history"):
    """Every transition of a booking: who, when, from, to."""

    id: Serial
    booking = ForeignKey(references=Booking, null=False, on_delete=OnDelete.cascade, index=True)
    from_status = Varchar(length=20, null=True, default=None)
    to_status = Varchar(length=20)
    by_email = Varchar(length=254)
    at = Timestamptz()
    note = Text(default="")


class Evaluation(Table, tablename="evaluation"):
    """An attendee's evaluation of an event."""

    id: Serial
    booking = ForeignKey(references=Booking, null=False, on_delete=OnDelete.cascade, unique=True)
    rating = Integer()
    will_do_differently = Text(default="")
    competences = Text(default="")
    created_at = Timestamptz()
