"""The page the link mailed to a record's OLD address opens: confirm or decline the new address."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Template

from registry.errors import Invalid
from registry.people import email_changes
from registry.web.pages import form_data, render
from registry.web.params import AnyRequest

__all__ = ("EmailChangePages",)


class EmailChangePages(Controller):
    """Holding the link proves the person reads the address the record uses today; no sign-in is needed."""

    path = "/email-change"
    include_in_schema = False

    @get("/{token:str}")
    async def show(self, request: AnyRequest, token: FromPath[str]) -> Template:
        """What was asked, by whom, with Confirm and Decline (a GET changes nothing: mail scanners follow links)."""
        change = await email_changes.pending_by_link(token)
        return render(request, "people/email_change.html", change=change, decided=None)

    @post("/{token:str}")
    async def decide(self, request: AnyRequest, token: FromPath[str]) -> Template:
        """Confirm or decline from the old address."""
        decision = (await form_data(request)).get("decision")
        if decision not in {"confirm", "decline"}:
            raise Invalid({"decision": "Choose whether to confirm or decline the change"})
        change = await email_changes.decide_by_link(token, confirm=decision == "confirm")
        return render(request, "people/email_change.html", change=change, decided=decision)
