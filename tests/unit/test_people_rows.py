"""Checking organisation and practitioner rows: every problem as ``line N: column: problem``."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from registry.people.rules import (
    ORGANISATION_COLUMNS,
    ORGANISATION_REQUIRED,
    PRACTITIONER_COLUMNS,
    PRACTITIONER_REQUIRED,
    CldscColumns,
    CsvRow,
    PractitionerRow,
    RowCheck,
    check_organisation_rows,
    check_practitioner_rows,
    read_csv,
)
from registry.people.schemas import OrganisationIn

KNOWN = {"DCC", "FIFE", "NHST"}
CONTRACT_PROBLEM = "must be one of full_time, part_time, sessional or volunteer"
KIND_PROBLEM = "must be one of local_authority, health, college, third_sector or other"
CODE_PROBLEM = "must be a short code of letters, digits, - or _ (up to 30)"
EMAIL_PROBLEM = "must be an email address like name@example.org"
DATE_PROBLEM = "must be a date like 2025-04-01"
CLDSC_STATUS_PROBLEM = "must be one of none, applied, registered, associate, lapsed"


def to_csv(columns: tuple[str, ...], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


# ---------------------------------------------------------------- organisations


def organisation(**changes: str) -> dict[str, str]:
    return {
        "code": "DCC",
        "name": "Dundee City Council",
        "kind": "local_authority",
        "local_authority": "Dundee City",
    } | (changes)


def check_organisations(*rows: dict[str, str]) -> RowCheck[tuple[int, OrganisationIn]]:
    csv_rows, problems = read_csv(to_csv(ORGANISATION_COLUMNS, list(rows)), ORGANISATION_REQUIRED)
    assert problems == []
    return check_organisation_rows(csv_rows)


def test_valid_organisations() -> None:
    result = check_organisations(
        organisation(),
        organisation(code="nhst", name="NHS Tayside", kind="health", local_authority=""),
        organisation(code="LOCHEE-CLT", name="Lochee Trust", kind="third_sector"),
    )
    assert result.problems == []
    assert [(line, org.code, org.kind, org.local_authority) for line, org in result.rows] == [
        (2, "DCC", "local_authority", "Dundee City"),
        (3, "NHST", "health", None),
        (4, "LOCHEE-CLT", "third_sector", "Dundee City"),
    ]


@pytest.mark.parametrize("kind", ["council", "Health", "", "local authority"])
def test_organisation_bad_kind(kind: str) -> None:
    result = check_organisations(organisation(kind=kind))
    assert result.problems == [f"line 2: kind: {KIND_PROBLEM}"]
    assert result.rows == []


@pytest.mark.parametrize("code", ["D C C", "-DCC", "_X", "DCC!", "A" * 31, "", "DÜN"])
def test_organisation_bad_code(code: str) -> None:
    result = check_organisations(organisation(code=code))
    assert result.problems == [f"line 2: code: {CODE_PROBLEM}"]
    assert result.rows == []


@pytest.mark.parametrize("code", ["A", "A" * 30, "9LIVES", "X-1_2"])
def test_organisation_good_code(code: str) -> None:
    result = check_organisations(organisation(code=code))
    assert result.problems == []
    assert result.rows[0][1].code == code


def test_organisation_missing_name() -> None:
    result = check_organisations(organisation(name="  "))
    assert result.problems == ["line 2: name: must not be empty"]


@pytest.mark.parametrize("second", ["DCC", "dcc", " Dcc "])
def test_organisation_duplicate_code(second: str) -> None:
    result = check_organisations(organisation(), organisation(code="FIFE"), organisation(code=second))
    assert result.problems == ["line 4: code: DCC appears twice in the file (also line 2)"]


def test_organisation_problems_on_several_lines_are_all_reported() -> None:
    result = check_organisations(
        organisation(kind="council"),
        organisation(code="FIFE", name="Fife Council"),
        organisation(code="bad code", name=""),
        organisation(code="fife"),
    )
    assert result.problems == [
        f"line 2: kind: {KIND_PROBLEM}",
        f"line 4: code: {CODE_PROBLEM}",
        "line 4: name: must not be empty",
        "line 5: code: FIFE appears twice in the file (also line 3)",
    ]
    assert [line for line, _ in result.rows] == [3, 5]


def test_organisation_row_with_missing_cells() -> None:
    result = check_organisation_rows([CsvRow(9, {"code": "DCC"})])
    assert result.problems == ["line 9: name: must not be empty", f"line 9: kind: {KIND_PROBLEM}"]


# ---------------------------------------------------------------- practitioners


def practitioner(**changes: str) -> dict[str, str]:
    row = dict.fromkeys(PRACTITIONER_COLUMNS, "")
    row.update(
        email="eilidh@example.org",
        given_name="Eilidh",
        family_name="Morrison",
        organisation="DCC",
        job_title="Youth Worker",
        contract="part_time",
        weekly_hours="17.5",
        started_on="2020-02-03",
    )
    row.update(changes)
    return row


def check(*rows: dict[str, str], allowed: set[str] | None = None) -> RowCheck[PractitionerRow]:
    csv_rows, problems = read_csv(to_csv(PRACTITIONER_COLUMNS, list(rows)), PRACTITIONER_REQUIRED)
    assert problems == []
    return check_practitioner_rows(csv_rows, KNOWN, allowed)


def problems_of(**changes: str) -> list[str]:
    return check(practitioner(**changes)).problems


def test_valid_practitioner_row() -> None:
    result = check(
        practitioner(
            email="Eilidh.Morrison@Example.ORG",
            organisation="dcc",
            setting="School",
            locality="Coldside",
            practice_areas="youth work; family learning ;;",
            cld_qualified="yes",
            manager_email="Graham@Example.org",
            left_on="2024-03-31",
            cldsc_status="Registered",
            cldsc_category_since="2024-01-10",
            cldsc_number="CLDSC10002",
            cldsc_renewal_due="2027-01-10",
        )
    )
    assert result.problems == []
    [row] = result.rows
    assert row.line == 2
    p = row.practitioner
    assert p.email == "eilidh.morrison@example.org"
    assert p.organisation == "DCC"
    assert p.setting == "school"
    assert p.locality == "Coldside"
    assert p.job_title == "Youth Worker"
    assert p.practice_areas == ["youth work", "family learning"]
    assert p.cld_qualified is True
    assert p.manager_email == "graham@example.org"
    assert p.contract == "part_time"
    assert p.weekly_hours == 17.5
    assert p.started_on == date(2020, 2, 3)
    assert p.left_on == date(2024, 3, 31)
    assert row.cldsc == CldscColumns("registered", date(2024, 1, 10), "CLDSC10002", date(2027, 1, 10))


def test_optional_cells_left_empty() -> None:
    result = check(practitioner())
    assert result.problems == []
    p = result.rows[0].practitioner
    assert (p.setting, p.locality, p.cld_qualified, p.manager_email, p.left_on) == (None, None, None, None, None)
    assert p.practice_areas == []
    assert result.rows[0].cldsc is None


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("yes", True), ("YES", True), ("Yes", True), ("no", False), ("No", False), ("", None), ("  ", None)],
)
def test_cld_qualified(cell: str, expected: bool | None) -> None:
    result = check(practitioner(cld_qualified=cell))
    assert result.problems == []
    assert result.rows[0].practitioner.cld_qualified is expected


@pytest.mark.parametrize("cell", ["maybe", "qualified", "y?"])
def test_cld_qualified_not_yes_or_no(cell: str) -> None:
    assert problems_of(cld_qualified=cell) == ["line 2: cld_qualified: must be yes or no"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("youth work", ["youth work"]),
        ("youth work;ESOL", ["youth work", "ESOL"]),
        (" youth work ; ESOL ; ", ["youth work", "ESOL"]),
        (";;", []),
        ("", []),
    ],
)
def test_practice_areas_split_by_semicolon(cell: str, expected: list[str]) -> None:
    result = check(practitioner(practice_areas=cell))
    assert result.problems == []
    assert result.rows[0].practitioner.practice_areas == expected


@pytest.mark.parametrize(("cell", "hours"), [("0", 0.0), ("60", 60.0), ("17.5", 17.5), (" 35 ", 35.0), ("7", 7.0)])
def test_weekly_hours_accepted(cell: str, hours: float) -> None:
    result = check(practitioner(weekly_hours=cell))
    assert result.problems == []
    assert result.rows[0].practitioner.weekly_hours == hours


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("abc", "must be a number"),
        ("", "must be a number"),
        ("17,5", "must be a number"),
        ("-1", "must be 0 or more"),
        ("-0.5", "must be 0 or more"),
        ("60.5", "must be 60 or less"),
        ("61", "must be 60 or less"),
        ("100", "must be 60 or less"),
    ],
)
def test_weekly_hours_problems(cell: str, problem: str) -> None:
    assert problems_of(weekly_hours=cell) == [f"line 2: weekly_hours: {problem}"]


@pytest.mark.parametrize("cell", ["nan", "inf", "-inf"])
def test_weekly_hours_not_finite_is_refused(cell: str) -> None:
    problems = problems_of(weekly_hours=cell)
    assert len(problems) == 1
    assert problems[0].startswith("line 2: weekly_hours: ")


@pytest.mark.parametrize("contract", ["full_time", "part_time", "sessional", "volunteer"])
def test_known_contracts(contract: str) -> None:
    result = check(practitioner(contract=contract))
    assert result.problems == []
    assert result.rows[0].practitioner.contract == contract


@pytest.mark.parametrize("contract", ["permanent", "Full_Time", "full time", ""])
def test_unknown_contract(contract: str) -> None:
    assert problems_of(contract=contract) == [f"line 2: contract: {CONTRACT_PROBLEM}"]


@pytest.mark.parametrize("email", ["not-an-email", "eilidh@", "@example.org", "eilidh example.org", "a@localhost"])
def test_bad_email(email: str) -> None:
    assert problems_of(email=email) == [f"line 2: email: {EMAIL_PROBLEM}"]


def test_bad_manager_email() -> None:
    assert problems_of(manager_email="graham") == [f"line 2: manager_email: {EMAIL_PROBLEM}"]


@pytest.mark.parametrize("column", ["started_on", "left_on", "cldsc_category_since", "cldsc_renewal_due"])
@pytest.mark.parametrize("value", ["01/04/2025", "2025-13-01", "2025-02-30", "yesterday", "2025/04/01"])
def test_bad_dates(column: str, value: str) -> None:
    changes = {column: value}
    if column.startswith("cldsc_"):
        changes["cldsc_status"] = "registered"
    # A date written right that does not exist (13th month, 30 February) says so.
    problem = f"must be a real date: {value} does not exist" if value[:4] == "2025" and "-" in value else DATE_PROBLEM
    assert problems_of(**changes) == [f"line 2: {column}: {problem}"]


def test_bad_cldsc_date_is_reported_even_without_a_status() -> None:
    assert problems_of(cldsc_category_since="soon") == [f"line 2: cldsc_category_since: {DATE_PROBLEM}"]


def test_left_on_before_started_on() -> None:
    assert problems_of(started_on="2020-02-03", left_on="2020-02-02") == [
        "line 2: left_on: must be on or after started_on"
    ]


def test_left_on_same_day_as_started_on() -> None:
    result = check(practitioner(started_on="2020-02-03", left_on="2020-02-03"))
    assert result.problems == []
    assert result.rows[0].practitioner.left_on == date(2020, 2, 3)


@pytest.mark.parametrize("status", ["withdrawn", "registred", "member", "yes"])
def test_bad_cldsc_status(status: str) -> None:
    result = check(practitioner(cldsc_status=status))
    assert result.problems == [f"line 2: cldsc_status: {CLDSC_STATUS_PROBLEM}"]


@pytest.mark.parametrize("status", ["applied", "registered", "associate", "lapsed", "LAPSED"])
def test_cldsc_columns_read_for_a_status(status: str) -> None:
    result = check(practitioner(cldsc_status=status, cldsc_category_since="2025-01-01"))
    assert result.problems == []
    assert result.rows[0].cldsc == CldscColumns(status.lower(), date(2025, 1, 1), None, None)


@pytest.mark.parametrize("status", ["", "none", "None"])
def test_no_cldsc_status_means_no_cldsc_columns(status: str) -> None:
    result = check(practitioner(cldsc_status=status, cldsc_number="CLDSC1"))
    assert result.problems == []
    assert result.rows[0].cldsc is None


@pytest.mark.parametrize(
    ("column", "problem"),
    [
        ("email", EMAIL_PROBLEM),
        ("given_name", "must not be empty"),
        ("family_name", "must not be empty"),
        ("organisation", CODE_PROBLEM),
        ("contract", CONTRACT_PROBLEM),
        ("weekly_hours", "must be a number"),
        ("started_on", DATE_PROBLEM),
    ],
)
def test_missing_required_cell(column: str, problem: str) -> None:
    result = check(practitioner(**{column: ""}))
    assert result.problems == [f"line 2: {column}: {problem}"]
    assert result.rows == []


def test_unknown_organisation() -> None:
    result = check(practitioner(organisation="pkc"))
    assert result.problems == ["line 2: organisation: unknown organisation PKC"]
    assert result.rows[0].practitioner.organisation == "PKC"


@pytest.mark.parametrize("email", ["eilidh@example.org", "EILIDH@example.org", " Eilidh@Example.Org "])
def test_duplicate_email_in_the_file(email: str) -> None:
    result = check(practitioner(), practitioner(email="ross@example.org"), practitioner(email=email))
    assert result.problems == ["line 4: email: eilidh@example.org appears twice in the file (also line 2)"]


def test_email_appearing_three_times_names_the_first_line() -> None:
    result = check(practitioner(), practitioner(), practitioner())
    assert result.problems == [
        "line 3: email: eilidh@example.org appears twice in the file (also line 2)",
        "line 4: email: eilidh@example.org appears twice in the file (also line 2)",
    ]


def test_email_with_a_display_name_is_refused() -> None:
    """A "Name <address>" cell is not a plain address: refused rather than silently trimmed."""
    result = check(practitioner(email="Eilidh Morrison <eilidh@example.org>"), practitioner())
    assert result.problems == ["line 2: email: must be an email address like name@example.org"]


def test_duplicate_email_is_found_after_normalising() -> None:
    result = check(practitioner(email=" EILIDH@example.org "), practitioner())
    assert result.problems == ["line 3: email: eilidh@example.org appears twice in the file (also line 2)"]


@pytest.mark.parametrize("organisation", ["DCC", "dcc", " Dcc"])
def test_partner_admin_own_organisation_allowed(organisation: str) -> None:
    result = check(practitioner(organisation=organisation), allowed={"DCC"})
    assert result.problems == []
    assert len(result.rows) == 1


def test_partner_admin_other_organisation_refused() -> None:
    result = check(practitioner(), practitioner(email="amira@example.org", organisation="fife"), allowed={"DCC"})
    assert result.problems == [
        "line 3: organisation: you can only import practitioners of your own organisation",
    ]


def test_partner_admin_unknown_organisation_is_reported_as_unknown() -> None:
    assert check(practitioner(organisation="PKC"), allowed={"DCC"}).problems == [
        "line 2: organisation: unknown organisation PKC"
    ]


def test_empty_allowed_set_refuses_everything() -> None:
    assert check(practitioner(), allowed=set()).problems == [
        "line 2: organisation: you can only import practitioners of your own organisation"
    ]


def test_multiple_problems_on_several_lines_are_all_reported() -> None:
    result = check(
        practitioner(),
        practitioner(email="bad", weekly_hours="70", contract="zero_hours"),
        practitioner(email="ross@example.org", started_on="3 May", organisation="XYZ"),
        practitioner(email="EILIDH@example.org", cldsc_status="maybe", cldsc_category_since="2025-99-01"),
        practitioner(email="amira@example.org", organisation="FIFE", given_name=""),
        practitioner(email="ok@example.org"),
        allowed={"DCC"},
    )
    assert result.problems == [
        f"line 3: email: {EMAIL_PROBLEM}",
        f"line 3: contract: {CONTRACT_PROBLEM}",
        "line 3: weekly_hours: must be 60 or less",
        f"line 4: started_on: {DATE_PROBLEM}",
        "line 4: organisation: unknown organisation XYZ",
        "line 5: cldsc_category_since: must be a real date: 2025-99-01 does not exist",
        f"line 5: cldsc_status: {CLDSC_STATUS_PROBLEM}",
        "line 5: email: eilidh@example.org appears twice in the file (also line 2)",
        "line 6: given_name: must not be empty",
        "line 6: organisation: you can only import practitioners of your own organisation",
    ]
    assert [row.line for row in result.rows] == [2, 5, 7]


def test_problems_follow_physical_lines_after_multi_line_cells() -> None:
    text = to_csv(
        PRACTITIONER_COLUMNS,
        [practitioner(job_title="Youth Worker\n(term time)\nonly"), practitioner(email="x", weekly_hours="-3")],
    )
    rows, problems = read_csv("\ufeff" + text.replace("\n", "\r\n"), PRACTITIONER_REQUIRED)
    assert problems == []
    result = check_practitioner_rows(rows, KNOWN)
    assert result.problems == [f"line 5: email: {EMAIL_PROBLEM}", "line 5: weekly_hours: must be 0 or more"]


def test_extra_columns_are_ignored() -> None:
    text = "Email,Given_Name,family_name,organisation,contract,weekly_hours,started_on,payroll_id,notes\n"
    text += "eilidh@example.org,Eilidh,Morrison,DCC,volunteer,4,2020-02-03,P123,likes ESOL\n"
    rows, problems = read_csv(text, PRACTITIONER_REQUIRED)
    assert problems == []
    result = check_practitioner_rows(rows, KNOWN)
    assert result.problems == []
    assert result.rows[0].practitioner.contract == "volunteer"


def test_long_text_is_refused() -> None:
    assert problems_of(given_name="x" * 101) == ["line 2: given_name: must be 100 characters or fewer"]
    assert problems_of(job_title="x" * 201) == ["line 2: job_title: must be 200 characters or fewer"]


@pytest.mark.parametrize("value", ["0", "86400"])
def test_number_is_not_a_start_date(value: str) -> None:
    assert problems_of(started_on=value) == [f"line 2: started_on: {DATE_PROBLEM}"]


@pytest.mark.parametrize("value", ["45748", "20250401", "2025-04-01T10:00"])
def test_date_like_number_has_the_usual_message(value: str) -> None:
    assert problems_of(started_on=value) == [f"line 2: started_on: {DATE_PROBLEM}"]
