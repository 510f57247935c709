"""The metrics that are shares of the active population or of its learning (METRICS.md): CLD-qualified staff
in schools taking part (A3), CLDSC registration (C1), learning linked to competences (C2), verified learning
(D2), protected time (D3), and the part-time access ratio (D4).

Each is one grouped SQL query over all the periods asked at once (numerator and denominator per period), and
a breakdown for the first period. Members of A(P) with nothing recorded are counted by LEFT JOINs, never by
reading people into Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from registry.learning.rules import Period
from registry.metrics.rules import MetricResult, parity_ratio, share, share_result
from registry.metrics.sql import (
    ATTENDANCES,
    EVENTS_IN,
    LEARNING_IN,
    Scope,
    active,
    fetch,
    in_scope,
    required_tenths,
)

__all__ = (
    "cldsc_registration_rate",
    "competence_linked_learning",
    "part_time_access_ratio",
    "protected_time",
    "school_qualified_involvement",
    "verified_learning_share",
)

# C1, the SQL twin of metrics.rules.counts_as_registered over registration.summary_on: a member on the day
# is the latest confirmed row in effect that is not an application — an ``applied`` row does not end the
# registered or associate membership before it — when that row is registered or associate and its renewal
# date has not passed. Ties on a day go to the row recorded later (higher id), as in registration.rules.
_MEMBERS = """ranked AS (
    SELECT a.n AS n, a.id AS id, r.status AS status, r.renewal_due AS renewal_due, pr.end_on AS end_on,
           ROW_NUMBER() OVER (PARTITION BY a.n, a.id ORDER BY r.effective_from DESC, r.id DESC) AS k
    FROM active a JOIN periods pr ON pr.n = a.n
    JOIN cldsc_registration r ON r.practitioner = a.id AND r.state = 'confirmed' AND r.status <> 'applied'
         AND r.effective_from <= pr.end_on
), members AS (
    SELECT n, id, status FROM ranked
    WHERE k = 1 AND status IN ('registered', 'associate') AND (renewal_due IS NULL OR renewal_due >= end_on)
)"""
_GROUP = """CASE WHEN a.contract IN ('part_time', 'sessional') THEN 'part_time'
     WHEN a.contract = 'full_time' THEN 'full_time' ELSE 'volunteer' END"""
"""METRICS.md: part-time is a part_time or sessional contract, full-time full_time; volunteers their own group."""


def _by_n(rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {int(r["n"]): r for r in rows}


def _shares(rows: list[dict[str, Any]], periods: Sequence[Period], breakdown: dict[str, Any] | None) -> (
    list[MetricResult]
):  # fmt: skip
    found = _by_n(rows)
    out = []
    for n in range(len(periods)):
        row = found.get(n, {})
        numerator, denominator = float(row.get("numerator") or 0), float(row.get("denominator") or 0)
        out.append(share_result(numerator, denominator, breakdown if n == 0 else None))
    return out


def _counted(value: float) -> float:
    """Counts of people and records as whole numbers in the answer (hours stay decimal)."""
    return int(value) if float(value).is_integer() else value


async def school_qualified_involvement(periods: Sequence[Period], scope: Scope, detail: bool) -> (
    list[MetricResult]
):  # fmt: skip
    """A3: of A(P) with setting school and CLD-qualified, the share with an attendance or learning in P."""
    involved = """involved AS (
        SELECT n, practitioner FROM attendances UNION SELECT n, practitioner FROM learning_in
    )"""
    rows = await fetch(
        periods, [active(scope), EVENTS_IN, ATTENDANCES, LEARNING_IN, involved],
        """SELECT a.n AS n, COUNT(*) AS denominator, COUNT(i.practitioner) AS numerator
        FROM active a LEFT JOIN involved i ON i.n = a.n AND i.practitioner = a.id
        WHERE a.setting = 'school' AND a.cld_qualified GROUP BY a.n""",
    )  # fmt: skip
    return _whole(_shares(rows, periods, {} if detail else None))


def _whole(results: list[MetricResult]) -> list[MetricResult]:
    return [
        MetricResult(
            r.value,
            None if r.numerator is None else _counted(r.numerator),
            None if r.denominator is None else _counted(r.denominator),
            r.breakdown,
        )
        for r in results
    ]


async def cldsc_registration_rate(periods: Sequence[Period], scope: Scope, detail: bool) -> list[MetricResult]:
    """C1: the share of A(P) registered or associate on P's last day; per category and per organisation."""
    rows = await fetch(
        periods, [active(scope), _MEMBERS],
        """SELECT a.n AS n, COUNT(*) AS denominator, COUNT(m.id) AS numerator
        FROM active a LEFT JOIN members m ON m.n = a.n AND m.id = a.id GROUP BY a.n""",
    )  # fmt: skip
    breakdown = None
    if detail:
        grouped = await fetch(
            periods[:1], [active(scope), _MEMBERS],
            """SELECT o.code AS code, o.name AS name, m.status AS status, COUNT(*) AS people
            FROM active a JOIN organisation o ON o.id = a.organisation
            LEFT JOIN members m ON m.n = a.n AND m.id = a.id
            GROUP BY o.code, o.name, m.status ORDER BY o.code""",
        )  # fmt: skip
        categories = {"registered": 0, "associate": 0}
        organisations: dict[str, dict[str, Any]] = {}
        for row in grouped:  # grouped rows: a few per organisation, never a row per person
            entry = organisations.setdefault(
                row["code"], {"organisation": row["code"], "name": row["name"], "numerator": 0, "denominator": 0}
            )
            entry["denominator"] += int(row["people"])
            if row["status"] is not None:
                entry["numerator"] += int(row["people"])
                categories[row["status"]] += int(row["people"])
        for entry in organisations.values():
            entry["value"] = share(entry["numerator"], entry["denominator"])
        breakdown = {"per_category": categories, "per_organisation": list(organisations.values())}
    return _whole(_shares(rows, periods, breakdown))


