"""The demo alliance's spreadsheets: valid, realistic and the same every time."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from registry.demo import DEMO_SIGN_INS, ORGANISATIONS, organisations_csv, practitioners_csv
from registry.people.rules import (
    ORGANISATION_REQUIRED,
    PRACTITIONER_REQUIRED,
    PractitionerRow,
    check_organisation_rows,
    check_practitioner_rows,
    read_csv,
)

TODAY = date(2026, 11, 24)
CODES = {code for code, *_ in ORGANISATIONS}


@pytest.fixture(scope="module")
def text() -> str:
    return practitioners_csv(today=TODAY)


@pytest.fixture(scope="module")
def rows(text: str) -> list[PractitionerRow]:
    csv_rows, problems = read_csv(text, PRACTITIONER_REQUIRED)
    assert problems == []
    result = check_practitioner_rows(csv_rows, CODES)
    assert result.problems == []
    assert len(result.rows) == len(csv_rows)
    return result.rows


def by_email(rows: list[PractitionerRow]) -> dict[str, PractitionerRow]:
    return {row.practitioner.email: row for row in rows}


def test_organisations_csv_is_valid() -> None:
    csv_rows, problems = read_csv(organisations_csv(), ORGANISATION_REQUIRED)
    assert problems == []
    result = check_organisation_rows(csv_rows)
    assert result.problems == []
    assert {org.code for _, org in result.rows} == CODES
    assert len(result.rows) == len(ORGANISATIONS) == 12


def test_practitioners_pass_the_import_checks(rows: list[PractitionerRow]) -> None:
    assert 140 <= len(rows) <= 160


def test_every_practitioner_belongs_to_a_demo_organisation(rows: list[PractitionerRow]) -> None:
    organisations = Counter(row.practitioner.organisation for row in rows)
    assert set(organisations) == CODES
    assert organisations.most_common(1)[0][0] == "DCC"


def test_emails_are_unique(rows: list[PractitionerRow]) -> None:
    emails = [row.practitioner.email for row in rows]
    assert len(set(emails)) == len(emails)
    assert all(email.endswith("@example.org") for email in emails)


def test_about_a_third_part_time_or_sessional(rows: list[PractitionerRow]) -> None:
    contracts = Counter(row.practitioner.contract for row in rows)
    share = (contracts["part_time"] + contracts["sessional"]) / len(rows)
    assert 0.25 <= share <= 0.42
    assert contracts["volunteer"] >= 5
    assert contracts["full_time"] > len(rows) / 3


def test_some_practitioners_work_in_schools(rows: list[PractitionerRow]) -> None:
    settings = Counter(row.practitioner.setting for row in rows)
    assert settings["school"] >= 10
    assert settings["community"] > settings["school"]


def test_hours_fit_the_contract(rows: list[PractitionerRow]) -> None:
    for row in rows:
        p = row.practitioner
        if p.contract == "full_time":
            assert p.weekly_hours >= 35, p
        else:
            assert 0 < p.weekly_hours < 35, p


def test_demo_sign_ins_have_records(rows: list[PractitionerRow]) -> None:
    records = by_email(rows)
    practitioner, manager, partner_admin = DEMO_SIGN_INS[:3]
    assert [practitioner.role, manager.role, partner_admin.role] == ["practitioner", "manager", "partner_admin"]
    for sign_in in (practitioner, manager, partner_admin):
        assert sign_in.email in records
        given, family = sign_in.name.split()
        assert (records[sign_in.email].practitioner.given_name, records[sign_in.email].practitioner.family_name) == (
            given,
            family,
        )
    assert [row.practitioner.email for row in rows[:3]] == [manager.email, partner_admin.email, practitioner.email]


def test_demo_sign_ins_relate_as_the_roles_expect(rows: list[PractitionerRow]) -> None:
    records = by_email(rows)
    practitioner, manager, partner_admin = DEMO_SIGN_INS[:3]
    assert records[practitioner.email].practitioner.manager_email == manager.email
    assert records[partner_admin.email].practitioner.organisation == partner_admin.organisation == "DCC"
    team = [row for row in rows if row.practitioner.manager_email == manager.email]
    assert len(team) >= 3
    assert {row.practitioner.organisation for row in team} == {"DCC"}


def test_managers_are_in_the_file(rows: list[PractitionerRow]) -> None:
    records = by_email(rows)
    for row in rows:
        manager = row.practitioner.manager_email
        if manager is not None:
            assert manager in records
            assert records[manager].practitioner.organisation == row.practitioner.organisation


def test_some_leavers_and_mixed_cldsc_statuses(rows: list[PractitionerRow]) -> None:
    leavers = [row for row in rows if row.practitioner.left_on is not None]
    assert len(leavers) == 6
    for row in leavers:
        left_on = row.practitioner.left_on
        assert left_on is not None
        assert row.practitioner.started_on <= left_on <= TODAY
    statuses = Counter(row.cldsc.status if row.cldsc else "none" for row in rows)
    assert {"none", "registered", "associate", "applied", "lapsed"} <= set(statuses)


def test_nothing_starts_in_the_future(rows: list[PractitionerRow]) -> None:
    assert all(row.practitioner.started_on <= TODAY for row in rows)
    assert all(row.cldsc.since is None or row.cldsc.since <= TODAY for row in rows if row.cldsc)


def test_deterministic(text: str) -> None:
    assert practitioners_csv(today=TODAY) == text
    assert organisations_csv() == organisations_csv()


def test_dates_follow_today(text: str) -> None:
    later = practitioners_csv(today=date(2027, 11, 24))
    assert later != text
    assert later.splitlines()[0] == text.splitlines()[0]


@pytest.mark.parametrize("today", [date(2024, 2, 29), date(2025, 1, 1), date(2030, 12, 31)])
def test_valid_on_other_days(today: date) -> None:
    csv_rows, problems = read_csv(practitioners_csv(today=today), PRACTITIONER_REQUIRED)
    assert problems == []
    assert check_practitioner_rows(csv_rows, CODES).problems == []
