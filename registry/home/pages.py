"""``/``: the signed-in person's home page (registry.home.service says what is on it)."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template

from registry.home.service import home
from registry.web.auth import signed_in
from registry.web.deps import CurrentViewer
from registry.web.pages import render
from registry.web.params import AnyRequest

__all__ = ("HomePage",)


class HomePage(Controller):
    path = "/"
    guards = [signed_in]
    include_in_schema = False

    @get("/")
    async def home_page(self, request: AnyRequest, viewer: CurrentViewer) -> Template:
        """What needs the viewer now, each item linking to where it is done."""
        sections = await home(viewer)
        return render(request, "home.html", sections=sections, nothing=not any(s.items for s in sections))
