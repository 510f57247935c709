"""Who is employed on a day: the one "not left by this day" clause every list, invitation, reminder and
digest uses (a module of its own, so that any area can use it without importing the people use cases)."""

from __future__ import annotations

from datetime import date
from typing import Any

from registry.people.tables import Practitioner

__all__ = ("employed_on",)


def employed_on(day: date, practitioner: Any = Practitioner) -> Any:
    """WHERE clause: the practitioner (``Practitioner``, or a foreign key to it) has not left by ``day``."""
    return practitioner.left_on.is_null() | (practitioner.left_on > day)
