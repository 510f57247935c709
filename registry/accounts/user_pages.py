"""``/admin/users``: admins manage every sign-in, partner admins their own organisation's — search the list,
invite someone, change a role, suspend (after confirming) and restore, make an API token (its secret shown
once) and revoke one (after confirming). Thin: the rules and the audit log are in registry.accounts.users."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED

from registry.accounts import api_tokens, users
from registry.accounts.rules import Role, Viewer, assignable_roles
from registry.errors import Invalid
from registry.people.tables import Organisation
from registry.web.auth import requires_role, signed_in
from registry.web.deps import PAGE_PAGING, CurrentViewer, ListPaging
from registry.web.pages import form_data, form_page, problems_of, render

__all__ = ("UserPages",)

AnyRequest = Request[Any, Any, Any]
Text = FromQuery[str | None]
ROLE_LABELS = {
    Role.PRACTITIONER: "Practitioner", Role.MANAGER: "Line manager", Role.PARTNER_ADMIN: "Partner admin",
    Role.LEAD: "Alliance lead", Role.ADMIN: "Admin",
}  # fmt: skip
STATUS_LABELS = {"active": "Active", "invited": "Invited, not signed in yet", "suspended": "Suspended"}
_DAYS = "expires_in_days"


def _role(text: str | None) -> Role | None:
    try:
        return Role((text or "").strip())
    except ValueError:
        return None


async def _organisations(viewer: Viewer) -> list[tuple[str, str]]:
    if viewer.role is not Role.ADMIN:
        return []
    rows = await Organisation.select(Organisation.code, Organisation.name).order_by(Organisation.name)
    return [(r["code"], r["name"]) for r in rows]


class UserPages(Controller):
    path = "/admin/users"
    guards = [signed_in, requires_role(Role.PARTNER_ADMIN, Role.ADMIN)]
    dependencies = PAGE_PAGING
    include_in_schema = False

    @get("/")
    async def list_page(
        self, request: AnyRequest, viewer: CurrentViewer, paging: ListPaging, q: Text = None, role: Text = None,
        status: Text = None, done: Text = None,
    ) -> Template:  # fmt: skip
        """The sign-ins the viewer manages, searched and filtered, a page at a time."""
        chosen = users.UserFilter(
            text=(q or "").strip()[:200] or None, role=_role(role),
            status=status if status in users.STATUSES else None,
        )  # fmt: skip
        rows, total = await users.list_users(viewer, chosen, paging.limit, paging.offset)
        params = {k: v for k, v in {"q": chosen.text, "role": chosen.role and chosen.role.value,
                                    "status": chosen.status}.items() if v}  # fmt: skip
        return render(
            request, "accounts/users.html", rows=rows, total=total, pagination=paging.pagination(total),
            params=params, chosen=chosen, roles=ROLE_LABELS, statuses=STATUS_LABELS, done=done,
        )  # fmt: skip

    async def _new_page(
        self, request: AnyRequest, viewer: Viewer, form: dict[str, str], problems: dict[str, str] | None = None
    ) -> Template:
        return form_page(
            request, "accounts/user_new.html", form, problems, organisations=await _organisations(viewer),
            roles=[(r.value, ROLE_LABELS[r]) for r in assignable_roles(viewer)],
        )  # fmt: skip

    @get("/new")
    async def new_page(self, request: AnyRequest, viewer: CurrentViewer) -> Template:
        """The invitation form."""
        return await self._new_page(request, viewer, {"role": Role.PRACTITIONER.value})

    @post("/new")
    async def invite(self, request: AnyRequest, viewer: CurrentViewer) -> Template | Redirect:
        """Make the sign-in and mail the invitation, or the form again with every problem."""
        form = await form_data(request)
        try:
            user_id = await users.invite_user(
                viewer, form.get("email", ""), form.get("name", ""), form.get("role", ""), form.get("organisation")
            )
        except Invalid as exc:
            return await self._new_page(request, viewer, form, problems_of(exc, "email"))
        return Redirect(f"/admin/users/{user_id}?done=invited")

    async def _user_page(
        self, request: AnyRequest, viewer: Viewer, user_id: int, problems: dict[str, str] | None = None,
        status_code: int | None = None, **context: Any,
    ) -> Template:  # fmt: skip
        detail = await users.user_detail(viewer, user_id)
        form = {"role": detail.user.role.value, "label": "", _DAYS: str(api_tokens.DEFAULT_LIFETIME_DAYS)}
        return form_page(
            request, "accounts/user.html", {**form, **context.pop("form", {})}, problems, status_code=status_code,
            user=detail.user, tokens=detail.tokens, roles=[(r.value, ROLE_LABELS[r]) for r in assignable_roles(viewer)],
            role_labels=ROLE_LABELS, statuses=STATUS_LABELS, is_self=detail.user.id == viewer.user_id,
            max_days=api_tokens.MAX_LIFETIME_DAYS, **context,
        )  # fmt: skip

    @get("/{user_id:int}")
    async def user_page(
        self, request: AnyRequest, viewer: CurrentViewer, user_id: FromPath[int], done: Text = None
    ) -> Template:
        """One sign-in: its role, its state and its API tokens."""
        return await self._user_page(request, viewer, user_id, done=done)

    @post("/{user_id:int}/role")
    async def change_role(
        self, request: AnyRequest, viewer: CurrentViewer, user_id: FromPath[int]
    ) -> Template | Redirect:
        """Give another role, or the page again with why not."""
        form = await form_data(request)
        try:
            await users.change_role(viewer, user_id, form.get("role", ""))
        except Invalid as exc:
            return await self._user_page(
                request, viewer, user_id, problems_of(exc, "role"), form={"role": form.get("role", "")}
            )
        return Redirect(f"/admin/users/{user_id}?done=role")

    @get("/{user_id:int}/suspend")
    async def confirm_suspend(self, request: AnyRequest, viewer: CurrentViewer, user_id: FromPath[int]) -> Template:
        """Ask before suspending: the person is signed out everywhere and their tokens are revoked."""
        detail = await users.user_detail(viewer, user_id)
        return render(request, "accounts/user_suspend.html", user=detail.user, tokens=detail.tokens)

    @post("/{user_id:int}/suspend")
    async def suspend(self, request: AnyRequest, viewer: CurrentViewer, user_id: FromPath[int]) -> Template | Redirect:
        """Suspend, or the confirmation page again with why not."""
        try:
            await users.suspend(viewer, user_id)
        except Invalid as exc:
            detail = await users.user_detail(viewer, user_id)
            return render(request, "accounts/user_suspend.html", status_code=400, errors=problems_of(exc, "suspend"),
                          user=detail.user, tokens=detail.tokens)  # fmt: skip
        return Redirect(f"/admin/users/{user_id}?done=suspended")

    @post("/{user_id:int}/restore")
    async def restore(self, viewer: CurrentViewer, user_id: FromPath[int]) -> Redirect:
        """Let the person sign in again."""
        await users.restore(viewer, user_id)
        return Redirect(f"/admin/users/{user_id}?done=restored")

    @post("/{user_id:int}/tokens")
    async def create_token(self, request: AnyRequest, viewer: CurrentViewer, user_id: FromPath[int]) -> Template:
        """Make a token for the person and show its secret on this answer only."""
        form = await form_data(request)
        label, days_text = form.get("label", ""), form.get(_DAYS, "").strip()
        days = int(days_text) if days_text.isascii() and days_text.isdigit() and len(days_text) < 6 else 0
        try:
            secret, token = await users.issue_token(viewer, user_id, label, days)
        except Invalid as exc:
            return await self._user_page(request, viewer, user_id, problems_of(exc, "label"),
                                         form={"label": label, _DAYS: days_text})  # fmt: skip
        return await self._user_page(
            request, viewer, user_id, status_code=HTTP_201_CREATED, new_secret=secret, new_token=token
        )

    @get("/{user_id:int}/tokens/{user_token_id:int}/revoke")
    async def confirm_revoke(
        self, request: AnyRequest, viewer: CurrentViewer, user_id: FromPath[int], user_token_id: FromPath[int]
    ) -> Template:
        """Ask before revoking: scripts using the token stop working."""
        token = await users.token_of(viewer, user_id, user_token_id)
        return render(request, "accounts/revoke_api_token.html", token=token, back=f"/admin/users/{user_id}")

    @post("/{user_id:int}/tokens/{user_token_id:int}/revoke")
    async def revoke(self, viewer: CurrentViewer, user_id: FromPath[int], user_token_id: FromPath[int]) -> Redirect:
        """Revoke the token: it answers 401 from now on."""
        await users.revoke_token(viewer, user_id, user_token_id)
        return Redirect(f"/admin/users/{user_id}?done=revoked")
