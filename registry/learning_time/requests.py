"""Time requests: a practitioner asks their line manager for protected time for learning outside the alliance's
events; the manager approves or declines with a note (mail both ways, through the outbox); the practitioner
logs the learning once done. Every transition is conditional on the status it leaves (else 409)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from registry import clock
from registry.accounts.rules import Viewer, is_self
from registry.audit import service as audit
from registry.db import write_tx
from registry.errors import Conflict, Forbidden, Invalid, NotFound
from registry.learning import service as learning
from registry.learning.rules import financial_year, may_manage_own_learning
from registry.learning.schemas import LearningRecordIn
from registry.learning.service import practitioner_ref
from registry.learning_time.ledger import ledgers
from registry.learning_time.rules import may_decide_request, request_problem
from registry.learning_time.schemas import TimeRequestDecisionIn, TimeRequestIn, TimeRequestLogIn, TimeRequestOut
from registry.learning_time.tables import TimeRequest
from registry.notify.compose import render_mail
from registry.notify.outbox import enqueue
from registry.settings import get_settings

__all__ = (
    "awaiting_decision",
    "count_awaiting",
    "create_request",
    "decide_request",
    "get_request",
    "list_requests",
    "log_learning",
    "withdraw_request",
)

log = logging.getLogger(__name__)

_COLUMNS = (
    TimeRequest.id, TimeRequest.practitioner, TimeRequest.title, TimeRequest.kind, TimeRequest.starts_on,
    TimeRequest.ends_on, TimeRequest.hours, TimeRequest.competences, TimeRequest.purpose, TimeRequest.status,
    TimeRequest.manager_email, TimeRequest.requested_at, TimeRequest.decided_by_email, TimeRequest.decided_at,
    TimeRequest.decision_note, TimeRequest.learning_record,
    TimeRequest.practitioner.given_name.as_alias("given_name"),
    TimeRequest.practitioner.family_name.as_alias("family_name"),
    TimeRequest.practitioner.email.as_alias("practitioner_email"),
    TimeRequest.practitioner.manager_email.as_alias("current_manager"),
)  # fmt: skip


def _out(row: dict[str, Any]) -> TimeRequestOut:
    return TimeRequestOut(
        id=row["id"], practitioner_id=row["practitioner"],
        practitioner_name=f"{row['given_name']} {row['family_name']}", title=row["title"], kind=row["kind"],
        starts_on=row["starts_on"], ends_on=row["ends_on"], hours=row["hours"],
        competences=[c for c in row["competences"].split(";") if c], purpose=row["purpose"], status=row["status"],
        manager_email=row["manager_email"], requested_at=row["requested_at"],
        decided_by_email=row["decided_by_email"], decided_at=row["decided_at"], decision_note=row["decision_note"],
        learning_record_id=row["learning_record"],
    )  # fmt: skip


def _short(title: str, most: int = 120) -> str:
    """A title as a mail subject can hold it (the outbox keeps subjects of up to 300 characters)."""
    return title if len(title) <= most else title[: most - 1].rstrip() + "…"


def _link(request_id: int) -> str:
    return f"{get_settings().base_url}/time-requests/{request_id}"


async def _row(request_id: int) -> dict[str, Any]:
    row: dict[str, Any] | None = await TimeRequest.select(*_COLUMNS).where(TimeRequest.id == request_id).first()
    if row is None:
        raise NotFound("No such time request")
    return row


async def _visible_row(viewer: Viewer, request_id: int) -> dict[str, Any]:
    """The request if the viewer may see its person (the practitioner, their manager, editors in scope)."""
    row = await _row(request_id)
    await practitioner_ref(viewer, row["practitioner"])  # NotFound when the person is out of sight
    return row


async def get_request(viewer: Viewer, request_id: int) -> TimeRequestOut:
    return _out(await _visible_row(viewer, request_id))


async def list_requests(viewer: Viewer, practitioner_id: int, limit: int = 50, offset: int = 0) -> tuple[
    list[TimeRequestOut], int
]:
    """One person's requests, latest first."""
    await practitioner_ref(viewer, practitioner_id)
    where = TimeRequest.practitioner == practitioner_id
    rows = await (
        TimeRequest.select(*_COLUMNS).where(where)
        .order_by(TimeRequest.starts_on, ascending=False).order_by(TimeRequest.id, ascending=False)
        .limit(limit).offset(offset)
    )  # fmt: skip
    return [_out(r) for r in rows], await TimeRequest.count().where(where)


