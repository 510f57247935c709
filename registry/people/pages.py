"""Pages for practitioners, organisations and HR imports; thin: read the form, call the service, render."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import ClientException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_413_REQUEST_ENTITY_TOO_LARGE
from pydantic import ValidationError

from registry.accounts.rules import ADMIN_ROLES, EDITOR_ROLES, Role, Viewer, can_edit_practitioner, is_self
from registry.csv_import import ImportRefused
from registry.errors import Conflict, Invalid
from registry.learning import progress as learning_progress
from registry.learning.pack import may_produce_pack
from registry.learning_time import service as learning_time
from registry.people import email_changes, import_reports, managers, service
from registry.people.deps import ORGANISATION_FILTERS, PRACTITIONER_FILTERS, OrganisationFilters, PractitionerFilters
from registry.people.schemas import (
    CONTRACTS,
    CSV_CLDSC_STATUSES,
    ORGANISATION_KINDS,
    OrganisationIn,
    OrganisationPatch,
    PractitionerIn,
    PractitionerOut,
    PractitionerPatch,
)
from registry.privacy.rules import may_erase, may_export
from registry.registration import service as registration_service
from registry.web.auth import requires_role, signed_in
from registry.web.dates import parts_of, validated
from registry.web.deps import PAGE_PAGING, CurrentViewer, ListPaging
from registry.web.pages import form_data, form_page, problems_of, render, sentences
from registry.web.params import AnyRequest

__all__ = ("ImportPages", "OrganisationPages", "PractitionerPages")

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
TOO_BIG = "The selected file must be smaller than 5 MB: split it into smaller files"
_editors = requires_role(*EDITOR_ROLES)
_org_admins = requires_role(*ADMIN_ROLES)


async def _organisation_choices() -> list[dict[str, str]]:
    organisations = await service.organisation_choices()
    return [{"value": o.code, "text": o.name} for o in organisations]


def _form_from(practitioner: PractitionerOut) -> dict[str, str]:
    values = practitioner.model_dump()
    form = {k: "" if v is None else str(v) for k, v in values.items()}
    form["practice_areas"] = "; ".join(practitioner.practice_areas)
    form["cld_qualified"] = {True: "yes", False: "no", None: ""}[practitioner.cld_qualified]
    form["weekly_hours"] = f"{practitioner.weekly_hours:g}"
    return {**form, **parts_of("started_on", practitioner.started_on), **parts_of("left_on", practitioner.left_on)}


_HR_DATES = ("started_on", "left_on")


def _problem_count(exc: Invalid) -> str:
    """``N problem(s)``: every problem is counted, though only the first are listed."""
    summary = exc.detail.split(";")[0]
    return summary if summary.endswith("problem(s)") else f"{len(exc.lines)} problem(s)"


class PractitionerPages(Controller):
    """Browse, view, add and edit practitioners."""

    path = "/practitioners"
    guards = [signed_in]
    dependencies = PAGE_PAGING
    include_in_schema = False

    @get("/", dependencies=PRACTITIONER_FILTERS)
    async def list_page(
        self, request: AnyRequest, viewer: CurrentViewer, filters: PractitionerFilters, paging: ListPaging
    ) -> Template:
        """Searchable, filterable, paginated list within the viewer's scope."""
        items, total = await service.list_practitioners(viewer, filters.valid(), paging.limit, paging.offset)
        params = filters.params
        employment = params["employment"]
        options = await service.filter_options(viewer)
        organisations = await _organisation_choices()
        if "organisations" in options:
            organisations = [o for o in organisations if o["value"] in options["organisations"]]
        return render(
            request,
            "people/practitioners.html",
            practitioners=items,
            pagination=paging.pagination(total),
            params=params,
            filtered=any(v for k, v in params.items() if k != "employment") or employment != "current",
            organisations=organisations,
            options=options,
            contracts=CONTRACTS,
            statuses=CSV_CLDSC_STATUSES,
        )

    @get("/new", guards=[_editors])
    async def new_page(self, request: AnyRequest, viewer: CurrentViewer) -> Template:
        """Form to add a practitioner."""
        return await self._form(request, viewer, {}, {}, None)

    @post("/new", guards=[_editors])
    async def create(self, request: AnyRequest, viewer: CurrentViewer) -> Template | Redirect:
        """Add a practitioner, or show the form again with what to fix."""
        form = await form_data(request)
        data, problems = validated(PractitionerIn, form, _HR_DATES)
        if data is None:
            return await self._form(request, viewer, form, problems, None)
        try:
            created = await service.create_practitioner(viewer, data)
        except (Invalid, Conflict) as exc:
            return await self._form(request, viewer, form, problems_of(exc, "email"), None)
        return Redirect(f"/practitioners/{created.id}?saved=1")

    @get("/{practitioner_id:int}")
    async def detail(
        self,
        request: AnyRequest,
        viewer: CurrentViewer,
        practitioner_id: FromPath[int],
        saved: FromQuery[str | None] = None,
        erased: FromQuery[str | None] = None,
    ) -> Template:
        """One practitioner's record."""
        practitioner = await service.get_practitioner(viewer, practitioner_id)
        organisation_id = (await service.organisation_by_code(practitioner.organisation)).id
        # get_practitioner has checked the scope and says whether a change is pending; read its details only then.
        pending = (
            (await email_changes.pending_emails([practitioner_id])).get(practitioner_id)
            if practitioner.pending_email
            else None
        )
        history = await managers.history(practitioner_id)
        return render(
            request,
            "people/practitioner.html",
            practitioner=practitioner,
            can_edit=can_edit_practitioner(viewer, organisation_id),
            is_self=is_self(viewer, practitioner.id),
            saved=bool(saved),
            just_erased=bool(erased) and practitioner.erased_at is not None,
            may_export=may_export(viewer, practitioner.id, organisation_id),
            may_erase=may_erase(viewer) and practitioner.left_on is not None and practitioner.erased_at is None,
            progress=await learning_progress.progress_overview(viewer, practitioner_id),
            registration=await registration_service.summary_for(viewer, practitioner_id),
            can_make_pack=may_produce_pack(viewer, practitioner.id, practitioner.manager_email),
            may_decide_email=pending is not None and email_changes.may_decide(viewer, pending, confirm=False),
            may_confirm_email=pending is not None and email_changes.may_decide(viewer, pending, confirm=True),
            manager_since=history[0].from_on if history and history[0].manager_email else None,
            learning_time=await learning_time.learning_time(
                viewer, practitioner_id, learning_time.period_or_this_year(None)
            ),
        )

    @post("/{practitioner_id:int}/email-change")
    async def decide_email_change(
        self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int]
    ) -> Redirect:
        """Confirm or decline the pending change of this record's email."""
        decision = (await form_data(request)).get("decision")
        if decision not in {"confirm", "decline"}:
            raise Invalid({"decision": "Choose whether to confirm or decline the change"})
        await service.decide_email_change(viewer, practitioner_id, confirm=decision == "confirm")
        return Redirect(f"/practitioners/{practitioner_id}?saved=1")

    @get("/{practitioner_id:int}/edit", guards=[_editors])
    async def edit_page(self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int]) -> Template:
        """Form to change a practitioner's HR fields."""
        practitioner = await service.get_editable_practitioner(viewer, practitioner_id)
        return await self._form(request, viewer, _form_from(practitioner), {}, practitioner)

    @post("/{practitioner_id:int}/edit", guards=[_editors])
    async def update(
        self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int]
    ) -> Template | Redirect:
        """Save the changes, or show the form again with what to fix."""
        practitioner = await service.get_editable_practitioner(viewer, practitioner_id)
        form = await form_data(request)
        full, problems = validated(PractitionerIn, form, _HR_DATES)
        if full is None:
            return await self._form(request, viewer, form, problems, practitioner)
        try:
            await service.update_practitioner(viewer, practitioner_id, PractitionerPatch(**full.model_dump()))
        except (Invalid, Conflict) as exc:
            return await self._form(request, viewer, form, problems_of(exc, "email"), practitioner)
        return Redirect(f"/practitioners/{practitioner_id}?saved=1")

    async def _form(
        self,
        request: AnyRequest,
        viewer: Viewer,
        form: dict[str, str],
        problems: dict[str, str],
        existing: PractitionerOut | None,
    ) -> Template:
        organisations = await _organisation_choices()
        if viewer.role is Role.PARTNER_ADMIN:
            own = await service.get_organisation(viewer.organisation_id or 0)
            organisations = [o for o in organisations if o["value"] == own.code]
        return form_page(
            request,
            "people/practitioner_form.html",
            form,
            sentences(problems),
            existing=existing,
            organisations=organisations,
            contracts=CONTRACTS,
        )


