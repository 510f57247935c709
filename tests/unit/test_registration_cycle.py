"""CLDSC renewal cycles, the countdown, who records changes, and the change form's validation."""

from __future__ import annotations

from datetime import date, timedelta
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from registry.accounts.rules import Role, Viewer
from registry.registration.rules import (
    ACTIVE_STATUSES,
    RECORDING_ROLES,
    ROUTES,
    STATUSES,
    RegistrationRow,
    can_record_change,
    current_cycle,
    days_until,
    default_renewal_due,
    renewal_due_for,
    status_on,
)
from registry.registration.schemas import RegistrationChangeIn, RegistrationStatus, Route
from registry.validation import problems_from

DAY = date(2026, 11, 24)


def row(id_: int, status: str, effective_from: date, renewal_due: date | None = None) -> RegistrationRow:
    return RegistrationRow(id=id_, status=status, effective_from=effective_from, renewal_due=renewal_due)


def test_schema_types_match_the_rules() -> None:
    assert get_args(RegistrationStatus) == STATUSES
    assert get_args(Route) == ROUTES


# ---------------------------------------------------------------- renewal date to store


@pytest.mark.parametrize(
    ("status", "start", "entered", "stored"),
    [
        ("registered", date(2025, 4, 1), None, date(2028, 4, 1)),
        ("associate", date(2024, 2, 29), None, date(2027, 2, 28)),
        ("registered", date(2025, 4, 1), date(2027, 12, 31), date(2027, 12, 31)),
        ("associate", date(2025, 4, 1), date(2026, 1, 1), date(2026, 1, 1)),
        ("applied", date(2025, 4, 1), None, None),
        ("lapsed", date(2025, 4, 1), None, None),
        ("withdrawn", date(2025, 4, 1), None, None),
    ],
)
def test_renewal_due_for(status: str, start: date, entered: date | None, stored: date | None) -> None:
    assert renewal_due_for(status, start, entered) == stored


# ---------------------------------------------------------------- current cycle


def test_no_history_has_no_cycle() -> None:
    assert current_cycle([], DAY) is None


def test_a_registration_is_the_current_cycle() -> None:
    registered = row(1, "registered", date(2025, 1, 10), date(2028, 1, 10))
    assert current_cycle([row(2, "applied", date(2024, 9, 1)), registered], DAY) == registered


def test_a_future_registration_is_not_yet_the_cycle() -> None:
    rows = [row(1, "applied", date(2026, 9, 1)), row(2, "registered", DAY + timedelta(days=1), date(2029, 11, 25))]
    assert current_cycle(rows, DAY) is None
    assert current_cycle(rows, DAY + timedelta(days=1)) == rows[1]


def test_renewal_starts_a_new_cycle() -> None:
    first = row(1, "registered", date(2022, 6, 1), date(2025, 6, 1))
    renewed = row(2, "registered", date(2025, 5, 20), date(2028, 5, 20))
    assert current_cycle([renewed, first], DAY) == renewed
    assert current_cycle([renewed, first], date(2024, 1, 1)) == first


def test_an_overdue_cycle_is_still_the_cycle_and_counts_as_lapsed() -> None:
    overdue = row(1, "associate", date(2022, 6, 1), date(2025, 6, 1))
    assert current_cycle([overdue], DAY) == overdue
    assert status_on([overdue], DAY) == "lapsed"


@pytest.mark.parametrize("ending", ["lapsed", "withdrawn"])
def test_lapsing_or_withdrawing_ends_the_cycle(ending: str) -> None:
    registered = row(1, "registered", date(2024, 1, 10), date(2027, 1, 10))
    ended = row(2, ending, date(2025, 3, 1))
    assert current_cycle([registered, ended], DAY) is None
    assert current_cycle([registered, ended], date(2025, 2, 28)) == registered


