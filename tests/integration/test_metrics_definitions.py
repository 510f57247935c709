"""Every metric of METRICS.md on the hand-built alliance (tests/integration/metrics_alliance.py), with each
expected value worked out by hand from the people, events and learning listed there. P is 2025-26."""

from __future__ import annotations

import pytest

from registry.accounts.rules import Role
from registry.cli_viewer import COMMAND_LINE
from registry.metrics import plans
from registry.metrics.report import ReportAsk, dashboard, metrics_report
from registry.metrics.schemas import IndicatorReportOut, MetricsReportOut, TargetIn
from registry.metrics.tables import MetricPlan
from tests.integration.metrics_alliance import Built, viewer_of
from tests.support import Alliance

A_P = 7
"""A(2025-26): Graham, Eilidh, Ross, Amira, Neil, Lewis, Nadia — Lara left on P's last day, Lorna in 2024."""
A_BASELINE = 7
"""A(2024-25): Graham, Eilidh, Ross, Amira, Neil, Lara, Lewis — Nadia started in October 2025."""


def _by_code(report: MetricsReportOut) -> dict[str, IndicatorReportOut]:
    return {i.code: i for i in report.indicators}


@pytest.fixture
async def report(metrics_alliance: Built) -> MetricsReportOut:
    return await metrics_report(COMMAND_LINE, ReportAsk(period="2025-26"))


async def test_the_report_covers_the_strategys_eleven_indicators(report: MetricsReportOut) -> None:
    assert report.plan == "CLD-2018-21"
    assert (report.period.start.isoformat(), report.period.end.isoformat()) == ("2025-04-01", "2026-03-31")
    assert report.baseline.label == "2024-25"
    assert [(i.action, i.code) for i in report.indicators] == [
        ("A", "A1"), ("A", "A2"), ("A", "A3"), ("B", "B1"), ("B", "B2"), ("C", "C1"), ("C", "C2"),
        ("D", "D1"), ("D", "D2"), ("D", "D3"), ("D", "D4"),
    ]  # fmt: skip
    assert {i.direction for i in report.indicators} == {"up"}


