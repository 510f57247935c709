"""Guessing is limited: sign-ins and password resets are throttled per account and per client address,
counted in the database; forgotten-password answers do the same work for any address and leave the mail
to a job."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from registry.accounts import invitation_pages, throttle
from registry.accounts.tables import PasswordResetRequest, Throttle
from registry.notify.tables import OutboxMessage
from registry.web.auth import SESSION_COOKIE
from tests.integration.test_cli import _cli
from tests.integration.test_invitations import NEW_PASSWORD, _delivered_link
from tests.integration.test_sign_in import sign_in
from tests.support import PASSWORD, Alliance, StoppedClock

Client = AsyncTestClient  # type: ignore[type-arg]


async def _forgotten(client: Client, email: str) -> str:
    await client.get("/forgotten-password")
    response = await client.post(
        "/forgotten-password", data={"email": email, "_csrf_token": client.cookies["csrftoken"]}
    )
    assert response.status_code == 200
    return response.text


async def test_thirty_wrong_passwords_lock_the_account_even_against_the_right_one_until_the_window_passes(
    client: Client, alliance: Alliance, stopped_clock: StoppedClock
) -> None:
    answers = [(await sign_in(client, "eilidh@example.org", f"wrong guess {n}")) for n in range(30)]
    assert [a.status_code for a in answers[:5]] == [400] * 5
    assert all(a.status_code == 429 for a in answers[5:])

    right = await sign_in(client, "eilidh@example.org", PASSWORD)
    assert right.status_code == 429
    assert SESSION_COOKIE not in right.cookies
    assert 0 < int(right.headers["retry-after"]) <= 15 * 60
    assert "There is a problem" in right.text  # the GOV.UK error summary, with the form again
    assert "Too many attempts. Try again in 15 minutes" in right.text
    assert 'name="password"' in right.text

    stopped_clock.advance(timedelta(minutes=10))
    later = await sign_in(client, "eilidh@example.org", PASSWORD)
    assert later.status_code == 429
    assert "Try again in 5 minutes" in later.text

    stopped_clock.advance(timedelta(minutes=5, seconds=1))
    after = await sign_in(client, "eilidh@example.org", PASSWORD)
    assert after.status_code in {302, 303}
    assert SESSION_COOKIE in after.cookies


async def test_guesses_sent_all_at_once_do_not_slip_past_the_count(
    client: Client, alliance: Alliance, stopped_clock: StoppedClock
) -> None:
    # Each attempt is counted before its password is checked, under a lock on the account's key.
    await client.get("/sign-in")
    csrf = client.cookies["csrftoken"]
    answers = await asyncio.gather(
        *(
            client.post(
                "/sign-in",
                data={"email": "eilidh@example.org", "password": f"guess {n}", "_csrf_token": csrf},
                follow_redirects=False,
            )
            for n in range(20)
        )
    )
    assert sorted(a.status_code for a in answers) == [400] * 5 + [429] * 15


async def test_the_lock_holds_for_one_account_only_and_unknown_addresses_are_locked_alike(
    client: Client, alliance: Alliance, stopped_clock: StoppedClock
) -> None:
    for email in ("eilidh@example.org", "nobody@example.org"):
        for n in range(5):
            assert (await sign_in(client, email, f"wrong guess {n}")).status_code == 400
        # An address without a sign-in answers exactly as one with a sign-in: no account is revealed.
        assert (await sign_in(client, email, "one more")).status_code == 429
    assert (await sign_in(client, "lead@example.org")).status_code in {302, 303}


async def test_a_successful_sign_in_clears_the_accounts_failures_but_never_the_client_addresss(
    client: Client, alliance: Alliance, stopped_clock: StoppedClock
) -> None:
    for n in range(4):
        await sign_in(client, "eilidh@example.org", f"wrong guess {n}")
    assert (await sign_in(client, "eilidh@example.org", PASSWORD)).status_code in {302, 303}
    client.cookies.clear()
    for n in range(4):
        assert (await sign_in(client, "eilidh@example.org", f"wrong again {n}")).status_code == 400
    assert await Throttle.count().where(Throttle.kind == "sign_in_account") == 4
    assert await Throttle.count().where(Throttle.kind == "sign_in_client") == 8


async def test_fifty_failures_from_one_client_address_refuse_it_for_every_account(
    client: Client, alliance: Alliance, stopped_clock: StoppedClock
) -> None:
    # Password spraying: one guess at each of many addresses, then a sign-in that would have worked.
    for n in range(50):
        assert (await sign_in(client, f"person{n}@example.org", "Summer2026!")).status_code == 400
    refused = await sign_in(client, "lead@example.org")
    assert refused.status_code == 429
    assert "Too many attempts" in refused.text
    assert int(refused.headers["retry-after"]) > 0
    # Signing in to one's own account does not wipe the client's count either.
    assert await Throttle.count().where(Throttle.kind == "sign_in_client") == 50
    stopped_clock.advance(throttle.SIGN_IN_CLIENT.window)
    assert (await sign_in(client, "lead@example.org")).status_code in {302, 303}


async def test_ten_reset_requests_send_at_most_three_mails_and_answer_the_same_every_time(
    client: Client, alliance: Alliance, stopped_clock: StoppedClock
) -> None:
    answers = {await _forgotten(client, "eilidh@example.org") for _ in range(10)}
    assert len({a.split('name="_csrf_token"')[0] for a in answers}) == 1
    # No job was run here: the mails were made right after each answer had gone.
    assert await OutboxMessage.count().where(OutboxMessage.to_email == "eilidh@example.org") == 3
    assert await PasswordResetRequest.count() == 0
    stopped_clock.advance(throttle.RESET_ACCOUNT.window)
    await _forgotten(client, "eilidh@example.org")
    assert await OutboxMessage.count().where(OutboxMessage.to_email == "eilidh@example.org") == 4


async def test_reset_requests_from_one_client_address_are_limited_across_addresses(
    client: Client, alliance: Alliance, stopped_clock: StoppedClock
) -> None:
    for n in range(20):
        await _forgotten(client, f"someone{n}@example.org")
    text = await _forgotten(client, "eilidh@example.org")
    assert "Check your email" in text
    assert await OutboxMessage.count().where(OutboxMessage.to_email == "eilidh@example.org") == 0


async def test_known_and_unknown_addresses_get_the_same_answer_and_the_mail_comes_only_from_the_job(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def not_now() -> None:
        """Stands in for the work done after the answer, so that only the request's own work is seen."""

    monkeypatch.setattr(invitation_pages, "_send_requested_resets", not_now)
    known = await _forgotten(client, "eilidh@example.org")
    unknown = await _forgotten(client, "nobody@example.org")
    strip = lambda html: html.replace("eilidh@example.org", "X").replace("nobody@example.org", "X")  # noqa: E731
    assert strip(known).split('name="_csrf_token"')[0] == strip(unknown).split('name="_csrf_token"')[0]
    assert await OutboxMessage.count() == 0
    assert await PasswordResetRequest.count() == 2

    assert await _cli("jobs", "run-due") == 0
    assert "password_resets: 1 reset link(s) queued" in capsys.readouterr().out
    assert await OutboxMessage.count().where(OutboxMessage.to_email == "eilidh@example.org") == 1
    assert await OutboxMessage.count().where(OutboxMessage.to_email == "nobody@example.org") == 0
    assert await PasswordResetRequest.count() == 0
    assert await _cli("jobs", "run-due") == 0
    assert "password_resets: 0 reset link(s) queued" in capsys.readouterr().out  # each request is taken once