def test_registering_again_after_a_lapse_starts_a_cycle() -> None:
    rows = [
        row(1, "registered", date(2020, 1, 10), date(2023, 1, 10)),
        row(2, "lapsed", date(2023, 1, 11)),
        row(3, "registered", date(2025, 2, 1), date(2028, 2, 1)),
    ]
    assert current_cycle(rows, DAY) == rows[2]
    assert current_cycle(rows, date(2024, 1, 1)) is None


def test_an_application_does_not_end_the_cycle() -> None:
    """An associate applying to become a registered member keeps their associate renewal date."""
    associate = row(1, "associate", date(2025, 5, 1), date(2028, 5, 1))
    rows = [associate, row(2, "applied", date(2026, 3, 1))]
    assert status_on(rows, DAY) == "applied"
    assert current_cycle(rows, DAY) == associate


def test_same_day_rows_are_ordered_by_id() -> None:
    registered = row(5, "registered", date(2025, 1, 1), date(2028, 1, 1))
    withdrawn_before = row(4, "withdrawn", date(2025, 1, 1))
    withdrawn_after = row(6, "withdrawn", date(2025, 1, 1))
    assert current_cycle([registered, withdrawn_before], DAY) == registered
    assert current_cycle([registered, withdrawn_after], DAY) is None


_DATES = st.dates(min_value=date(2018, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def histories(draw: st.DrawFn) -> list[RegistrationRow]:
    count = draw(st.integers(min_value=0, max_value=7))
    ids = draw(st.lists(st.integers(min_value=1, max_value=500), min_size=count, max_size=count, unique=True))
    return [row(i, draw(st.sampled_from(STATUSES)), draw(_DATES), draw(st.none() | _DATES)) for i in ids]


@given(histories(), _DATES)
def test_the_cycle_agrees_with_the_status(rows: list[RegistrationRow], day: date) -> None:
    cycle = current_cycle(rows, day)
    status = status_on(rows, day)
    if status in ACTIVE_STATUSES:
        # Registered or associate today: that row is the cycle, and it is not yet past renewal.
        assert cycle is not None
        assert cycle.status == status
        assert cycle.renewal_due is None or cycle.renewal_due >= day
    if status in {"none", "withdrawn"}:
        assert cycle is None
    if cycle is not None:
        assert cycle.status in ACTIVE_STATUSES
        assert cycle.effective_from <= day
        assert status in {cycle.status, "lapsed", "applied"}


# ---------------------------------------------------------------- countdown


@pytest.mark.parametrize(
    ("due", "days"),
    [
        (date(2027, 3, 14), 110),
        (DAY + timedelta(days=1), 1),
        (DAY, 0),
        (DAY - timedelta(days=1), -1),
        (date(2026, 1, 1), -327),
    ],
)
def test_days_until(due: date, days: int) -> None:
    assert days_until(due, DAY) == days


@given(_DATES)
def test_a_default_cycle_is_about_three_years_long(start: date) -> None:
    assert 365 * 3 <= days_until(default_renewal_due(start), start) <= 365 * 3 + 1


# ---------------------------------------------------------------- who records


# The records the sign-ins below are tied to (by id): Eilidh's is 2, Ross's 3, Graham's 1.
RECORD_OF = {"graham@example.org": 1, "eilidh@example.org": 2, "ross@example.org": 3}
EILIDH, ROSS = 2, 3


def viewer(role: Role, email: str = "someone@example.org") -> Viewer:
    return Viewer(user_id=1, email=email, name="Someone", role=role, practitioner_id=RECORD_OF.get(email.lower()))


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        (viewer(Role.PRACTITIONER, "eilidh@example.org"), True),
        (viewer(Role.PRACTITIONER, "Eilidh@Example.org"), True),
        (viewer(Role.PRACTITIONER, "ross@example.org"), False),
        (viewer(Role.MANAGER, "graham@example.org"), True),
        (viewer(Role.MANAGER, "eilidh@example.org"), True),
        (viewer(Role.MANAGER, "other.manager@example.org"), False),
        (viewer(Role.PRACTITIONER, "graham@example.org"), True),
        (viewer(Role.LEAD), True),
        (viewer(Role.ADMIN), True),
        (viewer(Role.PARTNER_ADMIN), False),
        (viewer(Role.PARTNER_ADMIN, "eilidh@example.org"), False),
        (viewer(Role.PARTNER_ADMIN, "graham@example.org"), False),
    ],
)
def test_who_may_record_a_change(who: Viewer, allowed: bool) -> None:
    assert can_record_change(who, EILIDH, "Graham@example.org") is allowed


