"""JSON API of CLDSC registration (``/api/v1/practitioners/{id}/registration``) and the confirmation of claims
(``/api/v1/registration-claims``); thin: parse, call, return."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import JSONBody

from registry.people.schemas import Page
from registry.registration import claims, service
from registry.registration.rules import CONFIRMING_ROLES, RECORDING_ROLES
from registry.registration.schemas import RegistrationChangeIn, RegistrationClaimOut, RegistrationOut, RejectClaimIn
from registry.web.auth import requires_role, signed_in
from registry.web.deps import API_PAGING, CurrentViewer, ListPaging
from registry.web.openapi import ERROR_RESPONSES
from registry.web.params import PathId

__all__ = ("RegistrationApi", "RegistrationClaimApi")

_confirmers = requires_role(*CONFIRMING_ROLES)


class RegistrationApi(Controller):
    """A practitioner's CLDSC registration: status today, renewal and the append-only history."""

    path = "/api/v1/practitioners/{practitioner_id:int}/registration"
    guards = [signed_in]
    tags = ["registration"]

    @get("/", operation_id="GetRegistration", responses=ERROR_RESPONSES)
    async def get_registration(self, viewer: CurrentViewer, practitioner_id: PathId) -> RegistrationOut:
        """Status today, the current cycle's renewal date, claims awaiting confirmation and the history."""
        return await service.get_registration(viewer, practitioner_id)

    @post(
        "/",
        operation_id="RecordRegistrationChange",
        guards=[requires_role(*RECORDING_ROLES)],
        responses=ERROR_RESPONSES,
    )
    async def record_change(
        self, viewer: CurrentViewer, practitioner_id: PathId, data: JSONBody[RegistrationChangeIn]
    ) -> RegistrationOut:
        """Append a registration change (the practitioner, their line manager, leads and admins); becoming
        registered or associate, claimed by the practitioner or their line manager, needs the membership
        number and waits for confirmation."""
        return await service.record_change(viewer, practitioner_id, data)

    @post(
        "/{change_id:int}/confirm",
        operation_id="ConfirmRegistrationChange",
        guards=[_confirmers],
        responses=ERROR_RESPONSES,
    )
    async def confirm(self, viewer: CurrentViewer, practitioner_id: PathId, change_id: PathId) -> RegistrationOut:
        """Confirm a claim awaiting confirmation (partner admins of the organisation, leads, admins)."""
        return await claims.confirm_claim(viewer, practitioner_id, change_id)

    @post(
        "/{change_id:int}/reject",
        operation_id="RejectRegistrationChange",
        guards=[_confirmers],
        responses=ERROR_RESPONSES,
    )
    async def reject(
        self,
        viewer: CurrentViewer,
        practitioner_id: PathId,
        change_id: PathId,
        data: JSONBody[RejectClaimIn],
    ) -> RegistrationOut:
        """Reject a claim with a reason; the practitioner is told it by mail."""
        return await claims.reject_claim(viewer, practitioner_id, change_id, data.reason)


class RegistrationClaimApi(Controller):
    """Registration claims awaiting confirmation, for those who confirm them."""

    path = "/api/v1/registration-claims"
    guards = [_confirmers]
    dependencies = API_PAGING
    tags = ["registration"]

    @get("/", operation_id="ListRegistrationClaims", responses=ERROR_RESPONSES)
    async def list_claims(self, viewer: CurrentViewer, paging: ListPaging) -> Page[RegistrationClaimOut]:
        """Claims in the caller's scope (a partner admin's organisation; all for leads and admins), oldest first."""
        items, total = await claims.list_claims(viewer, paging.limit, paging.offset)
        return Page(items=items, total=total)
