"""Who may read the audit log (pure)."""

from __future__ import annotations

from registry.accounts.rules import ALLIANCE_ROLES, Viewer

__all__ = ("may_read_log",)


def may_read_log(viewer: Viewer) -> bool:
    """Leads and admins read the log; nobody edits it."""
    return viewer.role in ALLIANCE_ROLES