def _awaiting_where(viewer: Viewer) -> Any:
    # Decided by the person's line manager as the record names them now (a new manager inherits the queue).
    return (TimeRequest.status == "requested") & (
        TimeRequest.practitioner.manager_email == viewer.email.lower()
    ) & (TimeRequest.practitioner != (viewer.practitioner_id or 0))


async def awaiting_decision(viewer: Viewer, limit: int = 50, offset: int = 0) -> tuple[list[TimeRequestOut], int]:
    """Requests waiting for the viewer's decision, oldest first."""
    where = _awaiting_where(viewer)
    rows = await (
        TimeRequest.select(*_COLUMNS).where(where).order_by(TimeRequest.requested_at).order_by(TimeRequest.id)
        .limit(limit).offset(offset)
    )  # fmt: skip
    return [_out(r) for r in rows], await TimeRequest.count().where(where)


async def count_awaiting(viewer: Viewer) -> int:
    return int(await TimeRequest.count().where(_awaiting_where(viewer)))


async def create_request(viewer: Viewer, practitioner_id: int, data: TimeRequestIn) -> TimeRequestOut:
    """The practitioner asks their line manager; the manager is told by mail."""
    practitioner = await practitioner_ref(viewer, practitioner_id)
    if not may_manage_own_learning(viewer, practitioner_id):
        raise Forbidden("Only the practitioner can ask for their own protected time")
    ends_on = data.ends_on or data.starts_on
    if problems := request_problem(data.starts_on, ends_on, data.hours, clock.today()):
        raise Invalid(problems)
    manager = practitioner["manager_email"]
    if not manager:
        raise Invalid({"manager_email": "is not recorded for you: ask your partner admin to record your line manager"})
    await learning.competence_ids(data.competences)
    year = financial_year(data.starts_on)
    balance = (await ledgers([practitioner], year))[practitioner_id]
    async with write_tx():
        inserted = await TimeRequest.insert(
            TimeRequest(
                practitioner=practitioner_id, starts_on=data.starts_on, ends_on=ends_on, hours=data.hours,
                title=data.title, kind=data.kind, competences=";".join(dict.fromkeys(data.competences)),
                purpose=data.purpose, status="requested", manager_email=manager, requested_at=clock.now(),
            )
        ).returning(TimeRequest.id)  # fmt: skip
        request_id = int(inserted[0]["id"])
        text, page = render_mail(
            "time_request", name=manager, practitioner=f"{practitioner['given_name']} {practitioner['family_name']}",
            hours=f"{data.hours:g}", title=data.title, starts_on=data.starts_on, ends_on=ends_on,
            purpose=data.purpose, remaining=f"{balance.remaining_hours:g}", link=_link(request_id),
        )  # fmt: skip
        await enqueue(manager, f"Protected learning time asked for: {_short(data.title)}", text, page)
    log.info("%s asked for %s h of protected time (request %s)", viewer.email, data.hours, request_id)
    return await get_request(viewer, request_id)


async def _move(request_id: int, expected: tuple[str, ...], changes: dict[Any, Any]) -> None:
    """Update the request only if its status is still one of ``expected`` (else someone got there first: 409)."""
    updated = await TimeRequest.update(changes).where(
        (TimeRequest.id == request_id) & TimeRequest.status.is_in(list(expected))
    ).returning(TimeRequest.id)
    if not updated:
        raise Conflict("This request has changed since you opened it: reload the page to see it")


