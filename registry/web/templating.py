"""The Jinja2 environment: our templates first, then the GOV.UK Frontend macros under their own prefix."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader
from litestar.plugins.jinja import JinjaTemplateEngine as Engine

from registry.settings import PROJECT_ROOT, get_settings

__all__ = ("SERVICE_NAME", "make_template_engine")

SERVICE_NAME = "CLD Workforce Registry"


def _date(value: date | datetime | None, fmt: str = "%-d %B %Y") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(get_settings().zone)
    return value.strftime(fmt)


def _clock(value: datetime) -> str:
    """``9:30am``, ``10am``, ``12pm``: times as GOV.UK writes them."""
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{value.hour % 12 or 12}{minutes}{'am' if value.hour < 12 else 'pm'}"


def _localtime(value: datetime | None, part: str = "datetime") -> str:
    """An instant in the registry's time zone: ``Tuesday 8 December 2026, 9:30am``; ``part`` may be
    ``"date"`` (without the time) or ``"time"`` (the time only). Naive values are taken as UTC."""
    if value is None:
        return ""
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(get_settings().zone)
    if part == "time":
        return _clock(local)
    day = f"{local:%A} {local.day} {local:%B %Y}"
    return day if part == "date" else f"{day}, {_clock(local)}"


def _label(value: str | None) -> str:
    """``part_time`` → ``Part time``, for codes shown to people."""
    if not value:
        return ""
    return value.replace("_", " ").capitalize()


def _query(params: dict[str, Any], **changes: Any) -> str:
    merged = {k: v for k, v in {**params, **changes}.items() if v not in (None, "", 0) or k == "page"}
    return "?" + urlencode({k: v for k, v in merged.items() if v not in (None, "")})


def _error_message(errors: dict[str, str], name: str) -> dict[str, str] | None:
    """The ``errorMessage`` parameter of a GOV.UK form macro for one field."""
    return {"text": errors[name]} if errors.get(name) else None


def _select_items(
    values: list[str], selected: str | None, any_text: str, labels: list[str] | None = None
) -> list[dict[str, Any]]:
    """GOV.UK select items with an "any" choice first; codes are shown as labels unless labels are given."""
    items: list[dict[str, Any]] = [{"value": "", "text": any_text}]
    for index, value in enumerate(values):
        text = labels[index] if labels else _label(value)
        items.append({"value": value, "text": text, "selected": value == selected})
    return items


def make_template_engine() -> Engine:
    environment = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(PROJECT_ROOT / "templates"),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["service_name"] = SERVICE_NAME
    environment.filters["govdate"] = _date
    environment.filters["label"] = _label
    environment.filters["localtime"] = _localtime
    environment.globals["query"] = _query
    environment.globals["error_message"] = _error_message
    environment.globals["select_items"] = _select_items
    return Engine.from_environment(environment)
