"""Admin pages for competence frameworks: rename a competence, add a framework from CSV, choose the default."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from registry.accounts.rules import Role
from registry.errors import Conflict, Invalid
from registry.learning import frameworks
from registry.web.auth import requires_role
from registry.web.deps import CurrentViewer
from registry.web.pages import form_data, form_page
from registry.web.params import AnyRequest

__all__ = ("FrameworkPages",)

MAX_UPLOAD_BYTES = 1024 * 1024
"""A framework is a few dozen rows; a megabyte is generous."""
SAVED_MESSAGES = {
    "renamed": "The title has been changed",
    "added": "The framework has been added",
    "default": "The default framework has been changed",
}


class FrameworkPages(Controller):
    """Competence frameworks as data (admins only)."""

    path = "/admin/frameworks"
    guards = [requires_role(Role.ADMIN)]
    include_in_schema = False

    @get("/")
    async def list_page(self, request: AnyRequest, saved: FromQuery[str | None] = None) -> Template:
        """Every framework with its competences and values, and the forms that change them."""
        return await self._page(request, saved=SAVED_MESSAGES.get(saved or ""))

    @post("/")
    async def upload(self, request: AnyRequest, viewer: CurrentViewer) -> Template | Redirect:
        """Add a framework from a CSV file: all rows or none."""
        form = await request.form()
        upload = form.get("file")
        make_default = form.get("make_default") == "yes"
        if not isinstance(upload, UploadFile) or not upload.filename:
            return await self._page(request, errors={"file": "Select a CSV file"}, make_default=make_default)
        raw = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(raw) > MAX_UPLOAD_BYTES:
            return await self._page(
                request, errors={"file": "The selected file must be smaller than 1 MB"}, make_default=make_default
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return await self._page(
                request, errors={"file": "The selected file must be a CSV saved as UTF-8"}, make_default=make_default
            )
        try:
            await frameworks.import_framework(viewer, text, make_default=make_default)
        except Invalid as exc:
            return await self._page(
                request,
                errors={"file": f"The file has {len(exc.lines)} problem(s). Nothing was added."},
                problems=exc.lines,
                filename=upload.filename,
                make_default=make_default,
            )
        except Conflict as exc:
            return await self._page(request, errors={"file": exc.detail}, make_default=make_default)
        return Redirect("/admin/frameworks?saved=added")

    @post("/competences/{competence_id:int}/title")
    async def rename(
        self, request: AnyRequest, viewer: CurrentViewer, competence_id: FromPath[int]
    ) -> Template | Redirect:
        """Change the title of a competence or value."""
        title = (await form_data(request)).get("title", "")
        try:
            await frameworks.rename_competence(viewer, competence_id, title)
        except Invalid:
            problem = "Title must be 300 characters or fewer" if title.strip() else "Enter a title"
            return await self._page(request, errors={f"title-{competence_id}": problem}, titles={competence_id: title})
        return Redirect(f"/admin/frameworks?saved=renamed#competence-{competence_id}")

    @post("/{framework_id:int}/default")
    async def make_default(self, viewer: CurrentViewer, framework_id: FromPath[int]) -> Redirect:
        """Tag new learning against this framework from now on."""
        await frameworks.set_default(viewer, framework_id)
        return Redirect("/admin/frameworks?saved=default")

    async def _page(self, request: AnyRequest, **context: Any) -> Template:
        context.setdefault("titles", {})
        context.setdefault("make_default", False)
        # An upload form: the file is not sent back, so there is nothing to fill in again.
        return form_page(
            request,
            "learning/frameworks.html",
            {},
            context.pop("errors", None),
            frameworks=await frameworks.list_frameworks(),
            columns=frameworks.FRAMEWORK_COLUMNS,
            **context,
        )