async def test_counts_a1_a2_b1_b2_d1(report: MetricsReportOut) -> None:
    m = _by_code(report)
    # A1: needs in P — C4 from DCC (Graham) and FIFE (Amira): shared; C7 from DCC only (Eilidh, Ross); C5 from
    # NHST only (Neil, on P's last day; Lara's is the day after). Baseline: C1 from DCC and FIFE.
    assert (m["A1"].value, m["A1"].baseline_value, m["A1"].change, m["A1"].status) == (1, 1, 0, "no_change")
    assert m["A1"].breakdown == {
        "per_competence": [
            {"competence": "C4", "title": "Facilitate and promote community empowerment", "organisations": 2,
             "practitioners": 2, "shared": True},
            {"competence": "C5", "title": "Organise and manage resources", "organisations": 1, "practitioners": 1,
             "shared": False},
            {"competence": "C7", "title": "Evaluate and inform practice", "organisations": 1, "practitioners": 2,
             "shared": False},
        ],
        "organisations_recording_needs": 3,
    }  # fmt: skip
    # A2: events in P are E5 (NHST+DCC attendees), E1 (DCC+FIFE) and E2 (DCC only); E3 is cancelled, E4 is
    # in 2026-27 by its local date. DCC, FIFE and NHST took part in a collaborative one. Baseline: E6, DCC+FIFE.
    assert (m["A2"].value, m["A2"].baseline_value, m["A2"].change, m["A2"].status) == (3, 2, 1, "improving")
    assert m["A2"].breakdown == {
        "per_organisation": [
            # DCC: Eilidh at E5 and E2, Graham at E1, Ross at E2 = 4; at collaborative events E5 and E1 = 2.
            {"organisation": "DCC", "name": "Dundee City Council", "attendances": 4, "collaborative_attendances": 2},
            {"organisation": "FIFE", "name": "Fife Council", "attendances": 1, "collaborative_attendances": 1},
            {"organisation": "NHST", "name": "NHS Tayside", "attendances": 1, "collaborative_attendances": 1},
        ],
        "hosting_organisations": 3,  # NHST (E5), DCC (E1), FIFE (E2)
        "collaborative_events": 2,  # E5, E1
    }  # fmt: skip
    # B1: E5, E1, E2 in P; E6 in the baseline. Competences: E1 C1+C4, E2 C3, E5 none.
    assert (m["B1"].value, m["B1"].baseline_value, m["B1"].change) == (3, 1, 2)
    assert m["B1"].breakdown["per_host"] == [
        {"organisation": "DCC", "name": "Dundee City Council", "events": 1},
        {"organisation": "FIFE", "name": "Fife Council", "events": 1},
        {"organisation": "NHST", "name": "NHS Tayside", "events": 1},
    ]
    assert [(c["competence"], c["events"]) for c in m["B1"].breakdown["per_competence"]] == [
        ("C1", 1), ("C3", 1), ("C4", 1)
    ]  # fmt: skip
    assert (m["B1"].breakdown["distinct_hosts"], m["B1"].breakdown["distinct_competences"]) == (3, 3)
    # B2: 2 + 2 + 2 attendances in P (Ross stayed away from E1); the baseline's E6 had 2.
    assert (m["B2"].value, m["B2"].baseline_value, m["B2"].change) == (6, 2, 4)
    assert m["B2"].breakdown == {
        "unique_participants": 5,  # Neil, Eilidh, Graham, Amira, Ross
        "participation_rate": {"value": 5 / 7, "numerator": 5, "denominator": A_P},
        # Attendance: E5 1.5+1.5, E1 2+2, E2 3+3, cancelled E3 2 (its record stays) = 15; self-recorded in P:
        # Eilidh 4, Graham 3.5, Nadia 17.5, and Lara's 2 on the day she left (counted: not a rate) = 27.
        "learning_hours": 42.0,
    }
    # D1: E2 is tagged cldsc (Eilidh, Ross); E3 too, but cancelled. New applications: Eilidh (associate from
    # 2025-05-01) and Neil (applied 2025-09-01); the others' first rows are older.
    assert (m["D1"].value, m["D1"].baseline_value, m["D1"].breakdown) == (2, 0, {"new_applications": 2})
    for code in ("A1", "A2", "B1", "B2", "D1"):
        assert (m[code].numerator, m[code].denominator) == (None, None)


