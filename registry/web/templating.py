"""The pages' template engine: the registry's Jinja2 environment (registry.templating) and the form helpers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar.plugins.jinja import JinjaTemplateEngine as Engine

from registry.templating import SERVICE_NAME, environment, label

__all__ = ("SERVICE_NAME", "make_template_engine")


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
        text = labels[index] if labels else label(value)
        items.append({"value": value, "text": text, "selected": value == selected})
    return items


def make_template_engine() -> Engine:
    """The pages' engine over the registry's one environment (shared with mail), plus the form helpers."""
    shared = environment()
    shared.globals["query"] = _query
    shared.globals["error_message"] = _error_message
    shared.globals["select_items"] = _select_items
    return Engine.from_environment(shared)
