"""Helpers for HTML page handlers: render with the signed-in person and navigation, read forms, paginate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.response import Template
from markupsafe import Markup
from pydantic import ValidationError

from registry.accounts.rules import ADMIN_ROLES, ALLIANCE_ROLES, EDITOR_ROLES, Role, Viewer
from registry.errors import DomainError, Invalid
from registry.registration.rules import CONFIRMING_ROLES
from registry.validation import problems_from
from registry.web.templating import fragment

__all__ = ("PER_PAGE", "Pagination", "form_data", "form_page", "navigation", "problems_of", "render", "sentences")

PER_PAGE = 25
AnyRequest = Request[Any, Any, Any]


def navigation(viewer: Viewer | None, path: str, to_approve: int = 0) -> list[dict[str, Any]]:
    """Service navigation items for a role; the current section is marked active. ``to_approve``: bookings
    waiting for the viewer's approval as line manager (shown to managers always, to anyone else who has some)."""
    if viewer is None:
        return []
    items: list[tuple[str, str]] = []
    if viewer.role is Role.PRACTITIONER:
        items.append(("My record", "/me"))
    elif viewer.role is Role.MANAGER:
        items += [("My team", "/practitioners"), ("My record", "/me")]
    else:
        items.append(("Practitioners", "/practitioners"))
    if viewer.role is not Role.PRACTITIONER:
        items.append(("Learning time", "/team/learning-time"))
    if viewer.role is Role.MANAGER or to_approve:
        items.append((f"To approve ({to_approve})" if to_approve else "To approve", "/bookings?team=1"))
    items += [("Events", "/events"), ("My bookings", "/bookings")]
    if viewer.role is not Role.PRACTITIONER:  # a practitioner sees nobody else's record: no empty lists
        items.append(("Organisations", "/organisations"))
    items.append(("To verify", "/verification"))
    if viewer.role in CONFIRMING_ROLES:
        items.append(("Registrations to confirm", "/registration-claims"))
    if viewer.role in EDITOR_ROLES:  # partner admins (their organisation's), leads and admins
        items += [("Metrics", "/metrics"), ("Exports", "/exports")]
    if viewer.role in EDITOR_ROLES:
        items += [("Import", "/import"), ("Invitations", "/invitations")]
    if viewer.role in (Role.PARTNER_ADMIN, Role.ADMIN):
        items.append(("Sign-ins", "/admin/users"))
    if viewer.role in ALLIANCE_ROLES:
        items.append(("Audit log", "/audit"))
    if viewer.role is Role.ADMIN:
        items += [("Frameworks", "/admin/frameworks"), ("Single sign-on", "/admin/sso"), ("Mail", "/admin/outbox")]
    return [{"text": text, "href": href, "active": path == href or path.startswith(href + "/")} for text, href in items]


def _navigation_html(items: list[dict[str, Any]]) -> Markup:
    """The navigation as HTML, rendered once per distinct list of items (nothing for a signed-out page)."""
    if not items:
        return Markup("")
    return fragment("_navigation.html", items=tuple((i["text"], i["href"], i["active"]) for i in items))


def render(request: AnyRequest, template: str, status_code: int = 200, **context: Any) -> Template:
    viewer = request.scope.get("user")
    errors: dict[str, str] = context.setdefault("errors", {})
    form = context.get("form") or {}
    # A date in day, month and year boxes is reached at its first box, as GOV.UK's error summary expects.
    links = [(text, f"{field}-day" if f"{field}-day" in form else field) for field, text in errors.items()]
    context.setdefault("error_list", [{"text": text, "href": f"#{target}"} for text, target in links])
    to_approve = int(request.scope.get("to_approve", 0))  # type: ignore[call-overload]
    return Template(
        template_name=template,
        context={
            "viewer": viewer,
            "navigation_html": _navigation_html(navigation(viewer, request.url.path, to_approve)),
            "can_admin_organisations": viewer is not None and viewer.role in ADMIN_ROLES,
            "can_edit_people": viewer is not None and viewer.role in EDITOR_ROLES,
            **context,
        },
        status_code=status_code,
    )