class OrganisationPages(Controller):
    """Alliance partners."""

    path = "/organisations"
    guards = [signed_in]
    dependencies = PAGE_PAGING
    include_in_schema = False

    @get("/", dependencies=ORGANISATION_FILTERS)
    async def list_page(self, request: AnyRequest, filters: OrganisationFilters, paging: ListPaging) -> Template:
        """All organisations, by name."""
        items, total = await service.list_organisations(paging.limit, paging.offset, filters.valid())
        return render(
            request,
            "people/organisations.html",
            organisations=items,
            pagination=paging.pagination(total),
            params=filters.params,
        )

    @get("/new", guards=[_org_admins])
    async def new_page(self, request: AnyRequest) -> Template:
        """Form to add an organisation."""
        return self._form(request, {}, {}, None)

    @post("/new", guards=[_org_admins])
    async def create(self, request: AnyRequest, viewer: CurrentViewer) -> Template | Redirect:
        """Add an organisation."""
        form = await form_data(request)
        try:
            created = await service.create_organisation(viewer, OrganisationIn.model_validate(form))
        except (ValidationError, Conflict) as exc:
            return self._form(request, form, problems_of(exc, "code"), None)
        return Redirect(f"/organisations/{created.id}?saved=1")

    @get("/{organisation_id:int}")
    async def detail(
        self,
        request: AnyRequest,
        viewer: CurrentViewer,
        organisation_id: FromPath[int],
        saved: FromQuery[str | None] = None,
    ) -> Template:
        """One organisation and how many of its practitioners the viewer may see."""
        organisation = await service.get_organisation(organisation_id)
        _, current = await service.list_practitioners(
            viewer, service.PractitionerFilter(organisation=organisation.code), limit=1
        )
        return render(
            request, "people/organisation.html", organisation=organisation, practitioners=current, saved=bool(saved)
        )

    @get("/{organisation_id:int}/edit", guards=[_org_admins])
    async def edit_page(self, request: AnyRequest, organisation_id: FromPath[int]) -> Template:
        """Form to change an organisation."""
        organisation = await service.get_organisation(organisation_id)
        form = {k: "" if v is None else str(v) for k, v in organisation.model_dump().items()}
        return self._form(request, form, {}, organisation_id)

    @post("/{organisation_id:int}/edit", guards=[_org_admins])
    async def update(
        self, request: AnyRequest, viewer: CurrentViewer, organisation_id: FromPath[int]
    ) -> Template | Redirect:
        """Save an organisation's changes."""
        await service.get_organisation(organisation_id)
        form = await form_data(request)
        try:
            patch = OrganisationPatch.model_validate({k: form.get(k, "") for k in ("name", "kind", "local_authority")})
            await service.update_organisation(viewer, organisation_id, patch)
        except (ValidationError, Invalid) as exc:
            return self._form(request, form, problems_of(exc, "name"), organisation_id)
        return Redirect(f"/organisations/{organisation_id}?saved=1")

    def _form(
        self, request: AnyRequest, form: dict[str, str], problems: dict[str, str], organisation_id: FromPath[int] | None
    ) -> Template:
        return form_page(
            request,
            "people/organisation_form.html",
            form,
            sentences(problems),
            organisation_id=organisation_id,
            kinds=ORGANISATION_KINDS,
        )


