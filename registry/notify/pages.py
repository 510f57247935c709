"""Calendar feed endpoints (no sign-in: the URL is the secret) and the feed address on the person's page."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from registry.learning.service import practitioner_ref
from registry.notify import feeds
from registry.settings import get_settings
from registry.web.auth import signed_in, viewer_of
from registry.web.pages import render

__all__ = ("CalendarFeeds", "CalendarPages")

AnyRequest = Request[Any, Any, Any]
ICS = "text/calendar; charset=utf-8"


class CalendarFeeds(Controller):
    """Subscribable calendars for Outlook and Google."""

    include_in_schema = False

    @get("/calendar/{token:str}")
    async def person(self, token: FromPath[str]) -> Response[bytes]:
        """A person's confirmed bookings; the secret token is the only key."""
        body = await feeds.person_feed(token.removesuffix(".ics"))
        return Response(body, media_type=ICS, headers={"Cache-Control": "private, max-age=300"})

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
    async def show(self, request: AnyRequest, practitioner_id: FromPath[int]) -> Template:
        """The person's secret feed URL (only they see it)."""
        viewer = viewer_of(request)
        practitioner = await practitioner_ref(viewer, practitioner_id)
        is_self = practitioner["email"] == viewer.email.lower()
        url = f"{get_settings().base_url}/calendar/{await feeds.feed_token(practitioner_id)}.ics" if is_self else None
        return render(request, "notify/calendar.html", practitioner=practitioner, feed_url=url, is_self=is_self)

    @post("/regenerate")
    async def regenerate(self, request: AnyRequest, practitioner_id: FromPath[int]) -> Redirect:
        """A new secret address; the old one stops working."""
        await feeds.regenerate_feed(viewer_of(request), practitioner_id)
        return Redirect(f"/practitioners/{practitioner_id}/calendar")
