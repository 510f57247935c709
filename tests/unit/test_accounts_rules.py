"""Who may see and change which practitioner records: every role against every relation to a record."""

from __future__ import annotations

import hashlib
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.accounts.rules import (
    ADMIN_ROLES,
    EDITOR_ROLES,
    ROLE_RANK,
    ROLES,
    Role,
    Scope,
    Viewer,
    can_edit_practitioner,
    can_see_practitioner,
    hash_token,
    is_self,
    manager_problem,
    new_token,
    practitioner_scope,
    sign_in_claim_problem,
)

VIEWER_EMAIL = "pat.kerr@example.org"
VIEWER_ORG = 1
OTHER_ORG = 2
THIRD_ORG = 3
OWN_RECORD = 42
"""The practitioner record the viewer's sign-in is tied to (by id)."""


def viewer(
    role: Role, organisation_id: int | None = VIEWER_ORG, email: str = VIEWER_EMAIL, practitioner_id: int | None = OWN_RECORD
) -> Viewer:
    return Viewer(
        user_id=7, email=email, name="Pat Kerr", role=role, organisation_id=organisation_id,
        practitioner_id=practitioner_id,
    )  # fmt: skip


# relation → (record id, record organisation, record manager_email). Each relation is kept apart from the
# others (e.g. the own record sits in another organisation) so that exactly one rule can make it visible.
RELATIONS: dict[str, tuple[int, int, str | None]] = {
    "own": (OWN_RECORD, OTHER_ORG, None),
    "own, with a manager": (OWN_RECORD, OTHER_ORG, "someone@example.org"),
    "managed": (50, OTHER_ORG, VIEWER_EMAIL),
    "managed, manager email mixed case": (51, OTHER_ORG, "Pat.Kerr@EXAMPLE.org"),
    "same organisation": (52, VIEWER_ORG, "boss@example.org"),
    "same organisation, no manager": (53, VIEWER_ORG, None),
    "other organisation": (54, OTHER_ORG, "boss@example.org"),
    "unrelated": (55, THIRD_ORG, None),
    "similar manager email only": (56, OTHER_ORG, "xpat.kerr@example.org"),
}

OWN = {"own", "own, with a manager"}
MANAGED = {"managed", "managed, manager email mixed case"}
SAME_ORG = {"same organisation", "same organisation, no manager"}

# INTERFACE.md: a user of any role manages the practitioners whose manager_email is theirs.
VISIBLE: dict[Role, set[str]] = {
    Role.PRACTITIONER: OWN | MANAGED,
    Role.MANAGER: OWN | MANAGED,
    Role.PARTNER_ADMIN: OWN | MANAGED | SAME_ORG,
    Role.LEAD: set(RELATIONS),
    Role.ADMIN: set(RELATIONS),
}


def test_visible_table_covers_every_role() -> None:
    assert set(VISIBLE) == set(Role)
    assert set(ROLES) == {"practitioner", "manager", "partner_admin", "lead", "admin"}


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("relation", list(RELATIONS))
def test_can_see_practitioner(role: Role, relation: str) -> None:
    record_id, organisation_id, manager_email = RELATIONS[relation]
    expected = relation in VISIBLE[role]
    assert can_see_practitioner(viewer(role), record_id, organisation_id, manager_email) is expected


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("relation", list(RELATIONS))
def test_can_see_practitioner_viewer_without_organisation(role: Role, relation: str) -> None:
    """Without an organisation a partner admin sees only themselves; lead and admin still see everything."""
    record_id, organisation_id, manager_email = RELATIONS[relation]
    expected = relation in (VISIBLE[role] if role in {Role.LEAD, Role.ADMIN} else VISIBLE[role] - SAME_ORG)
    assert can_see_practitioner(viewer(role, organisation_id=None), record_id, organisation_id, manager_email) is expected


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.MANAGER], ids=lambda r: r.value)
def test_a_sign_in_without_a_record_has_no_own_record(role: Role) -> None:
    """Own is decided by the id a sign-in is tied to; a sign-in tied to none owns nothing, whatever the email."""
    unlinked = viewer(role, practitioner_id=None)
    assert can_see_practitioner(unlinked, OWN_RECORD, OTHER_ORG, None) is False
    assert is_self(unlinked, OWN_RECORD) is False
    assert is_self(viewer(role), OWN_RECORD) is True
    assert is_self(viewer(role), OWN_RECORD + 1) is False


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_every_role_sees_the_team_they_line_manage(role: Role) -> None:
    assert can_see_practitioner(viewer(role), 60, OTHER_ORG, VIEWER_EMAIL) is True
    assert can_see_practitioner(viewer(role), 60, OTHER_ORG, "someone.else@example.org") is (
        role in {Role.LEAD, Role.ADMIN}
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.PRACTITIONER, Scope(own_practitioner_id=OWN_RECORD, managed_by=VIEWER_EMAIL)),
        (Role.MANAGER, Scope(own_practitioner_id=OWN_RECORD, managed_by=VIEWER_EMAIL)),
        (
            Role.PARTNER_ADMIN,
            Scope(own_practitioner_id=OWN_RECORD, managed_by=VIEWER_EMAIL, organisation_id=VIEWER_ORG),
        ),
        (Role.LEAD, Scope(everything=True)),
        (Role.ADMIN, Scope(everything=True)),
    ],
    ids=lambda value: value.value if isinstance(value, Role) else None,
)
def test_practitioner_scope(role: Role, expected: Scope) -> None:
    assert practitioner_scope(viewer(role)) == expected


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.MANAGER], ids=lambda r: r.value)
def test_scope_of_practitioners_and_managers_ignores_their_organisation(role: Role) -> None:
    scope = practitioner_scope(viewer(role, organisation_id=VIEWER_ORG))
    assert scope.organisation_id is None
    assert scope.everything is False