async def test_shares_a3_c1_c2_d2_d3(report: MetricsReportOut) -> None:
    m = _by_code(report)
    # A3: CLD-qualified in schools in A(P): Eilidh only (Lara left), and she took part. Baseline: Eilidh and
    # Lara, of whom Lara attended E6.
    assert (m["A3"].value, m["A3"].numerator, m["A3"].denominator, m["A3"].baseline_value) == (1.0, 1, 1, 0.5)
    assert (m["A3"].change, m["A3"].status) == (0.5, "improving")
    # C1 on 31 March 2026: Graham registered; Eilidh an associate who has applied (still an associate). Not:
    # Ross, Nadia (none), Amira (lapsed 2022), Neil (applied only), Lewis (renewal due 30 March: lapsed).
    # On 31 March 2025: Graham, Lara and Lewis.
    assert (m["C1"].value, m["C1"].numerator, m["C1"].denominator) == (2 / 7, 2, A_P)
    assert (m["C1"].baseline_value, m["C1"].status) == (3 / A_BASELINE, "worsening")
    assert m["C1"].change == pytest.approx(-1 / 7)
    assert m["C1"].breakdown == {
        "per_category": {"registered": 1, "associate": 1},
        "per_organisation": [
            {"organisation": "DCC", "name": "Dundee City Council", "numerator": 2, "denominator": 4, "value": 0.5},
            {"organisation": "FIFE", "name": "Fife Council", "numerator": 0, "denominator": 1, "value": 0.0},
            {"organisation": "NHST", "name": "NHS Tayside", "numerator": 0, "denominator": 2, "value": 0.0},
        ],
    }  # fmt: skip
    # C2: with learning tagged with a competence in P: Graham (E1), Eilidh (E2, course), Ross (E2), Amira (E1),
    # Nadia (module); not Neil (E5 and E3 name none), nor Lewis. Baseline: Graham (E6), Lara (E6), Amira.
    assert (m["C2"].value, m["C2"].numerator, m["C2"].denominator) == (5 / 7, 5, A_P)
    assert m["C2"].baseline_value == 3 / A_BASELINE
    # A record counts its full hours toward each competence it names: Eilidh's 4 h course is C1 and C2.
    assert [(c["competence"], c["hours"]) for c in m["C2"].breakdown["hours_per_competence"]] == [
        ("C1", 8.0),  # Graham E1 2 + Amira E1 2 + Eilidh's course 4
        ("C2", 4.0),
        ("C3", 23.5),  # Eilidh E2 3 + Ross E2 3 + Nadia 17.5
        ("C4", 4.0),
        ("C7", 5.5),  # Graham 3.5 + Lara 2
    ]
    # D2: records in P by A(P): Graham 2, Eilidh 3, Ross 1, Amira 1, Neil 2, Nadia 1 = 10; verified: Eilidh's
    # course. Baseline: Graham E6, Lara E6, Amira's shadowing, none verified.
    assert (m["D2"].value, m["D2"].numerator, m["D2"].denominator, m["D2"].baseline_value) == (0.1, 1, 10, 0.0)
    # Line manager on 31 March 2026: Eilidh, Ross, Nadia (Graham); Graham named Eilidh his verifier.
    assert m["D2"].breakdown == {"with_verifier_share": {"value": 4 / 7, "numerator": 4, "denominator": A_P}}
    # D3: hours by A(P) 5.5 + 8.5 + 3 + 2 + 3.5 + 17.5 = 40; protected: all 15 from events, plus Eilidh's 4 and
    # Graham's 3.5 = 22.5. Baseline: 2 + 2 protected (E6) of 10.
    assert (m["D3"].value, m["D3"].numerator, m["D3"].denominator) == (22.5 / 40, 22.5, 40.0)
    assert (m["D3"].baseline_value, m["D3"].change) == (0.4, pytest.approx(0.1625))
    # Required hours: Nadia started 1 October 2025, so 35 × 182 days / 365 = 17.45 → 17.5, and she logged
    # 17.5: met. Everyone else falls short (Graham 5.5 of 35, Eilidh 8.5 of 17.5, Ross 3 of 6...).
    assert m["D3"].breakdown == {"requirement_met_share": {"value": 1 / 7, "numerator": 1, "denominator": A_P}}


async def test_d4_part_time_access(report: MetricsReportOut) -> None:
    d4 = _by_code(report)["D4"]
    # Part-time in A(P): Eilidh (part_time), Ross (sessional), both attended: 1.0. Full-time: Graham, Amira,
    # Neil attended; Lewis and Nadia did not: 0.6. Volunteers: nobody (Lorna left in 2024).
    assert (d4.value, d4.numerator, d4.denominator) == (1.0 / 0.6, 1.0, 0.6)
    assert d4.breakdown == {
        "part_time": {"members": 2, "attended": 2, "rate": 1.0},
        "full_time": {"members": 5, "attended": 3, "rate": 0.6},
        "volunteer": {"members": 0, "attended": 0, "rate": None},
    }
    # Baseline: part-time Eilidh, Ross, Lara (E6) = 1/3; full-time Graham (E6) of Graham, Amira, Neil, Lewis.
    assert d4.baseline_value == pytest.approx(4 / 3)
    assert d4.status == "improving"


