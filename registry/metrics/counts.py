"""The metrics that count things (METRICS.md): shared learning needs (A1), partners in collaborative learning
(A2), learning opportunities (B1), participation (B2) and CLDSC awareness (D1).

Each is computed for all the periods asked at once, in one grouped SQL query; the breakdown (for the first
period, the one reported on) in one or two more. A period with nothing to count gets 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from registry.learning.rules import Period
from registry.metrics.rules import MetricResult, share
from registry.metrics.sql import (
    ATTENDANCES,
    EVENTS_IN,
    LEARNING_IN,
    Scope,
    active,
    fetch,
    in_scope,
    scope_test,
)

__all__ = (
    "cldsc_awareness",
    "collaborative_learning_partners",
    "learning_opportunities",
    "participation",
    "shared_learning_needs",
)

_NEEDS = """needs AS (
    SELECT pr.n AS n, ln.competence AS competence, p.organisation AS organisation, ln.practitioner AS practitioner
    FROM periods pr
    JOIN learning_need ln ON ln.recorded_on >= pr.start_on AND ln.recorded_on <= pr.end_on
    JOIN practitioner p ON p.id = ln.practitioner
)"""
_SHARED = """shared AS (
    SELECT n, competence FROM needs GROUP BY n, competence HAVING COUNT(DISTINCT organisation) >= 2
)"""
# An event is collaborative by all its attendees, whatever the filter: a filter then picks its organisations.
_COLLABORATIVE = """collaborative AS (
    SELECT n, event FROM attendances GROUP BY n, event HAVING COUNT(DISTINCT organisation) >= 2
)"""
_CLDSC_TOPIC = "(';' || a.topics || ';') LIKE '%;cldsc;%'"
"""Topics are stored lower-case, separated by ``;`` (events.service)."""


def _counts(rows: list[dict[str, Any]], periods: Sequence[Period], column: str = "value") -> list[float]:
    by_n = {int(r["n"]): r[column] for r in rows}
    return [float(by_n.get(n) or 0) for n in range(len(periods))]


def _results(values: list[float], breakdown: dict[str, Any] | None) -> list[MetricResult]:
    return [
        MetricResult(int(v), breakdown=breakdown if n == 0 and breakdown is not None else {})
        for n, v in enumerate(values)
    ]


async def shared_learning_needs(periods: Sequence[Period], scope: Scope, detail: bool) -> list[MetricResult]:
    """A1: competences whose needs recorded in P come from 2 or more organisations (with a filter, those of
    them the chosen organisations recorded a need for)."""
    rows = await fetch(
        periods, [_NEEDS, _SHARED],
        f"""SELECT s.n AS n, COUNT(*) AS value FROM shared s
        WHERE EXISTS (SELECT 1 FROM needs x WHERE x.n = s.n AND x.competence = s.competence
                      {in_scope("x.organisation", scope)})
        GROUP BY s.n""",
    )  # fmt: skip
    breakdown = None
    if detail:
        mine = f"CASE WHEN {scope_test('nd.organisation', scope)} THEN nd.practitioner END"
        per_competence = await fetch(
            periods[:1], [_NEEDS],
            f"""SELECT c.code AS code, c.title AS title, COUNT(DISTINCT nd.organisation) AS organisations,
                       COUNT(DISTINCT {mine}) AS practitioners
            FROM needs nd JOIN competence c ON c.id = nd.competence
            GROUP BY c.id, c.code, c.title, c.position HAVING COUNT(DISTINCT {mine}) > 0
            ORDER BY c.position, c.code""",
        )  # fmt: skip
        recording = await fetch(
            periods[:1], [_NEEDS],
            f"SELECT COUNT(DISTINCT organisation) AS value FROM needs nd WHERE {scope_test('nd.organisation', scope)}",
        )
        breakdown = {
            "per_competence": [
                {"competence": r["code"], "title": r["title"], "organisations": int(r["organisations"]),
                 "practitioners": int(r["practitioners"]), "shared": int(r["organisations"]) >= 2}
                for r in per_competence
            ],
            "organisations_recording_needs": int(recording[0]["value"] or 0),
        }  # fmt: skip
    return _results(_counts(rows, periods), breakdown)


async def collaborative_learning_partners(
    periods: Sequence[Period], scope: Scope, detail: bool
) -> list[MetricResult]:
    """A2: organisations with an attendance at an event in P that had attendees from 2 or more organisations."""
    rows = await fetch(
        periods, [EVENTS_IN, ATTENDANCES, _COLLABORATIVE],
        f"""SELECT a.n AS n, COUNT(DISTINCT a.organisation) AS value
        FROM attendances a JOIN collaborative c ON c.n = a.n AND c.event = a.event
        WHERE {scope_test("a.organisation", scope)} GROUP BY a.n""",
    )  # fmt: skip
    breakdown = None
    if detail:
        per_organisation = await fetch(
            periods[:1], [EVENTS_IN, ATTENDANCES, _COLLABORATIVE],
            f"""SELECT o.code AS code, o.name AS name, COUNT(*) AS attendances,
                       COUNT(c.event) AS collaborative_attendances
            FROM attendances a JOIN organisation o ON o.id = a.organisation
            LEFT JOIN collaborative c ON c.n = a.n AND c.event = a.event
            WHERE {scope_test("a.organisation", scope)}
            GROUP BY o.id, o.code, o.name ORDER BY o.code""",
        )  # fmt: skip
        events = await fetch(
            periods[:1], [EVENTS_IN, ATTENDANCES, _COLLABORATIVE],
            f"""SELECT
                (SELECT COUNT(DISTINCT host_organisation) FROM events_in ev
                 WHERE {scope_test("ev.host_organisation", scope)}) AS hosts,
                (SELECT COUNT(DISTINCT c.event) FROM collaborative c JOIN attendances a
                   ON a.n = c.n AND a.event = c.event WHERE {scope_test("a.organisation", scope)}) AS collaborative""",
        )  # fmt: skip
        breakdown = {
            "per_organisation": [
                {"organisation": r["code"], "name": r["name"], "attendances": int(r["attendances"]),
                 "collaborative_attendances": int(r["collaborative_attendances"])}
                for r in per_organisation
            ],
            "hosting_organisations": int(events[0]["hosts"] or 0),
            "collaborative_events": int(events[0]["collaborative"] or 0),
        }  # fmt: skip
    return _results(_counts(rows, periods), breakdown)


async def learning_opportunities(periods: Sequence[Period], scope: Scope, detail: bool) -> list[MetricResult]:
    """B1: events in P (with a filter, those the chosen organisations hosted)."""
    hosted = scope_test("ev.host_organisation", scope)
    rows = await fetch(periods, [EVENTS_IN], f"SELECT n, COUNT(*) AS value FROM events_in ev WHERE {hosted} GROUP BY n")
    breakdown = None
    if detail:
        per_host = await fetch(
            periods[:1], [EVENTS_IN],
            f"""SELECT o.code AS code, o.name AS name, COUNT(*) AS events
            FROM events_in ev JOIN organisation o ON o.id = ev.host_organisation WHERE {hosted}
            GROUP BY o.id, o.code, o.name ORDER BY o.code""",
        )  # fmt: skip
        per_competence = await fetch(
            periods[:1], [EVENTS_IN],
            f"""SELECT c.code AS code, c.title AS title, COUNT(DISTINCT ev.id) AS events
            FROM events_in ev JOIN event_competence ec ON ec.event = ev.id JOIN competence c ON c.id = ec.competence
            WHERE {hosted} GROUP BY c.id, c.code, c.title, c.position ORDER BY c.position, c.code""",
        )  # fmt: skip
        breakdown = {
            "per_host": [{"organisation": r["code"], "name": r["name"], "events": int(r["events"])} for r in per_host],
            "per_competence": [
                {"competence": r["code"], "title": r["title"], "events": int(r["events"])} for r in per_competence
            ],
            "distinct_hosts": len(per_host),
            "distinct_competences": len(per_competence),
        }
    return _results(_counts(rows, periods), breakdown)


async def participation(periods: Sequence[Period], scope: Scope, detail: bool) -> list[MetricResult]:
    """B2: attendances at events in P; beside it unique participants, the participation rate of A(P) and the
    hours of learning in P."""
    attendee = scope_test("a.organisation", scope)
    rows = await fetch(
        periods, [EVENTS_IN, ATTENDANCES],
        f"SELECT n, COUNT(*) AS value FROM attendances a WHERE {attendee} GROUP BY n",
    )  # fmt: skip
    breakdown = None
    if detail:
        found = await fetch(
            periods[:1], [active(scope), EVENTS_IN, ATTENDANCES, LEARNING_IN],
            f"""SELECT
                (SELECT COUNT(DISTINCT a.practitioner) FROM attendances a WHERE {attendee}) AS participants,
                (SELECT COUNT(*) FROM active) AS members,
                (SELECT COUNT(DISTINCT m.id) FROM active m JOIN attendances a
                   ON a.n = m.n AND a.practitioner = m.id) AS participating,
                (SELECT SUM(l.hours) FROM learning_in l WHERE {scope_test("l.organisation", scope)}) AS hours""",
        )  # fmt: skip
        row = found[0]
        members, participating = int(row["members"] or 0), int(row["participating"] or 0)
        breakdown = {
            "unique_participants": int(row["participants"] or 0),
            "participation_rate": {
                "value": share(participating, members), "numerator": participating, "denominator": members
            },
            "learning_hours": float(row["hours"] or 0),
        }  # fmt: skip
    return _results(_counts(rows, periods), breakdown)


async def cldsc_awareness(periods: Sequence[Period], scope: Scope, detail: bool) -> list[MetricResult]:
    """D1: attendances at events in P tagged ``cldsc``; beside it new applications: members of A(P) whose first
    registration row (any status) takes effect in P."""
    rows = await fetch(
        periods, [EVENTS_IN, ATTENDANCES],
        f"SELECT n, COUNT(*) AS value FROM attendances a WHERE {_CLDSC_TOPIC}{in_scope('a.organisation', scope)}"
        " GROUP BY n",
    )  # fmt: skip
    breakdown = None
    if detail:
        firsts = """firsts AS (
            SELECT practitioner, MIN(effective_from) AS first_on FROM cldsc_registration
            WHERE state = 'confirmed' GROUP BY practitioner
        )"""
        found = await fetch(
            periods[:1], [active(scope), firsts],
            """SELECT COUNT(*) AS value FROM active a JOIN periods pr ON pr.n = a.n
            JOIN firsts f ON f.practitioner = a.id WHERE f.first_on >= pr.start_on AND f.first_on <= pr.end_on""",
        )  # fmt: skip
        breakdown = {"new_applications": int(found[0]["value"] or 0)}
    return _results(_counts(rows, periods), breakdown)
