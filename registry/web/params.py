"""Request parameter types shared by every controller, so limits are the same everywhere."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request
from litestar.params import QueryParameter

__all__ = ("AnyRequest", "Limit", "Offset", "PageNumber")

AnyRequest = Request[Any, Any, Any]
Limit = Annotated[int, QueryParameter(ge=1, le=500, description="Page size")]
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000_000, description="Rows to skip")]
PageNumber = Annotated[int, QueryParameter(ge=1, le=100_000, description="Page of a list, from 1")]
