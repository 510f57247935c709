"""Registration is confirmed, not just claimed (issue 10, point 5).

Recording your own status ``registered`` with no membership number answered 201 and at once made you a
verifier of others' learning. Now a claim needs the number and counts (as the status today, in the people
list, for verification) only once a partner admin of the practitioner's organisation, a lead or an admin
confirms it; rejecting gives a reason; the practitioner is told by mail either way.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from registry import clock
from registry.accounts import service as accounts
from registry.accounts.rules import Role, Viewer
from registry.accounts.tables import User
from registry.learning.tables import LearningRecord
from registry.notify.tables import OutboxMessage
from registry.people import service as people
from registry.registration import service as registration
from registry.registration.schemas import RegistrationChangeIn
from registry.registration.tables import CldscRegistration
from registry.web.pages import PER_PAGE
from tests.integration.test_sign_in import sign_in
from tests.support import PASSWORD, Alliance, as_viewer, bearer

Client = AsyncTestClient  # type: ignore[type-arg]
TODAY = date(2026, 11, 22)
CLAIM = {"status": "registered", "effective_from": "2026-11-01", "membership_number": "CLDSC30003"}
RECORD = {"title": "Group work in youth clubs", "kind": "course", "completed_on": "2026-10-05", "hours": 3,
          "competences": ["C2"], "reflection": "I plan sessions with the young people now."}  # fmt: skip


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


async def _sign_in_for(email: str, role: str, organisation: str | None = None) -> str:
    """A sign-in (with the test password) and an API token for someone the test alliance has no sign-in for."""
    await accounts.create_user(email, email.split("@")[0].title(), role, organisation)
    known = await User.select(User.password_hash).where(User.email == "eilidh@example.org").first()
    assert known is not None
    await User.update({User.password_hash: known["password_hash"]}).where(User.email == email)
    return await accounts.create_api_token(email, "tests")


@pytest.fixture
async def ross(alliance: Alliance) -> str:
    """Ross Walker (DCC, not registered) signs in as a practitioner."""
    return await _sign_in_for("ross@example.org", "practitioner")


def url(alliance: Alliance, email: str) -> str:
    return f"/api/v1/practitioners/{alliance.practitioner_ids[email]}/registration"


async def _claim(client: Client, alliance: Alliance, token: str, email: str = "ross@example.org") -> Any:
    return await client.post(url(alliance, email), json=CLAIM, headers=bearer(token))


async def _claim_id(client: Client, alliance: Alliance, token: str, email: str = "ross@example.org") -> int:
    response = await _claim(client, alliance, token, email)
    assert response.status_code == 201, response.text
    [claim] = response.json()["awaiting_confirmation"]
    return int(claim["id"])


async def _ask_ross_to_verify(client: Client, alliance: Alliance) -> Any:
    """Eilidh asks Ross (not her line manager) to verify a learning record of hers."""
    eilidh = bearer(alliance.tokens["practitioner"])
    learning = f"/api/v1/practitioners/{alliance.practitioner_ids['eilidh@example.org']}/learning"
    record = await client.post(learning, json=RECORD, headers=eilidh)
    assert record.status_code == 201, record.text
    return await client.post(
        f"{learning}/{record.json()['id']}/verification-request",
        json={"verifier_email": "ross@example.org"},
        headers=eilidh,
    )


async def _mail_to(email: str) -> list[dict[str, Any]]:
    return list(await OutboxMessage.select().where(OutboxMessage.to_email == email).order_by(OutboxMessage.id))


# ---------------------------------------------------------------- the claim


async def test_a_claim_without_the_membership_number_is_refused(client: Client, alliance: Alliance, ross: str) -> None:
    for number in (None, "", "   "):
        response = await client.post(
            url(alliance, "ross@example.org"),
            json={**CLAIM, "membership_number": number},
            headers=bearer(ross),
        )
        assert response.status_code == 400, response.text
        assert "membership_number:" in response.json()["detail"]
    # A line manager's claim for their team member needs it too.
    graham = await client.post(
        url(alliance, "ross@example.org"),
        json={"status": "associate", "effective_from": "2026-11-01"},
        headers=bearer(alliance.tokens["manager"]),
    )
    assert graham.status_code == 400
    assert "membership_number:" in graham.json()["detail"]
    assert not await CldscRegistration.exists().where(
        CldscRegistration.practitioner == alliance.practitioner_ids["ross@example.org"]
    )


async def test_a_claim_does_not_count_until_confirmed(client: Client, alliance: Alliance, ross: str) -> None:
    response = await _claim(client, alliance, ross)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["status_today"], body["membership_number"], body["renewal_due"]) == ("none", None, None)
    [claim] = body["awaiting_confirmation"]
    assert (claim["status"], claim["membership_number"], claim["state"]) == ("registered", "CLDSC30003", "pending")
    assert (claim["decided_by_email"], claim["decided_at"]) == (None, None)
    assert body["history"] == [claim]
    # Not the status today anywhere: the record, the filtered list...
    lead = bearer(alliance.tokens["lead"])
    pid = alliance.practitioner_ids["ross@example.org"]
    assert (await client.get(f"/api/v1/practitioners/{pid}", headers=lead)).json()["cldsc_status"] == "none"
    registered = (await client.get("/api/v1/practitioners?cldsc_status=registered", headers=lead)).json()
    assert pid not in [p["id"] for p in registered["items"]]
    not_registered = (await client.get("/api/v1/practitioners?cldsc_status=none", headers=lead)).json()
    assert pid in [p["id"] for p in not_registered["items"]]
    # ...and Ross cannot verify anyone's learning on the strength of it.
    asked = await _ask_ross_to_verify(client, alliance)
    assert asked.status_code == 400
    assert "verifier_email:" in asked.json()["detail"]
    assert not await LearningRecord.exists().where(LearningRecord.verifier_email == "ross@example.org")


async def test_the_same_claim_twice_is_one_claim(client: Client, alliance: Alliance, ross: str) -> None:
    first = await _claim_id(client, alliance, ross)
    assert await _claim_id(client, alliance, ross) == first
    assert await CldscRegistration.count().where(CldscRegistration.state == "pending") == 1


async def test_changes_recorded_by_leads_count_at_once(client: Client, alliance: Alliance) -> None:
    body = (
        await client.post(url(alliance, "ross@example.org"), json=CLAIM, headers=bearer(alliance.tokens["lead"]))
    ).json()
    assert body["status_today"] == "registered"
    assert body["awaiting_confirmation"] == []
    [change] = body["history"]
    assert (change["state"], change["decided_by_email"]) == ("confirmed", "lead@example.org")
    assert change["decided_at"] == change["recorded_at"]


async def test_statuses_that_give_nothing_count_at_once(client: Client, alliance: Alliance) -> None:
    """Applying, lapsing or withdrawing makes nobody a verifier, so the practitioner records it alone."""
    body = (
        await client.post(
            url(alliance, "eilidh@example.org"),
            json={"status": "withdrawn", "effective_from": "2026-11-20"},
            headers=bearer(alliance.tokens["practitioner"]),
        )
    ).json()
    assert body["status_today"] == "withdrawn"
    assert body["awaiting_confirmation"] == []


# ---------------------------------------------------------------- confirming and rejecting


async def test_the_partner_admin_of_the_organisation_confirms_and_the_practitioner_is_told(
    client: Client, alliance: Alliance, ross: str
) -> None:
    change_id = await _claim_id(client, alliance, ross)
    before = clock.now()
    confirmed = await client.post(
        f"{url(alliance, 'ross@example.org')}/{change_id}/confirm", headers=bearer(alliance.tokens["partner_admin"])
    )
    assert confirmed.status_code == 201, confirmed.text
    body = confirmed.json()
    assert (body["status_today"], body["category"], body["membership_number"]) == (
        "registered",
        "registered_member",
        "CLDSC30003",
    )
    assert body["renewal_due"] == "2029-11-01"
    assert body["awaiting_confirmation"] == []
    [change] = body["history"]
    assert (change["state"], change["decided_by_email"]) == ("confirmed", "admin.dcc@example.org")
    assert change["recorded_by_email"] == "ross@example.org"
    assert change["decided_at"] >= before.isoformat()[:19]
    # Now it counts: Ross can verify Eilidh's learning.
    asked = await _ask_ross_to_verify(client, alliance)
    assert asked.status_code == 201, asked.text
    [mail] = await _mail_to("ross@example.org")
    assert mail["subject"] == "Your CLDSC registration has been confirmed"
    assert (
        "has confirmed your CLD Standards Council registration: registered member from 1 November 2026"
        in mail["body_text"]
    )
    assert "CLDSC30003" in mail["body_text"]
    assert f"/practitioners/{alliance.practitioner_ids['ross@example.org']}/registration" in mail["body_text"]
    # Once decided, it cannot be decided again.
    again = await client.post(
        f"{url(alliance, 'ross@example.org')}/{change_id}/reject",
        json={"reason": "Changed my mind"},
        headers=bearer(alliance.tokens["lead"]),
    )
    assert again.status_code == 409
    assert "not awaiting confirmation" in again.json()["detail"]
    assert len(await _mail_to("ross@example.org")) == 1


async def test_a_rejected_claim_never_counts_and_the_practitioner_is_told_why(
    client: Client, alliance: Alliance, ross: str
) -> None:
    change_id = await _claim_id(client, alliance, ross)
    target = f"{url(alliance, 'ross@example.org')}/{change_id}"
    lead = bearer(alliance.tokens["lead"])
    for body in ({}, {"reason": ""}, {"reason": "  "}, {"reason": "x" * 501}, {"reason": "No", "extra": 1}):
        refused = await client.post(f"{target}/reject", json=body, headers=lead)
        assert refused.status_code == 400, body
    rejected = await client.post(f"{target}/reject", json={"reason": "CLDSC30003 is not on the register"}, headers=lead)
    assert rejected.status_code == 201, rejected.text
    body = rejected.json()
    assert body["status_today"] == "none"
    assert body["awaiting_confirmation"] == []
    [change] = body["history"]
    assert (change["state"], change["decided_by_email"], change["decision_note"]) == (
        "rejected",
        "lead@example.org",
        "CLDSC30003 is not on the register",
    )
    [mail] = await _mail_to("ross@example.org")
    assert mail["subject"] == "Your CLDSC registration change was not confirmed"
    assert "The reason given: CLDSC30003 is not on the register" in mail["body_text"]
    assert (await _ask_ross_to_verify(client, alliance)).status_code == 400
    assert (await client.post(f"{target}/confirm", headers=lead)).status_code == 409


async def test_a_partner_admin_of_another_organisation_cannot_confirm(
    client: Client, alliance: Alliance, ross: str
) -> None:
    change_id = await _claim_id(client, alliance, ross)
    fife = bearer(await _sign_in_for("admin.fife@example.org", "partner_admin", "FIFE"))
    target = f"{url(alliance, 'ross@example.org')}/{change_id}"
    confirmed = await client.post(f"{target}/confirm", headers=fife)
    rejected = await client.post(f"{target}/reject", json={"reason": "Not ours"}, headers=fife)
    missing = await client.post(f"{url(alliance, 'ross@example.org')}/999999/confirm", headers=fife)
    assert confirmed.status_code == rejected.status_code == missing.status_code == 404
    assert confirmed.json() == missing.json()  # not even confirmed to exist
    assert (await client.get("/api/v1/registration-claims", headers=fife)).json() == {"items": [], "total": 0}
    state = await CldscRegistration.select(CldscRegistration.state).where(CldscRegistration.id == change_id).first()
    assert state == {"state": "pending"}
    assert await _mail_to("ross@example.org") == []


async def test_a_change_is_confirmed_only_under_its_own_practitioner(
    client: Client, alliance: Alliance, ross: str
) -> None:
    change_id = await _claim_id(client, alliance, ross)
    elsewhere = await client.post(
        f"{url(alliance, 'eilidh@example.org')}/{change_id}/confirm", headers=bearer(alliance.tokens["lead"])
    )
    assert elsewhere.status_code == 404


@pytest.mark.parametrize("role", ["practitioner", "manager"])
async def test_practitioners_and_line_managers_do_not_confirm(
    client: Client, alliance: Alliance, ross: str, role: str
) -> None:
    change_id = await _claim_id(client, alliance, ross)
    response = await client.post(
        f"{url(alliance, 'ross@example.org')}/{change_id}/confirm", headers=bearer(alliance.tokens[role])
    )
    assert response.status_code == 403
    assert (await client.get("/api/v1/registration-claims", headers=bearer(alliance.tokens[role]))).status_code == 403


async def test_nobody_confirms_their_own_claim(client: Client, alliance: Alliance) -> None:
    """Amira is a practitioner and, here, an alliance lead too: her own claim waits for another lead."""
    amira = await _sign_in_for("amira@example.org", "lead")
    change_id = await _claim_id(client, alliance, amira, "amira@example.org")
    target = f"{url(alliance, 'amira@example.org')}/{change_id}"
    own = await client.post(f"{target}/confirm", headers=bearer(amira))
    assert own.status_code == 403
    assert "your own" in own.json()["detail"]
    assert (await client.post(f"{target}/reject", json={"reason": "x"}, headers=bearer(amira))).status_code == 403
    assert (await client.get("/api/v1/registration-claims", headers=bearer(amira))).json()["total"] == 0
    other_lead = await client.post(f"{target}/confirm", headers=bearer(alliance.tokens["lead"]))
    assert other_lead.status_code == 201
    assert other_lead.json()["status_today"] == "registered"


async def test_a_partner_admin_importing_their_own_row_makes_a_claim(client: Client, alliance: Alliance) -> None:
    """Neil (NHS Tayside) is a practitioner and his organisation's partner admin: his own HR row waits."""
    neil_token = await _sign_in_for("nhs@example.org", "partner_admin", "NHST")
    neil = Viewer(0, "nhs@example.org", "Neil", Role.PARTNER_ADMIN, alliance.organisation_ids["NHST"],
                  practitioner_id=alliance.practitioner_ids["nhs@example.org"])  # fmt: skip
    header = (
        "email,given_name,family_name,organisation,contract,weekly_hours,started_on,"
        "cldsc_status,cldsc_category_since,cldsc_number\n"
    )
    row = "nhs@example.org,Neil,Nicol,NHST,full_time,36,2021-01-04,registered,2026-11-01,CLDSC40004\n"
    await people.import_practitioners(neil, header + row)
    await people.import_practitioners(neil, header + row)  # the same file again adds no second claim
    pid = alliance.practitioner_ids["nhs@example.org"]
    got = (await client.get(url(alliance, "nhs@example.org"), headers=bearer(neil_token))).json()
    assert got["status_today"] == "applied"
    [claim] = got["awaiting_confirmation"]
    assert claim["recorded_by_email"] == "nhs@example.org"
    refused = await client.post(f"/api/v1/practitioners/{pid}/registration/{claim['id']}/confirm",
                                headers=bearer(neil_token))  # fmt: skip
    assert refused.status_code == 403
    # Importing someone else's row still counts at once.
    await people.import_practitioners(
        Viewer(0, "admin.dcc@example.org", "DCC", Role.PARTNER_ADMIN, alliance.organisation_ids["DCC"]),
        header + "ross@example.org,Ross,Walker,DCC,sessional,6,2022-09-01,associate,2026-11-01,CLDSC50005\n",
    )
    ross = (await client.get(url(alliance, "ross@example.org"), headers=bearer(alliance.tokens["lead"]))).json()
    assert (ross["status_today"], ross["awaiting_confirmation"]) == ("associate", [])


