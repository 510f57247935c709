"""The registration API: an append-only history, default and entered renewal dates, who may record, scope."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from registry import clock
from registry.registration.rules import RegistrationRow, status_on
from registry.registration.tables import CldscRegistration
from tests.support import Alliance, bearer

Client = AsyncTestClient  # type: ignore[type-arg]
TODAY = date(2026, 11, 22)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def url(alliance: Alliance, email: str) -> str:
    return f"/api/v1/practitioners/{alliance.practitioner_ids[email]}/registration"


async def record(client: Client, alliance: Alliance, role: str, email: str, body: dict[str, Any]) -> Any:
    return await client.post(url(alliance, email), json=body, headers=bearer(alliance.tokens[role]))


def rows_of(body: dict[str, Any]) -> list[RegistrationRow]:
    return [
        RegistrationRow(
            r["id"],
            r["status"],
            date.fromisoformat(r["effective_from"]),
            date.fromisoformat(r["renewal_due"]) if r["renewal_due"] else None,
            r["state"],
        )
        for r in body["history"]
    ]


async def test_the_registration_today_and_its_history(client: Client, alliance: Alliance) -> None:
    response = await client.get(url(alliance, "eilidh@example.org"), headers=bearer(alliance.tokens["practitioner"]))
    assert response.status_code == 200
    body = response.json()
    [imported] = body["history"]
    assert body == {
        "practitioner_id": alliance.practitioner_ids["eilidh@example.org"],
        "status_today": "associate",
        "category": "associate_member",
        "membership_number": "CLDSC10002",
        "renewal_due": "2028-05-01",
        "days_to_renewal": (date(2028, 5, 1) - TODAY).days,
        "awaiting_confirmation": [],
        "history": [
            {
                "id": imported["id"],
                "status": "associate",
                "category": "associate_member",
                "route": None,
                "membership_number": "CLDSC10002",
                "effective_from": "2025-05-01",
                "renewal_due": "2028-05-01",
                "note": "HR import",
                "recorded_by_email": "command-line",
                "recorded_at": imported["recorded_at"],
                # An HR import counts when recorded: decided by whoever imported it, then.
                "state": "confirmed",
                "decided_by_email": "command-line",
                "decided_at": imported["recorded_at"],
                "decision_note": "",
            }
        ],
    }


async def test_nobody_registered_yet(client: Client, alliance: Alliance) -> None:
    response = await client.get(url(alliance, "ross@example.org"), headers=bearer(alliance.tokens["manager"]))
    body = response.json()
    assert (body["status_today"], body["renewal_due"], body["days_to_renewal"], body["history"]) == (
        "none",
        None,
        None,
        [],
    )


async def test_a_practitioner_records_their_registration_and_history_is_appended(
    client: Client, alliance: Alliance
) -> None:
    before = (
        await client.get(url(alliance, "eilidh@example.org"), headers=bearer(alliance.tokens["practitioner"]))
    ).json()
    response = await record(
        client,
        alliance,
        "practitioner",
        "eilidh@example.org",
        {
            "status": "registered",
            "route": "recognised_qualification",
            "membership_number": "CLDSC20002",
            "effective_from": "2026-11-01",
            "note": "BA Community Education completed",
        },
    )
    assert response.status_code == 201, response.text
    claimed = response.json()
    # Her own claim waits for confirmation (tests/integration/test_registration_confirmation.py).
    assert claimed["status_today"] == "associate"
    [claim] = claimed["awaiting_confirmation"]
    confirmed = await client.post(
        f"{url(alliance, 'eilidh@example.org')}/{claim['id']}/confirm", headers=bearer(alliance.tokens["lead"])
    )
    assert confirmed.status_code == 201, confirmed.text
    body = confirmed.json()
    assert body["status_today"] == "registered"
    assert body["category"] == "registered_member"
    assert body["membership_number"] == "CLDSC20002"
    # Not entered: three years from the start of the new cycle.
    assert body["renewal_due"] == "2029-11-01"
    assert body["days_to_renewal"] == (date(2029, 11, 1) - TODAY).days
    newest, older = body["history"]
    assert newest["status"] == "registered"
    assert newest["route"] == "recognised_qualification"
    assert newest["recorded_by_email"] == "eilidh@example.org"
    assert newest["note"] == "BA Community Education completed"
    assert (newest["state"], newest["decided_by_email"]) == ("confirmed", "lead@example.org")
    # The earlier row is untouched, so the past is still answerable.
    assert older == before["history"][0]
    rows = rows_of(body)
    assert status_on(rows, date(2026, 6, 1)) == "associate"
    assert status_on(rows, date(2026, 10, 31)) == "associate"
    assert status_on(rows, date(2026, 11, 1)) == "registered"
    assert status_on(rows, date(2025, 4, 30)) == "none"
    stored = await CldscRegistration.count().where(
        CldscRegistration.practitioner == alliance.practitioner_ids["eilidh@example.org"]
    )
    assert stored == 2


async def test_an_entered_renewal_date_is_kept(client: Client, alliance: Alliance) -> None:
    response = await record(
        client,
        alliance,
        "lead",
        "amira@example.org",
        {"status": "registered", "effective_from": "2026-10-01", "renewal_due": "2027-03-14"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["renewal_due"] == "2027-03-14"
    assert body["days_to_renewal"] == 112
    assert body["history"][0]["renewal_due"] == "2027-03-14"
    assert body["history"][0]["recorded_by_email"] == "lead@example.org"


async def test_the_same_change_twice_is_two_rows(client: Client, alliance: Alliance) -> None:
    change = {"status": "withdrawn", "effective_from": "2026-09-01"}
    await record(client, alliance, "admin", "nhs@example.org", change)
    body = (await record(client, alliance, "admin", "nhs@example.org", change)).json()
    assert [r["status"] for r in body["history"]] == ["withdrawn", "withdrawn", "applied"]
    assert body["history"][0]["id"] > body["history"][1]["id"]


async def test_an_overdue_registration_counts_as_lapsed(client: Client, alliance: Alliance) -> None:
    body = (await client.get(url(alliance, "amira@example.org"), headers=bearer(alliance.tokens["lead"]))).json()
    assert body["status_today"] == "lapsed"
    assert body["renewal_due"] == "2022-06-01"
    assert body["days_to_renewal"] == (date(2022, 6, 1) - TODAY).days < 0


async def test_withdrawing_ends_the_cycle(client: Client, alliance: Alliance) -> None:
    body = (
        await record(
            client, alliance, "manager", "graham@example.org", {"status": "withdrawn", "effective_from": "2026-11-20"}
        )
    ).json()
    assert body["status_today"] == "withdrawn"
    assert (body["renewal_due"], body["days_to_renewal"], body["category"]) == (None, None, None)
    assert status_on(rows_of(body), date(2026, 11, 19)) == "registered"


async def test_a_change_effective_later_does_not_change_today(client: Client, alliance: Alliance) -> None:
    body = (
        await record(
            client,
            alliance,
            "lead",
            "eilidh@example.org",
            {"status": "registered", "effective_from": "2027-01-05"},
        )
    ).json()
    assert body["status_today"] == "associate"
    assert body["renewal_due"] == "2028-05-01"
    assert body["history"][0]["effective_from"] == "2027-01-05"
    assert status_on(rows_of(body), date(2027, 1, 5)) == "registered"


async def test_a_manager_records_for_their_team_member(client: Client, alliance: Alliance) -> None:
    response = await record(
        client,
        alliance,
        "manager",
        "ross@example.org",
        {"status": "applied", "route": "individual_recognition_process", "effective_from": "2026-11-15"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status_today"] == "applied"
    assert body["renewal_due"] is None
    assert body["history"][0]["recorded_by_email"] == "graham@example.org"


async def test_a_lead_records_for_anyone(client: Client, alliance: Alliance) -> None:
    for email in ("amira@example.org", "nhs@example.org", "graham@example.org"):
        response = await record(
            client, alliance, "lead", email, {"status": "associate", "effective_from": "2026-11-01"}
        )
        assert response.status_code == 201, email
        assert response.json()["renewal_due"] == "2029-11-01"


@pytest.mark.parametrize(
    ("role", "other"),
    [
        ("practitioner", "graham@example.org"),
        ("practitioner", "ross@example.org"),
        ("manager", "amira@example.org"),
        ("manager", "nhs@example.org"),
    ],
)
async def test_someone_elses_registration_is_not_found(
    client: Client, alliance: Alliance, role: str, other: str
) -> None:
    change = {"status": "withdrawn", "effective_from": "2026-11-01"}
    posted = await record(client, alliance, role, other, change)
    read = await client.get(url(alliance, other), headers=bearer(alliance.tokens[role]))
    missing = await client.get("/api/v1/practitioners/999999/registration", headers=bearer(alliance.tokens[role]))
    assert posted.status_code == read.status_code == missing.status_code == 404
    assert posted.json() == read.json() == missing.json()
    assert not await CldscRegistration.exists().where(CldscRegistration.status == "withdrawn")


async def test_a_partner_admin_reads_within_their_organisation_but_does_not_record(
    client: Client, alliance: Alliance
) -> None:
    token = bearer(alliance.tokens["partner_admin"])
    assert (await client.get(url(alliance, "eilidh@example.org"), headers=token)).status_code == 200
    assert (await client.get(url(alliance, "amira@example.org"), headers=token)).status_code == 404
    refused = await record(
        client, alliance, "partner_admin", "eilidh@example.org", {"status": "withdrawn", "effective_from": "2026-11-01"}
    )
    assert refused.status_code == 403
    assert refused.json()["detail"]
    assert not await CldscRegistration.exists().where(CldscRegistration.status == "withdrawn")


async def test_strangers_get_401(client: Client, alliance: Alliance) -> None:
    target = url(alliance, "eilidh@example.org")
    assert (await client.get(target)).status_code == 401
    posted = await client.post(target, json={"status": "withdrawn", "effective_from": "2026-11-01"})
    assert posted.status_code == 401
    assert posted.json()["detail"]
    bad_token = await client.get(target, headers=bearer("not-a-token"))
    assert bad_token.status_code == 401


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"status", "effective_from"}),
        ({"status": "member", "effective_from": "2026-13-01"}, {"status", "effective_from"}),
        ({"status": "none", "effective_from": "2026-11-01"}, {"status"}),
        ({"status": "registered", "effective_from": "01/11/2026"}, {"effective_from"}),
        ({"status": "registered", "effective_from": 20261101}, {"effective_from"}),
        ({"status": "registered", "effective_from": "2026-11-01", "renewal_due": "2026-11-01"}, {"renewal_due"}),
        ({"status": "registered", "effective_from": "2026-11-01", "renewal_due": "2025-01-01"}, {"renewal_due"}),
        ({"status": "applied", "effective_from": "2026-11-01", "renewal_due": "2029-11-01"}, {"renewal_due"}),
        ({"status": "registered", "effective_from": "2026-11-01", "route": "ten_years_experience"}, {"route"}),
        (
            {"status": "registered", "effective_from": "2026-11-01", "membership_number": "X" * 51},
            {"membership_number"},
        ),
        ({"status": "registered", "effective_from": "2026-11-01", "note": "n" * 501}, {"note"}),
        ({"status": "registered", "effective_from": "2026-11-01", "category": "registered_member"}, {"category"}),
    ],
)
async def test_bad_changes_are_400_naming_the_fields(
    client: Client, alliance: Alliance, body: dict[str, Any], fields: set[str]
) -> None:
    recorded = await CldscRegistration.count()
    response = await record(client, alliance, "lead", "eilidh@example.org", body)
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    for field in fields:
        assert f"{field}:" in detail, (field, detail)
    assert await CldscRegistration.count() == recorded


async def test_who_did_what_is_logged(client: Client, alliance: Alliance, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="registry.registration.service"):
        await record(
            client,
            alliance,
            "manager",
            "eilidh@example.org",
            {"status": "registered", "effective_from": "2026-11-01", "membership_number": "CLDSC20002"},
        )
    pid = alliance.practitioner_ids["eilidh@example.org"]
    assert f"graham@example.org recorded CLDSC registered for practitioner {pid} effective 2026-11-01" in caplog.text
    assert "awaiting confirmation as change" in caplog.text


async def test_the_openapi_document_names_the_operations(client: Client) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    operations = paths["/api/v1/practitioners/{practitioner_id}/registration"]
    assert operations["get"]["operationId"] == "GetRegistration"
    assert operations["post"]["operationId"] == "RecordRegistrationChange"
    assert {"400", "401", "403", "404"} <= set(operations["post"]["responses"])
