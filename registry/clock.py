"""The registry's notion of now and today (today is the date in REGISTRY_TIMEZONE, not UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from registry.settings import get_settings

__all__ = ("local_date", "local_days", "local_midnight", "now", "today")


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return datetime.now(get_settings().zone).date()


def local_date(moment: datetime) -> date:
    """The date of a moment in REGISTRY_TIMEZONE."""
    return moment.astimezone(get_settings().zone).date()


def local_midnight(day: date) -> datetime:
    """The moment (in UTC) at which ``day`` begins in REGISTRY_TIMEZONE."""
    return datetime.combine(day, time.min, get_settings().zone).astimezone(UTC)


def local_days(first: date, last: date) -> tuple[datetime, datetime]:
    """The moments ``[starts, ends)`` of the local days ``first`` to ``last``: a moment lies in them exactly
    when its ``local_date`` is one of those days. The form a SQL ``WHERE`` on a timestamp needs, where
    ``DATE(column)`` would take the UTC date (an event at 00:30 BST on 1 April is 23:30 UTC on 31 March)."""
    return local_midnight(first), local_midnight(last + timedelta(days=1))