def test_without_a_line_manager_only_the_practitioner_and_alliance_roles_record() -> None:
    assert can_record_change(viewer(Role.PRACTITIONER, "ross@example.org"), ROSS, None)
    assert not can_record_change(viewer(Role.MANAGER, "graham@example.org"), ROSS, None)
    assert can_record_change(viewer(Role.LEAD), ROSS, None)
    # Own is the record the sign-in is tied to: the same address on a sign-in tied to no record is not enough.
    assert not can_record_change(Viewer(1, "ross@example.org", "Ross", Role.PRACTITIONER), ROSS, None)


def test_partner_admins_only_read() -> None:
    assert Role.PARTNER_ADMIN not in RECORDING_ROLES
    assert {Role.PRACTITIONER, Role.MANAGER, Role.LEAD, Role.ADMIN} == RECORDING_ROLES


# ---------------------------------------------------------------- the change as sent


def problems(**fields: object) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        RegistrationChangeIn.model_validate(fields)
    return problems_from(caught.value)


def test_a_full_change_is_accepted() -> None:
    change = RegistrationChangeIn.model_validate(
        {
            "status": "registered",
            "route": "individual_recognition_process",
            "membership_number": " CLDSC 2042 ",
            "effective_from": "2025-04-01",
            "renewal_due": "2028-03-31",
            "note": "IRP portfolio accepted",
        }
    )
    assert change.membership_number == "CLDSC 2042"
    assert change.effective_from == date(2025, 4, 1)
    assert change.renewal_due == date(2028, 3, 31)


def test_blank_form_fields_mean_not_given() -> None:
    change = RegistrationChangeIn.model_validate(
        {"status": "associate", "route": "", "membership_number": " ", "effective_from": "2025-04-01",
         "renewal_due": "", "note": ""}
    )  # fmt: skip
    assert (change.route, change.membership_number, change.renewal_due, change.note) == (None, None, None, None)


def test_problems_are_named_by_field() -> None:
    assert set(problems(status="member", route="ten_years", effective_from="1/4/2025", note="x" * 501)) == {
        "status",
        "route",
        "effective_from",
        "note",
    }
    assert problems(effective_from="2025-04-01") == {"status": "is required"}
    assert problems(status="registered") == {"effective_from": "is required"}
    assert problems(status="registered", effective_from="2025-04-01", membership_number="9" * 51) == {
        "membership_number": "must be 50 characters or fewer"
    }
    assert "none" not in STATUSES
    assert set(problems(status="none", effective_from="2025-04-01")) == {"status"}
    assert set(problems(status="registered", effective_from="2025-04-01", category="registered_member")) == {"category"}


@pytest.mark.parametrize("renewal_due", ["2025-04-01", "2025-03-31", "2020-01-01"])
def test_renewal_must_be_after_the_effective_date(renewal_due: str) -> None:
    assert problems(status="registered", effective_from="2025-04-01", renewal_due=renewal_due) == {
        "renewal_due": "must be after effective_from"
    }


@pytest.mark.parametrize("status", ["applied", "lapsed", "withdrawn"])
def test_only_members_have_a_renewal_date(status: str) -> None:
    assert problems(status=status, effective_from="2025-04-01", renewal_due="2028-04-01") == {
        "renewal_due": "only registered and associate members have a renewal date"
    }
