"""The registry's notion of now and today (today is the date in REGISTRY_TIMEZONE, not UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from registry.settings import get_settings

__all__ = ("local_date", "now", "today")


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return datetime.now(get_settings().zone).date()


def local_date(moment: datetime) -> date:
    """The date of a moment in REGISTRY_TIMEZONE."""
    return moment.astimezone(get_settings().zone).date()