def form_page(
    request: AnyRequest,
    template: str,
    form: Mapping[str, Any],
    problems: Mapping[str, str] | None = None,
    /,
    *,
    status_code: int | None = None,
    **context: Any,
) -> Template:
    """A page with a form, filled in with ``form`` (as sent, or as stored); with ``problems`` (field → what to
    fix, as the page words it) it is shown again with a GOV.UK error summary linking to each field, and 400.

    Every form page re-renders through here, so each answers a bad form the same way. The first four are
    positional, so that a page may still name its own ``problems`` (an upload's list of bad lines).
    """
    errors = dict(problems or {})
    status = status_code if status_code is not None else 400 if errors else 200
    return render(request, template, status_code=status, form=form, errors=errors, **context)


def problems_of(exc: ValidationError | DomainError, field: str) -> dict[str, str]:
    """What to fix, by field, from the schema's or a service's refusal; a refusal naming no field is put on
    ``field`` (where the page shows it)."""
    if isinstance(exc, ValidationError):
        return problems_from(exc)
    if isinstance(exc, Invalid) and exc.problems:
        return dict(exc.problems)
    return {field: exc.detail}


async def form_data(request: AnyRequest) -> dict[str, str]:
    """A submitted form as plain strings (the last value of a repeated field), without the CSRF token."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "_csrf_token"}


@dataclass(frozen=True, slots=True)
class Pagination:
    """Page numbers for a list of ``total`` rows, in GOV.UK pagination's shape."""

    page: int
    total: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def first_row(self) -> int:
        return min(self.total, self.offset + 1)

    @property
    def last_row(self) -> int:
        return min(self.total, self.offset + self.per_page)

    def numbers(self) -> list[int | None]:
        """Page numbers to show: first, last and two either side of the current one; None is an ellipsis."""
        shown = sorted({1, self.pages, *range(max(1, self.page - 2), min(self.pages, self.page + 2) + 1)})
        out: list[int | None] = []
        for number in shown:
            if out and number - (out[-1] or 0) > 1:
                out.append(None)
            out.append(number)
        return out


FIELD_LABELS = {
    # people and organisations
    "email": "Email address", "given_name": "Given name", "family_name": "Family name", "organisation": "Organisation",
    "job_title": "Job title", "contract": "Contract", "weekly_hours": "Average weekly CLD hours", "setting": "Setting",
    "locality": "Locality", "practice_areas": "Practice areas", "cld_qualified": "CLD qualification",
    "manager_email": "Line manager’s email", "started_on": "Started on", "left_on": "Left on", "code": "Code",
    "name": "Name", "local_authority": "Local authority area",
    # learning
    "completed_on": "Date completed", "evidence_url": "Link to evidence", "kind": "Kind of learning",
    "goal_id": "PL goal", "title": "What was the learning", "hours": "Hours", "competences": "Competences",
    "protected_time": "Protected learning time", "reflection": "Reflection",
    # protected learning time
    "starts_on": "First day", "ends_on": "Last day", "purpose": "What it is for", "decision": "Your decision",
    "hours_per_year": "Protected learning hours a year", "full_time_weekly_hours": "Full-time weekly hours",
    "applies_from": "Applies from", "reason": "Reason", "note": "Note",
    # registration
    "status": "Status", "route": "Route to registration", "membership_number": "CLDSC membership number",
    "effective_from": "Effective from", "renewal_due": "Renewal due",
}  # fmt: skip
"""Field → the label its form shows, so that a message names the field as the page does."""


def sentences(problems: dict[str, str], labels: Mapping[str, str] | None = None) -> dict[str, str]:
    """``{"weekly_hours": "must be 60 or less"}`` → ``{"weekly_hours": "Average weekly CLD hours must be 60 or
    less"}``: each field named by its form's label (``FIELD_LABELS``, or ``labels``), a message that is already a
    sentence kept as it is."""
    named = {**FIELD_LABELS, **(labels or {})}
    worded = {}
    for field, problem in problems.items():
        if problem[:1].isupper():
            worded[field] = problem
        else:
            worded[field] = f"{named.get(field, field.replace('_', ' ').capitalize())} {problem}"
    return worded