async def decide_request(viewer: Viewer, request_id: int, data: TimeRequestDecisionIn) -> TimeRequestOut:
    """The line manager approves or declines, with a note; the practitioner is told by mail."""
    row = await _visible_row(viewer, request_id)
    if not may_decide_request(viewer, row["practitioner"], row["current_manager"]):
        raise Forbidden("Only the practitioner's line manager can decide this request")
    if data.decision == "decline" and not data.note:
        raise Invalid({"note": "must say why the request is declined"})
    approved = data.decision == "approve"
    async with write_tx():
        await _move(request_id, ("requested",), {
            TimeRequest.status: "approved" if approved else "declined", TimeRequest.decided_by_email: viewer.email,
            TimeRequest.decided_at: clock.now(), TimeRequest.decision_note: data.note,
        })  # fmt: skip
        text, page = render_mail(
            "time_request_decided", name=row["given_name"], approved=approved, decided_by=viewer.name,
            hours=f"{row['hours']:g}", title=row["title"], starts_on=row["starts_on"], note=data.note,
            link=_link(request_id),
        )  # fmt: skip
        subject = "approved" if approved else "declined"
        await audit.record(viewer, f"time_request.{subject}", subject=f"practitioner:{row['practitioner']}",
                           summary=f"Request {request_id} for {row['hours']:g} h of protected time {subject}",
                           details={"request_id": request_id, "hours": row["hours"]})  # fmt: skip
        await enqueue(row["practitioner_email"], f"Your protected learning time is {subject}: {_short(row['title'])}",
                      text, page)  # fmt: skip
    log.info("%s %sd time request %s", viewer.email, data.decision, request_id)
    return await get_request(viewer, request_id)


async def withdraw_request(viewer: Viewer, request_id: int) -> TimeRequestOut:
    """The practitioner withdraws a request not yet logged (the booked hours are freed)."""
    row = await _visible_row(viewer, request_id)
    if not is_self(viewer, row["practitioner"]):
        raise Forbidden("Only the practitioner can withdraw their request")
    async with write_tx():
        await _move(request_id, ("requested", "approved"), {TimeRequest.status: "withdrawn"})
    log.info("%s withdrew time request %s", viewer.email, request_id)
    return await get_request(viewer, request_id)


async def log_learning(viewer: Viewer, request_id: int, data: TimeRequestLogIn) -> TimeRequestOut:
    """The practitioner logs the learning an approved request was for: a learning record in protected time,
    tied to the request, which stops counting as booked and counts as used (one transaction)."""
    row = await _visible_row(viewer, request_id)
    if not is_self(viewer, row["practitioner"]):
        raise Forbidden("Only the practitioner can log their learning")
    if row["status"] != "approved":
        raise Conflict("Only an approved request's learning can be logged")
    completed_on = data.completed_on or row["ends_on"]
    if completed_on < row["starts_on"] or completed_on > row["ends_on"] + timedelta(days=31):
        raise Invalid({"completed_on": "must be between the request's first day and a month after its last"})
    if completed_on > clock.today():
        raise Invalid({"completed_on": "must not be in the future: log the learning once it is done"})
    record = LearningRecordIn(
        title=row["title"], kind=row["kind"], completed_on=completed_on, hours=data.hours or row["hours"],
        competences=[c for c in row["competences"].split(";") if c], reflection=data.reflection, protected_time=True,
    )  # fmt: skip
    async with write_tx():
        record_id = await learning.record_own_learning(viewer, row["practitioner"], record)
        await _move(request_id, ("approved",), {TimeRequest.status: "logged", TimeRequest.learning_record: record_id})
    log.info("%s logged learning record %s for time request %s", viewer.email, record_id, request_id)
    return await get_request(viewer, request_id)

