"""Confirming registration claims: the queue of claims in a confirmer's scope, confirming and rejecting.

A claim (an active status recorded by the practitioner or their line manager) counts only once a partner
admin of the practitioner's organisation, a lead or an admin has checked it; the decision, who took it and
when are written on the change, and the practitioner is told by mail in the same transaction.
"""

from __future__ import annotations

import logging
from typing import Any

from piccolo.columns.combination import Or

from registry import clock
from registry.accounts.rules import Role, Viewer, is_self
from registry.audit import service as audit
from registry.db import write_tx
from registry.errors import Conflict, Forbidden, NotFound
from registry.notify.registration import on_registration_decided
from registry.people import service as people
from registry.registration.rules import CONFIRMED, CONFIRMING_ROLES, PENDING, REJECTED, can_confirm_change
from registry.registration.schemas import RegistrationClaimOut, RegistrationOut
from registry.registration.service import organisation_of, registration_on
from registry.registration.tables import CldscRegistration

__all__ = ("claim_to_decide", "confirm_claim", "list_claims", "reject_claim")

log = logging.getLogger(__name__)

_CLAIM_COLUMNS = (
    CldscRegistration.id,
    CldscRegistration.practitioner.as_alias("practitioner_id"),
    CldscRegistration.practitioner.given_name.as_alias("given_name"),
    CldscRegistration.practitioner.family_name.as_alias("family_name"),
    CldscRegistration.practitioner._.organisation._.code.as_alias("organisation"),
    CldscRegistration.status,
    CldscRegistration.category,
    CldscRegistration.route,
    CldscRegistration.membership_number,
    CldscRegistration.effective_from,
    CldscRegistration.renewal_due,
    CldscRegistration.note,
    CldscRegistration.recorded_by_email,
    CldscRegistration.recorded_at,
)


def _require_confirmer(viewer: Viewer) -> None:
    if viewer.role not in CONFIRMING_ROLES:
        raise Forbidden("Only partner admins, alliance leads and admins confirm registration")


async def list_claims(viewer: Viewer, limit: int = 50, offset: int = 0) -> tuple[list[RegistrationClaimOut], int]:
    """Claims waiting for this confirmer, oldest first: a partner admin's organisation, or the whole alliance
    for leads and admins; never the viewer's own claims (someone else confirms those)."""
    _require_confirmer(viewer)
    email = viewer.email.lower()
    where: list[Any] = [
        CldscRegistration.state == PENDING,
        CldscRegistration.practitioner != (viewer.practitioner_id or 0),
        Or(CldscRegistration.recorded_by_email.is_null(), CldscRegistration.recorded_by_email != email),
    ]
    if viewer.role is Role.PARTNER_ADMIN:
        where.append(CldscRegistration.practitioner.organisation == viewer.organisation_id)
    rows = await (
        CldscRegistration.select(*_CLAIM_COLUMNS)
        .where(*where)
        .order_by(CldscRegistration.recorded_at, CldscRegistration.id)
        .limit(limit)
        .offset(offset)
    )
    total = await CldscRegistration.count().where(*where)
    return [RegistrationClaimOut(**row) for row in rows], total


async def _pending_claim(viewer: Viewer, practitioner_id: int, change_id: int) -> dict[str, Any]:
    """The claim, if it awaits confirmation and the viewer may decide it: 404 outside the viewer's scope,
    403 for their own claim or another organisation's, 409 once decided."""
    _require_confirmer(viewer)
    await people.get_practitioner(viewer, practitioner_id)
    organisation_id = await organisation_of(practitioner_id)
    claim: dict[str, Any] | None = (
        await CldscRegistration.select(*_CLAIM_COLUMNS, CldscRegistration.state)
        .where((CldscRegistration.id == change_id) & (CldscRegistration.practitioner == practitioner_id))
        .first()
    )
    if claim is None:
        raise NotFound("No such registration change")
    if not can_confirm_change(viewer, practitioner_id, organisation_id, claim["recorded_by_email"]):
        if is_self(viewer, practitioner_id) or viewer.email.lower() == (claim["recorded_by_email"] or "").lower():
            raise Forbidden("Someone else must confirm or reject your own registration claim")
        raise Forbidden("Only a partner admin of the practitioner's organisation or an alliance lead can decide")
    if claim["state"] != PENDING:
        raise Conflict(f"This registration change is not awaiting confirmation: it is {claim['state']}")
    return claim


async def claim_to_decide(viewer: Viewer, practitioner_id: int, change_id: int) -> RegistrationClaimOut:
    """One claim the viewer may confirm or reject now."""
    claim = await _pending_claim(viewer, practitioner_id, change_id)
    return RegistrationClaimOut(**{k: v for k, v in claim.items() if k != "state"})


async def _decide(viewer: Viewer, practitioner_id: int, change_id: int, state: str, note: str = "") -> None:
    async with write_tx():
        await _pending_claim(viewer, practitioner_id, change_id)
        # Only a claim still pending moves, so two confirmers deciding at once cannot both win.
        decided = (
            await CldscRegistration.update(
                {
                    CldscRegistration.state: state,
                    CldscRegistration.decided_by_email: viewer.email,
                    CldscRegistration.decided_at: clock.now(),
                    CldscRegistration.decision_note: note,
                }
            )
            .where((CldscRegistration.id == change_id) & (CldscRegistration.state == PENDING))
            .returning(CldscRegistration.id)
        )
        if not decided:
            raise Conflict("This registration change has just been decided by someone else")
        await audit.record(
            viewer, f"registration.{state}", subject=f"practitioner:{practitioner_id}",
            summary=f"Registration claim {change_id} {state}", details={"change_id": change_id},
        )  # fmt: skip
        await on_registration_decided(change_id, viewer.name)
    # The reason is the practitioner's business, not the log's.
    log.info("%s %s registration change %s of practitioner %s", viewer.email, state, change_id, practitioner_id)


async def confirm_claim(viewer: Viewer, practitioner_id: int, change_id: int) -> RegistrationOut:
    """Confirm a claim: from now on it counts as the practitioner's registration (and may make them a verifier)."""
    await _decide(viewer, practitioner_id, change_id, CONFIRMED)
    return await registration_on(practitioner_id, clock.today())


async def reject_claim(viewer: Viewer, practitioner_id: int, change_id: int, reason: str) -> RegistrationOut:
    """Reject a claim with the reason the practitioner is told; it stays in the history and never counts."""
    await _decide(viewer, practitioner_id, change_id, REJECTED, reason)
    return await registration_on(practitioner_id, clock.today())
