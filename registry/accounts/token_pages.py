"""The signed-in person's own API tokens: see them, make one (its secret shown once), revoke one."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED

from registry.accounts import api_tokens
from registry.accounts.rules import Viewer
from registry.errors import Invalid
from registry.web.auth import signed_in
from registry.web.deps import CurrentViewer
from registry.web.pages import form_data, form_page, problems_of, render

__all__ = ("ApiTokenPages",)

AnyRequest = Request[Any, Any, Any]
_DAYS = "expires_in_days"


class ApiTokenPages(Controller):
    """``/account/tokens``: only ever the viewer's own tokens; anyone else's are not found."""

    path = "/account/tokens"
    guards = [signed_in]
    include_in_schema = False

    async def _list(
        self,
        request: AnyRequest,
        viewer: Viewer,
        form: dict[str, str] | None = None,
        problems: dict[str, str] | None = None,
        status_code: int | None = None,
        **context: Any,
    ) -> Template:
        return form_page(
            request,
            "accounts/api_tokens.html",
            form or {"label": "", _DAYS: str(api_tokens.DEFAULT_LIFETIME_DAYS)},
            problems,
            status_code=status_code,
            tokens=await api_tokens.own_tokens(viewer),
            max_days=api_tokens.MAX_LIFETIME_DAYS,
            **context,
        )

    @get("/")
    async def list_page(
        self, request: AnyRequest, viewer: CurrentViewer, revoked: FromQuery[int | None] = None
    ) -> Template:
        """The viewer's tokens (label, made, ends, last used) and the form to make one."""
        return await self._list(request, viewer, revoked=revoked)

    @post("/")
    async def create(self, request: AnyRequest, viewer: CurrentViewer) -> Template:
        """Make a token and show its secret on this answer only (never in a URL, never again)."""
        form = await form_data(request)
        label, days_text = form.get("label", ""), form.get(_DAYS, "").strip()
        days = int(days_text) if days_text.isascii() and days_text.isdigit() and len(days_text) < 6 else 0
        try:
            secret, token = await api_tokens.issue(viewer.user_id, label, days, by=viewer.email)
        except Invalid as exc:
            return await self._list(request, viewer, {"label": label, _DAYS: days_text}, problems_of(exc, "label"))
        return await self._list(request, viewer, status_code=HTTP_201_CREATED, new_secret=secret, new_token=token)

    @get("/{token_id:int}/revoke")
    async def confirm_revoke(self, request: AnyRequest, viewer: CurrentViewer, token_id: FromPath[int]) -> Template:
        """Ask before revoking: scripts using the token stop working."""
        token = await api_tokens.own_token(viewer, token_id)
        return render(request, "accounts/revoke_api_token.html", token=token)

    @post("/{token_id:int}/revoke")
    async def revoke(self, viewer: CurrentViewer, token_id: FromPath[int]) -> Redirect:
        """Revoke one of the viewer's tokens: it answers 401 from now on."""
        await api_tokens.revoke_own(viewer, token_id)
        return Redirect("/account/tokens?revoked=1")
