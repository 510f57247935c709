"""JSON API of CLDSC registration (``/api/v1/practitioners/{id}/registration``); thin: parse, call, return."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from registry.registration import service
from registry.registration.rules import RECORDING_ROLES
from registry.registration.schemas import RegistrationChangeIn, RegistrationOut
from registry.web.auth import requires_role, signed_in, viewer_of
from registry.web.openapi import ERROR_RESPONSES
from registry.web.params import AnyRequest

__all__ = ("RegistrationApi",)


class RegistrationApi(Controller):
    """A practitioner's CLDSC registration: status today, renewal and the append-only history."""

    path = "/api/v1/practitioners/{practitioner_id:int}/registration"
    guards = [signed_in]
    tags = ["registration"]

    @get("/", operation_id="GetRegistration", responses=ERROR_RESPONSES)
    async def get_registration(self, request: AnyRequest, practitioner_id: FromPath[int]) -> RegistrationOut:
        """Status today, the current cycle's renewal date and the history, newest first."""
        return await service.get_registration(viewer_of(request), practitioner_id)

    @post(
        "/",
        operation_id="RecordRegistrationChange",
        guards=[requires_role(*RECORDING_ROLES)],
        responses=ERROR_RESPONSES,
    )
    async def record_change(
        self, request: AnyRequest, practitioner_id: FromPath[int], data: JSONBody[RegistrationChangeIn]
    ) -> RegistrationOut:
        """Append a registration change (the practitioner, their line manager, leads and admins)."""
        return await service.record_change(viewer_of(request), practitioner_id, data)
