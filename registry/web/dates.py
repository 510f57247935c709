"""GOV.UK's date input pattern (day, month and year in three boxes) read back as one ISO date."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from registry.validation import problems_from

__all__ = ("date_from_parts", "parts_of", "read_dates", "validated")

M = TypeVar("M", bound=BaseModel)

_PARTS = ("day", "month", "year")


def parts_of(name: str, value: date | None) -> dict[str, str]:
    """A stored date as the three boxes show it: ``{"completed_on-day": "14", ...}``."""
    if value is None:
        return {f"{name}-{part}": "" for part in _PARTS}
    return {f"{name}-day": str(value.day), f"{name}-month": str(value.month), f"{name}-year": str(value.year)}


def date_from_parts(form: Mapping[str, str], name: str) -> tuple[str, str | None]:
    """The date the boxes hold as ``YYYY-MM-DD`` (for the schema, which says whether it exists), and what is
    wrong with how it was written, if anything. All three empty is no date (the schema says if one is needed).
    A form that sends the date whole (``name`` itself) is read as it is."""
    if name in form and not any(f"{name}-{part}" in form for part in _PARTS):
        return form[name].strip(), None
    values = {part: form.get(f"{name}-{part}", "").strip() for part in _PARTS}
    if not any(values.values()):
        return "", None
    missing = [part for part in _PARTS if not values[part]]
    if missing:
        return "", f"must include a {' and a '.join(missing)}"
    if not all(v.isascii() and v.isdigit() for v in values.values()):
        return "", "must be a real date, in numbers, like 27 3 2026"
    if len(values["year"]) != 4:
        return "", "must include a year of 4 digits, like 2026"
    return f"{values['year']}-{int(values['month']):02d}-{int(values['day']):02d}", None


def read_dates(form: Mapping[str, str], names: tuple[str, ...]) -> tuple[dict[str, str], dict[str, str]]:
    """The form with each named date as one ``YYYY-MM-DD`` field (its boxes dropped, so that a schema which
    forbids unknown fields takes it), and what is wrong with how any was written."""
    boxes = {f"{name}-{part}" for name in names for part in _PARTS}
    read, problems = {k: v for k, v in form.items() if k not in boxes}, {}
    for name in names:
        read[name], problem = date_from_parts(form, name)
        if problem:
            problems[name] = problem
    return read, problems


def validated(
    schema: type[M], form: Mapping[str, Any], names: tuple[str, ...]
) -> tuple[M | None, dict[str, str]]:
    """The form read by ``schema`` with its named dates taken from their boxes: the model, or every problem at
    once (how a date was written says more than the schema's reading of what came of it). An empty date is
    left out, so that the schema's default applies or it says the date is required."""
    data, written = read_dates(form, names)
    try:
        model = schema.model_validate({k: v for k, v in data.items() if v != "" or k not in names})
    except ValidationError as exc:
        return None, {**problems_from(exc), **written}
    return (None, written) if written else (model, {})
