"""JSON API for organisations and practitioners (``/api/v1``); thin: parse, call the service, return."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.params import JSONBody

from registry.accounts.rules import Role
from registry.people import service
from registry.people.deps import ORGANISATION_FILTERS, PRACTITIONER_FILTERS, OrganisationFilters, PractitionerFilters
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
from registry.web.auth import requires_role, signed_in
from registry.web.deps import API_PAGING, CurrentViewer, ListPaging
from registry.web.openapi import ERROR_RESPONSES
from registry.web.params import PathId

__all__ = ("OrganisationApi", "PractitionerApi")


class OrganisationApi(Controller):
    """Alliance partners."""

    path = "/api/v1/organisations"
    guards = [signed_in]
    dependencies = API_PAGING
    tags = ["organisations"]

    @get("/", operation_id="ListOrganisations", dependencies=ORGANISATION_FILTERS, responses=ERROR_RESPONSES)
    async def list_organisations(self, filters: OrganisationFilters, paging: ListPaging) -> Page[OrganisationOut]:
        """List organisations by name."""
        items, total = await service.list_organisations(paging.limit, paging.offset, filters.valid())
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
    async def create_organisation(self, viewer: CurrentViewer, data: JSONBody[OrganisationIn]) -> OrganisationOut:
        """Add an organisation (leads and admins)."""
        return await service.create_organisation(viewer, data)

    @patch(
        "/{organisation_id:int}",
        operation_id="UpdateOrganisation",
        guards=[requires_role(Role.LEAD, Role.ADMIN)],
        responses=ERROR_RESPONSES,
    )
    async def update_organisation(
        self, viewer: CurrentViewer, organisation_id: PathId, data: JSONBody[OrganisationPatch]
    ) -> OrganisationOut:
        """Change an organisation (leads and admins)."""
        return await service.update_organisation(viewer, organisation_id, data)


class PractitionerApi(Controller):
    """Practitioners within the caller's scope."""

    path = "/api/v1/practitioners"
    guards = [signed_in]
    dependencies = API_PAGING
    tags = ["practitioners"]

    @get("/", operation_id="ListPractitioners", dependencies=PRACTITIONER_FILTERS, responses=ERROR_RESPONSES)
    async def list_practitioners(
        self, viewer: CurrentViewer, filters: PractitionerFilters, paging: ListPaging
    ) -> Page[PractitionerOut]:
        """List the practitioners the caller may see, filtered, by family name."""
        items, total = await service.list_practitioners(viewer, filters.valid(), paging.limit, paging.offset)
        return Page(items=items, total=total)

    @get("/{practitioner_id:int}", operation_id="GetPractitioner", responses=ERROR_RESPONSES)
    async def get_practitioner(self, viewer: CurrentViewer, practitioner_id: PathId) -> PractitionerOut:
        """One practitioner (404 when outside the caller's scope)."""
        return await service.get_practitioner(viewer, practitioner_id)

    @post(
        "/",
        operation_id="CreatePractitioner",
        guards=[requires_role(Role.PARTNER_ADMIN, Role.LEAD, Role.ADMIN)],
        responses=ERROR_RESPONSES,
    )
    async def create_practitioner(self, viewer: CurrentViewer, data: JSONBody[PractitionerIn]) -> PractitionerOut:
        """Add a practitioner (partner admins into their own organisation)."""
        return await service.create_practitioner(viewer, data)

    @patch(
        "/{practitioner_id:int}",
        operation_id="UpdatePractitioner",
        guards=[requires_role(Role.PARTNER_ADMIN, Role.LEAD, Role.ADMIN)],
        responses=ERROR_RESPONSES,
    )
    async def update_practitioner(
        self, viewer: CurrentViewer, practitioner_id: PathId, data: JSONBody[PractitionerPatch]
    ) -> PractitionerOut:
        """Change a practitioner's HR fields; ``left_on`` marks a leaver.

        A new ``email`` on a record that has a sign-in or learning is only asked for: it shows as
        ``pending_email`` until the person (or an admin who did not ask) confirms it.
        """
        return await service.update_practitioner(viewer, practitioner_id, data)

    @post(
        "/{practitioner_id:int}/email-change/confirm",
        operation_id="ConfirmEmailChange",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def confirm_email_change(self, viewer: CurrentViewer, practitioner_id: PathId) -> PractitionerOut:
        """The person themself, or an admin other than the one who asked, confirms the pending new email."""
        return await service.decide_email_change(viewer, practitioner_id, confirm=True)

    @post(
        "/{practitioner_id:int}/email-change/decline",
        operation_id="DeclineEmailChange",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def decline_email_change(self, viewer: CurrentViewer, practitioner_id: PathId) -> PractitionerOut:
        """The person, the one who asked, or an admin declines (withdraws) the pending new email."""
        return await service.decide_email_change(viewer, practitioner_id, confirm=False)

    @get("/{practitioner_id:int}/line-managers", operation_id="ListLineManagers", responses=ERROR_RESPONSES)
    async def line_managers(self, viewer: CurrentViewer, practitioner_id: PathId) -> list[LineManagerOut]:
        """Every change of line manager, newest first, with the day each took effect."""
        history = await service.line_manager_history(viewer, practitioner_id)
        return [LineManagerOut.model_validate(change, from_attributes=True) for change in history]
