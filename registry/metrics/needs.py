"""Shared learning needs: a competence × organisation grid of the learning needs recorded in a period, beside
the upcoming events that address each competence — so a lead sees at a glance which shared needs have no
event planned — and the needs behind each cell (names for leads and admins only).

Partner admins see their own organisation's column (registry.metrics.report's scope); upcoming events are
the alliance's, wherever they are hosted, since any partner's practitioners may book them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from registry import clock
from registry.accounts.rules import ALLIANCE_ROLES, Viewer
from registry.errors import Invalid
from registry.learning.rules import Period
from registry.learning.tables import Competence, Framework, LearningNeed
from registry.metrics.report import ReportAsk, period_and_scope
from registry.metrics.sql import Scope, in_scope

__all__ = ("NeedItem", "NeedsCell", "NeedsGrid", "NeedsRow", "UpcomingEvent", "needs_behind", "needs_grid")

UPCOMING_SHOWN = 3
"""Upcoming events listed per competence (the rest are counted)."""


@dataclass(frozen=True, slots=True)
class UpcomingEvent:
    id: int
    title: str
    starts_at: datetime


@dataclass
class NeedsRow:
    competence: str
    title: str
    cells: dict[str, int] = field(default_factory=dict)
    """Organisation code → needs recorded."""
    organisations: int = 0
    practitioners: int = 0
    upcoming: list[UpcomingEvent] = field(default_factory=list)
    upcoming_total: int = 0

    @property
    def needs(self) -> int:
        return sum(self.cells.values())

    @property
    def shared(self) -> bool:
        return self.organisations >= 2

    @property
    def unplanned(self) -> bool:
        """A shared need with no event planned: what the grid is for."""
        return self.shared and self.upcoming_total == 0


@dataclass(frozen=True, slots=True)
class NeedsGrid:
    period: Period
    scope: Scope
    organisations: list[tuple[str, str]]
    """(code, name) of the organisations with needs in the period, in the scope: the grid's columns."""
    rows: list[NeedsRow]


_CELLS_SQL = """
SELECT c.code AS code, c.title AS title, c.position AS position, c.framework AS framework, o.code AS organisation,
       o.name AS organisation_name, COUNT(*) AS needs, COUNT(DISTINCT ln.practitioner) AS practitioners
FROM learning_need ln
JOIN practitioner p ON p.id = ln.practitioner
JOIN organisation o ON o.id = p.organisation
JOIN competence c ON c.id = ln.competence
WHERE ln.recorded_on >= {{}} AND ln.recorded_on <= {{}}{scope}
GROUP BY c.id, c.code, c.title, c.position, c.framework, o.code, o.name
"""
_PEOPLE_SQL = """
SELECT c.code AS code, COUNT(DISTINCT ln.practitioner) AS practitioners
FROM learning_need ln JOIN practitioner p ON p.id = ln.practitioner JOIN competence c ON c.id = ln.competence
WHERE ln.recorded_on >= {{}} AND ln.recorded_on <= {{}}{scope}
GROUP BY c.code
"""
_UPCOMING_SQL = """
SELECT c.code AS code, e.id AS id, e.title AS title, e.first_starts_at AS starts_at
FROM event e JOIN event_competence ec ON ec.event = e.id JOIN competence c ON c.id = ec.competence
WHERE e.status = 'published' AND e.first_starts_at >= {}
ORDER BY e.first_starts_at, e.id
"""


async def _default_competences() -> list[dict[str, Any]]:
    framework = await Framework.select(Framework.id).where(Framework.is_default == True).first()  # noqa: E712
    if framework is None:
        return []
    return list(
        await Competence.select(Competence.code, Competence.title)
        .where((Competence.framework == framework["id"]) & (Competence.kind == "competence"))
        .order_by(Competence.position)
    )


def _moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


async def needs_grid(viewer: Viewer, ask: ReportAsk) -> NeedsGrid:
    """Needs recorded in the period per competence and organisation, and the upcoming events per competence."""
    period, scope = await period_and_scope(viewer, ask)
    scoped = in_scope("p.organisation", scope)
    cells = await LearningNeed.raw(_CELLS_SQL.format(scope=scoped), period.start, period.end)
    people = {
        r["code"]: int(r["practitioners"])
        for r in await LearningNeed.raw(_PEOPLE_SQL.format(scope=scoped), period.start, period.end)
    }
    rows = {c["code"]: NeedsRow(c["code"], c["title"]) for c in await _default_competences()}
    columns: dict[str, str] = {}
    for cell in sorted(cells, key=lambda r: (r["position"], r["code"])):  # grouped rows, one per filled cell
        row = rows.setdefault(cell["code"], NeedsRow(cell["code"], cell["title"]))
        row.cells[cell["organisation"]] = int(cell["needs"])
        row.organisations = len(row.cells)
        row.practitioners = people.get(cell["code"], 0)
        columns[cell["organisation"]] = cell["organisation_name"]
    upcoming: dict[str, list[UpcomingEvent]] = defaultdict(list)
    for event in await LearningNeed.raw(_UPCOMING_SQL, clock.now()):
        upcoming[event["code"]].append(UpcomingEvent(event["id"], event["title"], _moment(event["starts_at"])))
    for code, row in rows.items():
        row.upcoming_total = len(upcoming.get(code, []))
        row.upcoming = upcoming.get(code, [])[:UPCOMING_SHOWN]
    return NeedsGrid(period, scope, sorted(columns.items()), list(rows.values()))


@dataclass(frozen=True, slots=True)
class NeedItem:
    recorded_on: date
    description: str
    practitioner: str | None
    """The practitioner's name, for leads and admins only."""


@dataclass(frozen=True, slots=True)
class NeedsCell:
    period: Period
    competence: str
    competence_title: str
    organisation: str
    items: list[NeedItem]
    names_shown: bool


async def needs_behind(viewer: Viewer, ask: ReportAsk, competence: str) -> NeedsCell:
    """The needs behind one cell of the grid (``ask.organisation`` is the cell's organisation)."""
    if not ask.organisation:
        raise Invalid({"organisation": "choose the organisation of the cell"})
    period, scope = await period_and_scope(viewer, ask)
    found = await Competence.select(Competence.id, Competence.code, Competence.title).where(
        Competence.code == competence.strip().upper()
    )
    if not found:
        raise Invalid({"competence": f"{competence} is not a competence of the registry"})
    ids = [c["id"] for c in found]
    rows = (
        await LearningNeed.select(
            LearningNeed.recorded_on, LearningNeed.description,
            LearningNeed.practitioner.given_name.as_alias("given_name"),
            LearningNeed.practitioner.family_name.as_alias("family_name"),
        )
        .where(
            LearningNeed.competence.is_in(ids)
            & (LearningNeed.recorded_on >= period.start) & (LearningNeed.recorded_on <= period.end)
            & LearningNeed.practitioner.organisation.is_in(list(scope.organisation_ids or ()))
        )
        .order_by(LearningNeed.recorded_on)
        .order_by(LearningNeed.id)
    )  # fmt: skip
    names = viewer.role in ALLIANCE_ROLES
    items = [
        NeedItem(r["recorded_on"], r["description"], f"{r['given_name']} {r['family_name']}" if names else None)
        for r in rows
    ]
    return NeedsCell(period, found[0]["code"], found[0]["title"], scope.organisation or "", items, names)
