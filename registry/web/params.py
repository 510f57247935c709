"""Request parameter types shared by every controller, so limits are the same everywhere (and in OpenAPI)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request
from litestar.params import PathParameter, QueryParameter

from registry.validation import MAX_ID, PERIOD_PATTERN

__all__ = ("AnyRequest", "Limit", "Offset", "PageNumber", "PathId", "PeriodQuery", "SearchText")

AnyRequest = Request[Any, Any, Any]
Limit = Annotated[int, QueryParameter(ge=1, le=500, description="Page size")]
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000_000, description="Rows to skip")]
PageNumber = Annotated[int, QueryParameter(ge=1, le=100_000, description="Page of a list, from 1")]
PathId = Annotated[int, PathParameter(ge=1, le=MAX_ID, description="A record's id, a positive 32-bit integer")]
"""Every id in a path: larger ones cannot exist in the database, so they are refused before it is asked."""
PeriodQuery = Annotated[
    str | None,
    QueryParameter(
        # The check is the loose shape (the period parser then says in words what is wrong); the document
        # carries the exact one, so that it allows only what is accepted.
        pattern=r"^(19|2[0-2])\d\d-\d\d$|^(19|2[0-2])\d\d-\d\d-\d\d\.\.(19|2[0-2])\d\d-\d\d-\d\d$",
        schema_extra={"pattern": PERIOD_PATTERN},
        max_length=22,
        description="A financial year like 2025-26, or two dates like 2025-04-01..2025-06-30",
    ),
]
SearchText = Annotated[str | None, QueryParameter(max_length=200, description="Words or a code to filter by")]
