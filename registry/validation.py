"""Shared input limits, and turning pydantic's validation errors into the short, field-named messages users read.

The API validates bodies strictly (``PydanticInitPlugin(validate_strict=True)`` in ``registry.app``): a JSON
``true`` is not a number and ``"3"`` is not an id. Forms and CSV files validate the same models laxly, because
everything they carry is text. Strictness therefore comes from how a model is validated, not from the model;
types that JSON can only carry as text (dates, date-times) parse that text themselves so they work both ways.
"""

from __future__ import annotations

from typing import Annotated, Any

from annotated_types import Interval
from pydantic import AwareDatetime, BeforeValidator, TypeAdapter, ValidationError

__all__ = ("MAX_ID", "AwareIsoDatetime", "RecordId", "describe", "problems_from")

MAX_ID = 2**31 - 1
"""The largest id the database holds (a 32-bit serial on PostgreSQL)."""

# Constraints in reusable types are annotated-types, not Field(): Litestar's OpenAPI drops a Field() inside
# `X | None`, and the document must declare every limit that is enforced.
RecordId = Annotated[int, Interval(ge=1, le=MAX_ID)]
"""Id of a record in a body: a positive 32-bit integer."""

_AWARE = TypeAdapter(AwareDatetime)


def _aware_from_text(value: object) -> object:
    """ISO 8601 text with an offset → an aware datetime (strict validation would not parse text itself)."""
    if not isinstance(value, str):
        return value
    try:
        return _AWARE.validate_python(value, strict=False)
    except ValidationError:
        raise ValueError("must be a date and time with its offset, like 2026-05-01T09:30:00+01:00") from None


AwareIsoDatetime = Annotated[AwareDatetime, BeforeValidator(_aware_from_text)]
"""A date and time with its UTC offset, written as ISO 8601 text in JSON."""

_PLAIN = {
    "missing": "is required",
    "float_parsing": "must be a number",
    "finite_number": "must be a number",
    "float_type": "must be a number",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "string_type": "must be text",
    "datetime_type": "must be a date and time like 2026-05-01T09:30:00+01:00",
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
    if kind == "too_long":
        return f"must have {error['ctx']['max_length']} items or fewer"
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
