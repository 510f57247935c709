"""The pages' template engine: the registry's Jinja2 environment (registry.templating) and the form helpers."""

from __future__ import annotations

from collections.abc import Hashable
from functools import cache, lru_cache
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment
from litestar.plugins.jinja import JinjaTemplateEngine as Engine
from markupsafe import Markup

from registry.templating import SERVICE_NAME, environment, label

__all__ = ("SERVICE_NAME", "fragment", "make_template_engine")


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


@cache
def _pages_environment() -> Environment:
    """The registry's one environment (shared with mail) with the pages' form helpers added (once)."""
    shared = environment()
    shared.globals["query"] = _query
    shared.globals["error_message"] = _error_message
    shared.globals["select_items"] = _select_items
    return shared


def make_template_engine() -> Engine:
    """The pages' engine over the registry's one environment, with the form helpers."""
    return Engine.from_environment(_pages_environment())


@lru_cache(maxsize=256)
def _rendered(template: str, context: tuple[tuple[str, Hashable], ...]) -> Markup:
    return Markup(_pages_environment().get_template(template).render(dict(context)))  # noqa: S704 - autoescaped


def fragment(template: str, **context: Hashable) -> Markup:
    """A part of a page rendered from ``context`` alone, kept per process for each distinct context.

    For parts that are costly to render and the same for most requests: a list's filter form is most of the
    work of rendering the /events page (the GOV.UK select macro renders every option through the attributes
    macro), yet it changes only with the choices and what was asked (docs/performance.md). Every value must be
    hashable (tuples, not lists), so the cache key holds all the fragment depends on and it is never stale.
    """
    return _rendered(template, tuple(sorted(context.items())))
