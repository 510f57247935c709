"""The practitioners and organisations API: scope per role, filters, pagination, validation, conflicts."""

from __future__ import annotations

import asyncio

import pytest
from litestar.testing import AsyncTestClient

from registry.people.tables import Organisation
from tests.support import Alliance, bearer, pretend_absent

Client = AsyncTestClient  # type: ignore[type-arg]

NEW_PRACTITIONER = {
    "email": "New.Person@Example.org",
    "given_name": "New",
    "family_name": "Person",
    "organisation": "dcc",
    "contract": "part_time",
    "weekly_hours": 21,
    "started_on": "2025-08-18",
    "practice_areas": ["youth work"],
    "cld_qualified": True,
}


async def _emails(client: Client, token: str, query: str = "") -> list[str]:
    response = await client.get(f"/api/v1/practitioners{query}", headers=bearer(token))
    assert response.status_code == 200, response.text
    return sorted(p["email"] for p in response.json()["items"])


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("practitioner", ["eilidh@example.org"]),
        ("manager", ["eilidh@example.org", "graham@example.org", "ross@example.org"]),
        ("partner_admin", ["eilidh@example.org", "graham@example.org", "ross@example.org"]),
        (
            "lead",
            ["amira@example.org", "eilidh@example.org", "graham@example.org", "nhs@example.org", "ross@example.org"],
        ),
        (
            "admin",
            ["amira@example.org", "eilidh@example.org", "graham@example.org", "nhs@example.org", "ross@example.org"],
        ),
    ],
)
async def test_each_role_sees_its_scope(client: Client, alliance: Alliance, role: str, visible: list[str]) -> None:
    assert await _emails(client, alliance.tokens[role]) == visible


@pytest.mark.parametrize(
    ("role", "other"),
    [
        ("practitioner", "graham@example.org"),
        ("practitioner", "ross@example.org"),
        ("manager", "amira@example.org"),
        ("partner_admin", "amira@example.org"),
        ("partner_admin", "nhs@example.org"),
    ],
)
async def test_someone_elses_record_is_not_found(client: Client, alliance: Alliance, role: str, other: str) -> None:
    practitioner_id = alliance.practitioner_ids[other]
    response = await client.get(f"/api/v1/practitioners/{practitioner_id}", headers=bearer(alliance.tokens[role]))
    assert response.status_code == 404
    assert response.json()["detail"] == "No such practitioner"
    missing = await client.get("/api/v1/practitioners/999999", headers=bearer(alliance.tokens[role]))
    assert missing.json() == response.json()


async def test_record_shape_and_status_today(client: Client, alliance: Alliance) -> None:
    response = await client.get(
        f"/api/v1/practitioners/{alliance.practitioner_ids['eilidh@example.org']}",
        headers=bearer(alliance.tokens["practitioner"]),
    )
    body = response.json()
    assert body == {
        "id": alliance.practitioner_ids["eilidh@example.org"],
        "email": "eilidh@example.org",
        "given_name": "Eilidh",
        "family_name": "Morrison",
        "organisation": "DCC",
        "job_title": "Youth Worker",
        "contract": "part_time",
        "weekly_hours": 17.5,
        "setting": "school",
        "locality": "Coldside",
        "practice_areas": ["youth work", "family learning"],
        "cld_qualified": True,
        "manager_email": "graham@example.org",
        "started_on": "2020-02-03",
        "left_on": None,
        "cldsc_status": "associate",
        "pending_email": None,
        "erased_at": None,
    }


async def test_registration_past_its_renewal_date_reads_lapsed(client: Client, alliance: Alliance) -> None:
    amira = await client.get(
        f"/api/v1/practitioners/{alliance.practitioner_ids['amira@example.org']}",
        headers=bearer(alliance.tokens["lead"]),
    )
    assert amira.json()["cldsc_status"] == "lapsed"  # registered 2019, renewal due 2022-06-01


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?organisation=fife", ["amira@example.org"]),
        ("?contract=sessional", ["ross@example.org"]),
        ("?setting=school", ["eilidh@example.org"]),
        ("?locality=Maryfield", ["nhs@example.org"]),
        ("?cldsc_status=registered", ["graham@example.org"]),
        ("?cldsc_status=lapsed", ["amira@example.org"]),
        ("?cldsc_status=none", ["ross@example.org"]),
        ("?q=morrison", ["eilidh@example.org"]),
        ("?q=ESOL", ["ross@example.org"]),
        ("?q=eilidh+youth", ["eilidh@example.org"]),
        ("?q=100%25", []),
        ("?employment=left", ["leaver@example.org"]),
        ("?employment=all&organisation=DCC&contract=volunteer", ["leaver@example.org"]),
    ],
)
async def test_filters(client: Client, alliance: Alliance, query: str, expected: list[str]) -> None:
    assert await _emails(client, alliance.tokens["lead"], query) == expected


