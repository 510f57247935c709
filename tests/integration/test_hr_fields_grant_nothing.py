"""Editing the HR fields that decide access never grants anyone more than their role allows (issue 10, points
1-4): each reproduction of the probe is run exactly, through the API, as the attacker would."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import AsyncTestClient

from registry import clock
from registry.accounts import service as accounts
from registry.accounts.rules import Role, Viewer
from registry.accounts.tables import User
from registry.cli_viewer import COMMAND_LINE
from registry.db import is_integrity_error
from registry.errors import Invalid
from registry.learning import service as learning
from registry.notify.tables import OutboxMessage
from registry.people import service as people
from registry.people.tables import EmailChange, Practitioner
from tests.integration.test_sign_in import sign_in
from tests.support import PASSWORD, Alliance, bearer

Client = AsyncTestClient  # type: ignore[type-arg]
ATTACKER = "mallory@example.org"
"""An address the partner admin controls."""


async def _mail_to(address: str) -> list[dict[str, str]]:
    return list(
        await OutboxMessage.select(OutboxMessage.subject, OutboxMessage.body_text).where(
            OutboxMessage.to_email == address
        )
    )


def _admin_dcc(alliance: Alliance) -> Viewer:
    return Viewer(0, "admin.dcc@example.org", "Admin", Role.PARTNER_ADMIN, alliance.organisation_ids["DCC"])


async def _give_ross_learning() -> None:
    """Ross has no sign-in, but a learning record with a reflection (loaded by the lead)."""
    csv = "email,completed_on,title,kind,hours,competences,protected_time,reflection\n"
    csv += "ross@example.org,2026-01-10,ESOL network day,event,5,C3,yes,Private thoughts about my group\n"
    await learning.import_learning(COMMAND_LINE, csv)


# ---------------------------------------------------------------- 1. no take-over by changing an email


async def test_a_partner_admin_cannot_take_over_a_record_by_changing_its_email(
    client: Client, alliance: Alliance
) -> None:
    await _give_ross_learning()
    ross = alliance.practitioner_ids["ross@example.org"]
    admin_dcc = bearer(alliance.tokens["partner_admin"])
    response = await client.patch(f"/api/v1/practitioners/{ross}", json={"email": ATTACKER}, headers=admin_dcc)
    assert response.status_code == 200
    assert response.json()["email"] == "ross@example.org"  # nothing changed yet
    assert response.json()["pending_email"] == ATTACKER
    invited = await client.post(f"/api/v1/practitioners/{ross}/invite", headers=admin_dcc)
    assert invited.status_code == 202
    # The set-password link went to Ross's own address; the attacker's address only heard a change is pending.
    to_attacker = await _mail_to(ATTACKER)
    assert [m["subject"] for m in to_attacker] == ["A change of email address is pending"]
    assert not any("/set-password/" in m["body_text"] or "/email-change/" in m["body_text"] for m in to_attacker)
    to_ross = await _mail_to("ross@example.org")
    assert any("/set-password/" in m["body_text"] for m in to_ross)
    assert any("/email-change/" in m["body_text"] for m in to_ross)
    assert not await User.exists().where(User.email == ATTACKER)
    # The partner admin who asked cannot confirm it, nor can the lead; a reset for the new address sends nothing.
    for role in ("partner_admin", "lead"):
        refused = await client.post(
            f"/api/v1/practitioners/{ross}/email-change/confirm", headers=bearer(alliance.tokens[role])
        )
        assert refused.status_code == 403, role
        assert refused.json()["detail"]
    assert (await client.get(f"/api/v1/practitioners/{ross}", headers=admin_dcc)).json()["email"] == "ross@example.org"


async def test_an_admin_who_did_not_ask_confirms_and_the_sign_in_follows_by_id(
    client: Client, alliance: Alliance
) -> None:
    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    token = alliance.tokens["practitioner"]
    await client.patch(
        f"/api/v1/practitioners/{eilidh}",
        json={"email": "eilidh.morrison@example.org"},
        headers=bearer(alliance.tokens["partner_admin"]),
    )
    confirmed = await client.post(
        f"/api/v1/practitioners/{eilidh}/email-change/confirm", headers=bearer(alliance.tokens["admin"])
    )
    assert confirmed.status_code == 200
    assert confirmed.json()["email"] == "eilidh.morrison@example.org"
    assert confirmed.json()["pending_email"] is None
    # Her sign-in is tied to the record by id: her token still reaches her record, and her sign-in moved.
    own = await client.get(f"/api/v1/practitioners/{eilidh}", headers=bearer(token))
    assert own.status_code == 200
    user = await User.select(User.email, User.practitioner).where(User.practitioner == eilidh).first()
    assert user == {"email": "eilidh.morrison@example.org", "practitioner": eilidh}
    # A new record with her old address is nobody's: her sign-in does not drift to it.
    created = await client.post(
        "/api/v1/practitioners",
        json={"email": "eilidh@example.org", "given_name": "Other", "family_name": "Person", "organisation": "DCC",
              "contract": "full_time", "weekly_hours": 35, "started_on": "2026-01-05"},
        headers=bearer(alliance.tokens["partner_admin"]),
    )  # fmt: skip
    assert created.status_code == 201
    assert (await client.get(f"/api/v1/practitioners/{created.json()['id']}", headers=bearer(token))).status_code == 404
    listed = await client.get("/api/v1/practitioners", headers=bearer(token))
    assert [p["id"] for p in listed.json()["items"]] == [eilidh]
    change = await EmailChange.select(EmailChange.state, EmailChange.decided_how, EmailChange.requested_by_email).first()
    assert change == {"state": "confirmed", "decided_how": "admin", "requested_by_email": "admin.dcc@example.org"}


async def test_an_admin_cannot_confirm_a_change_they_asked_for(client: Client, alliance: Alliance) -> None:
    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    admin = bearer(alliance.tokens["admin"])
    await client.patch(f"/api/v1/practitioners/{eilidh}", json={"email": ATTACKER}, headers=admin)
    refused = await client.post(f"/api/v1/practitioners/{eilidh}/email-change/confirm", headers=admin)
    assert refused.status_code == 403
    # ...but may withdraw it; then nothing waits any more.
    assert (await client.post(f"/api/v1/practitioners/{eilidh}/email-change/decline", headers=admin)).status_code == 200
    again = await client.post(f"/api/v1/practitioners/{eilidh}/email-change/decline", headers=admin)
    assert again.status_code == 404


async def test_the_person_confirms_signed_in_or_from_the_link_sent_to_the_old_address(
    client: Client, alliance: Alliance
) -> None:
    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    admin_dcc = bearer(alliance.tokens["partner_admin"])
    await client.patch(f"/api/v1/practitioners/{eilidh}", json={"email": "eilidh.m@example.org"}, headers=admin_dcc)
    mail = next(m for m in await _mail_to("eilidh@example.org") if "/email-change/" in m["body_text"])
    link = re.search(r"/email-change/[A-Za-z0-9_-]+", mail["body_text"])
    assert link is not None
    page = await client.get(link.group(0))
    assert page.status_code == 200
    assert "eilidh.m@example.org" in page.text
    assert (await Practitioner.select(Practitioner.email).where(Practitioner.id == eilidh).first()) == {
        "email": "eilidh@example.org"
    }  # looking at the link changes nothing
    done = await client.post(
        link.group(0), data={"decision": "confirm", "_csrf_token": client.cookies["csrftoken"]}
    )
    assert done.status_code == 200
    assert "Your new address is confirmed" in done.text
    assert (await Practitioner.select(Practitioner.email).where(Practitioner.id == eilidh).first()) == {
        "email": "eilidh.m@example.org"
    }
    assert (await client.get(link.group(0))).text.count("This link cannot be used") == 1
    # Signed in as herself (her sign-in now uses the new address), she confirms the next change on her page.
    await client.patch(f"/api/v1/practitioners/{eilidh}", json={"email": "e.morrison@example.org"}, headers=admin_dcc)
    await sign_in(client, "eilidh.m@example.org")
    page = await client.get(f"/practitioners/{eilidh}")
    assert 'data-testid="pending-email"' in page.text
    assert 'data-testid="confirm-email-change"' in page.text
    decided = await client.post(
        f"/practitioners/{eilidh}/email-change",
        data={"decision": "confirm", "_csrf_token": client.cookies["csrftoken"]},
        follow_redirects=False,
    )
    assert decided.status_code in {302, 303}
    assert (await Practitioner.select(Practitioner.email).where(Practitioner.id == eilidh).first()) == {
        "email": "e.morrison@example.org"
    }


async def test_a_record_without_sign_in_or_learning_changes_at_once(client: Client, alliance: Alliance) -> None:
    amira = alliance.practitioner_ids["amira@example.org"]
    response = await client.patch(
        f"/api/v1/practitioners/{amira}", json={"email": "amira.malik@example.org"},
        headers=bearer(alliance.tokens["lead"]),
    )  # fmt: skip
    assert response.json()["email"] == "amira.malik@example.org"
    assert response.json()["pending_email"] is None


async def test_a_manager_changing_address_keeps_their_team(client: Client, alliance: Alliance) -> None:
    graham = alliance.practitioner_ids["graham@example.org"]
    await client.patch(
        f"/api/v1/practitioners/{graham}", json={"email": "graham.baxter@example.org"},
        headers=bearer(alliance.tokens["lead"]),
    )  # fmt: skip
    await client.post(f"/api/v1/practitioners/{graham}/email-change/confirm", headers=bearer(alliance.tokens["admin"]))
    team = await client.get("/api/v1/practitioners", headers=bearer(alliance.tokens["manager"]))
    assert {p["email"] for p in team.json()["items"]} >= {"eilidh@example.org", "ross@example.org"}
    assert {p["manager_email"] for p in team.json()["items"] if p["id"] != graham} == {"graham.baxter@example.org"}


# ---------------------------------------------------------------- 2. no reflections by naming yourself manager


@pytest.mark.parametrize("role", ["partner_admin", "lead", "admin"])
async def test_nobody_makes_themselves_line_manager(client: Client, alliance: Alliance, role: str) -> None:
    own_address = {"partner_admin": "admin.dcc@example.org", "lead": "lead@example.org", "admin": "admin@example.org"}
    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    response = await client.patch(
        f"/api/v1/practitioners/{eilidh}", json={"manager_email": own_address[role]},
        headers=bearer(alliance.tokens[role]),
    )  # fmt: skip
    assert response.status_code == 400
    assert "line manager" in response.json()["detail"]
    record = await Practitioner.select(Practitioner.manager_email).where(Practitioner.id == eilidh).first()
    assert record == {"manager_email": "graham@example.org"}


async def test_a_new_manager_reads_reflections_from_the_day_they_took_over(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    mine = bearer(alliance.tokens["practitioner"])
    old = await client.post(
        f"/api/v1/practitioners/{eilidh}/learning",
        json={"title": "Before", "kind": "course", "completed_on": "2026-01-10", "hours": 3, "competences": ["C2"],
              "reflection": "Written for Graham"},
        headers=mine,
    )  # fmt: skip
    assert old.status_code == 201
    # The next day a lead names a new line manager, who has a sign-in.
    tomorrow = clock.now() + timedelta(days=1)
    monkeypatch.setattr(clock, "now", lambda: tomorrow)
    monkeypatch.setattr(clock, "today", lambda: tomorrow.astimezone(UTC).date())
    await accounts.create_user("new.manager@example.org", "Nia Manager", "manager")
    new_manager = bearer(await accounts.create_api_token("new.manager@example.org"))
    changed = await client.patch(
        f"/api/v1/practitioners/{eilidh}", json={"manager_email": "new.manager@example.org"},
        headers=bearer(alliance.tokens["lead"]),
    )  # fmt: skip
    assert changed.status_code == 200
    told = await _mail_to("eilidh@example.org")
    assert any(m["subject"] == "Your line manager has changed" and "new.manager@example.org" in m["body_text"] for m in told)
    new = await client.post(
        f"/api/v1/practitioners/{eilidh}/learning",
        json={"title": "After", "kind": "course", "completed_on": "2026-01-12", "hours": 2, "competences": ["C3"],
              "reflection": "Written for Nia"},
        headers=mine,
    )  # fmt: skip
    seen = await client.get(f"/api/v1/practitioners/{eilidh}/learning", headers=new_manager)
    reflections = {r["title"]: r["reflection"] for r in seen.json()["items"]}
    assert reflections == {"Before": None, "After": "Written for Nia"}
    # The earlier one opens when Eilidh asks her new manager to verify it.
    asked = await client.post(
        f"/api/v1/practitioners/{eilidh}/learning/{old.json()['id']}/verification-request",
        json={"verifier_email": "new.manager@example.org"}, headers=mine,
    )  # fmt: skip
    assert asked.status_code == 201, asked.text
    record = await client.get(f"/api/v1/practitioners/{eilidh}/learning/{old.json()['id']}", headers=new_manager)
    assert record.json()["reflection"] == "Written for Graham"
    history = await client.get(f"/api/v1/practitioners/{eilidh}/line-managers", headers=mine)
    assert [(h["manager_email"], h["from_on"]) for h in history.json()] == [
        ("new.manager@example.org", tomorrow.astimezone(UTC).date().isoformat()),
        ("graham@example.org", "2020-02-03"),
    ]
    assert new.status_code == 201


async def test_an_import_cannot_name_the_importer_line_manager(alliance: Alliance) -> None:
    csv = (
        "email,given_name,family_name,organisation,contract,weekly_hours,started_on,manager_email\n"
        "ross@example.org,Ross,Walker,DCC,sessional,6,2022-09-01,admin.dcc@example.org\n"
    )
    with pytest.raises(Invalid) as refused:
        await people.import_practitioners(_admin_dcc(alliance), csv)
    assert refused.value.lines[0].startswith("line 2: manager_email: you cannot make yourself")
    ross = await Practitioner.select(Practitioner.manager_email).where(Practitioner.email == "ross@example.org").first()
    assert ross == {"manager_email": "graham@example.org"}


# ---------------------------------------------------------------- 3. no lock-out of leads and admins


@pytest.mark.parametrize("victim", ["lead", "admin"])
async def test_a_partner_admin_cannot_lock_out_a_lead_or_an_admin(client: Client, alliance: Alliance, victim: str) -> None:
    address = f"{victim}@example.org"
    response = await client.post(
        "/api/v1/practitioners",
        json={"email": address, "given_name": "Locked", "family_name": "Out", "organisation": "DCC",
              "contract": "full_time", "weekly_hours": 35, "started_on": "2020-01-01", "left_on": "2024-01-01"},
        headers=bearer(alliance.tokens["partner_admin"]),
    )  # fmt: skip
    assert response.status_code == 400
    assert "role above yours" in response.json()["detail"]
    assert not await Practitioner.exists().where(Practitioner.email == address)
    assert (await client.get("/api/v1/organisations", headers=bearer(alliance.tokens[victim]))).status_code == 200
    assert (await sign_in(client, address, PASSWORD)).status_code in {302, 303}


async def test_a_partner_admin_cannot_import_a_sign_in_of_another_organisation(alliance: Alliance) -> None:
    await accounts.create_user("fife.admin@example.org", "Fife Admin", "partner_admin", "FIFE")
    admin_dcc = _admin_dcc(alliance)
    csv = (
        "email,given_name,family_name,organisation,contract,weekly_hours,started_on,left_on\n"
        "fife.admin@example.org,Fiona,Admin,DCC,full_time,35,2020-01-01,2024-01-01\n"
        "LEAD@example.org,Lee,Lead,DCC,full_time,35,2020-01-01,2024-01-01\n"
    )
    with pytest.raises(Invalid) as refused:
        await people.import_practitioners(admin_dcc, csv)
    assert refused.value.lines == [
        "line 2: email: that email belongs to a sign-in of another organisation",
        "line 3: email: that email belongs to a sign-in with a role above yours; ask an admin",
    ]
    assert not await Practitioner.exists().where(Practitioner.email.is_in(["fife.admin@example.org", "lead@example.org"]))


async def test_a_partner_admin_cannot_mark_a_higher_role_as_a_leaver(client: Client, alliance: Alliance) -> None:
    """The lead is also a practitioner of DCC (added by an admin): DCC's partner admin cannot end their sign-in."""
    created = await client.post(
        "/api/v1/practitioners",
        json={"email": "lead@example.org", "given_name": "Lee", "family_name": "Lead", "organisation": "DCC",
              "contract": "full_time", "weekly_hours": 35, "started_on": "2020-01-01"},
        headers=bearer(alliance.tokens["admin"]),
    )  # fmt: skip
    assert created.status_code == 201
    refused = await client.patch(
        f"/api/v1/practitioners/{created.json()['id']}", json={"left_on": "2024-01-01"},
        headers=bearer(alliance.tokens["partner_admin"]),
    )  # fmt: skip
    assert refused.status_code == 400
    assert (await client.get("/api/v1/organisations", headers=bearer(alliance.tokens["lead"]))).status_code == 200


