"""Which registration changes wait for confirmation, who may confirm them, and that a claim never counts."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.accounts.rules import Role, Viewer
from registry.registration.rules import (
    CHANGE_STATES,
    CONFIRMED,
    CONFIRMING_ROLES,
    PENDING,
    REJECTED,
    STATUSES,
    RegistrationRow,
    can_confirm_change,
    claim_problems,
    confirmed_when_recorded,
    current_cycle,
    status_on,
)
from registry.registration.schemas import ChangeState

DAY = date(2026, 11, 24)
DCC, FIFE = 1, 2
EILIDH, EILIDH_ID = "eilidh@example.org", 2


def viewer(
    role: Role,
    email: str = "someone@example.org",
    organisation_id: int | None = None,
    practitioner_id: int | None = None,
) -> Viewer:
    return Viewer(1, email, "Someone", role, organisation_id=organisation_id, practitioner_id=practitioner_id)


def eilidh(role: Role, organisation_id: int | None = None) -> Viewer:
    """Eilidh's own sign-in, tied to her record, in the given role."""
    return viewer(role, EILIDH, organisation_id, EILIDH_ID)


def test_schema_type_matches_the_rules() -> None:
    assert get_args(ChangeState) == CHANGE_STATES == (CONFIRMED, PENDING, REJECTED)
    assert {Role.PARTNER_ADMIN, Role.LEAD, Role.ADMIN} == CONFIRMING_ROLES


# ---------------------------------------------------------------- who confirms


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        (viewer(Role.PARTNER_ADMIN, "admin.dcc@example.org", DCC), True),
        (viewer(Role.PARTNER_ADMIN, "admin.fife@example.org", FIFE), False),
        (viewer(Role.PARTNER_ADMIN, "nobody@example.org", None), False),
        (viewer(Role.LEAD), True),
        (viewer(Role.ADMIN), True),
        (viewer(Role.MANAGER, "graham@example.org", DCC), False),
        (viewer(Role.PRACTITIONER, "ross@example.org", DCC), False),
        # Nobody confirms their own: a partner admin, lead or admin may be a practitioner too.
        (eilidh(Role.PARTNER_ADMIN, DCC), False),
        (eilidh(Role.LEAD), False),
        (eilidh(Role.ADMIN), False),
        # ...nor what they recorded, whatever the case of the address.
        (viewer(Role.PARTNER_ADMIN, "Eilidh@Example.org", DCC), False),
    ],
)
def test_who_may_confirm(who: Viewer, allowed: bool) -> None:
    assert can_confirm_change(who, EILIDH_ID, DCC, recorded_by_email=EILIDH) is allowed


@pytest.mark.parametrize("role", sorted(CONFIRMING_ROLES))
def test_nobody_confirms_a_claim_about_their_own_record(role: Role) -> None:
    """Tied to the record by id: a claim recorded for them by their line manager is still their own."""
    assert not can_confirm_change(eilidh(role, DCC), EILIDH_ID, DCC, recorded_by_email="graham@example.org")


@pytest.mark.parametrize("role", sorted(CONFIRMING_ROLES))
def test_nobody_confirms_a_claim_they_recorded(role: Role) -> None:
    recorder = viewer(role, "graham@example.org", DCC)
    assert not can_confirm_change(recorder, EILIDH_ID, DCC, recorded_by_email="Graham@example.org")
    assert can_confirm_change(recorder, EILIDH_ID, DCC, recorded_by_email=EILIDH)
    assert can_confirm_change(recorder, EILIDH_ID, DCC, recorded_by_email=None)


# ---------------------------------------------------------------- what waits


@pytest.mark.parametrize(
    ("who", "status", "at_once"),
    [
        # Claiming an active status for oneself, or as the line manager, waits for a confirmer.
        (eilidh(Role.PRACTITIONER), "registered", False),
        (eilidh(Role.PRACTITIONER), "associate", False),
        (viewer(Role.MANAGER, "graham@example.org"), "registered", False),
        (eilidh(Role.LEAD), "registered", False),
        (eilidh(Role.ADMIN), "associate", False),
        # Recorded by someone who may confirm it, it counts when recorded.
        (viewer(Role.LEAD), "registered", True),
        (viewer(Role.ADMIN), "associate", True),
        (viewer(Role.PARTNER_ADMIN, "admin.dcc@example.org", DCC), "registered", True),
        (viewer(Role.PARTNER_ADMIN, "admin.fife@example.org", FIFE), "registered", False),
        # Statuses that make nobody a verifier count at once, whoever records them.
        (eilidh(Role.PRACTITIONER), "applied", True),
        (eilidh(Role.PRACTITIONER), "lapsed", True),
        (viewer(Role.MANAGER, "graham@example.org"), "withdrawn", True),
    ],
)
def test_which_changes_count_when_recorded(who: Viewer, status: str, at_once: bool) -> None:
    assert confirmed_when_recorded(who, status, EILIDH_ID, DCC) is at_once


@pytest.mark.parametrize(("number", "problems"), [(None, {"membership_number"}), ("", {"membership_number"}),
                                                  ("  ", {"membership_number"}), ("CLDSC20002", set())])  # fmt: skip
def test_a_claim_needs_the_membership_number(number: str | None, problems: set[str]) -> None:
    assert set(claim_problems(number)) == problems


# ---------------------------------------------------------------- a claim never counts


def test_a_pending_or_rejected_row_changes_nothing() -> None:
    associate = RegistrationRow(1, "associate", date(2025, 5, 1), date(2028, 5, 1))
    for state in (PENDING, REJECTED):
        claim = RegistrationRow(2, "registered", date(2026, 11, 1), date(2029, 11, 1), state)
        assert status_on([associate, claim], DAY) == "associate"
        assert current_cycle([associate, claim], DAY) == associate
        assert status_on([claim], DAY) == "none"
        assert current_cycle([claim], DAY) is None
    confirmed = RegistrationRow(2, "registered", date(2026, 11, 1), date(2029, 11, 1), CONFIRMED)
    assert status_on([associate, confirmed], DAY) == "registered"


_rows = st.lists(
    st.tuples(
        st.sampled_from(STATUSES),
        st.integers(min_value=-2000, max_value=30),
        st.one_of(st.none(), st.integers(min_value=-400, max_value=1200)),
        st.sampled_from(CHANGE_STATES),
    ),
    max_size=8,
)


@given(_rows, st.randoms())
def test_status_and_cycle_are_those_of_the_confirmed_rows_alone(
    spec: list[tuple[str, int, int | None, str]], rng: random.Random
) -> None:
    rows = [
        RegistrationRow(i, status, DAY + timedelta(days=start), DAY + timedelta(days=due) if due else None, state)
        for i, (status, start, due, state) in enumerate(spec, start=1)
    ]
    confirmed = [r for r in rows if r.state == CONFIRMED]
    rng.shuffle(rows)
    assert status_on(rows, DAY) == status_on(confirmed, DAY)
    assert current_cycle(rows, DAY) == current_cycle(confirmed, DAY)