def test_scope_of_partner_admin_without_organisation_is_themselves_and_their_team() -> None:
    scope = practitioner_scope(viewer(Role.PARTNER_ADMIN, organisation_id=None))
    assert scope == Scope(own_practitioner_id=OWN_RECORD, managed_by=VIEWER_EMAIL)


@pytest.mark.parametrize(
    ("role", "same_org", "other_org"),
    [
        (Role.PRACTITIONER, False, False),
        (Role.MANAGER, False, False),
        (Role.PARTNER_ADMIN, True, False),
        (Role.LEAD, True, True),
        (Role.ADMIN, True, True),
    ],
    ids=lambda value: value.value if isinstance(value, Role) else None,
)
def test_can_edit_practitioner(role: Role, same_org: bool, other_org: bool) -> None:
    assert can_edit_practitioner(viewer(role), VIEWER_ORG) is same_org
    assert can_edit_practitioner(viewer(role), OTHER_ORG) is other_org


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_can_edit_practitioner_viewer_without_organisation(role: Role) -> None:
    expected = role in {Role.LEAD, Role.ADMIN}
    assert can_edit_practitioner(viewer(role, organisation_id=None), VIEWER_ORG) is expected
    assert can_edit_practitioner(viewer(role, organisation_id=None), OTHER_ORG) is expected


def test_role_sets() -> None:
    assert set(EDITOR_ROLES) == {Role.PARTNER_ADMIN, Role.LEAD, Role.ADMIN}
    assert set(ADMIN_ROLES) == {Role.LEAD, Role.ADMIN}


def test_can_see_managed_record_whatever_the_case_of_the_viewer_email() -> None:
    assert can_see_practitioner(viewer(Role.MANAGER, email="Pat.Kerr@Example.org"), 61, 2, VIEWER_EMAIL) is True


# ---------------------------------------------------------------- fields that decide access

# (editor role, sign-in role, sign-in organisation, record organisation) → refused?
CLAIMS = [
    (Role.PARTNER_ADMIN, Role.PRACTITIONER, VIEWER_ORG, VIEWER_ORG, False),
    (Role.PARTNER_ADMIN, Role.MANAGER, VIEWER_ORG, VIEWER_ORG, False),
    (Role.PARTNER_ADMIN, Role.PARTNER_ADMIN, VIEWER_ORG, VIEWER_ORG, False),
    (Role.PARTNER_ADMIN, Role.PRACTITIONER, OTHER_ORG, VIEWER_ORG, True),
    (Role.PARTNER_ADMIN, Role.PARTNER_ADMIN, OTHER_ORG, VIEWER_ORG, True),
    (Role.PARTNER_ADMIN, Role.PRACTITIONER, VIEWER_ORG, OTHER_ORG, True),
    (Role.PARTNER_ADMIN, Role.LEAD, VIEWER_ORG, VIEWER_ORG, True),
    (Role.PARTNER_ADMIN, Role.ADMIN, VIEWER_ORG, VIEWER_ORG, True),
    (Role.LEAD, Role.PARTNER_ADMIN, OTHER_ORG, VIEWER_ORG, False),
    (Role.LEAD, Role.LEAD, OTHER_ORG, OTHER_ORG, False),
    (Role.LEAD, Role.ADMIN, OTHER_ORG, OTHER_ORG, True),
    (Role.ADMIN, Role.ADMIN, OTHER_ORG, OTHER_ORG, False),
    (Role.ADMIN, Role.LEAD, THIRD_ORG, OTHER_ORG, False),
]


@pytest.mark.parametrize(("editor", "user_role", "user_org", "record_org", "refused"), CLAIMS)
def test_sign_in_claim(editor: Role, user_role: Role, user_org: int, record_org: int, refused: bool) -> None:
    problem = sign_in_claim_problem(viewer(editor), user_role.value, user_org, record_org)
    assert (problem is not None) is refused


def test_role_rank_orders_every_role() -> None:
    assert sorted(ROLE_RANK, key=ROLE_RANK.__getitem__) == [
        Role.PRACTITIONER, Role.MANAGER, Role.PARTNER_ADMIN, Role.LEAD, Role.ADMIN
    ]  # fmt: skip


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_nobody_names_themselves_line_manager(role: Role) -> None:
    assert manager_problem(viewer(role), VIEWER_EMAIL) is not None
    assert manager_problem(viewer(role), "PAT.KERR@example.org") is not None
    assert manager_problem(viewer(role), "graham@example.org") is None
    assert manager_problem(viewer(role), None) is None


# ---------------------------------------------------------------- tokens


def test_hash_token_is_sha256_hex() -> None:
    assert hash_token("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert hash_token("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@given(st.text())
def test_hash_token_matches_hashlib(token: str) -> None:
    digest = hash_token(token)
    assert digest == hashlib.sha256(token.encode()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert hash_token(token) == digest


def test_hash_token_differs_for_different_tokens() -> None:
    assert hash_token("token-a") != hash_token("token-b")
    assert hash_token("Token") != hash_token("token")


def test_new_token_is_long_url_safe_and_unique() -> None:
    tokens = [new_token() for _ in range(200)]
    assert len(set(tokens)) == len(tokens)
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token), token
