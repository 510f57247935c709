"""``GET /api/v1/practitioners/{id}/export`` (subject access) and ``POST /api/v1/practitioners/{id}/erase``."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import JSONBody

from registry.accounts.rules import Role
from registry.privacy import service
from registry.privacy.schemas import ErasedOut, EraseIn
from registry.web.auth import requires_role, signed_in
from registry.web.deps import CurrentViewer
from registry.web.openapi import ERROR_RESPONSES
from registry.web.params import PathId

__all__ = ("PrivacyApi",)


class PrivacyApi(Controller):
    path = "/api/v1/practitioners/{practitioner_id:int}"
    guards = [signed_in]
    tags = ["practitioners"]

    @get("/export", operation_id="ExportPractitionerData", responses=ERROR_RESPONSES)
    async def export(self, viewer: CurrentViewer, practitioner_id: PathId) -> dict[str, Any]:
        """Everything held about one person (a subject access request), section by section: for the person,
        their organisation's partner admin, leads and admins (404 for anyone else)."""
        return await service.subject_access(viewer, practitioner_id)

    @post(
        "/erase", operation_id="ErasePractitioner", status_code=200, guards=[requires_role(Role.ADMIN)],
        responses=ERROR_RESPONSES,
    )  # fmt: skip
    async def erase(
        self, viewer: CurrentViewer, practitioner_id: PathId, data: JSONBody[EraseIn | None] = None
    ) -> ErasedOut:
        """Remove a leaver's identity and free text, keeping the anonymous counts the metrics need (admins;
        409 for someone not yet left or still line-managing). Cannot be undone."""
        done = await service.erase(viewer, practitioner_id, data.reason if data else "")
        return ErasedOut(
            practitioner_id=done.practitioner_id, email=done.email, audit_entries_rewritten=done.audit_entries
        )
