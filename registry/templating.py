"""The one Jinja2 environment of pages and mail, and the date and time formatters both use.

Pages are HTML and always escaped; mail renders the same templates through this environment
(``registry.notify.compose``), so a date reads the same on a page and in a message.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader

from registry.settings import PROJECT_ROOT, get_settings

__all__ = ("SERVICE_NAME", "clock_time", "environment", "govdate", "label", "localtime")

SERVICE_NAME = "CLD Workforce Registry"


def govdate(value: date | datetime | None, fmt: str = "%-d %B %Y") -> str:
    """``8 December 2026``: a date (or an instant's local date) as GOV.UK writes it; ``fmt`` for other forms."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(get_settings().zone)
    return value.strftime(fmt)


def clock_time(value: datetime) -> str:
    """``9:30am``, ``10am``, ``12pm``: times as GOV.UK writes them."""
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{value.hour % 12 or 12}{minutes}{'am' if value.hour < 12 else 'pm'}"


def localtime(value: datetime | None, part: str = "datetime") -> str:
    """An instant in the registry's time zone: ``Tuesday 8 December 2026, 9:30am``; ``part`` may be
    ``"date"`` (without the time) or ``"time"`` (the time only). Naive values are taken as UTC."""
    if value is None:
        return ""
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(get_settings().zone)
    if part == "time":
        return clock_time(local)
    day = f"{local:%A} {local.day} {local:%B %Y}"
    return day if part == "date" else f"{day}, {clock_time(local)}"


def label(value: str | None) -> str:
    """``part_time`` → ``Part time``, for codes shown to people."""
    if not value:
        return ""
    return value.replace("_", " ").capitalize()


@cache
def environment() -> Environment:
    """Our templates first, then the GOV.UK Frontend macros under their own prefix; escaped by default."""
    built = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(PROJECT_ROOT / "templates"),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates are read once per process: checking every file's date on every render cost about a
        # quarter of the /events page (docs/performance.md). Restart the server after editing a template.
        auto_reload=False,
    )
    built.globals["service_name"] = SERVICE_NAME
    built.filters["govdate"] = govdate
    built.filters["label"] = label
    built.filters["localtime"] = localtime
    return built
