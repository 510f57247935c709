"""Verification of learning: the practitioner asks a verifier, who reviews and verifies or returns it."""

from __future__ import annotations

import logging
from typing import Any

from registry import clock
from registry.accounts.rules import Viewer
from registry.audit import service as audit
from registry.db import write_tx
from registry.errors import Conflict, Forbidden, Invalid, NotFound
from registry.learning.rules import can_verify, may_manage_own_learning, verifier_problem
from registry.learning.schemas import LearningRecordOut, QueueItem
from registry.learning.service import competences_of, get_record, practitioner_ref, record_out, record_row
from registry.learning.tables import LearningRecord
from registry.people.tables import Practitioner
from registry.registration import history as registration

__all__ = ("request_verification", "return_record", "review_record", "verification_queue", "verify")

log = logging.getLogger(__name__)


async def request_verification(
    viewer: Viewer, practitioner_id: int, record_id: int, verifier_email: str
) -> LearningRecordOut:
    """Name the verifier (the line manager, or a registered practitioner) and put the record in their queue."""
    practitioner = await practitioner_ref(viewer, practitioner_id)
    if not may_manage_own_learning(viewer, practitioner["id"]):
        raise Forbidden("Only the practitioner can ask for their learning to be verified")
    row = await record_row(practitioner_id, record_id)
    if row["verification_state"] == "verified":
        raise Conflict("This record is already verified")
    verifier_email = verifier_email.strip().lower()
    verifier = await Practitioner.select(Practitioner.id).where(Practitioner.email == verifier_email).first()
    status = (await registration.statuses_on([verifier["id"]], clock.today()))[verifier["id"]] if verifier else None
    if problem := verifier_problem(verifier_email, practitioner["email"], practitioner["manager_email"], status):
        raise Invalid({"verifier_email": problem})
    async with write_tx():
        await LearningRecord.update(
            {
                LearningRecord.verification_state: "requested",
                LearningRecord.verifier_email: verifier_email,
                LearningRecord.verification_requested_at: clock.now(),
            }
        ).where(LearningRecord.id == record_id)
    log.info("%s asked %s to verify learning record %s", viewer.email, verifier_email, record_id)
    return await get_record(viewer, practitioner_id, record_id)


async def verification_queue(viewer: Viewer, limit: int = 50, offset: int = 0) -> tuple[list[QueueItem], int]:
    """A page of the records waiting for this viewer's review, oldest request first, and how many (in SQL)."""
    where = (LearningRecord.verifier_email == viewer.email.lower()) & (
        LearningRecord.verification_state == "requested"
    )
    rows = (
        await LearningRecord.select(
            LearningRecord.id,
            LearningRecord.practitioner,
            LearningRecord.practitioner.given_name.as_alias("given_name"),
            LearningRecord.practitioner.family_name.as_alias("family_name"),
            LearningRecord.title,
            LearningRecord.completed_on,
            LearningRecord.hours,
            LearningRecord.verification_requested_at,
        )
        .where(where)
        .order_by(LearningRecord.verification_requested_at)
        .order_by(LearningRecord.id)
        .limit(limit)
        .offset(offset)
    )
    items = [
        QueueItem(
            record_id=r["id"],
            practitioner_id=r["practitioner"],
            practitioner_name=f"{r['given_name']} {r['family_name']}",
            title=r["title"],
            completed_on=r["completed_on"],
            hours=r["hours"],
            requested_at=r["verification_requested_at"],
        )
        for r in rows
    ]
    return items, int(await LearningRecord.count().where(where))


async def _reviewable(viewer: Viewer, record_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The record and its practitioner, for its named verifier only; anyone else is told it does not exist."""
    row: dict[str, Any] | None = await LearningRecord.select().where(LearningRecord.id == record_id).first()
    if row is None or (row["verifier_email"] or "") != viewer.email.lower():
        raise NotFound("No such learning record")
    practitioner: dict[str, Any] | None = (
        await Practitioner.select(
            Practitioner.id, Practitioner.email, Practitioner.manager_email, Practitioner.given_name,
            Practitioner.family_name,
        )
        .where(Practitioner.id == row["practitioner"])
        .first()
    )  # fmt: skip
    assert practitioner is not None
    return row, practitioner


async def review_record(viewer: Viewer, record_id: int) -> tuple[LearningRecordOut, dict[str, Any]]:
    """What the verifier reads: the record with its reflection, and whose it is."""
    row, practitioner = await _reviewable(viewer, record_id)
    codes = (await competences_of([record_id])).get(record_id, [])
    return record_out(viewer, practitioner, row, codes), practitioner


def _still_waiting_for(viewer: Viewer, record_id: int) -> Any:
    """The record, only if it still waits for this verifier (it may have been edited or re-assigned meanwhile)."""
    return (
        (LearningRecord.id == record_id)
        & (LearningRecord.verification_state == "requested")
        & (LearningRecord.verifier_email == viewer.email.lower())
    )


async def verify(viewer: Viewer, record_id: int, review_note: str) -> LearningRecordOut:
    """Record the review of the reflective discussion and mark the learning verified."""
    row, practitioner = await _reviewable(viewer, record_id)
    if not can_verify(viewer, practitioner["id"], row["verifier_email"], row["verification_state"]):
        raise Conflict("This record is not waiting for your verification")
    async with write_tx():
        done = (
            await LearningRecord.update(
                {
                    LearningRecord.verification_state: "verified",
                    LearningRecord.review_note: review_note,
                    LearningRecord.return_comment: "",
                    LearningRecord.verified_at: clock.now(),
                    LearningRecord.verified_by_email: viewer.email.lower(),
                }
            )
            .where(_still_waiting_for(viewer, record_id))
            .returning(LearningRecord.id)
        )
        if not done:
            raise Conflict("The record changed while you were reviewing it; open it again")
        await audit.record(
            viewer, "learning.verified", subject=f"practitioner:{practitioner['id']}",
            summary=f"Learning record {record_id} verified", details={"record_id": record_id},
        )  # fmt: skip
    log.info("%s verified learning record %s", viewer.email, record_id)
    return (await review_record(viewer, record_id))[0]


async def return_record(viewer: Viewer, record_id: int, comment: str) -> LearningRecordOut:
    """Send the record back to the practitioner with a comment; it leaves the verifier's queue."""
    row, practitioner = await _reviewable(viewer, record_id)
    if not can_verify(viewer, practitioner["id"], row["verifier_email"], row["verification_state"]):
        raise Conflict("This record is not waiting for your verification")
    async with write_tx():
        done = (
            await LearningRecord.update(
                {LearningRecord.verification_state: "returned", LearningRecord.return_comment: comment}
            )
            .where(_still_waiting_for(viewer, record_id))
            .returning(LearningRecord.id)
        )
        if not done:
            raise Conflict("The record changed while you were reviewing it; open it again")
        await audit.record(
            viewer, "learning.returned", subject=f"practitioner:{practitioner['id']}",
            summary=f"Learning record {record_id} returned for more", details={"record_id": record_id},
        )  # fmt: skip
    log.info("%s returned learning record %s", viewer.email, record_id)
    return (await review_record(viewer, record_id))[0]
