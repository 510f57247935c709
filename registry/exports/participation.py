"""Participation statistics for publication (issue 14; METRICS.md's terms and suppression): attendances,
unique participants, hours and events in a period, by event, host organisation, attendee organisation, local
authority, competence, contract group and period (calendar month), each breakdown with its total — as CSV or
XLSX, through ``registry export participation``, ``GET /api/v1/exports/participation`` and ``/exports``.

- An attendance is a booking marked attended at an event in P (not cancelled, first session on a local date
  within P); its hours are those of the learning record attendance made. A filter (or a partner admin's own
  organisation) narrows the attendances to the attendees of those organisations.
- The period breakdown has a row for every calendar month of P (``2026-04``, ``April 2026``; the first and
  last cut to P), zeros included: an attendance is in the month of its event's first session's local date,
  found as EVENTS_IN finds P's events (the UTC moments at which each month's local days begin and end), so
  the same SQL works on both engines.
- Suppression, per breakdown: attendances and unique participants from 1 to k−1 show as ``<5``; where a
  column is published with its total and the rows divide it (every breakdown but competence, where an
  attendance counts toward each competence its event names; unique participants only where a person is in
  one row: attendee organisation, local authority, contract group — not months, as a person may attend in
  several), cells are hidden beside them until no hidden one can be worked back. Hours are hidden wherever
  the attendances or participants of their row are, and protected the same way. Events name nobody and are
  published.
- Each breakdown's aggregate rows are worked out in SQL and held while suppressed (secondary suppression
  needs a column whole); nothing is ever read per attendance, so memory grows with the number of events or
  organisations, not of attendances; the file is written a row at a time.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import anyio
import xlsxwriter  # type: ignore[import-untyped]

from registry import clock
from registry.accounts.rules import Viewer
from registry.audit import service as audit
from registry.csv_export import spreadsheet_text
from registry.db import is_sqlite
from registry.exports.suppression import K_DEFAULT, LEGEND, Line, mark, protect
from registry.learning.rules import Period
from registry.metrics.report import ReportAsk, period_and_scope
from registry.metrics.sql import EVENTS_IN, Query, Scope, fetch, in_scope

__all__ = (
    "BREAKDOWNS",
    "COLUMNS",
    "FAMILIES",
    "Breakdown",
    "Month",
    "PublishedRow",
    "export_participation",
    "months_of",
    "published_rows",
    "suppressed_rows",
)

COLUMNS = ("breakdown", "key", "name", "attendances", "unique_participants", "hours", "events")


@dataclass(frozen=True, slots=True)
class Breakdown:
    name: str
    key: str
    """SQL: the row's key."""
    label: str
    """SQL: the row's name."""
    joins: str
    divides_attendances: bool
    divides_people: bool
    source: str = "att a"
    """SQL: what the rows are counted from (the attendances as ``a``, unless a breakdown lists empty rows too)."""
    order: str = ""
    """SQL: the rows' order (by name, then key, unless given)."""


BREAKDOWNS = (
    Breakdown("event", "CAST(e.id AS TEXT)", "e.title", "JOIN event e ON e.id = a.event", True, False),
    Breakdown("host_organisation", "o.code", "o.name", "JOIN organisation o ON o.id = a.host", True, False),
    Breakdown("attendee_organisation", "o.code", "o.name", "JOIN organisation o ON o.id = a.organisation", True, True),
    Breakdown(
        "local_authority", "COALESCE(o.local_authority, '')", "COALESCE(o.local_authority, 'Not known')",
        "JOIN organisation o ON o.id = a.organisation", True, True,
    ),
    Breakdown(
        "competence", "c.code", "c.title",
        "JOIN event_competence ec ON ec.event = a.event JOIN competence c ON c.id = ec.competence", False, False,
    ),
    Breakdown(
        "contract_group",
        "CASE WHEN a.contract IN ('part_time', 'sessional') THEN 'part_time' ELSE a.contract END",
        "CASE WHEN a.contract IN ('part_time', 'sessional') THEN 'Part-time (part-time or sessional)'"
        " WHEN a.contract = 'full_time' THEN 'Full-time' ELSE 'Volunteer' END",
        "", True, True,
    ),
    Breakdown(
        "period", "m.key", "m.name", "", True, False,
        source="months m LEFT JOIN (SELECT att.*, e.first_starts_at AS starts FROM att JOIN event e"
        " ON e.id = att.event) a ON a.starts >= m.starts_at AND a.starts < m.ends_before",
        order="m.key",
    ),
)  # fmt: skip
"""Every breakdown, in the file's order. Months divide attendances (an attendance is in one month) but not
people (a person may attend in several months)."""

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Month:
    """A calendar month of a period, clipped to it: ``first`` and ``last`` are days of the period."""

    key: str
    name: str
    first: date
    last: date