class ImportPages(Controller):
    """Upload HR spreadsheets: all rows or none."""

    path = "/import"
    guards = [_editors]
    include_in_schema = False

    @get("/")
    async def upload_page(self, request: AnyRequest, viewer: CurrentViewer) -> Template:
        """The upload form."""
        return self._page(request, viewer)

    @post("/")
    async def upload(self, request: AnyRequest, viewer: CurrentViewer) -> Template:
        """Check the whole file; write it only if every row is good."""
        try:
            form = await request.form()
        except ClientException as exc:  # a body over the server's limit is refused while it is read
            if "Too Large" not in str(exc.detail) and exc.status_code != HTTP_413_REQUEST_ENTITY_TOO_LARGE:
                raise
            return self._page(request, viewer, errors={"file": TOO_BIG}, status_code=HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        kind = str(form.get("kind") or "practitioners")
        upload = form.get("file")
        if kind not in {"practitioners", "organisations"}:
            return self._page(request, viewer, errors={"kind": "Choose what the file holds"}, kind="practitioners")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return self._page(request, viewer, errors={"file": "Select a CSV file"}, kind=kind)
        try:
            raw = await upload.read(MAX_UPLOAD_BYTES + 1)
        finally:
            await upload.close()
        if len(raw) > MAX_UPLOAD_BYTES:
            return self._page(request, viewer, errors={"file": TOO_BIG}, kind=kind)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return self._page(
                request, viewer, errors={"file": "The selected file must be a CSV saved as UTF-8"}, kind=kind
            )
        importer = service.import_practitioners if kind == "practitioners" else service.import_organisations
        try:
            result = await importer(viewer, text)
        except Invalid as exc:
            every = exc.every_problem if isinstance(exc, ImportRefused) else exc.lines
            more = len(every) - import_reports.SHOWN
            return self._page(
                request,
                viewer,
                errors={"file": f"The file has {_problem_count(exc)}. Nothing was imported."},
                problems=every[: import_reports.SHOWN],
                more=max(more, 0),
                report=await import_reports.save(viewer, every) if more > 0 else None,
                kind=kind,
                filename=upload.filename,
            )
        return self._page(request, viewer, result=result, kind=kind, filename=upload.filename)

    @get("/problems/{token:str}")
    async def problems_csv(self, viewer: CurrentViewer, token: FromPath[str]) -> Response[str]:
        """Every problem of a refused import, as CSV (line, column, problem), for whoever uploaded it, for a day."""
        content = await import_reports.read(viewer, token[:100])
        return Response(
            content, media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="import-problems.csv"'},
        )  # fmt: skip

    def _page(self, request: AnyRequest, viewer: Viewer, **context: Any) -> Template:
        context.setdefault("kind", "practitioners")
        # An upload form: the file is not sent back, so there is nothing to fill in again.
        return form_page(
            request,
            "people/import.html",
            {},
            context.pop("errors", None),
            status_code=context.pop("status_code", None),
            can_import_organisations=viewer.role in ADMIN_ROLES,
            **context,
        )
