"""A certificate of attendance for an event attended: the event, its dates and hours, the competences it
developed and its host — printable evidence CLDSC may ask for, linked from the renewal pack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from registry.accounts.rules import Viewer
from registry.errors import Conflict
from registry.events import bookings
from registry.events.rules import SessionTimes, session_hours
from registry.events.tables import Booking, BookingHistory, EventCompetence, EventSession
from registry.people.tables import Organisation, Practitioner

__all__ = ("Certificate", "certificate")


@dataclass(frozen=True, slots=True)
class Certificate:
    booking_id: int
    name: str
    organisation: str
    title: str
    host: str
    sessions: list[tuple[datetime, datetime]]
    hours: float
    competences: list[tuple[str, str]]
    marked_by: str


async def certificate(viewer: Viewer, booking_id: int) -> Certificate:
    """The certificate of a booking marked attended, for whoever may see the booking; otherwise not found."""
    booking = await bookings.get_booking(viewer, booking_id)  # refuses anyone not concerned with it
    if booking.status != "attended":
        raise Conflict("There is a certificate once the host has recorded that they attended")
    event = await Booking.select(
        Booking.event.title.as_alias("title"), Booking.event.host_organisation.as_alias("host"),
    ).where(Booking.id == booking_id).first()  # fmt: skip
    person = (
        await Practitioner.select(
            Practitioner.given_name, Practitioner.family_name, Practitioner.organisation.name.as_alias("organisation")
        )
        .where(Practitioner.id == booking.practitioner_id)
        .first()
    )
    assert event is not None
    assert person is not None
    host = await Organisation.select(Organisation.name).where(Organisation.id == event["host"]).first()
    sessions = (
        await EventSession.select(EventSession.starts_at, EventSession.ends_at)
        .where(EventSession.event == booking.event_id)
        .order_by(EventSession.starts_at)
    )
    competences = (
        await EventCompetence.select(
            EventCompetence.competence.code.as_alias("code"), EventCompetence.competence.title.as_alias("title")
        )
        .where(EventCompetence.event == booking.event_id)
        .order_by(EventCompetence.competence.code)
    )
    marked = (
        await BookingHistory.select(BookingHistory.by_email)
        .where((BookingHistory.booking == booking_id) & (BookingHistory.to_status == "attended"))
        .order_by(BookingHistory.id, ascending=False)
        .first()
    )
    return Certificate(
        booking_id=booking_id, name=f"{person['given_name']} {person['family_name']}",
        organisation=person["organisation"] or "", title=event["title"], host=host["name"] if host else "",
        sessions=[(s["starts_at"], s["ends_at"]) for s in sessions],
        hours=session_hours(SessionTimes(s["starts_at"], s["ends_at"]) for s in sessions),
        competences=[(c["code"], c["title"]) for c in competences], marked_by=marked["by_email"] if marked else "",
    )  # fmt: skip
