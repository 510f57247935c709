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
    ROLES,
    Role,
    Scope,
    Viewer,
    can_edit_practitioner,
    can_see_practitioner,
    hash_token,
    new_token,
    practitioner_scope,
)

VIEWER_EMAIL = "pat.kerr@example.org"
VIEWER_ORG = 1
OTHER_ORG = 2
THIRD_ORG = 3


def viewer(role: Role, organisation_id: int | None = VIEWER_ORG, email: str = VIEWER_EMAIL) -> Viewer:
    return Viewer(user_id=7, email=email, name="Pat Kerr", role=role, organisation_id=organisation_id)


# relation → (record email, record organisation, record manager_email). Each relation is kept apart from the
# others (e.g. the own record sits in another organisation) so that exactly one rule can make it visible.
RELATIONS: dict[str, tuple[str, int, str | None]] = {
    "own": (VIEWER_EMAIL, OTHER_ORG, None),
    "own, record email in capitals": ("PAT.KERR@EXAMPLE.ORG", OTHER_ORG, None),
    "own, record email mixed case": ("Pat.Kerr@Example.org", OTHER_ORG, "someone@example.org"),
    "managed": ("team.member@example.org", OTHER_ORG, VIEWER_EMAIL),
    "managed, manager email mixed case": ("team.member@example.org", OTHER_ORG, "Pat.Kerr@EXAMPLE.org"),
    "same organisation": ("colleague@example.org", VIEWER_ORG, "boss@example.org"),
    "same organisation, no manager": ("colleague@example.org", VIEWER_ORG, None),
    "other organisation": ("stranger@example.org", OTHER_ORG, "boss@example.org"),
    "unrelated": ("nobody@example.org", THIRD_ORG, None),
    "similar email only": ("pat.kerr@example.org.uk", OTHER_ORG, "xpat.kerr@example.org"),
}

OWN = {"own", "own, record email in capitals", "own, record email mixed case"}
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
    email, organisation_id, manager_email = RELATIONS[relation]
    expected = relation in VISIBLE[role]
    assert can_see_practitioner(viewer(role), email, organisation_id, manager_email) is expected


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("relation", list(RELATIONS))
def test_can_see_practitioner_viewer_without_organisation(role: Role, relation: str) -> None:
    """Without an organisation a partner admin sees only themselves; lead and admin still see everything."""
    email, organisation_id, manager_email = RELATIONS[relation]
    expected = relation in (VISIBLE[role] if role in {Role.LEAD, Role.ADMIN} else VISIBLE[role] - SAME_ORG)
    assert can_see_practitioner(viewer(role, organisation_id=None), email, organisation_id, manager_email) is expected


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_every_role_sees_the_team_they_line_manage(role: Role) -> None:
    assert can_see_practitioner(viewer(role), "team.member@example.org", OTHER_ORG, VIEWER_EMAIL) is True
    assert can_see_practitioner(viewer(role), "team.member@example.org", OTHER_ORG, "someone.else@example.org") is (
        role in {Role.LEAD, Role.ADMIN}
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.PRACTITIONER, Scope(own_email=VIEWER_EMAIL, managed_by=VIEWER_EMAIL)),
        (Role.MANAGER, Scope(own_email=VIEWER_EMAIL, managed_by=VIEWER_EMAIL)),
        (Role.PARTNER_ADMIN, Scope(own_email=VIEWER_EMAIL, managed_by=VIEWER_EMAIL, organisation_id=VIEWER_ORG)),
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
    assert scope == Scope(own_email=VIEWER_EMAIL, managed_by=VIEWER_EMAIL)


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


@pytest.mark.parametrize(
    ("role", "record"),
    [
        (Role.PRACTITIONER, ("pat.kerr@example.org", OTHER_ORG, None)),
        (Role.MANAGER, ("t@example.org", 2, VIEWER_EMAIL)),
    ],
    ids=["own record", "managed record"],
)
def test_can_see_practitioner_viewer_email_with_capitals(role: Role, record: tuple[str, int, str | None]) -> None:
    assert can_see_practitioner(viewer(role, email="Pat.Kerr@Example.org"), *record) is True


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