async def test_the_leaver_rule_ends_only_the_sign_in_tied_to_the_record(client: Client, alliance: Alliance) -> None:
    """Eilidh moves to a new address; a leaver's record later created with her old one ends nothing of hers."""
    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    await client.patch(
        f"/api/v1/practitioners/{eilidh}", json={"email": "eilidh.m@example.org"},
        headers=bearer(alliance.tokens["lead"]),
    )  # fmt: skip
    await client.post(f"/api/v1/practitioners/{eilidh}/email-change/confirm", headers=bearer(alliance.tokens["admin"]))
    created = await client.post(
        "/api/v1/practitioners",
        json={"email": "eilidh@example.org", "given_name": "Old", "family_name": "Address", "organisation": "DCC",
              "contract": "full_time", "weekly_hours": 35, "started_on": "2019-01-01", "left_on": "2024-01-01"},
        headers=bearer(alliance.tokens["lead"]),
    )  # fmt: skip
    assert created.status_code == 201
    assert (await client.get("/api/v1/organisations", headers=bearer(alliance.tokens["practitioner"]))).status_code == 200
    assert (await sign_in(client, "eilidh.m@example.org", PASSWORD)).status_code in {302, 303}


# ---------------------------------------------------------------- 4. emails are one identity whatever their case


async def test_a_mixed_case_email_is_stored_lower_case(client: Client, alliance: Alliance) -> None:
    amira = alliance.practitioner_ids["amira@example.org"]
    response = await client.patch(
        f"/api/v1/practitioners/{amira}", json={"email": "Amira.Malik@Example.org"},
        headers=bearer(alliance.tokens["lead"]),
    )  # fmt: skip
    assert response.json()["email"] == "amira.malik@example.org"
    duplicate = await client.post(
        "/api/v1/practitioners",
        json={"email": "AMIRA.MALIK@example.org", "given_name": "A", "family_name": "M", "organisation": "FIFE",
              "contract": "full_time", "weekly_hours": 35, "started_on": "2026-01-05"},
        headers=bearer(alliance.tokens["lead"]),
    )  # fmt: skip
    assert duplicate.status_code == 409