# ---------------------------------------------------------------- the queue


async def test_the_queue_shows_each_confirmer_their_scope_oldest_first(
    client: Client, alliance: Alliance, ross: str
) -> None:
    rosss = await _claim_id(client, alliance, ross)
    # Graham claims for Eilidh as her line manager; Amira (Fife) for herself.
    eilidhs = await _claim_id(client, alliance, alliance.tokens["manager"], "eilidh@example.org")
    amira = await _sign_in_for("amira@example.org", "practitioner")
    amiras = await _claim_id(client, alliance, amira, "amira@example.org")
    dcc = (await client.get("/api/v1/registration-claims", headers=bearer(alliance.tokens["partner_admin"]))).json()
    assert [c["id"] for c in dcc["items"]] == [rosss, eilidhs]
    assert dcc["total"] == 2
    first = dcc["items"][0]
    assert (first["given_name"], first["family_name"], first["organisation"], first["membership_number"]) == (
        "Ross",
        "Walker",
        "DCC",
        "CLDSC30003",
    )
    lead = bearer(alliance.tokens["lead"])
    everyone = (await client.get("/api/v1/registration-claims", headers=lead)).json()
    assert [c["id"] for c in everyone["items"]] == [rosss, eilidhs, amiras]
    page = (await client.get("/api/v1/registration-claims?limit=1&offset=1", headers=lead)).json()
    assert ([c["id"] for c in page["items"]], page["total"]) == ([eilidhs], 3)
    await client.post(f"{url(alliance, 'ross@example.org')}/{rosss}/confirm", headers=lead)
    after = (await client.get("/api/v1/registration-claims", headers=lead)).json()
    assert [c["id"] for c in after["items"]] == [eilidhs, amiras]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


