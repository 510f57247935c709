"""Evaluation use cases: an attendee's short feedback after an event, and the host's anonymous aggregate.

Feedback is anonymous to the host: the summary carries counts and comments, never a name, a booking or a
time that could tie an answer to an attendee. The registry itself keeps the booking (to allow one answer
per attendee), so it is anonymous to the host, not to the system.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from registry import clock
from registry.accounts.rules import Viewer, can_see_practitioner, is_self
from registry.db import is_integrity_error, write_tx
from registry.errors import Conflict, Forbidden, Invalid, NotFound
from registry.events.access import event_row, may_manage_event
from registry.events.evaluation_schemas import (
    MAX_RATING,
    MIN_RATING,
    CompetenceCount,
    EvaluationIn,
    EvaluationOut,
    EvaluationSummary,
    PendingEvaluation,
    RatingCount,
)
from registry.events.tables import Booking, Evaluation, EventSession
from registry.exports.suppression import K_DEFAULT
from registry.learning.service import list_competences
from registry.learning.tables import Framework

__all__ = (
    "EvaluationContext",
    "evaluation_closed_reason",
    "evaluation_context",
    "evaluation_summary",
    "pending_evaluations",
    "submit_evaluation",
)

COMMENTS_FROM = K_DEFAULT
"""Free text is shown to the host once this many attendees have answered (METRICS.md's k): fewer, and the
summary holds counts only."""

log = logging.getLogger(__name__)

ALREADY_GIVEN = "You have already given feedback on this event"


def evaluation_closed_reason(
    booking_status: str, last_session_starts_at: datetime | None, now: datetime, already_given: bool
) -> str | None:
    """Why the attendee cannot give feedback now, or None: once, after attending, from the last session's start."""
    if already_given:
        return ALREADY_GIVEN
    if booking_status != "attended":
        return "You can give feedback once the host has recorded that you attended"
    if last_session_starts_at is None or now < last_session_starts_at:
        return "Feedback opens when the event's last session starts"
    return None


@dataclass(frozen=True, slots=True)
class EvaluationContext:
    """The booking an evaluation is about, as the form shows it."""

    booking_id: int
    event_id: int
    event_title: str
    starts_at: datetime | None
    closed_reason: str | None
    """Why feedback cannot be given now; None when the form is open."""


async def _own_booking(viewer: Viewer, booking_id: int) -> dict[str, Any]:
    """The booking with its event, if it is the viewer's own; 404 if they may not see it, 403 if not theirs."""
    row: dict[str, Any] | None = (
        await Booking.select(
            Booking.id, Booking.status, Booking.event,
            Booking.practitioner.as_alias("practitioner_id"),
            Booking.practitioner.organisation.as_alias("organisation"),
            Booking.practitioner.manager_email.as_alias("manager_email"),
            Booking.event.title.as_alias("event_title"),
            Booking.event.host_organisation.as_alias("host_organisation"),
            Booking.event.first_starts_at.as_alias("starts_at"),
        )
        .where(Booking.id == booking_id)
        .first()
    )  # fmt: skip
    if row is None:
        raise NotFound("No such booking")
    concerned = can_see_practitioner(
        viewer, row["practitioner_id"], row["organisation"], row["manager_email"]
    ) or may_manage_event(viewer, row["host_organisation"])
    if not concerned:
        raise NotFound("No such booking")
    if not is_self(viewer, row["practitioner_id"]):
        raise Forbidden("Only the person who attended can give feedback on this booking")
    return row


async def _closed_reason(booking_id: int, event_id: int, now: datetime) -> str | None:
    """Read afresh (inside the caller's transaction, when there is one) whether feedback is open."""
    status = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    last = (
        await EventSession.select(EventSession.starts_at)
        .where(EventSession.event == event_id)
        .order_by(EventSession.starts_at, ascending=False)
        .first()
    )
    given = bool(await Evaluation.exists().where(Evaluation.booking == booking_id))
    return evaluation_closed_reason(
        status["status"] if status else "", last["starts_at"] if last else None, now, already_given=given
    )


async def evaluation_context(viewer: Viewer, booking_id: int) -> EvaluationContext:
    """The booking the form is about and whether it is open (the booking's practitioner only)."""
    row = await _own_booking(viewer, booking_id)
    return EvaluationContext(
        booking_id=row["id"],
        event_id=row["event"],
        event_title=row["event_title"],
        starts_at=row["starts_at"],
        closed_reason=await _closed_reason(row["id"], row["event"], clock.now()),
    )


async def _checked_competences(codes: list[str]) -> list[str]:
    known = {c.code for c in await list_competences()}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise Invalid({"competences": f"unknown competence {', '.join(unknown)}"})
    return codes


async def submit_evaluation(viewer: Viewer, booking_id: int, data: EvaluationIn) -> EvaluationOut:
    """The attendee's feedback: once per booking, after attending and once the last session has started."""
    row = await _own_booking(viewer, booking_id)
    event_id = int(row["event"])
    now = clock.now()
    try:
        async with write_tx():
            if reason := await _closed_reason(booking_id, event_id, now):
                raise Conflict(reason)
            codes = await _checked_competences(data.competences)
            inserted = await Evaluation.insert(
                Evaluation(
                    booking=booking_id, rating=data.rating, will_do_differently=data.will_do_differently,
                    competences=";".join(codes), created_at=now,
                )
            ).returning(Evaluation.id)  # fmt: skip
    except Exception as exc:
        # Two submissions racing past the check meet the unique booking column.
        if is_integrity_error(exc):
            raise Conflict(ALREADY_GIVEN) from exc
        raise
    evaluation_id = int(inserted[0]["id"])
    # The answers stay out of the log: the host must not be able to match them to a person from anywhere.
    log.info("%s gave feedback %s on event %s (booking %s)", viewer.email, evaluation_id, event_id, booking_id)
    return EvaluationOut(
        id=evaluation_id, booking_id=booking_id, event_id=event_id, rating=data.rating,
        will_do_differently=data.will_do_differently, competences=codes, created_at=now,
    )  # fmt: skip


# Evaluations that count: those of the event's bookings still marked as attended (attendance can be corrected).
_COUNTED = """
    FROM "evaluation" AS v
    JOIN "booking" AS b ON b."id" = v."booking"
    WHERE b."event" = {} AND b."status" = 'attended'
"""


async def evaluation_summary(viewer: Viewer, event_id: int) -> EvaluationSummary:
    """The host's view: attendees, responses, average and spread of ratings, competences helped, comments."""
    event = await event_row(event_id)
    if not may_manage_event(viewer, event["host_organisation"]):
        if event["status"] == "draft":
            raise NotFound("No such event")
        raise Forbidden("Only the host can see the feedback on this event")
    attendees = await Booking.count().where((Booking.event == event_id) & (Booking.status == "attended"))
    totals = (await Evaluation.raw(f"SELECT COUNT(*) AS responses, AVG(v.rating) AS average {_COUNTED}", event_id))[0]
    by_rating = {
        int(r["rating"]): int(r["n"])
        for r in await Evaluation.raw(
            f"SELECT v.rating AS rating, COUNT(*) AS n {_COUNTED} GROUP BY v.rating", event_id
        )
    }
    framework = await Framework.select(Framework.id).where(Framework.is_default == True).first()  # noqa: E712
    # Each evaluation stores its codes as "C1;C4": a competence counts the evaluations whose list holds its code.
    per_competence = await Evaluation.raw(
        f"""
        SELECT c."code" AS code, c."title" AS title, COUNT(counted."id") AS n
        FROM "competence" AS c
        LEFT JOIN (SELECT v."id", v."competences" {_COUNTED}) AS counted
            ON (';' || counted."competences" || ';') LIKE ('%;' || c."code" || ';%')
        WHERE c."framework" = {{}} AND c."kind" = 'competence'
        GROUP BY c."code", c."title", c."position"
        ORDER BY c."position", c."code"
        """,
        event_id,
        framework["id"] if framework else 0,
    )
    responses = int(totals["responses"])
    # Ordered by the text, not by when or by whom, so comments cannot be lined up with the attendance list;
    # and only from COMMENTS_FROM answers on, as with one or two a host can tell whose words they are.
    withheld = responses < COMMENTS_FROM
    comments = [] if withheld else await Evaluation.raw(
        f"""SELECT v."will_do_differently" AS comment {_COUNTED} AND v."will_do_differently" <> ''
        ORDER BY v."will_do_differently" """,
        event_id,
    )
    average = totals["average"]
    log.info("%s read the feedback summary of event %s", viewer.email, event_id)
    return EvaluationSummary(
        event_id=event_id,
        event_title=event["title"],
        attendees=attendees,
        responses=responses,
        average_rating=round(float(average), 2) if average is not None else None,
        ratings=[RatingCount(rating=r, count=by_rating.get(r, 0)) for r in range(MIN_RATING, MAX_RATING + 1)],
        competences=[CompetenceCount(code=c["code"], title=c["title"], count=int(c["n"])) for c in per_competence],
        comments=[c["comment"] for c in comments],
        comments_withheld=withheld,
        comments_from=COMMENTS_FROM,
    )


async def pending_evaluations(viewer: Viewer) -> list[PendingEvaluation]:
    """The viewer's attended events with no feedback yet whose last session has started, latest first."""
    rows = (
        await Booking.select(
            Booking.id, Booking.event,
            Booking.event.title.as_alias("event_title"),
            Booking.event.first_starts_at.as_alias("starts_at"),
        )
        .where(
            (Booking.practitioner == (viewer.practitioner_id or 0))
            & (Booking.status == "attended")
            & Booking.id.not_in(Evaluation.select(Evaluation.booking))
            # Every session has started: the event has sessions, and none of them starts later than now.
            & Booking.event.is_in(EventSession.select(EventSession.event))
            & Booking.event.not_in(
                EventSession.select(EventSession.event).where(EventSession.starts_at > clock.now())
            )
        )
        .order_by(Booking.event.first_starts_at, ascending=False)
        .order_by(Booking.id)
    )  # fmt: skip
    return [
        PendingEvaluation(
            booking_id=r["id"], event_id=r["event"], event_title=r["event_title"], starts_at=r["starts_at"]
        )
        for r in rows
    ]
