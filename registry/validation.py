"""Turning pydantic's validation errors into the short, field-named messages users read."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

__all__ = ("describe", "problems_from")

_PLAIN = {
    "missing": "is required",
    "float_parsing": "must be a number",
    "finite_number": "must be a number",
    "float_type": "must be a number",
    "int_parsing": "must be a whole number",
    "date_from_datetime_parsing": "must be a date like 2025-04-01",
    "date_parsing": "must be a date like 2025-04-01",
    "date_type": "must be a date like 2025-04-01",
    "bool_parsing": "must be yes or no",
    "string_too_short": "must not be empty",
    "extra_forbidden": "is not a field of this resource",
}


def describe(error: Any) -> str:
    """One error of ``ValidationError.errors()`` as a sentence fragment."""
    kind = error.get("type", "")
    if kind in _PLAIN:
        return _PLAIN[kind]
    if kind == "greater_than_equal":
        return f"must be {error['ctx']['ge']:g} or more"
    if kind == "less_than_equal":
        return f"must be {error['ctx']['le']:g} or less"
    if kind == "literal_error":
        return f"must be one of {error['ctx']['expected']}"
    if kind == "string_pattern_mismatch":
        return "must be a short code of letters, digits, - or _ (up to 30)"
    if kind == "value_error" and str(error.get("msg", "")).startswith("value is not a valid email address"):
        return "must be an email address like name@example.org"
    if kind == "string_too_long":
        return f"must be {error['ctx']['max_length']} characters or fewer"
    message = str(error.get("msg", "is not valid"))
    return message.removeprefix("Value error, ")


def problems_from(exc: ValidationError) -> dict[str, str]:
    """Field name → problem, the first problem of each field."""
    problems: dict[str, str] = {}
    for error in exc.errors():
        location = error.get("loc", ())
        message = describe(error)
        if location:
            field = str(location[0])
        else:
            # Whole-model checks name their field as "field: problem".
            field, _, rest = message.partition(": ")
            field, message = (field, rest) if rest and field.isidentifier() else ("input", message)
        problems.setdefault(field, message)
    return problems