async def test_the_queue_page_confirms_with_csrf_and_is_in_the_navigation(
    client: Client, alliance: Alliance, ross: str
) -> None:
    change_id = await _claim_id(client, alliance, ross)
    await sign_in(client, "admin.dcc@example.org")
    csrf = client.cookies["csrftoken"]
    home = await client.get("/")
    assert 'href="/registration-claims"' in home.text
    page = await client.get("/registration-claims")
    assert page.status_code == 200
    rows = re.findall(r'<tr class="govuk-table__row" data-testid="claim">(.*?)</tr>', page.text, re.S)
    assert len(rows) == 1
    assert "Ross Walker DCC Registered member from 1 November 2026 CLDSC30003 ross@example.org" in _text(rows[0])
    action = f"/practitioners/{alliance.practitioner_ids['ross@example.org']}/registration/{change_id}/confirm"
    assert f'action="{action}"' in rows[0]
    assert 'name="_csrf_token"' in rows[0]
    without = await client.post(action, data={}, follow_redirects=False)
    assert without.status_code == 403
    claim = CldscRegistration.id == change_id
    assert (await CldscRegistration.select(CldscRegistration.state).where(claim).first()) == {"state": "pending"}
    done = await client.post(action, data={"_csrf_token": csrf}, follow_redirects=False)
    assert done.status_code in {302, 303}
    assert done.headers["location"] == "/registration-claims?done=confirmed"
    after = await client.get(done.headers["location"])
    assert "The registration has been confirmed and the practitioner told by email" in after.text
    assert 'data-testid="empty"' in after.text
    assert (await CldscRegistration.select(CldscRegistration.decided_by_email).where(claim).first()) == {
        "decided_by_email": "admin.dcc@example.org"
    }
    assert len(await _mail_to("ross@example.org")) == 1


