"""The CLDSC registration page (status today, renewal countdown, history, the form to record a change) and
the confirmation queue where partner admins, leads and admins confirm or reject claims."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from pydantic import ValidationError

from registry.accounts.rules import Viewer, is_self
from registry.errors import Invalid
from registry.registration import claims, service
from registry.registration.rules import CONFIRMING_ROLES, RECORDING_ROLES, ROUTES, STATUSES
from registry.registration.schemas import RegistrationChangeIn, RegistrationClaimOut, RejectClaimIn
from registry.validation import problems_from
from registry.web.auth import requires_role, signed_in
from registry.web.dates import validated
from registry.web.deps import PAGE_PAGING, CurrentViewer, ListPaging
from registry.web.pages import form_data, form_page, render, sentences
from registry.web.params import AnyRequest

__all__ = ("ROUTE_LABELS", "RegistrationClaimPages", "RegistrationPages")

_confirmers = requires_role(*CONFIRMING_ROLES)


ROUTE_LABELS = {
    "recognised_qualification": "Recognised qualification",
    "individual_recognition_process": "Individual Recognition Process",
}
# What the form says instead of the generic sentence, for the mistakes people make on it.
_FORM_MESSAGES = {
    "status": "Select the registration status",
    "route": "Select how the member qualified, or not known",
    "membership_number": "Enter the CLDSC membership number: it is checked before the change counts",
}
_AFTER_START = "must be after effective_from"


def _form_errors(problems: dict[str, str]) -> dict[str, str]:
    errors = sentences(problems)
    for field, message in _FORM_MESSAGES.items():
        if field in errors:
            errors[field] = message
    if problems.get("renewal_due") == _AFTER_START:
        errors["renewal_due"] = "The renewal date must be after the date the change takes effect"
    return errors


class RegistrationPages(Controller):
    """One practitioner's CLDSC registration."""

    path = "/practitioners/{practitioner_id:int}/registration"
    guards = [signed_in]
    include_in_schema = False

    @get("/")
    async def registration_page(
        self,
        request: AnyRequest,
        viewer: CurrentViewer,
        practitioner_id: FromPath[int],
        saved: FromQuery[str | None] = None,
    ) -> Template:
        """Status today, renewal countdown, claims awaiting confirmation and history; the form for those who
        may record a change."""
        page = await service.registration_page(viewer, practitioner_id)
        form = {"membership_number": page.registration.membership_number or ""}
        return self._render(
            request, viewer, page, form, {}, saved={"1": "saved", "pending": "pending"}.get(saved or "")
        )

    @post("/", guards=[requires_role(*RECORDING_ROLES)])
    async def record_change(
        self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int]
    ) -> Template | Redirect:
        """Append the change and come back with a banner, or show the form again with what to fix."""
        page = await service.registration_page(viewer, practitioner_id)
        form = await form_data(request)
        change, problems = validated(RegistrationChangeIn, form, ("effective_from", "renewal_due"))
        if change is None:
            return self._render(request, viewer, page, form, _form_errors(problems))
        try:
            recorded = await service.record(viewer, practitioner_id, change)
        except Invalid as exc:
            return self._render(request, viewer, page, form, _form_errors(exc.problems))
        saved = "pending" if recorded.awaiting_confirmation else "1"
        return Redirect(f"/practitioners/{practitioner_id}/registration?saved={saved}")

    @post("/{change_id:int}/confirm", guards=[_confirmers])
    async def confirm(
        self, viewer: CurrentViewer, practitioner_id: FromPath[int], change_id: FromPath[int]
    ) -> Redirect:
        """Confirm the claim and go back to the queue."""
        await claims.confirm_claim(viewer, practitioner_id, change_id)
        return Redirect("/registration-claims?done=confirmed")

    @get("/{change_id:int}/reject", guards=[_confirmers])
    async def reject_page(
        self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int], change_id: FromPath[int]
    ) -> Template:
        """Ask why the claim is rejected."""
        claim = await claims.claim_to_decide(viewer, practitioner_id, change_id)
        return self._reject_form(request, claim, {}, {})

    @post("/{change_id:int}/reject", guards=[_confirmers])
    async def reject(
        self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int], change_id: FromPath[int]
    ) -> Template | Redirect:
        """Reject with the reason, which the practitioner is told; or ask again for the reason."""
        claim = await claims.claim_to_decide(viewer, practitioner_id, change_id)
        form = await form_data(request)
        try:
            reason = RejectClaimIn.model_validate({"reason": form.get("reason", "")}).reason
        except ValidationError as exc:
            problems = problems_from(exc)
            too_long = "500" in problems.get("reason", "")
            message = "The reason must be 500 characters or fewer" if too_long else "Enter why the claim is rejected"
            return self._reject_form(request, claim, form, {"reason": message})
        await claims.reject_claim(viewer, practitioner_id, change_id, reason)
        return Redirect("/registration-claims?done=rejected")

    def _reject_form(
        self, request: AnyRequest, claim: RegistrationClaimOut, form: dict[str, str], errors: dict[str, str]
    ) -> Template:
        return form_page(request, "registration/reject.html", form, errors, claim=claim, route_labels=ROUTE_LABELS)

    def _render(
        self,
        request: AnyRequest,
        viewer: Viewer,
        page: service.RegistrationPage,
        form: dict[str, str],
        errors: dict[str, str],
        saved: str | None = None,
    ) -> Template:
        return form_page(
            request,
            "registration/registration.html",
            form,
            errors,
            practitioner=page.practitioner,
            registration=page.registration,
            can_record=page.can_record,
            can_confirm=page.can_confirm,
            is_self=is_self(viewer, page.practitioner.id),
            saved=saved,
            statuses=STATUSES,
            routes=ROUTES,
            route_labels=ROUTE_LABELS,
        )


class RegistrationClaimPages(Controller):
    """The queue of registration claims awaiting confirmation, for partner admins, leads and admins."""

    path = "/registration-claims"
    guards = [_confirmers]
    dependencies = PAGE_PAGING
    include_in_schema = False

    @get("/")
    async def queue(
        self, request: AnyRequest, viewer: CurrentViewer, paging: ListPaging, done: FromQuery[str | None] = None
    ) -> Template:
        """Claims in the viewer's scope, oldest first, a page at a time, each with Confirm and Reject."""
        items, total = await claims.list_claims(viewer, paging.limit, paging.offset)
        return render(
            request,
            "registration/claims.html",
            claims=items,
            pagination=paging.pagination(total),
            params={},
            done=done if done in {"confirmed", "rejected"} else None,
            route_labels=ROUTE_LABELS,
        )