async def competence_linked_learning(periods: Sequence[Period], scope: Scope, detail: bool) -> (
    list[MetricResult]
):  # fmt: skip
    """C2: the share of A(P) with learning in P tagged with a competence; hours per competence (a record
    counts its full hours toward each competence it names)."""
    tagged = """tagged AS (
        SELECT DISTINCT l.n AS n, l.practitioner AS practitioner FROM learning_in l
        JOIN learning_record_competence rc ON rc.record = l.id
        JOIN competence c ON c.id = rc.competence AND c.kind = 'competence'
    )"""
    rows = await fetch(
        periods, [active(scope), LEARNING_IN, tagged],
        """SELECT a.n AS n, COUNT(*) AS denominator, COUNT(t.practitioner) AS numerator
        FROM active a LEFT JOIN tagged t ON t.n = a.n AND t.practitioner = a.id GROUP BY a.n""",
    )  # fmt: skip
    breakdown = None
    if detail:
        hours = await fetch(
            periods[:1], [LEARNING_IN],
            f"""SELECT c.code AS code, c.title AS title, SUM(l.hours) AS hours
            FROM learning_in l JOIN learning_record_competence rc ON rc.record = l.id
            JOIN competence c ON c.id = rc.competence AND c.kind = 'competence'
            WHERE 1 = 1{in_scope("l.organisation", scope)}
            GROUP BY c.id, c.code, c.title, c.position ORDER BY c.position, c.code""",
        )  # fmt: skip
        breakdown = {
            "hours_per_competence": [
                {"competence": r["code"], "title": r["title"], "hours": float(r["hours"] or 0)} for r in hours
            ]
        }
    return _whole(_shares(rows, periods, breakdown))