def months_of(period: Period) -> list[Month]:
    """The calendar months the period's days fall in, in order; the first and last cut to the period."""
    months = []
    day = period.start
    while day <= period.end:
        following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        last = min(period.end, following - timedelta(days=1))
        months.append(Month(f"{day.year}-{day.month:02d}", f"{MONTH_NAMES[day.month - 1]} {day.year}", day, last))
        day = following
    return months


def _months_cte(period: Period) -> Query:
    """``months(key, name, starts_at, ends_before) AS (VALUES ...)``: each month's local days as UTC moments."""
    text, moment = ("{}", "{}") if is_sqlite() else ("CAST({} AS TEXT)", "CAST({} AS TIMESTAMPTZ)")
    rows, args = [], []
    for month in months_of(period):
        rows.append(f"({text}, {text}, {moment}, {moment})")
        args += [month.key, month.name, *clock.local_days(month.first, month.last)]
    return Query(f"months(key, name, starts_at, ends_before) AS (VALUES {', '.join(rows)})", tuple(args))


def _attendances(scope: Scope) -> str:
    return f"""att AS (
    SELECT ev.id AS event, ev.host_organisation AS host, b.practitioner AS practitioner,
           p.organisation AS organisation, p.contract AS contract, COALESCE(r.hours, 0) AS hours
    FROM events_in ev
    JOIN booking b ON b.event = ev.id AND b.status = 'attended'
    JOIN practitioner p ON p.id = b.practitioner
    LEFT JOIN learning_record r ON r.id = b.learning_record
    WHERE 1 = 1{in_scope("p.organisation", scope)}
)"""


_MEASURES = (
    "COUNT(a.event) AS attendances, COUNT(DISTINCT a.practitioner) AS participants, "
    "COALESCE(SUM(a.hours), 0) AS hours, COUNT(DISTINCT a.event) AS events"
)


@dataclass(frozen=True, slots=True)
class PublishedRow:
    breakdown: str
    key: str
    name: str
    attendances: str
    unique_participants: str
    hours: str
    events: str

    def cells(self) -> list[str]:
        return [self.breakdown, self.key, self.name, self.attendances, self.unique_participants, self.hours,
                self.events]  # fmt: skip


def _hours(value: float) -> str:
    return f"{value:g}"


FAMILIES: tuple[tuple[str, ...], ...] = (
    ("event", "host_organisation", "period"),
    ("attendee_organisation", "local_authority"),
    ("contract_group",),
    ("competence",),
)
"""Breakdowns that are sums of one another's rows, the finest first: a host's (or a month's) attendances are its
events' added up, a local authority's its organisations'. Each family is protected as one table, or a cell
hidden in one breakdown could be worked back from another: an organisation's 3 from its local authority's 13
less the 10 of the authority's other organisation."""
Links = dict[str, dict[str, str]]
"""Breakdown → the finest row's key → the key of the row it is added into (``{"host_organisation": {"17":
"DCC"}}``)."""


@dataclass(frozen=True, slots=True)
class _Shown:
    attendances: str
    unique_participants: str
    hours: str


