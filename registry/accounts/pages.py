"""Sign-in and sign-out pages, and the start page that sends each role where it works."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Response, Template

from registry.accounts import service
from registry.accounts.throttle import TooManyAttempts
from registry.errors import Invalid
from registry.people import service as people
from registry.settings import get_settings
from registry.web.auth import SESSION_COOKIE, signed_in
from registry.web.deps import CurrentViewer
from registry.web.pages import form_data, form_page, render

__all__ = ("AccountPages",)

AnyRequest = Request[Any, Any, Any]


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never ``//evil.example`` or an absolute URL."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


class AccountPages(Controller):
    """Signing in and out."""

    include_in_schema = False

    @get("/sign-in")
    async def sign_in_page(
        self, request: AnyRequest, next_: Annotated[str | None, QueryParameter(name="next")] = None
    ) -> Template | Redirect:
        """The sign-in form (signed-in people go straight on)."""
        if request.scope.get("user") is not None:
            return Redirect(_safe_next(next_))
        return form_page(request, "accounts/sign_in.html", {"email": ""}, next=_safe_next(next_))

    @post("/sign-in")
    async def sign_in(self, request: AnyRequest) -> Template | Response[Any]:
        """Check the password, start a fresh session (a new id every time) and go on."""
        form = await form_data(request)
        email, password, target = form.get("email", ""), form.get("password", ""), _safe_next(form.get("next"))
        errors: dict[str, str] = {}
        if not email.strip():
            errors["email"] = "Enter your email address"
        if not password:
            errors["password"] = "Enter your password"  # noqa: S105 - a message, not a secret
        if not errors:
            client = request.client.host if request.client else None
            try:
                _, token = await service.sign_in(email, password, request.cookies.get(SESSION_COOKIE), client)
            except TooManyAttempts as exc:
                refused = form_page(
                    request, "accounts/sign_in.html", {"email": email}, {"email": exc.detail},
                    status_code=exc.status_code, next=target,
                )  # fmt: skip
                refused.headers["Retry-After"] = str(exc.retry_after)
                return refused
            except Invalid as exc:
                errors = {"email": exc.detail}
            else:
                response: Response[Any] = Redirect(target)
                response.set_cookie(
                    SESSION_COOKIE,
                    token,
                    max_age=int(service.SESSION_LIFETIME.total_seconds()),
                    httponly=True,
                    samesite="lax",
                    secure=get_settings().secure_cookies,
                    path="/",
                )
                return response
        return form_page(request, "accounts/sign_in.html", {"email": email}, errors, next=target)

    @post("/sign-out")
    async def sign_out(self, request: AnyRequest) -> Redirect:
        """End this session."""
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await service.sign_out(token)
        response = Redirect("/sign-in")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @get("/me", guards=[signed_in])
    async def me(self, request: AnyRequest, viewer: CurrentViewer) -> Template | Redirect:
        """The signed-in person's own practitioner record."""
        own = await people.own_practitioner_id(viewer)
        if own is not None:
            return Redirect(f"/practitioners/{own}")
        return render(request, "accounts/no_record.html")
