"""What a handler is given instead of working it out: the caller, a list's page of rows, a list's filters.

Litestar dependencies, as litestar-fullstack provides its current user and list filters: the viewer is
provided to every handler that names ``viewer: CurrentViewer`` (app-wide, ``DEPENDENCIES``); a controller
with lists says which paging it speaks (``API_PAGING``: ``limit``/``offset``; ``PAGE_PAGING``: ``page``).
Each list's filter provider lives in its area (``events/deps.py``, ``people/deps.py``) and is declared once
for the API and the pages, from the query-text readers below: a page's GET form sends every field, empty
ones too, and a bad date must come back as a GOV.UK error on the form rather than a bare 400, so filters are
read from text and judged here; the API refuses the same problems with a 400 naming the field, and its
OpenAPI document keeps the types the values are read as (a date, a boolean).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Generic, TypeVar

from litestar.di import NamedDependency, Provide
from litestar.exceptions import ValidationException
from litestar.openapi.spec import OpenAPIFormat, OpenAPIType, Schema
from litestar.params import QueryParameter

from registry.accounts.rules import Viewer
from registry.web.auth import viewer_of
from registry.web.pages import PER_PAGE, Pagination
from registry.web.params import AnyRequest, Limit, Offset, PageNumber

__all__ = (
    "API_PAGING",
    "DEPENDENCIES",
    "FIRST_PAGE",
    "PAGE_PAGING",
    "CurrentViewer",
    "DayText",
    "Filtered",
    "FlagText",
    "ListPaging",
    "Paging",
    "api_paging",
    "read_day",
    "read_flag",
)

F = TypeVar("F")


def provide_viewer(request: AnyRequest) -> Viewer:
    """The signed-in caller; a stranger is refused as the guards refuse them (401, or the sign-in page)."""
    return viewer_of(request)


CurrentViewer = NamedDependency[Viewer]
"""``viewer: CurrentViewer``: the signed-in person calling."""

DEPENDENCIES: dict[str, Provide] = {"viewer": Provide(provide_viewer, sync_to_thread=False)}
"""App-wide dependencies (``create_app``)."""


@dataclass(frozen=True, slots=True)
class Paging:
    """Which rows of a list to show: ``limit`` rows from ``offset``; ``page`` (from 1) on the pages."""

    limit: int
    offset: int
    page: int = 1

    def pagination(self, total: int) -> Pagination:
        """GOV.UK pagination of a page's list of ``total`` rows."""
        return Pagination(self.page, total, self.limit)


ListPaging = NamedDependency[Paging]
"""``paging: ListPaging``: the rows asked for, within the limits of ``web/params.py``."""


def api_paging(default_limit: int = 50) -> dict[str, Provide]:
    """``limit`` (1 to 500, ``default_limit`` when not given) and ``offset`` query parameters, as a dependency."""

    def provide_paging(limit: Limit = default_limit, offset: Offset = 0) -> Paging:
        return Paging(limit, offset, offset // limit + 1)

    return {"paging": Provide(provide_paging, sync_to_thread=False)}


def provide_page(page: PageNumber = 1) -> Paging:
    """``?page=N`` of a list shown ``PER_PAGE`` rows at a time."""
    return Paging(PER_PAGE, (page - 1) * PER_PAGE, page)


FIRST_PAGE = Paging(PER_PAGE, 0, 1)
"""The first page of a list, for a page shown again after a form was sent."""
API_PAGING = api_paging()
"""Controller ``dependencies`` of an API with lists: ``limit`` and ``offset``."""
PAGE_PAGING: dict[str, Provide] = {"paging": Provide(provide_page, sync_to_thread=False)}
"""Controller ``dependencies`` of pages with lists: ``page``."""


# ---------------------------------------------------------------- filters read from query text

FlagText = Annotated[
    str | None,
    QueryParameter(schema_extra={"one_of": None, "type": OpenAPIType.BOOLEAN, "default": False}),
]
"""A yes/no filter: ``true``/``false`` (``1``/``0``) from scripts, ``yes`` or ``1`` from a page's checkbox."""
DayText = Annotated[
    str | None,
    QueryParameter(
        schema_extra={
            "one_of": [Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE), Schema(type=OpenAPIType.NULL)]
        }
    ),
]
"""A date like 2026-12-08; empty (a form's blank field) is none."""

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})


def read_flag(text: str | None, name: str, problems: dict[str, str]) -> bool:
    """A ``FlagText`` value; anything else is a problem under ``name``."""
    value = (text or "").strip().lower()
    if value in _TRUE:
        return True
    if value not in _FALSE:
        problems[name] = "Choose yes or no"
    return False


def read_day(text: str | None, name: str, what: str, problems: dict[str, str]) -> date | None:
    """A ``DayText`` value; one that is not a date is a problem under ``name`` (saying what it is of)."""
    if not text or not text.strip():
        return None
    try:
        if len(text) <= 40:  # a date is ten characters; no need to parse a page of text to say so
            return date.fromisoformat(text.strip())
    except ValueError:
        pass
    problems[name] = f"Enter {what} as a date like 2026-12-08"
    return None


@dataclass(frozen=True, slots=True)
class Filtered(Generic[F]):
    """A list's filter as read from the query: what the service narrows to, as asked, and what was wrong."""

    value: F
    params: Mapping[str, Any] = field(default_factory=dict)
    """The query as it was sent (text), for a page's form and its pagination links."""
    problems: Mapping[str, str] = field(default_factory=dict)
    """Fields that could not be read, with what to do: a page shows them on its form, the API refuses them."""

    def valid(self) -> F:
        """The filter, or (for the API) a 400 naming each field that could not be read."""
        if self.problems:
            problems = [{"key": k, "message": v, "source": "query"} for k, v in self.problems.items()]
            raise ValidationException("Validation failed", extra=problems)
        return self.value
