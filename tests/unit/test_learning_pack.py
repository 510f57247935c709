"""Pure parts of the renewal evidence pack: who may produce it, its period, its CSV and its file name."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from registry.accounts.rules import Role, Viewer
from registry.learning.pack import (
    CSV_COLUMNS,
    PackActivity,
    RenewalPack,
    csv_filename,
    may_produce_pack,
    pack_csv,
    pack_period,
)
from registry.learning.rules import Period
from registry.learning.schemas import CompetenceProgress, Progress

PRACTITIONER = "eilidh@example.org"
MANAGER = "graham@example.org"
PRACTITIONER_ID = 2


@pytest.mark.parametrize(
    ("email", "role", "allowed"),
    [
        ("eilidh@example.org", Role.PRACTITIONER, True),
        ("EILIDH@example.org", Role.PRACTITIONER, True),
        ("graham@example.org", Role.MANAGER, True),
        ("Graham@Example.org", Role.MANAGER, True),
        ("ross@example.org", Role.PRACTITIONER, False),
        ("other.manager@example.org", Role.MANAGER, False),
        ("admin.dcc@example.org", Role.PARTNER_ADMIN, False),
        ("lead@example.org", Role.LEAD, False),
        ("admin@example.org", Role.ADMIN, False),
    ],
)
def test_only_the_practitioner_and_their_line_manager_produce_the_pack(email: str, role: Role, allowed: bool) -> None:
    own = PRACTITIONER_ID if email.lower() == PRACTITIONER else None
    assert may_produce_pack(Viewer(1, email, "Someone", role, practitioner_id=own), PRACTITIONER_ID, MANAGER) is allowed


def test_without_a_line_manager_only_the_practitioner() -> None:
    eilidh = Viewer(1, PRACTITIONER, "Eilidh", Role.PRACTITIONER, practitioner_id=PRACTITIONER_ID)
    assert may_produce_pack(eilidh, PRACTITIONER_ID, None)
    assert not may_produce_pack(Viewer(1, "", "Nobody", Role.MANAGER), PRACTITIONER_ID, None)
    assert not may_produce_pack(Viewer(1, PRACTITIONER, "Same address, no record", Role.PRACTITIONER), PRACTITIONER_ID, None)


@pytest.mark.parametrize(
    ("today", "start", "end", "label"),
    [
        (date(2026, 11, 24), date(2026, 4, 1), date(2027, 3, 31), "Reporting year 2026-27"),
        (date(2027, 3, 31), date(2026, 4, 1), date(2027, 3, 31), "Reporting year 2026-27"),
        (date(2027, 4, 1), date(2027, 4, 1), date(2028, 3, 31), "Reporting year 2027-28"),
    ],
)
def test_someone_not_registered_gets_the_reporting_year(today: date, start: date, end: date, label: str) -> None:
    assert pack_period(None, today) == Period(start, end, label)


def test_a_registration_cycle_is_kept() -> None:
    cycle = Period(date(2025, 5, 1), date(2028, 4, 30), "Registration cycle to 1 May 2028")
    assert pack_period(cycle, date(2026, 11, 24)) is cycle


def _pack(family_name: str = "Morrison", activities: list[PackActivity] | None = None) -> RenewalPack:
    return RenewalPack(
        practitioner_id=1, given_name="Eilidh", family_name=family_name, email=PRACTITIONER, organisation="DCC",
        weekly_hours=17.5, registration_status="associate", membership_number="CLDSC10002",
        renewal_due=date(2028, 5, 1), generated_on=date(2026, 11, 24), goals=[], activities=activities or [],
        totals=Progress(
            label="Registration cycle to 1 May 2028", start=date(2025, 5, 1), end=date(2028, 4, 30),
            required_pl_hours=52.5, learning_hours=1.5, verified_hours=1.5, protected_hours=0.0,
            per_competence=[CompetenceProgress(code="C1", title="+Know, and understand", hours=1.5)],
        ),
    )  # fmt: skip


def _activity(**changes: object) -> PackActivity:
    fields: dict[str, object] = {
        "completed_on": date(2025, 6, 10), "title": "Shadowing, \"day one\"", "kind": "shadowing", "hours": 1.5,
        "competences": ["C1", "C4"], "protected_time": False, "reflection": "Line one\nline two",
        "verification_state": "verified", "verifier_email": MANAGER, "verified_by": MANAGER,
        "verified_by_name": "Graham Baxter", "verified_at": datetime(2026, 7, 1, 13, 30, tzinfo=UTC),
        "review_note": "@graham: agreed",
    }  # fmt: skip
    return PackActivity.model_validate({**fields, **changes})


def test_the_csv_round_trips_quotes_commas_and_newlines_and_defuses_formulas() -> None:
    text = pack_csv(_pack(activities=[_activity()]))
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    activity = rows[0]
    assert activity == {
        "completed_on": "2025-06-10", "title": 'Shadowing, "day one"', "kind": "shadowing", "hours": "1.5",
        "competences": "C1;C4", "protected_time": "no", "reflection": "Line one\nline two",
        "verification_state": "verified", "verified_by": MANAGER,
        # Summer time in the registry's zone (Europe/London by default).
        "verified_at": "2026-07-01T14:30+01:00", "review_note": "'@graham: agreed",
    }  # fmt: skip
    totals = {r["title"]: (r["hours"], r["competences"]) for r in rows[1:]}
    assert totals["Required PL hours (pro rata)"] == ("52.5", "")
    assert totals["C1 +Know, and understand"] == ("1.5", "C1")
    assert all(len(r) == len(CSV_COLUMNS) and None not in r for r in rows)


def test_an_empty_cycle_still_has_its_header_and_totals() -> None:
    lines = pack_csv(_pack()).removeprefix("\ufeff").split("\r\n")
    assert lines[0] == ",".join(CSV_COLUMNS)
    assert lines[1] == ""
    assert lines[2].startswith(',"Totals for Registration cycle to 1 May 2028, 2025-05-01 to 2028-04-30"')


@pytest.mark.parametrize(
    ("family_name", "filename"),
    [
        ("Morrison", "renewal-pack-morrison-2026-11-24.csv"),
        ("Ó Briain", "renewal-pack-o-briain-2026-11-24.csv"),
        ("MacDonald-Smith", "renewal-pack-macdonald-smith-2026-11-24.csv"),
        ('Evil"; filename=x', "renewal-pack-evil-filename-x-2026-11-24.csv"),
        ("王", "renewal-pack-practitioner-2026-11-24.csv"),
    ],
)
def test_the_file_name_is_plain_ascii(family_name: str, filename: str) -> None:
    assert csv_filename(_pack(family_name)) == filename