def _protect_family(
    family: Sequence[Breakdown], tables: dict[str, Sequence[dict[str, Any]]], total: dict[str, Any], links: Links,
    k: int,
) -> dict[tuple[str, int], _Shown]:  # fmt: skip
    """Primary and secondary suppression over a family's rows and the total at once, under every sum the
    file publishes between them; (breakdown, row index; the total is each breakdown's last index) → cells."""
    offsets: dict[str, int] = {}
    cells: list[dict[str, Any]] = []
    for b in family:
        offsets[b.name] = len(cells)
        cells.extend(tables[b.name])
    at_total = len(cells)
    cells.append(total)
    finest = family[0]

    def lines_for(measure: str) -> list[Line]:
        def divides(b: Breakdown) -> bool:
            return b.divides_people if measure == "people" else b.divides_attendances

        lines = []
        for b in family:
            if divides(b):
                lines.append(Line(tuple(range(offsets[b.name], offsets[b.name] + len(tables[b.name]))), at_total))
        if not divides(finest):
            return lines
        for b in family[1:]:
            if not divides(b) or b.name not in links:
                continue
            parts_of: dict[str, list[int]] = {}
            for i, row in enumerate(tables[finest.name]):
                if (group := links[b.name].get(str(row["key"]))) is not None:
                    parts_of.setdefault(group, []).append(offsets[finest.name] + i)
            for j, row in enumerate(tables[b.name]):
                lines.append(Line(tuple(parts_of.get(str(row["key"]), ())), offsets[b.name] + j))
        return lines

    def column(name: str, scale: int = 1) -> list[int]:
        return [round(float(c[name]) * scale) for c in cells]

    attendances = protect(column("attendances"), lines_for("attendances"), k)
    people = protect(column("participants"), lines_for("people"), k)
    hours = protect(column("hours", 100), lines_for("attendances"), k, forced=attendances.suppressed
                    | people.suppressed, counts=False)  # fmt: skip
    shown: dict[tuple[str, int], _Shown] = {}
    for b in family:
        indices = [*range(offsets[b.name], offsets[b.name] + len(tables[b.name])), at_total]
        for n, i in enumerate(indices):
            shown[b.name, n] = _Shown(
                attendances.shown(i), people.shown(i),
                mark(k) if i in hours.suppressed else _hours(float(cells[i]["hours"])),
            )  # fmt: skip
    return shown


def _rows_of(
    breakdown: Breakdown, rows: Sequence[dict[str, Any]], total: dict[str, Any], shown: dict[tuple[str, int], _Shown]
) -> Iterator[PublishedRow]:
    n = len(rows)
    for i, r in enumerate([*rows, total]):
        cells = shown[breakdown.name, i]
        yield PublishedRow(
            breakdown=breakdown.name, key="total" if i == n else str(r["key"]),
            name="Total" if i == n else str(r["name"]), attendances=cells.attendances,
            unique_participants=cells.unique_participants, hours=cells.hours, events=str(int(r["events"])),
        )  # fmt: skip


def suppressed_rows(
    rows: Sequence[dict[str, Any]], total: dict[str, Any], breakdown: Breakdown, k: int
) -> Iterator[PublishedRow]:
    """One breakdown's rows and its total as published on their own: primary suppression in every column of
    people, and secondary where the breakdown's rows divide the column's total; hours hidden with their rows."""
    shown = _protect_family([breakdown], {breakdown.name: rows}, total, {}, k)
    yield from _rows_of(breakdown, rows, total, shown)


_LINKS = {
    "host_organisation": "SELECT CAST(a.event AS TEXT) AS fine, o.code AS coarse FROM att a"
    " JOIN organisation o ON o.id = a.host GROUP BY a.event, o.code",
    "period": "SELECT CAST(a.event AS TEXT) AS fine, m.key AS coarse FROM (SELECT att.*, e.first_starts_at AS starts"
    " FROM att JOIN event e ON e.id = att.event) a"
    " JOIN months m ON a.starts >= m.starts_at AND a.starts < m.ends_before GROUP BY a.event, m.key",
    "local_authority": "SELECT o.code AS fine, COALESCE(o.local_authority, '') AS coarse FROM att a"
    " JOIN organisation o ON o.id = a.organisation GROUP BY o.code, o.local_authority",
}  # fmt: skip
"""SQL: for each breakdown that adds up another's rows, which of the finer rows go into which of its rows."""