async def test_the_reject_page_asks_for_a_reason(client: Client, alliance: Alliance, ross: str) -> None:
    change_id = await _claim_id(client, alliance, ross)
    await sign_in(client, "lead@example.org")
    csrf = client.cookies["csrftoken"]
    reject = f"/practitioners/{alliance.practitioner_ids['ross@example.org']}/registration/{change_id}/reject"
    form = await client.get(reject)
    assert form.status_code == 200
    assert "Reject the registration claim" in form.text
    assert "CLDSC30003" in form.text
    missing = await client.post(reject, data={"_csrf_token": csrf, "reason": " "})
    assert missing.status_code == 400
    assert "Enter why the claim is rejected" in missing.text
    assert 'href="#reason"' in missing.text
    done = await client.post(
        reject, data={"_csrf_token": csrf, "reason": "Number not found on the register"}, follow_redirects=False
    )
    assert done.headers["location"] == "/registration-claims?done=rejected"
    [mail] = await _mail_to("ross@example.org")
    assert "Number not found on the register" in mail["body_text"]
    assert (await client.get(reject)).status_code == 409  # already decided


async def test_the_queue_is_paginated(client: Client, alliance: Alliance, ross: str) -> None:
    ross_viewer = as_viewer("ross@example.org", "Ross", Role.PRACTITIONER)
    for day in range(1, PER_PAGE + 3):
        claim = RegistrationChangeIn.model_validate({**CLAIM, "effective_from": date(2026, 10, day)})
        await registration.record_change(ross_viewer, alliance.practitioner_ids["ross@example.org"], claim)
    await sign_in(client, "lead@example.org")
    first = await client.get("/registration-claims")
    assert len(re.findall(r'data-testid="claim"', first.text)) == PER_PAGE
    assert f"Showing 1 to {PER_PAGE} of {PER_PAGE + 2} claims" in _text(first.text)
    second = await client.get("/registration-claims?page=2")
    assert len(re.findall(r'data-testid="claim"', second.text)) == 2


