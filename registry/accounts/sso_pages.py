"""Signing in through an organisation's own account, and the admin page that configures the providers."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, QueryParameter
from litestar.response import Redirect, Response, Template

from registry.accounts import service as accounts
from registry.accounts import sso
from registry.accounts.pages import _safe_next
from registry.accounts.rules import Role, Viewer
from registry.errors import Invalid
from registry.people import service as people
from registry.settings import get_settings
from registry.web.auth import SESSION_COOKIE, requires_role
from registry.web.deps import CurrentViewer
from registry.web.pages import form_data, form_page, problems_of, render

__all__ = ("SsoAdminPages", "SsoPages")

AnyRequest = Request[Any, Any, Any]


def _refused(request: AnyRequest, detail: str) -> Template:
    return render(request, "error.html", status_code=400, status=400, title="You could not be signed in", detail=detail)


class SsoPages(Controller):
    """``Sign in with <organisation>``: off to the provider, and back."""

    include_in_schema = False

    @get("/sign-in/sso")
    async def start(
        self,
        request: AnyRequest,
        email: FromQuery[str] = "",
        next_: Annotated[str | None, QueryParameter(name="next")] = None,
    ) -> Template | Redirect:
        """Send the person to the provider that covers their e-mail domain."""
        target = _safe_next(next_)
        if "@" not in email.strip():
            errors = {"sso_email": "Enter your email address, like name@example.org"}
            return form_page(request, "accounts/sign_in.html", {"email": ""}, errors, next=target)
        providers = await sso.providers_for_email(email)
        if not providers:
            errors = {"sso_email": "Your organisation does not offer its own sign-in: sign in with your password"}
            return form_page(request, "accounts/sign_in.html", {"email": email.strip()}, errors, next=target)
        try:
            url = await sso.begin_login(providers[0].id, target)
        except Invalid as exc:
            return _refused(request, exc.detail)
        return Redirect(url)

    @get(sso.CALLBACK_PATH)
    async def callback(
        self,
        request: AnyRequest,
        oauth_state: Annotated[str, QueryParameter(name="state")] = "",
        code: FromQuery[str] = "",
        error: FromQuery[str | None] = None,
    ) -> Template | Response[Any]:
        """Check the provider's answer, start a fresh session and go on."""
        if error is not None or not code or not oauth_state:
            return _refused(request, "Your organisation's sign-in was cancelled or refused. Start again.")
        try:
            token, target = await sso.finish_login(oauth_state, code, request.cookies.get(SESSION_COOKIE))
        except Invalid as exc:
            return _refused(request, exc.detail)
        response: Response[Any] = Redirect(_safe_next(target))
        response.set_cookie(
            SESSION_COOKIE, token, max_age=int(accounts.SESSION_LIFETIME.total_seconds()), httponly=True,
            samesite="lax", secure=get_settings().secure_cookies, path="/",
        )  # fmt: skip
        return response


class SsoAdminPages(Controller):
    """Admins configure each organisation's provider; the secret is never shown back."""

    path = "/admin/sso"
    guards = [requires_role(Role.ADMIN)]
    include_in_schema = False

    async def _page(
        self, request: AnyRequest, viewer: Viewer, form: dict[str, str], problems: dict[str, str], **context: Any
    ) -> Template:
        providers = await sso.list_providers(viewer)
        organisations = await people.organisation_choices()
        return form_page(
            request, "accounts/sso_admin.html", form, problems, providers=providers, organisations=organisations,
            **context,
        )  # fmt: skip

    @get("/")
    async def show(self, request: AnyRequest, viewer: CurrentViewer, saved: FromQuery[str | None] = None) -> Template:
        """The configured providers and the form to add or change one."""
        return await self._page(request, viewer, {}, {}, saved=saved)

    @post("/")
    async def save(self, request: AnyRequest, viewer: CurrentViewer) -> Template | Redirect:
        """Add or change an organisation's provider."""
        form = await form_data(request)
        try:
            await sso.configure_provider(
                viewer, form.get("organisation", ""), form.get("issuer", ""),
                form.get("client_id", ""), form.get("client_secret", ""), form.get("email_domains", ""),
                password_sign_in=form.get("password_sign_in") != "no",
            )  # fmt: skip
        except Invalid as exc:
            kept = {k: v for k, v in form.items() if k != "client_secret"}
            return await self._page(request, viewer, kept, problems_of(exc, "organisation"), saved=None)
        return Redirect("/admin/sso?saved=1")