async def published_rows(period: Period, scope: Scope, k: int = K_DEFAULT) -> AsyncIterator[PublishedRow]:
    """Every breakdown's rows and its total, suppressed family by family (``FAMILIES``), in the file's order.
    The rows are aggregates worked out in SQL, held while they are suppressed: as many as there are events or
    organisations, never one per attendance."""
    ctes = [EVENTS_IN, _attendances(scope)]
    total = (await fetch([period], ctes, f"SELECT {_MEASURES} FROM att a"))[0]
    # The months last, so that their values fill the placeholders after the periods' (fetch's order).
    months = _months_cte(period)
    tables: dict[str, Sequence[dict[str, Any]]] = {}
    for breakdown in BREAKDOWNS:
        order = breakdown.order or f"{breakdown.label}, {breakdown.key}"
        tables[breakdown.name] = await fetch(
            [period], [*ctes, months.sql],
            f"SELECT {breakdown.key} AS key, {breakdown.label} AS name, {_MEASURES} FROM {breakdown.source}"
            f" {breakdown.joins} GROUP BY {breakdown.key}, {breakdown.label} ORDER BY {order}",
            *months.args,
        )  # fmt: skip
    links: Links = {}
    for name, sql in _LINKS.items():
        rows = await fetch([period], [*ctes, months.sql], sql, *months.args)
        links[name] = {str(r["fine"]): str(r["coarse"]) for r in rows}
    by_name = {b.name: b for b in BREAKDOWNS}
    shown: dict[tuple[str, int], _Shown] = {}
    for family in FAMILIES:
        shown.update(_protect_family([by_name[n] for n in family], tables, total, links, k))
    for breakdown in BREAKDOWNS:
        for row in _rows_of(breakdown, tables[breakdown.name], total, shown):
            yield row


def _csv_line(writer: Any, buffer: io.StringIO, cells: Sequence[str]) -> str:
    buffer.seek(0)
    buffer.truncate()
    writer.writerow([spreadsheet_text(c) for c in cells])
    return buffer.getvalue()


async def csv_lines(period: Period, scope: Scope, k: int) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    yield _csv_line(writer, buffer, COLUMNS)
    async for row in published_rows(period, scope, k):
        yield _csv_line(writer, buffer, row.cells())


async def write_xlsx(period: Period, scope: Scope, k: int, path: str) -> None:
    """The workbook, written a row at a time in XlsxWriter's constant-memory mode (numbers as numbers)."""
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("Participation")
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, COLUMNS, bold)
    number = 1
    async for row in published_rows(period, scope, k):
        for c, cell in enumerate(row.cells()):
            if c >= 3 and not cell.startswith("<"):
                sheet.write_number(number, c, float(cell))
            else:
                sheet.write_string(number, c, cell)
        number += 1
    sheet.write_string(number + 1, 0, LEGEND.format(k=k))
    await anyio.to_thread.run_sync(book.close)


async def export_participation(
    viewer: Viewer, ask: ReportAsk, *, file_format: str, purpose: str, k: int = K_DEFAULT
) -> tuple[Period, Scope]:
    """Check the ask (period, scope: leads any, partner admins their own organisation) and record the export;
    the caller then writes the file with :func:`csv_lines` or :func:`write_xlsx`."""
    period, scope = await period_and_scope(viewer, ask)
    await audit.record(
        viewer, "export", subject="participation",
        summary=f"Participation in {period.label} as {file_format.upper()}",
        details={
            "filters": {"period": period.label, "organisation": scope.organisation,
                        "local_authority": scope.local_authority},
            "format": file_format, "purpose": purpose, "suppress": k,
        },
    )  # fmt: skip
    return period, scope


def temporary_xlsx() -> str:
    """A path for a workbook being written (the caller deletes it)."""
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as handle:
        return handle.name
