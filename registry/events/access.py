"""Which events a viewer manages, and reading an event row: shared by the event and booking use cases."""

from __future__ import annotations

from typing import Any

from registry.accounts.rules import ADMIN_ROLES, Role, Viewer
from registry.db import columns_of
from registry.errors import NotFound
from registry.events.tables import Event

__all__ = ("event_row", "may_manage_event")

_EVENT_SQL = f"SELECT {columns_of(Event, 'e')} FROM event e WHERE e.id = {{}}"
"""An event's row, written as SQL: read by every event page and booking (registry.db.columns_of says why)."""


def may_manage_event(viewer: Viewer, host_organisation_id: int) -> bool:
    """Leads and admins manage every event; partner admins the events their organisation hosts."""
    return viewer.role in ADMIN_ROLES or (
        viewer.role is Role.PARTNER_ADMIN and viewer.organisation_id == host_organisation_id
    )


async def event_row(event_id: int) -> dict[str, Any]:
    rows: list[dict[str, Any]] = await Event.raw(_EVENT_SQL, event_id)
    if not rows:
        raise NotFound("No such event")
    return rows[0]
