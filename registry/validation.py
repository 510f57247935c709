"""Shared input limits, and turning pydantic's validation errors into the short, field-named messages users read.

The API validates bodies strictly (``PydanticInitPlugin(validate_strict=True)`` in ``registry.app``): a JSON
``true`` is not a number and ``"3"`` is not an id. Forms and CSV files validate the same models laxly, because
everything they carry is text. Strictness therefore comes from how a model is validated, not from the model;
types that JSON can only carry as text (dates, date-times) parse that text themselves so they work both ways.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from annotated_types import Interval
from pydantic import AwareDatetime, BeforeValidator, TypeAdapter, ValidationError

__all__ = (
    "DATETIME_PATTERN",
    "DATE_PATTERN",
    "FINANCIAL_YEAR_PATTERN",
    "MAX_ID",
    "PERIOD_PATTERN",
    "WHOLE",
    "AwareIsoDatetime",
    "RecordId",
    "SchemaPattern",
    "describe",
    "plain",
    "problems_from",
)

MAX_ID = 2**31 - 1
"""The largest id the database holds (a 32-bit serial on PostgreSQL)."""


@dataclass(frozen=True, slots=True)
class SchemaPattern:
    """The pattern the OpenAPI document gives a value whose check is code (a date's years, a code's shape, a
    financial year), so that the document allows only what the API accepts. pydantic ignores it; the schema
    plugin (registry.web.openapi) writes it on every property whose type carries it, optional ones too."""

    pattern: str


_YEAR = r"(?:19\d\d|2[01]\d\d|2200)"
_LEAP_YEAR = r"(?:(?:19|20|21)(?:0[48]|[2468][048]|[13579][26])|2000)"
_MONTH_DAY = (
    r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])"  # months of 31 days
    r"|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"  # of 30
    r"|02-(?:0[1-9]|1\d|2[0-8]))"  # February; the 29th is in _DATE, for leap years only
)
_DATE = rf"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)"
DATE_PATTERN = rf"^{_DATE}$"
"""A real calendar day from 1900 to 2200, ``YYYY-MM-DD``: the dates every body accepts."""
DATETIME_PATTERN = rf"^{_DATE}T"
"""A date and time whose written day is a real one from 1900 to 2200 (the format says the rest)."""
_FINANCIAL_YEAR = "(?:19|20|21)(?:" + "|".join(f"{n:02d}-{(n + 1) % 100:02d}" for n in range(100)) + ")"
FINANCIAL_YEAR_PATTERN = rf"^{_FINANCIAL_YEAR}$"
"""A financial year like 2025-26: the second year the one after the first."""
PERIOD_PATTERN = rf"^{_FINANCIAL_YEAR}$|^{_DATE}\.\.{_DATE}$"
"""A financial year like 2025-26 (the second year the one after the first), or two real days like
2025-04-01..2025-06-30."""


def _whole(value: object) -> object:
    """A JSON number with nothing after the point (``4.0``) is the whole number it writes, as JSON Schema
    says; any other float stays one, and is refused as not whole."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


WHOLE = BeforeValidator(_whole)
"""In an ``Annotated[int, ...]``: the number may be written ``4`` or ``4.0``."""


# Constraints in reusable types are annotated-types, not Field(): Litestar's OpenAPI drops a Field() inside
# `X | None`, and the document must declare every limit that is enforced.
RecordId = Annotated[int, WHOLE, Interval(ge=1, le=MAX_ID)]
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


def _choices(expected: str) -> str:
    """pydantic's ``'in_person', 'online' or 'hybrid'`` without its Python quotes: ``in_person, online or hybrid``
    (the values a CSV file or an API call must carry; a page offers them by label)."""
    values = re.findall(r"'([^']*)'", expected)
    if not values:
        return "one of the choices offered"
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} or {values[-1]}"


_PYDANTIC_WORDING = re.compile(r"\b(Input should|should be|should have|after validation|Value error|type=)\b")


_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), text)
    for pattern, text in (
        (r"^Field required", "is required"),
        (r"^Extra inputs are not permitted", "is not a field of this resource"),
        (r"^String should have at least 1 character", "must not be empty"),
        (r"^String should have at most (\d+) characters?", "must be {0} characters or fewer"),
        (r"^List should have at least 1 item", "must have at least one item"),
        (r"^List should have at least (\d+) items?", "must have at least {0} items"),
        (r"^List should have at most (\d+) items?", "must have {0} items or fewer"),
        (r"^Input should be a valid number", "must be a number"),
        (r"^Input should be a finite number", "must be a number"),
        (r"^Input should be a valid integer", "must be a whole number"),
        (r"^Input should be a valid boolean", "must be true or false"),
        (r"^Input should be a valid string", "must be text"),
        (r"^Input should be a valid list", "must be a list"),
        (r"^Input should be a valid (dictionary|object)", "must be an object of named fields"),
        (r"^Input should be a valid URL", "must be a full web address, like https://example.org/page"),
        (r"^URL scheme should be", "must be a full web address, like https://example.org/page"),
        (r"^Input should be a valid date", "must be a date like 2025-04-01"),
        (r"^Input should be a valid datetime", "must be a date and time like 2026-05-01T09:30:00+01:00"),
        (r"^Input should be greater than or equal to ([\d.]+)", "must be {0} or more"),
        (r"^Input should be less than or equal to ([\d.]+)", "must be {0} or less"),
        (r"^Input should be greater than ([\d.]+)", "must be more than {0}"),
        (r"^Input should be less than ([\d.]+)", "must be less than {0}"),
    )
)


def plain(message: str) -> str:
    """A message pydantic wrote (as Litestar passes it on, without the error's type) in plain words."""
    message = message.removeprefix("Value error, ")
    if message.startswith("Input should be '"):
        return f"must be one of {_choices(message.removeprefix('Input should be '))}"
    for pattern, text in _MESSAGES:
        if found := pattern.match(message):
            return text.format(*found.groups())
    return "is not valid" if _PYDANTIC_WORDING.search(message) else message


def describe(error: Any) -> str:
    """One error of ``ValidationError.errors()`` as a sentence fragment, in plain words: no pydantic wording,
    no Python repr."""
    kind = error.get("type", "")
    if kind in _PLAIN:
        return _PLAIN[kind]
    if kind in {"literal_error", "enum"}:
        return f"must be one of {_choices(str(error.get('ctx', {}).get('expected', '')))}"
    if kind == "too_short":
        least = int(error.get("ctx", {}).get("min_length", 1))
        return "must have at least one item" if least == 1 else f"must have at least {least} items"
    if kind in {"url_parsing", "url_scheme", "url_type", "url_syntax_violation"}:
        return "must be a full web address, like https://example.org/page"
    if kind in {"list_type", "tuple_type", "set_type"}:
        return "must be a list"
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return "must be an object of named fields"
    if kind in {"json_invalid", "json_type"}:
        return "must be valid JSON"
    if kind == "greater_than_equal":
        return f"must be {error['ctx']['ge']:g} or more"
    if kind == "less_than_equal":
        return f"must be {error['ctx']['le']:g} or less"
    if kind == "string_pattern_mismatch":
        return "must be a short code of letters, digits, - or _ (up to 30)"
    if kind == "value_error" and str(error.get("msg", "")).startswith("value is not a valid email address"):
        return "must be an email address like name@example.org"
    if kind == "too_long":
        return f"must have {error['ctx']['max_length']} items or fewer"
    if kind == "string_too_long":
        return f"must be {error['ctx']['max_length']} characters or fewer"
    message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    return "is not valid" if _PYDANTIC_WORDING.search(message) else message


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
