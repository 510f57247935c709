"""Pages to choose a password from a link, ask for a reset, and send invitations."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_202_ACCEPTED

from registry.accounts import invitations
from registry.accounts import service as accounts
from registry.accounts.rules import Role
from registry.errors import Invalid
from registry.settings import get_settings
from registry.web.auth import SESSION_COOKIE, requires_role, signed_in
from registry.web.deps import PAGE_PAGING, CurrentViewer, ListPaging
from registry.web.openapi import ERROR_RESPONSES
from registry.web.pages import form_data, form_page, render
from registry.web.params import PathId

__all__ = ("InvitationApi", "InvitationPages", "PasswordPages")

AnyRequest = Request[Any, Any, Any]
_inviters = requires_role(Role.PARTNER_ADMIN, Role.LEAD, Role.ADMIN)
log = logging.getLogger(__name__)


async def _send_requested_resets() -> None:
    try:
        await invitations.send_requested_resets()
    except Exception:  # the answer has gone; the scheduler's sweep tries again within a minute
        log.exception("sending requested password resets after a request failed")


class PasswordPages(Controller):
    """Choosing a password from an invitation or reset link, and asking for a reset."""

    include_in_schema = False

    @get("/set-password/{token:str}")
    async def set_password_page(self, request: AnyRequest, token: FromPath[str]) -> Template:
        """The choose-a-password form, or a plain explanation when the link cannot be used."""
        state = await invitations.link_state(token)
        return render(request, "accounts/set_password.html", state=state, token=token)

    @post("/set-password/{token:str}")
    async def set_password(self, request: AnyRequest, token: FromPath[str]) -> Template | Response[Any]:
        """Save the password, end other sessions, sign in here."""
        form = await form_data(request)
        try:
            user_id = await invitations.set_password(token, form.get("password", ""))
        except Invalid as exc:
            state = await invitations.link_state(token)
            problems = {"password": exc.problems.get("password", exc.detail)}
            return form_page(request, "accounts/set_password.html", {}, problems, state=state, token=token)
        session = await accounts.start_session(user_id, request.cookies.get(SESSION_COOKIE), how="invitation")
        response: Response[Any] = Redirect("/me")
        response.set_cookie(
            SESSION_COOKIE, session, max_age=int(accounts.SESSION_LIFETIME.total_seconds()), httponly=True,
            samesite="lax", secure=get_settings().secure_cookies, path="/",
        )  # fmt: skip
        return response

    @get("/forgotten-password")
    async def forgotten_page(self, request: AnyRequest) -> Template:
        """Ask for a reset link."""
        return form_page(request, "accounts/forgotten_password.html", {"email": ""}, sent=False)

    @post("/forgotten-password")
    async def forgotten(self, request: AnyRequest) -> Template:
        """Always the same answer, whether or not the address has a sign-in."""
        form = await form_data(request)
        email = form.get("email", "").strip()
        if "@" not in email:
            problems = {"email": "Enter an email address in the correct format, like name@example.org"}
            return form_page(request, "accounts/forgotten_password.html", {"email": email}, problems, sent=False)
        await invitations.request_reset(email, request.client.host if request.client else None)
        answer = render(request, "accounts/forgotten_password.html", sent=True, email=email)
        # The link and the mail are made after the answer has gone (and by the scheduler's sweep, should
        # this process stop first), so the answer takes as long for an unknown address as for a known one.
        answer.background = BackgroundTask(_send_requested_resets)
        return answer


class InvitationPages(Controller):
    """Who has been invited, who has signed in, and sending invitations."""

    path = "/invitations"
    guards = [_inviters]
    dependencies = PAGE_PAGING
    include_in_schema = False

    @get("/")
    async def list_page(
        self, request: AnyRequest, viewer: CurrentViewer, paging: ListPaging, sent: FromQuery[int | None] = None
    ) -> Template:
        """Practitioners the viewer may invite, with their invitation state, a page at a time."""
        rows, total = await invitations.invitation_list(viewer, paging.limit, paging.offset)
        return render(
            request, "accounts/invitations.html", rows=rows, sent=sent, pagination=paging.pagination(total),
            params={},
        )  # fmt: skip

    @post("/")
    async def send(self, request: AnyRequest, viewer: CurrentViewer) -> Redirect:
        """Invite the chosen people, or everyone listed who cannot sign in yet."""
        raw = await request.form()
        chosen = (
            [
                int(v)
                for v in raw.getall("practitioner")
                if isinstance(v, str) and v.isascii() and v.isdigit() and len(v) < 19
            ]
            if "practitioner" in raw
            else []
        )
        if raw.get("everyone") == "yes":
            # Everyone the list holds (every page): invite() skips those who already have a password.
            if viewer.role is Role.PARTNER_ADMIN:
                count = await invitations.invite(viewer, organisation_id=viewer.organisation_id or 0)
            else:
                count = await invitations.invite(viewer, everyone=True)
            return Redirect(f"/invitations?sent={count}")
        count = await invitations.invite(viewer, practitioner_ids=chosen) if chosen else 0
        return Redirect(f"/invitations?sent={count}")


class InvitationApi(Controller):
    """``POST /api/v1/practitioners/{id}/invite``."""

    path = "/api/v1/practitioners/{practitioner_id:int}/invite"
    guards = [signed_in, _inviters]
    tags = ["accounts"]

    @post("/", operation_id="InvitePractitioner", status_code=HTTP_202_ACCEPTED, responses=ERROR_RESPONSES)
    async def invite(self, viewer: CurrentViewer, practitioner_id: PathId) -> dict[str, int]:
        """(Re)send that person's invitation; nothing is sent to someone who already has a password."""
        return {"sent": await invitations.invite(viewer, practitioner_ids=[practitioner_id])}