async def test_filters_narrow_people_events_and_learning(metrics_alliance: Built) -> None:
    fife = _by_code(await metrics_report(COMMAND_LINE, ReportAsk(period="2025-26", organisation="fife")))
    # FIFE's need for C4 is shared with DCC; Amira attended the collaborative E1; FIFE hosted E2; Amira's one
    # attendance; Amira is FIFE's only member of A(P), and lapsed.
    assert [fife[c].value for c in ("A1", "A2", "B1", "B2", "C1")] == [1, 1, 1, 1, 0.0]
    dundee = _by_code(await metrics_report(COMMAND_LINE, ReportAsk(period="2025-26", local_authority="dundee city")))
    # Dundee City: DCC and NHST. A(P) Graham, Eilidh, Ross, Nadia, Neil, Lewis; hosted E5 and E1.
    assert [dundee[c].value for c in ("A2", "B1", "C1")] == [2, 2, 2 / 6]
    # D4 there: part-time Eilidh, Ross both attended (1.0); full-time Graham, Neil of Graham, Neil, Lewis,
    # Nadia (0.5): 2.0.
    assert dundee["D4"].value == 2.0
    # An empty group: NHST has no part-time staff, so there is no ratio; its full-time rate is Neil's 1 of 2.
    nhs = _by_code(await metrics_report(COMMAND_LINE, ReportAsk(period="2025-26", organisation="NHST")))["D4"]
    assert (nhs.value, nhs.numerator, nhs.denominator) == (None, None, 0.5)
    assert nhs.breakdown["part_time"] == {"members": 0, "attended": 0, "rate": None}


async def test_trend_targets_and_other_periods(metrics_alliance: Built) -> None:
    plan = await MetricPlan.select(MetricPlan.id).where(MetricPlan.code == "CLD-2018-21").first()
    assert plan is not None
    await plans.set_target(COMMAND_LINE, plan["id"], TargetIn(indicator="A2", period="2025-26", value=3))
    await plans.set_target(COMMAND_LINE, plan["id"], TargetIn(indicator="A2", period="2025-26", value=4))
    board = await dashboard(COMMAND_LINE, ReportAsk(period="2025-26"))
    cards = _by_code(board.report)
    assert cards["A2"].target == 4  # set again: the latest counts
    assert cards["B1"].target is None
    assert [(p.period.label, p.value) for p in board.trends[cards["B1"].id]] == [
        ("2021-22", 0), ("2022-23", 0), ("2023-24", 0), ("2024-25", 1), ("2025-26", 3)
    ]  # fmt: skip
    # A quarter is compared with the quarter before: E1 (10 June) is in April–June, E5 (1 April) too.
    quarter = _by_code(await metrics_report(COMMAND_LINE, ReportAsk(period="2025-04-01..2025-06-30")))["B1"]
    assert (quarter.value, quarter.baseline_value) == (2, 0)
    # Any other span is compared with as many days before: 1 April only (E5) against 31 March (nothing).
    day = _by_code(await metrics_report(COMMAND_LINE, ReportAsk(period="2025-04-01..2025-04-01")))["B1"]
    assert (day.value, day.baseline_value) == (1, 0)


async def test_partner_admins_get_their_own_organisations_numbers(alliance: Alliance, metrics_alliance: Built) -> None:
    fife_admin = viewer_of(Role.PARTNER_ADMIN, alliance.organisation_ids["FIFE"])
    own = await metrics_report(fife_admin, ReportAsk(period="2025-26"))
    asked = await metrics_report(fife_admin, ReportAsk(period="2025-26", organisation="FIFE"))
    lead = await metrics_report(COMMAND_LINE, ReportAsk(period="2025-26", organisation="FIFE"))
    assert own.organisation == "FIFE"
    assert own.model_dump() == asked.model_dump() == lead.model_dump()