async def test_choosing_a_new_password_through_a_link_lifts_the_lock(
    client: Client, alliance: Alliance, tmp_path: Path, stopped_clock: StoppedClock
) -> None:
    for n in range(5):
        await sign_in(client, "eilidh@example.org", f"wrong guess {n}")
    assert (await sign_in(client, "eilidh@example.org", PASSWORD)).status_code == 429
    await _forgotten(client, "eilidh@example.org")
    link = await _delivered_link(tmp_path, "eilidh@example.org")
    await client.get(link)
    done = await client.post(
        link, data={"password": NEW_PASSWORD, "_csrf_token": client.cookies["csrftoken"]}, follow_redirects=False
    )
    assert done.headers["location"] == "/me"
    client.cookies.clear()
    assert (await sign_in(client, "eilidh@example.org", NEW_PASSWORD)).status_code in {302, 303}


async def test_old_attempts_are_cleaned_up_by_a_job(
    client: Client, alliance: Alliance, stopped_clock: StoppedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    await sign_in(client, "eilidh@example.org", "wrong guess")
    stopped_clock.advance(throttle.KEPT + timedelta(minutes=1))
    await sign_in(client, "eilidh@example.org", "wrong again")
    assert await Throttle.count() == 4
    assert await _cli("jobs", "run-due") == 0
    assert re.search(r"throttle_cleanup: 2 old attempt\(s\) deleted", capsys.readouterr().out)
    left = await Throttle.select(Throttle.at)
    assert {row["at"] for row in left} == {stopped_clock.moment}
    assert all(isinstance(row["at"], datetime) for row in left)