async def test_practitioners_have_no_queue_in_their_navigation(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "eilidh@example.org")
    assert 'href="/registration-claims"' not in (await client.get("/")).text
    assert (await client.get("/registration-claims")).status_code == 403


async def test_the_practitioner_page_shows_the_claim_awaiting_confirmation(
    client: Client, alliance: Alliance, ross: str
) -> None:
    await _claim_id(client, alliance, ross)
    await sign_in(client, "ross@example.org", PASSWORD)
    page = await client.get(f"/practitioners/{alliance.practitioner_ids['ross@example.org']}")
    assert page.status_code == 200
    claimed = re.search(r'data-testid="awaiting-confirmation">(.*?)</span>\s*</dd>', page.text, re.S)
    assert claimed, page.text
    assert _text(claimed.group(1)) == "Awaiting confirmation Registered member from 1 November 2026"
    assert re.search(r'data-testid="registration-status">Not registered<', page.text)


async def test_the_openapi_document_names_the_operations(client: Client) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    base = "/api/v1/practitioners/{practitioner_id}/registration/{change_id}"
    assert paths[f"{base}/confirm"]["post"]["operationId"] == "ConfirmRegistrationChange"
    assert paths[f"{base}/reject"]["post"]["operationId"] == "RejectRegistrationChange"
    assert paths["/api/v1/registration-claims"]["get"]["operationId"] == "ListRegistrationClaims"
    assert {"400", "401", "403", "404", "409"} <= set(paths[f"{base}/confirm"]["post"]["responses"])
