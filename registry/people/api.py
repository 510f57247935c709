"""JSON API for organisations and practitioners (``/api/v1``); thin: parse, call the service, return."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import JSONBody, QueryParameter

from registry.accounts.rules import Role
from registry.people import service
from registry.people.schemas import (
    LineManagerOut,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    Page,
    PractitionerIn,
    PractitionerOut,
    PractitionerPatch,
)
from registry.web.auth import requires_role, signed_in, viewer_of
from registry.web.openapi import ERROR_RESPONSES
from registry.web.params import AnyRequest, Limit, Offset, PathId, SearchText

__all__ = ("OrganisationApi", "PractitionerApi")


class OrganisationApi(Controller):
    """Alliance partners."""

    path = "/api/v1/organisations"
    guards = [signed_in]
    tags = ["organisations"]

    @get("/", operation_id="ListOrganisations", responses=ERROR_RESPONSES)
    async def list_organisations(
        self, limit: Limit = 50, offset: Offset = 0, q: SearchText = None
    ) -> Page[OrganisationOut]:
        """List organisations by name."""
        items, total = await service.list_organisations(limit, offset, q)
        return Page(items=items, total=total)

    @get("/{organisation_id:int}", operation_id="GetOrganisation", responses=ERROR_RESPONSES)
    async def get_organisation(self, organisation_id: PathId) -> OrganisationOut:
        """One organisation."""
        return await service.get_organisation(organisation_id)

    @post(
        "/",
        operation_id="CreateOrganisation",
        guards=[requires_role(Role.LEAD, Role.ADMIN)],
        responses=ERROR_RESPONSES,
    )
    async def create_organisation(self, request: AnyRequest, data: JSONBody[OrganisationIn]) -> OrganisationOut:
        """Add an organisation (leads and admins)."""
        return await service.create_organisation(viewer_of(request), data)

    @patch(
        "/{organisation_id:int}",
        operation_id="UpdateOrganisation",
        guards=[requires_role(Role.LEAD, Role.ADMIN)],
        responses=ERROR_RESPONSES,
    )
    async def update_organisation(
        self, request: AnyRequest, organisation_id: PathId, data: JSONBody[OrganisationPatch]
    ) -> OrganisationOut:
        """Change an organisation (leads and admins)."""
        return await service.update_organisation(viewer_of(request), organisation_id, data)


class PractitionerApi(Controller):
    """Practitioners within the caller's scope."""

    path = "/api/v1/practitioners"
    guards = [signed_in]
    tags = ["practitioners"]

    @get("/", operation_id="ListPractitioners", responses=ERROR_RESPONSES)
    async def list_practitioners(
        self,
        request: AnyRequest,
        limit: Limit = 50,
        offset: Offset = 0,
        q: SearchText = None,
        organisation: SearchText = None,
        contract: SearchText = None,
        setting: SearchText = None,
        locality: SearchText = None,
        cldsc_status: SearchText = None,
        employment: Annotated[str, QueryParameter(pattern="^(current|left|all)$")] = "current",
    ) -> Page[PractitionerOut]:
        """List the practitioners the caller may see, filtered, by family name."""
        filters = service.PractitionerFilter(q, organisation, contract, setting, locality, cldsc_status, employment)
        items, total = await service.list_practitioners(viewer_of(request), filters, limit, offset)
        return Page(items=items, total=total)

    @get("/{practitioner_id:int}", operation_id="GetPractitioner", responses=ERROR_RESPONSES)
    async def get_practitioner(self, request: AnyRequest, practitioner_id: PathId) -> PractitionerOut:
        """One practitioner (404 when outside the caller's scope)."""
        return await service.get_practitioner(viewer_of(request), practitioner_id)

    @post(
        "/",
        operation_id="CreatePractitioner",
        guards=[requires_role(Role.PARTNER_ADMIN, Role.LEAD, Role.ADMIN)],
        responses=ERROR_RESPONSES,
    )
    async def create_practitioner(self, request: AnyRequest, data: JSONBody[PractitionerIn]) -> PractitionerOut:
        """Add a practitioner (partner admins into their own organisation)."""
        return await service.create_practitioner(viewer_of(request), data)

    @patch(
        "/{practitioner_id:int}",
        operation_id="UpdatePractitioner",
        guards=[requires_role(Role.PARTNER_ADMIN, Role.LEAD, Role.ADMIN)],
        responses=ERROR_RESPONSES,
    )
    async def update_practitioner(
        self, request: AnyRequest, practitioner_id: PathId, data: JSONBody[PractitionerPatch]
    ) -> PractitionerOut:
        """Change a practitioner's HR fields; ``left_on`` marks a leaver.

        A new ``email`` on a record that has a sign-in or learning is only asked for: it shows as
        ``pending_email`` until the person (or an admin who did not ask) confirms it.
        """
        return await service.update_practitioner(viewer_of(request), practitioner_id, data)

    @post(
        "/{practitioner_id:int}/email-change/confirm",
        operation_id="ConfirmEmailChange",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def confirm_email_change(self, request: AnyRequest, practitioner_id: PathId) -> PractitionerOut:
        """The person themself, or an admin other than the one who asked, confirms the pending new email."""
        return await service.decide_email_change(viewer_of(request), practitioner_id, confirm=True)

    @post(
        "/{practitioner_id:int}/email-change/decline",
        operation_id="DeclineEmailChange",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def decline_email_change(self, request: AnyRequest, practitioner_id: PathId) -> PractitionerOut:
        """The person, the one who asked, or an admin declines (withdraws) the pending new email."""
        return await service.decide_email_change(viewer_of(request), practitioner_id, confirm=False)

    @get("/{practitioner_id:int}/line-managers", operation_id="ListLineManagers", responses=ERROR_RESPONSES)
    async def line_managers(self, request: AnyRequest, practitioner_id: PathId) -> list[LineManagerOut]:
        """Every change of line manager, newest first, with the day each took effect."""
        history = await service.line_manager_history(viewer_of(request), practitioner_id)
        return [LineManagerOut.model_validate(change, from_attributes=True) for change in history]
