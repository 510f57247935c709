"""API tokens end: an expiry (90 days unless asked), last use kept, listing and revoking from the command
line, and a page where each person sees, makes and revokes only their own tokens."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from litestar.testing import AsyncTestClient

from registry import clock
from registry.accounts import api_tokens
from registry.accounts.rules import hash_token
from registry.accounts.tables import ApiToken
from tests.integration.test_cli import _cli
from tests.integration.test_sign_in import sign_in
from tests.support import Alliance, bearer

Client = AsyncTestClient  # type: ignore[type-arg]
API = "/api/v1/practitioners"


async def _new_token(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert await _cli("tokens", "create", "--email", "lead@example.org", *args) == 0
    return capsys.readouterr().out.strip()


async def _row(token: str) -> dict[str, object]:
    row = await ApiToken.select().where(ApiToken.token_hash == hash_token(token)).first()
    assert row is not None
    return row


async def test_a_token_ends_after_90_days_unless_told_otherwise(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    default = await _new_token(capsys, "--label", "stats")
    row = await _row(default)
    assert row["expires_at"] - row["created_at"] == timedelta(days=90)  # type: ignore[operator]
    week = await _new_token(capsys, "--expires-in-days", "7")
    row = await _row(week)
    assert row["expires_at"] - row["created_at"] == timedelta(days=7)  # type: ignore[operator]
    assert (await client.get(API, headers=bearer(default))).status_code == 200

    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now + timedelta(days=8))
    assert (await client.get(API, headers=bearer(default))).status_code == 200
    expired = await client.get(API, headers=bearer(week))
    assert expired.status_code == 401
    assert expired.json()["detail"]
    monkeypatch.setattr(clock, "now", lambda: now + timedelta(days=90, seconds=1))
    assert (await client.get(API, headers=bearer(default))).status_code == 401


@pytest.mark.parametrize("days", ["0", "367", "-3"])
async def test_a_lifetime_out_of_range_is_refused_and_nothing_is_written(
    alliance: Alliance, days: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = await ApiToken.count()
    capsys.readouterr()
    assert await _cli("tokens", "create", "--email", "lead@example.org", "--expires-in-days", days) == 2
    assert "from 1 to 366" in capsys.readouterr().err
    assert await ApiToken.count() == before


async def test_last_use_is_kept_without_a_write_on_every_request(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = alliance.tokens["lead"]
    assert (await _row(token))["last_used_at"] is None
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start)
    await client.get(API, headers=bearer(token))
    assert (await _row(token))["last_used_at"] == start

    writes: list[object] = []
    real_update = ApiToken.update
    monkeypatch.setattr(ApiToken, "update", lambda *a, **k: writes.append(a) or real_update(*a, **k))
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(minutes=2))
    for _ in range(5):
        assert (await client.get(API, headers=bearer(token))).status_code == 200
    assert writes == []
    assert (await _row(token))["last_used_at"] == start  # within the precision: not written again

    later = start + api_tokens.LAST_USED_PRECISION + timedelta(seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    await client.get(API, headers=bearer(token))
    assert (await _row(token))["last_used_at"] == later
    assert len(writes) == 1


async def test_tokens_are_listed_without_their_secrets_and_revoked_from_the_command_line(
    client: Client, alliance: Alliance, capsys: pytest.CaptureFixture[str]
) -> None:
    stats = await _new_token(capsys, "--label", "monthly stats")
    await client.get(API, headers=bearer(stats))
    assert await _cli("tokens", "list", "--email", "LEAD@example.org") == 0
    listing = capsys.readouterr().out
    lines = listing.strip().splitlines()
    assert lines[0].split("\t") == ["id", "email", "label", "created", "expires", "last used"]
    assert len(lines) == 3  # the tests' token and this one, newest first
    newest = lines[1].split("\t")
    assert newest[1:3] == ["lead@example.org", "monthly stats"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", newest[3])
    assert newest[5] != "never"
    assert lines[2].split("\t")[5] == "never"
    assert stats not in listing
    assert hash_token(stats) not in listing

    assert await _cli("tokens", "list") == 0
    everyone = capsys.readouterr().out
    assert len(everyone.strip().splitlines()) == 1 + 6  # one per sign-in of the alliance, and the new one
    assert alliance.tokens["admin"] not in everyone

    assert await _cli("tokens", "revoke", "--id", newest[0]) == 0
    assert capsys.readouterr().out.strip() == "1 token(s) revoked"
    assert (await client.get(API, headers=bearer(stats))).status_code == 401
    assert (await client.get(API, headers=bearer(alliance.tokens["lead"]))).status_code == 200

    assert await _cli("tokens", "revoke", "--email", "lead@example.org") == 0
    assert capsys.readouterr().out.strip() == "1 token(s) revoked"
    assert (await client.get(API, headers=bearer(alliance.tokens["lead"]))).status_code == 401
    assert (await client.get(API, headers=bearer(alliance.tokens["admin"]))).status_code == 200

    assert await _cli("tokens", "revoke", "--id", newest[0]) == 2
    assert "no API token with id" in capsys.readouterr().err
    assert await _cli("tokens", "list", "--email", "nobody@example.org") == 2
    assert "no user with email nobody@example.org" in capsys.readouterr().err


async def test_a_person_makes_sees_and_revokes_their_own_tokens_on_a_page(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "eilidh@example.org")
    home = await client.get("/me", follow_redirects=True)
    assert 'href="/account/tokens"' in home.text
    page = await client.get("/account/tokens")
    assert page.status_code == 200
    assert page.text.count('data-testid="api-token-') == 1  # the tests' token: hers only

    made = await client.post(
        "/account/tokens",
        data={"label": "my reports", "expires_in_days": "30", "_csrf_token": client.cookies["csrftoken"]},
    )
    assert made.status_code == 201
    match = re.search(r'data-testid="new-token">([^<]+)<', made.text)
    assert match
    secret = match.group(1)
    assert (await client.get(API, headers=bearer(secret))).status_code == 200
    row = await _row(secret)
    assert row["expires_at"] - row["created_at"] == timedelta(days=30)  # type: ignore[operator]

    again = await client.get("/account/tokens")
    assert "my reports" in again.text
    assert secret not in again.text  # shown once only

    token_id = row["id"]
    confirm = await client.get(f"/account/tokens/{token_id}/revoke")
    assert "Are you sure you want to revoke “my reports”?" in confirm.text
    assert (await client.get(API, headers=bearer(secret))).status_code == 200  # asking is not revoking
    revoked = await client.post(
        f"/account/tokens/{token_id}/revoke", data={"_csrf_token": client.cookies["csrftoken"]}, follow_redirects=False
    )
    assert revoked.headers["location"] == "/account/tokens?revoked=1"
    assert (await client.get(API, headers=bearer(secret))).status_code == 401
    assert "The token has been revoked" in (await client.get("/account/tokens?revoked=1")).text


async def test_a_bad_lifetime_on_the_page_is_named_in_an_error_summary(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "eilidh@example.org")
    await client.get("/account/tokens")
    before = await ApiToken.count()
    refused = await client.post(
        "/account/tokens",
        data={"label": "x" * 101, "expires_in_days": "999", "_csrf_token": client.cookies["csrftoken"]},
    )
    assert refused.status_code == 400
    assert "There is a problem" in refused.text
    assert 'href="#expires_in_days"' in refused.text
    assert "Enter a number of days from 1 to 366" in refused.text
    assert "Enter a label of 100 characters or fewer" in refused.text
    assert await ApiToken.count() == before


async def test_another_persons_token_cannot_be_seen_or_revoked_through_the_page(
    client: Client, alliance: Alliance
) -> None:
    lead_token = alliance.tokens["lead"]
    lead_token_id = (await _row(lead_token))["id"]
    await sign_in(client, "eilidh@example.org")
    assert (await client.get(f"/account/tokens/{lead_token_id}/revoke")).status_code == 404
    refused = await client.post(
        f"/account/tokens/{lead_token_id}/revoke", data={"_csrf_token": client.cookies["csrftoken"]}
    )
    assert refused.status_code == 404
    assert "Page not found" in refused.text
    assert (await client.get(API, headers=bearer(lead_token))).status_code == 200
    assert "lead@example.org" not in (await client.get("/account/tokens")).text
