"""The CLDSC registration page: status today, renewal countdown, history, and the form to record a change."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from pydantic import ValidationError

from registry.registration import service
from registry.registration.rules import RECORDING_ROLES, ROUTES, STATUSES
from registry.registration.schemas import RegistrationChangeIn
from registry.validation import problems_from
from registry.web.auth import requires_role, signed_in, viewer_of
from registry.web.pages import form_data, render, sentences
from registry.web.params import AnyRequest

__all__ = ("ROUTE_LABELS", "RegistrationPages")


ROUTE_LABELS = {
    "recognised_qualification": "Recognised qualification",
    "individual_recognition_process": "Individual Recognition Process",
}
# What the form says instead of the generic sentence, for the mistakes people make on it.
_FORM_MESSAGES = {
    "status": "Select the registration status",
    "route": "Select how the member qualified, or not known",
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
        self, request: AnyRequest, practitioner_id: FromPath[int], saved: FromQuery[str | None] = None
    ) -> Template:
        """Status today, renewal countdown and history; the form for those who may record a change."""
        page = await service.registration_page(viewer_of(request), practitioner_id)
        form = {"membership_number": page.registration.membership_number or ""}
        return self._render(request, page, form, {}, saved=bool(saved))

    @post("/", guards=[requires_role(*RECORDING_ROLES)])
    async def record_change(self, request: AnyRequest, practitioner_id: FromPath[int]) -> Template | Redirect:
        """Append the change and come back with a banner, or show the form again with what to fix."""
        viewer = viewer_of(request)
        page = await service.registration_page(viewer, practitioner_id)
        form = await form_data(request)
        try:
            change = RegistrationChangeIn.model_validate(form)
        except ValidationError as exc:
            return self._render(request, page, form, _form_errors(problems_from(exc)))
        await service.record_change(viewer, practitioner_id, change)
        return Redirect(f"/practitioners/{practitioner_id}/registration?saved=1")

    def _render(
        self,
        request: AnyRequest,
        page: service.RegistrationPage,
        form: dict[str, str],
        errors: dict[str, str],
        saved: bool = False,
    ) -> Template:
        return render(
            request,
            "registration/registration.html",
            status_code=400 if errors else 200,
            practitioner=page.practitioner,
            registration=page.registration,
            can_record=page.can_record,
            is_self=page.practitioner.email == viewer_of(request).email,
            form=form,
            errors=errors,
            saved=saved,
            statuses=STATUSES,
            routes=ROUTES,
            route_labels=ROUTE_LABELS,
        )