async def verified_learning_share(periods: Sequence[Period], scope: Scope, detail: bool) -> list[MetricResult]:
    """D2: the share of learning in P by A(P) that is verified; beside it the share of A(P) with a line manager
    on P's last day or a verifier named on their learning in P."""
    rows = await fetch(
        periods, [active(scope), LEARNING_IN],
        """SELECT l.n AS n, COUNT(*) AS denominator, SUM(l.verified) AS numerator
        FROM learning_in l JOIN active a ON a.n = l.n AND a.id = l.practitioner GROUP BY l.n""",
    )  # fmt: skip
    breakdown = None
    if detail:
        supported = """supported AS (
            SELECT a.n AS n, a.id AS id FROM active a JOIN periods pr ON pr.n = a.n
            WHERE (SELECT lm.manager_email FROM line_manager_change lm
                   WHERE lm.practitioner = a.id AND lm.from_on <= pr.end_on
                   ORDER BY lm.from_on DESC, lm.id DESC LIMIT 1) IS NOT NULL
            UNION SELECT n, practitioner FROM learning_in WHERE verifier_email IS NOT NULL
        )"""
        found = await fetch(
            periods[:1], [active(scope), LEARNING_IN, supported],
            """SELECT COUNT(*) AS denominator, COUNT(s.id) AS numerator
            FROM active a LEFT JOIN supported s ON s.n = a.n AND s.id = a.id""",
        )  # fmt: skip
        numerator, denominator = int(found[0]["numerator"] or 0), int(found[0]["denominator"] or 0)
        breakdown = {
            "with_verifier_share": {
                "value": share(numerator, denominator), "numerator": numerator, "denominator": denominator
            }
        }  # fmt: skip
    return _whole(_shares(rows, periods, breakdown))


async def protected_time(periods: Sequence[Period], scope: Scope, detail: bool) -> list[MetricResult]:
    """D3: the share of the hours of learning in P by A(P) taken in protected time; beside it the share of A(P)
    whose learning hours in P reach their required PL hours."""
    rows = await fetch(
        periods, [active(scope), LEARNING_IN],
        """SELECT l.n AS n, SUM(l.hours) AS denominator, SUM(l.protected_hours) AS numerator
        FROM learning_in l JOIN active a ON a.n = l.n AND a.id = l.practitioner GROUP BY l.n""",
    )  # fmt: skip
    breakdown = None
    if detail:
        hours = "hours AS (SELECT n, practitioner, SUM(hours) AS hours FROM learning_in GROUP BY n, practitioner)"
        found = await fetch(
            periods[:1], [active(scope), LEARNING_IN, hours],
            f"""SELECT COUNT(*) AS denominator,
                       SUM(CASE WHEN COALESCE(h.hours, 0) >= {required_tenths("a")} / CAST(10 AS DOUBLE PRECISION)
                                THEN 1 ELSE 0 END) AS numerator
            FROM active a JOIN periods pr ON pr.n = a.n
            LEFT JOIN hours h ON h.n = a.n AND h.practitioner = a.id""",
        )  # fmt: skip
        numerator, denominator = int(found[0]["numerator"] or 0), int(found[0]["denominator"] or 0)
        breakdown = {
            "requirement_met_share": {
                "value": share(numerator, denominator), "numerator": numerator, "denominator": denominator
            }
        }  # fmt: skip
    return _shares(rows, periods, breakdown)


async def part_time_access_ratio(periods: Sequence[Period], scope: Scope, detail: bool) -> list[MetricResult]:
    """D4: (part-time members of A(P) with an attendance / part-time A(P)) ÷ (the same for full-time)."""
    attenders = "attenders AS (SELECT DISTINCT n, practitioner FROM attendances)"
    rows = await fetch(
        periods, [active(scope), EVENTS_IN, ATTENDANCES, attenders],
        f"""SELECT a.n AS n, {_GROUP} AS grp, COUNT(*) AS members, COUNT(t.practitioner) AS attended
        FROM active a LEFT JOIN attenders t ON t.n = a.n AND t.practitioner = a.id
        GROUP BY a.n, {_GROUP}""",
    )  # fmt: skip
    groups: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in rows:  # at most three grouped rows per period
        members, attended = int(row["members"]), int(row["attended"])
        groups[int(row["n"])][row["grp"]] = {
            "members": members, "attended": attended, "rate": share(attended, members)
        }  # fmt: skip
    out = []
    empty = {"members": 0, "attended": 0, "rate": None}
    for n in range(len(periods)):
        found = {name: groups[n].get(name, dict(empty)) for name in ("part_time", "full_time", "volunteer")}
        part, full = found["part_time"]["rate"], found["full_time"]["rate"]
        out.append(MetricResult(parity_ratio(part, full), part, full, found if detail and n == 0 else {}))
    return out
