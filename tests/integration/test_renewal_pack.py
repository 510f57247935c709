"""The CLDSC renewal evidence pack: the cycle's goals, learning, reflections, review notes and totals, as a page and a CSV."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from litestar.testing import AsyncTestClient

from registry.accounts.rules import Role
from registry.errors import Forbidden, NotFound
from registry.learning import pack, service, verification
from registry.learning.schemas import GoalIn, LearningRecordIn, LearningRecordPatch
from tests.integration.test_sign_in import sign_in
from tests.support import FIXED_TODAY, Alliance, as_viewer

Client = AsyncTestClient  # type: ignore[type-arg]

# The pack covers the cycle or year around today: the clock stands still at 19 November 2026 (tests/support.py).
pytestmark = pytest.mark.usefixtures("fixed_clock")

EILIDH = as_viewer("eilidh@example.org", "Eilidh", Role.PRACTITIONER)
GRAHAM = as_viewer("graham@example.org", "Graham", Role.MANAGER)
LEAD = as_viewer("lead@example.org", "Lead", Role.LEAD)

# Eilidh has been an associate member since 1 May 2025 (tests/support.py), so her cycle runs to 30 April 2028.
CYCLE_LABEL = "Registration cycle to 1 May 2028"
REQUIRED = 52.5
"""17.5 h a week × 1,096 days (1 May 2025 – 30 April 2028) / 365, to one decimal."""


async def _eilidhs_cycle(alliance: Alliance) -> dict[str, int]:
    """A goal; learning before the cycle; verified conference learning; reading waiting for Graham."""
    pid = alliance.practitioner_ids["eilidh@example.org"]
    await service.add_goal(
        EILIDH, pid, GoalIn(title="Grow my group-work practice", description="Co-facilitate two groups.")
    )
    before = await service.create_record(
        EILIDH,
        pid,
        LearningRecordIn(title="Induction before registering", kind="course", completed_on="2025-03-15", hours=5,
                         competences=["C1"], reflection="Not part of this cycle."),
    )  # fmt: skip
    reading = await service.create_record(
        EILIDH,
        pid,
        LearningRecordIn(title="Reading on trauma-informed practice", kind="professional_reading",
                         completed_on="2026-02-02", hours=2.5, competences=["C2"],
                         reflection="=SUM(A1) is how the article's table added up."),
    )  # fmt: skip
    conference = await service.create_record(
        EILIDH,
        pid,
        LearningRecordIn(title="Youth work conference", kind="conference", completed_on="2025-06-10", hours=6,
                         competences=["C6", "C3"], reflection="I will plan sessions with the young people.",
                         protected_time=True),
    )  # fmt: skip
    for record in (conference, reading):
        await verification.request_verification(EILIDH, pid, record.id, "graham@example.org")
    await verification.verify(GRAHAM, conference.id, "We discussed how the group will co-design sessions.")
    return {"pid": pid, "before": before.id, "conference": conference.id, "reading": reading.id}


async def test_the_practitioner_gets_the_cycle_in_the_shape_cldsc_asks_for(client: Client, alliance: Alliance) -> None:
    ids = await _eilidhs_cycle(alliance)
    await sign_in(client, "eilidh@example.org")
    page = await client.get(f"/practitioners/{ids['pid']}/renewal-pack")
    assert page.status_code == 200
    html = page.text
    assert "Professional learning record: Eilidh Morrison" in html
    assert "CLDSC10002" in html
    assert "Dundee City Council" in html
    assert f"{CYCLE_LABEL}: 1 May 2025 to 30 April 2028" in html
    assert "Grow my group-work practice" in html
    assert "Co-facilitate two groups." in html
    # Only the cycle's learning, oldest first.
    assert "Induction before registering" not in html
    assert html.index("Youth work conference") < html.index("Reading on trauma-informed practice")
    assert html.count('data-testid="pack-activity"') == 2
    assert "I will plan sessions with the young people." in html
    assert "We discussed how the group will co-design sessions." in html
    assert "Verified by Graham Baxter (graham@example.org) on" in html
    assert "Waiting for graham@example.org" in html
    assert "C3 Provide learning and development opportunities in a range of contexts" in html
    assert f"8.5 of {REQUIRED:g} hours" in html
    assert f"{REQUIRED - 8.5:g} hours still to do" in html
    # Ready to print: the buttons are left out of the printed page, personal data is not cached.
    assert 'class="registry-no-print registry-pack__actions"' in html
    assert "Print or save as PDF" in html
    assert f'href="/practitioners/{ids["pid"]}/renewal-pack.csv"' in html
    assert "/static/app/renewal-pack.css" in html
    assert "no-store" in page.headers["cache-control"]


async def test_the_line_manager_reads_the_reflections_and_review_notes_too(client: Client, alliance: Alliance) -> None:
    ids = await _eilidhs_cycle(alliance)
    built = await pack.build_pack(GRAHAM, ids["pid"])
    assert [a.title for a in built.activities] == ["Youth work conference", "Reading on trauma-informed practice"]
    assert built.activities[0].reflection == "I will plan sessions with the young people."
    assert built.activities[0].review_note == "We discussed how the group will co-design sessions."
    assert built.activities[0].competences == ["C3", "C6"]
    assert built.activities[0].protected_time is True
    assert built.activities[1].review_note is None  # not verified yet
    await sign_in(client, "graham@example.org")
    page = await client.get(f"/practitioners/{ids['pid']}/renewal-pack")
    assert page.status_code == 200
    assert "I will plan sessions with the young people." in page.text
    assert "We discussed how the group will co-design sessions." in page.text


async def test_totals_are_the_cycles_progress(alliance: Alliance) -> None:
    ids = await _eilidhs_cycle(alliance)
    totals = (await pack.build_pack(EILIDH, ids["pid"])).totals
    assert (totals.label, totals.start, totals.end) == (CYCLE_LABEL, date(2025, 5, 1), date(2028, 4, 30))
    assert (totals.required_pl_hours, totals.learning_hours, totals.verified_hours, totals.protected_hours) == (
        REQUIRED, 8.5, 6.0, 6.0,
    )  # fmt: skip
    hours = {c.code: c.hours for c in totals.per_competence}
    assert hours == {"C1": 0.0, "C2": 2.5, "C3": 6.0, "C4": 0.0, "C5": 0.0, "C6": 6.0, "C7": 0.0}


async def test_the_csv_has_one_row_per_activity_then_the_totals(client: Client, alliance: Alliance) -> None:
    ids = await _eilidhs_cycle(alliance)
    await sign_in(client, "eilidh@example.org")
    response = await client.get(f"/practitioners/{ids['pid']}/renewal-pack.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="renewal-pack-morrison-2026-11-19.csv"'
    assert "no-store" in response.headers["cache-control"]
    text = response.content.decode("utf-8-sig")
    assert "\r\n\r\n" in text  # a blank line between the activities and the totals
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert list(rows[0]) == list(pack.CSV_COLUMNS)
    activities = [r for r in rows if r["completed_on"]]
    totals = {r["title"]: r for r in rows if not r["completed_on"]}
    assert [(a["completed_on"], a["title"], a["kind"], a["hours"]) for a in activities] == [
        ("2025-06-10", "Youth work conference", "conference", "6"),
        ("2026-02-02", "Reading on trauma-informed practice", "professional_reading", "2.5"),
    ]
    conference, reading = activities
    assert conference["competences"] == "C3;C6"
    assert conference["protected_time"] == "yes"
    assert conference["reflection"] == "I will plan sessions with the young people."
    assert conference["verification_state"] == "verified"
    assert conference["verified_by"] == "graham@example.org"
    assert conference["verified_at"].startswith(FIXED_TODAY.isoformat())
    assert conference["review_note"] == "We discussed how the group will co-design sessions."
    assert (reading["verification_state"], reading["verified_by"], reading["review_note"]) == ("requested", "", "")
    # A spreadsheet must not run what a practitioner typed as a formula.
    assert reading["reflection"] == "'=SUM(A1) is how the article's table added up."
    assert totals["Required PL hours (pro rata)"]["hours"] == f"{REQUIRED:g}"
    assert totals["Professional learning hours"]["hours"] == "8.5"
    assert totals["Verified hours"]["hours"] == "6"
    assert totals["Hours in protected time"]["hours"] == "6"
    c3 = totals["C3 Provide learning and development opportunities in a range of contexts"]
    assert (c3["competences"], c3["hours"]) == ("C3", "6")
    assert f"Totals for {CYCLE_LABEL}, 2025-05-01 to 2028-04-30" in totals


async def test_a_record_changed_after_verification_loses_its_review_note(alliance: Alliance) -> None:
    ids = await _eilidhs_cycle(alliance)
    await service.update_record(EILIDH, ids["pid"], ids["conference"], LearningRecordPatch(hours=7))
    conference = (await pack.build_pack(EILIDH, ids["pid"])).activities[0]
    assert (conference.verification_state, conference.review_note, conference.verified_by) == ("none", None, None)
    assert conference.reflection == "I will plan sessions with the young people."


async def test_someone_not_registered_gets_the_reporting_year(client: Client, alliance: Alliance) -> None:
    ross = alliance.practitioner_ids["ross@example.org"]
    await sign_in(client, "graham@example.org")
    page = await client.get(f"/practitioners/{ross}/renewal-pack")
    assert page.status_code == 200
    assert "Reporting year 2026-27" in page.text
    assert "No learning is recorded from" in page.text
    assert "No PL goals are recorded for this period." in page.text
    built = await pack.build_pack(GRAHAM, ross)
    assert (built.totals.start, built.totals.end) == (date(2026, 4, 1), date(2027, 3, 31))
    assert (built.registration_status, built.membership_number) == ("none", None)
    assert built.totals.required_pl_hours == 6.0  # 6 h a week, the whole year


@pytest.mark.parametrize("suffix", ["", ".csv"])
async def test_others_who_can_see_her_get_403_and_strangers_404(
    client: Client, alliance: Alliance, suffix: str
) -> None:
    ids = await _eilidhs_cycle(alliance)
    eilidhs = f"/practitioners/{ids['pid']}/renewal-pack{suffix}"
    for email in ("lead@example.org", "admin.dcc@example.org", "admin@example.org"):
        await sign_in(client, email)
        refused = await client.get(eilidhs)
        assert refused.status_code == 403, email
        assert "Only the practitioner and their line manager" in refused.text
        assert "I will plan sessions" not in refused.text
    # A practitioner of another team, and a manager who is not hers: not even told the record exists.
    amiras = f"/practitioners/{alliance.practitioner_ids['amira@example.org']}/renewal-pack{suffix}"
    for email in ("eilidh@example.org", "graham@example.org"):
        await sign_in(client, email)
        assert (await client.get(amiras)).status_code == 404, email


async def test_the_service_refuses_the_same_way(alliance: Alliance) -> None:
    ids = await _eilidhs_cycle(alliance)
    with pytest.raises(Forbidden):
        await pack.build_pack(LEAD, ids["pid"])
    with pytest.raises(NotFound):
        await pack.build_pack(EILIDH, alliance.practitioner_ids["ross@example.org"])