async def test_eilidh_keeps_her_lists_when_her_address_is_typed_in_capitals(client: Client, alliance: Alliance) -> None:
    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    response = await client.patch(
        f"/api/v1/practitioners/{eilidh}", json={"email": "Eilidh@Example.org"}, headers=bearer(alliance.tokens["lead"])
    )
    assert response.status_code == 200
    assert response.json()["email"] == "eilidh@example.org"
    assert response.json()["pending_email"] is None  # the same address: nothing to confirm
    mine = await client.get("/api/v1/practitioners", headers=bearer(alliance.tokens["practitioner"]))
    assert [p["id"] for p in mine.json()["items"]] == [eilidh]


async def test_the_database_refuses_the_same_address_in_another_case() -> None:
    now = datetime.now(UTC)
    from registry.people.tables import Organisation

    org = await Organisation.insert(Organisation(code="X", name="X", kind="other", created_at=now)).returning(
        Organisation.id
    )
    row = {"given_name": "A", "family_name": "B", "organisation": org[0]["id"], "contract": "full_time",
           "weekly_hours": 35, "started_on": now.date(), "created_at": now, "updated_at": now}  # fmt: skip
    await Practitioner.insert(Practitioner(email="case@example.org", **row))
    with pytest.raises(Exception) as clash:  # noqa: PT011 - the engine's own integrity error
        await Practitioner.insert(Practitioner(email="CASE@example.org", **row))
    assert is_integrity_error(clash.value)
    await User.insert(User(email="user@example.org", name="U", role="practitioner", created_at=now))
    with pytest.raises(Exception) as clash:  # noqa: PT011
        await User.insert(User(email="User@Example.org", name="U", role="practitioner", created_at=now))
    assert is_integrity_error(clash.value)


async def test_the_command_line_and_imports_normalise_addresses(alliance: Alliance) -> None:
    await accounts.create_user("  Nia.Manager@Example.ORG ", "Nia", "manager")
    assert await User.exists().where(User.email == "nia.manager@example.org")
    csv = (
        "email,given_name,family_name,organisation,contract,weekly_hours,started_on,manager_email\n"
        "ROSS@Example.org,Ross,Walker,DCC,sessional,8,2022-09-01,Graham@Example.org\n"
    )
    result = await people.import_practitioners(COMMAND_LINE, csv)
    assert (result.created, result.updated) == (0, 1)
    ross = await Practitioner.select(Practitioner.weekly_hours, Practitioner.manager_email).where(
        Practitioner.email == "ross@example.org"
    ).first()
    assert ross == {"weekly_hours": 8, "manager_email": "graham@example.org"}
