"""Calendar feed endpoints (no sign-in: the URL is the secret) and the feed address on the person's page."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from registry.accounts.rules import Role
from registry.accounts.rules import is_self as is_own
from registry.errors import Forbidden
from registry.learning.service import practitioner_ref
from registry.notify import feeds, outbox, preferences
from registry.settings import get_settings
from registry.web.auth import requires_role, signed_in
from registry.web.deps import CurrentViewer
from registry.web.pages import form_data, render
from registry.web.params import AnyRequest

__all__ = ("CalendarFeeds", "CalendarPages", "OutboxPages")

ICS = "text/calendar; charset=utf-8"


class CalendarFeeds(Controller):
    """Subscribable calendars for Outlook and Google."""

    include_in_schema = False

    @get("/calendar/{token:str}")
    async def person(self, token: FromPath[str]) -> Response[bytes]:
        """A person's confirmed bookings; the secret token is the only key."""
        body = await feeds.person_feed(token.removesuffix(".ics"))
        # Personal data: not kept by any cache (registry.web.security sends no-store on every such answer).
        return Response(body, media_type=ICS, headers={"Cache-Control": "no-store"})

    @get("/events.ics")
    async def alliance(self) -> Response[bytes]:
        """Published alliance events."""
        return Response(await feeds.alliance_feed(), media_type=ICS, headers={"Cache-Control": "public, max-age=300"})


class CalendarPages(Controller):
    """The feed address and regenerating it."""

    path = "/practitioners/{practitioner_id:int}/calendar"
    guards = [signed_in]
    include_in_schema = False

    @get("/")
    async def show(
        self,
        request: AnyRequest,
        viewer: CurrentViewer,
        practitioner_id: FromPath[int],
        saved: FromQuery[str | None] = None,
    ) -> Template:
        """The person's secret feed URL (only they see it)."""
        practitioner = await practitioner_ref(viewer, practitioner_id)
        is_self = is_own(viewer, practitioner_id)
        url = f"{get_settings().base_url}/calendar/{await feeds.feed_token(practitioner_id)}.ics" if is_self else None
        return render(
            request,
            "notify/calendar.html",
            practitioner=practitioner,
            feed_url=url,
            is_self=is_self,
            reminders=await preferences.reminders_on(viewer.email),
            saved=saved,
        )

    @post("/regenerate")
    async def regenerate(self, viewer: CurrentViewer, practitioner_id: FromPath[int]) -> Redirect:
        """A new secret address; the old one stops working."""
        await feeds.regenerate_feed(viewer, practitioner_id)
        return Redirect(f"/practitioners/{practitioner_id}/calendar?saved=feed")

    @post("/reminders")
    async def set_reminders(
        self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int]
    ) -> Redirect:
        """Turn optional reminders on or off (invitations and cancellations always come)."""
        await practitioner_ref(viewer, practitioner_id)
        if not is_own(viewer, practitioner_id):
            raise Forbidden("Only the practitioner can change their reminders")
        form = await form_data(request)
        await preferences.set_reminders(viewer, form.get("reminders") == "on")
        return Redirect(f"/practitioners/{practitioner_id}/calendar?saved=reminders")


class OutboxPages(Controller):
    """Admins see messages that could not be delivered and send them again."""

    path = "/admin/outbox"
    guards = [requires_role(Role.ADMIN)]
    include_in_schema = False

    @get("/")
    async def failed(self, request: AnyRequest, retried: FromQuery[str | None] = None) -> Template:
        """Failed and waiting messages, newest first."""
        rows = await outbox.undelivered()
        return render(request, "notify/outbox.html", rows=rows, retried=retried)

    @post("/{message_id:int}/retry")
    async def retry(self, viewer: CurrentViewer, message_id: FromPath[int]) -> Redirect:
        """Send a failed message again."""
        await outbox.retry_failed(message_id, viewer.email)
        return Redirect("/admin/outbox?retried=1")