async def test_pagination_with_limit_and_offset(client: Client, alliance: Alliance) -> None:
    token = alliance.tokens["lead"]
    first = (await client.get("/api/v1/practitioners?limit=2", headers=bearer(token))).json()
    second = (await client.get("/api/v1/practitioners?limit=2&offset=2", headers=bearer(token))).json()
    last = (await client.get("/api/v1/practitioners?limit=2&offset=4", headers=bearer(token))).json()
    assert first["total"] == second["total"] == last["total"] == 5
    names = [p["family_name"] for page in (first, second, last) for p in page["items"]]
    assert names == ["Baxter", "Malik", "Morrison", "Nicol", "Walker"]
    bad = await client.get("/api/v1/practitioners?limit=0", headers=bearer(token))
    assert bad.status_code == 400
    assert "limit" in bad.json()["detail"]


async def test_create_practitioner_normalises_and_returns_201(client: Client, alliance: Alliance) -> None:
    response = await client.post(
        "/api/v1/practitioners", json=NEW_PRACTITIONER, headers=bearer(alliance.tokens["lead"])
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == "new.person@example.org"
    assert body["organisation"] == "DCC"
    assert body["cldsc_status"] == "none"
    again = await client.post("/api/v1/practitioners", json=NEW_PRACTITIONER, headers=bearer(alliance.tokens["lead"]))
    assert again.status_code == 409
    assert "already exists" in again.json()["detail"]


async def test_create_practitioner_names_every_bad_field(client: Client, alliance: Alliance) -> None:
    body = {**NEW_PRACTITIONER, "email": "not-an-email", "weekly_hours": 75, "contract": "zero_hours"}
    response = await client.post("/api/v1/practitioners", json=body, headers=bearer(alliance.tokens["lead"]))
    assert response.status_code == 400
    detail = response.json()["detail"]
    for field in ("email", "weekly_hours", "contract"):
        assert field in detail
    assert (await _emails(client, alliance.tokens["lead"], "?q=person")) == []


async def test_unknown_organisation_is_a_field_error(client: Client, alliance: Alliance) -> None:
    body = {**NEW_PRACTITIONER, "organisation": "NOPE"}
    response = await client.post("/api/v1/practitioners", json=body, headers=bearer(alliance.tokens["lead"]))
    assert response.status_code == 400
    assert response.json()["detail"] == "organisation: unknown organisation NOPE"


async def test_a_partner_admin_adds_and_edits_only_in_their_organisation(client: Client, alliance: Alliance) -> None:
    token = alliance.tokens["partner_admin"]
    elsewhere = await client.post(
        "/api/v1/practitioners", json={**NEW_PRACTITIONER, "organisation": "FIFE"}, headers=bearer(token)
    )
    assert elsewhere.status_code == 400
    assert "own organisation" in elsewhere.json()["detail"]
    ok = await client.post("/api/v1/practitioners", json=NEW_PRACTITIONER, headers=bearer(token))
    assert ok.status_code == 201
    amira = alliance.practitioner_ids["amira@example.org"]
    other = await client.patch(f"/api/v1/practitioners/{amira}", json={"job_title": "x"}, headers=bearer(token))
    assert other.status_code == 404
    move = await client.patch(
        f"/api/v1/practitioners/{ok.json()['id']}", json={"organisation": "FIFE"}, headers=bearer(token)
    )
    assert move.status_code == 400


async def test_patch_marks_a_leaver_and_keeps_the_record(client: Client, alliance: Alliance) -> None:
    token = alliance.tokens["lead"]
    ross = alliance.practitioner_ids["ross@example.org"]
    response = await client.patch(
        f"/api/v1/practitioners/{ross}", json={"left_on": "2025-01-31"}, headers=bearer(token)
    )
    assert response.status_code == 200, response.text
    assert response.json()["left_on"] == "2025-01-31"
    assert "ross@example.org" not in await _emails(client, token)
    assert "ross@example.org" in await _emails(client, token, "?employment=left")
    before_start = await client.patch(
        f"/api/v1/practitioners/{ross}", json={"left_on": "2000-01-01"}, headers=bearer(token)
    )
    assert before_start.status_code == 400
    assert before_start.json()["detail"] == "left_on: must be on or after started_on"
    cleared = await client.patch(f"/api/v1/practitioners/{ross}", json={"left_on": None}, headers=bearer(token))
    assert cleared.json()["left_on"] is None


async def test_patch_refuses_to_empty_a_required_field_or_take_an_email_in_use(
    client: Client, alliance: Alliance
) -> None:
    token = alliance.tokens["lead"]
    ross = alliance.practitioner_ids["ross@example.org"]
    empty = await client.patch(f"/api/v1/practitioners/{ross}", json={"given_name": None}, headers=bearer(token))
    assert empty.status_code == 400
    taken = await client.patch(
        f"/api/v1/practitioners/{ross}", json={"email": "eilidh@example.org"}, headers=bearer(token)
    )
    assert taken.status_code == 409
    unknown_field = await client.patch(f"/api/v1/practitioners/{ross}", json={"salary": 1}, headers=bearer(token))
    assert unknown_field.status_code == 400
    assert "salary" in unknown_field.json()["detail"]


async def test_organisations_api(client: Client, alliance: Alliance) -> None:
    lead = bearer(alliance.tokens["lead"])
    listed = (await client.get("/api/v1/organisations", headers=bearer(alliance.tokens["practitioner"]))).json()
    assert listed["total"] == 3
    assert [o["code"] for o in listed["items"]] == ["DCC", "FIFE", "NHST"]
    assert set(listed["items"][0]) == {"id", "code", "name", "kind", "local_authority"}
    created = await client.post(
        "/api/v1/organisations",
        json={"code": "angus", "name": "Angus Council", "kind": "local_authority", "local_authority": "Angus"},
        headers=lead,
    )
    assert created.status_code == 201
    assert created.json()["code"] == "ANGUS"
    duplicate = await client.post(
        "/api/v1/organisations", json={"code": "ANGUS", "name": "x", "kind": "other"}, headers=lead
    )
    assert duplicate.status_code == 409
    bad = await client.post("/api/v1/organisations", json={"code": "X", "name": "", "kind": "shop"}, headers=lead)
    assert bad.status_code == 400
    assert "kind" in bad.json()["detail"]
    assert "name" in bad.json()["detail"]
    renamed = await client.patch(f"/api/v1/organisations/{created.json()['id']}", json={"name": "Angus"}, headers=lead)
    assert renamed.json()["name"] == "Angus"
    assert (await client.get("/api/v1/organisations/999999", headers=lead)).status_code == 404
    searched = (await client.get("/api/v1/organisations?q=tayside", headers=lead)).json()
    assert [o["code"] for o in searched["items"]] == ["NHST"]


ANGUS = {"code": "ANGUS", "name": "Angus Council", "kind": "local_authority", "local_authority": "Angus"}


async def test_the_same_organisation_created_twice_at_once_is_one_201_and_one_409(
    client: Client, alliance: Alliance
) -> None:
    lead = bearer(alliance.tokens["lead"])
    answers = await asyncio.gather(*(client.post("/api/v1/organisations", json=ANGUS, headers=lead) for _ in range(2)))
    assert sorted(a.status_code for a in answers) == [201, 409]
    assert await Organisation.count().where(Organisation.code == "ANGUS") == 1


async def test_an_organisation_inserted_after_the_check_is_a_409_not_a_500(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead = bearer(alliance.tokens["lead"])
    assert (await client.post("/api/v1/organisations", json=ANGUS, headers=lead)).status_code == 201
    pretend_absent(monkeypatch, Organisation)  # the other request's insert lands after this one's check
    again = await client.post("/api/v1/organisations", json=ANGUS, headers=lead)
    assert again.status_code == 409
    assert "ANGUS" in again.json()["detail"]
