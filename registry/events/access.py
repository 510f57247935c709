"""Which events a viewer manages, and reading an event row: shared by the event and booking use cases."""

from __future__ import annotations

from typing import Any

from registry.accounts.rules import ADMIN_ROLES, Role, Viewer
from registry.errors import NotFound
from registry.events.tables import Event

__all__ = ("event_row", "may_manage_event")


def may_manage_event(viewer: Viewer, host_organisation_id: int) -> bool:
    """Leads and admins manage every event; partner admins the events their organisation hosts."""
    return viewer.role in ADMIN_ROLES or (
        viewer.role is Role.PARTNER_ADMIN and viewer.organisation_id == host_organisation_id
    )


async def event_row(event_id: int) -> dict[str, Any]:
    row: dict[str, Any] | None = await Event.select().where(Event.id == event_id).first()
    if row is None:
        raise NotFound("No such event")
    return row
