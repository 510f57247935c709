"""Imported practitioners get in: invitation through the outbox, choosing a password, forgotten passwords."""

from __future__ import annotations

import email
import re
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from registry.accounts import invitations
from registry.accounts.tables import SignInLink, User, UserSession
from registry.notify import outbox
from registry.notify.mail import FileBackend
from registry.notify.tables import OutboxMessage
from registry.web.auth import SESSION_COOKIE
from tests.integration.test_cli import _cli
from tests.integration.test_sign_in import sign_in
from tests.support import Alliance, bearer

Client = AsyncTestClient  # type: ignore[type-arg]
NEW_PASSWORD = "plum orchard lantern"


async def _delivered_link(tmp_path: Path, to: str) -> str:
    """Deliver the outbox to .eml files, as the demo does, and read the link from the message to ``to``."""
    folder = tmp_path / "outbox"
    await outbox.deliver_due(FileBackend(folder))
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == to:
            body = message.get_body(preferencelist=("plain",))
            assert body is not None
            match = re.search(r"http://testserver.local(/set-password/\S+)", body.get_content())
            assert match
            return match.group(1)
    raise AssertionError(f"no message to {to}")


async def test_an_imported_practitioner_is_invited_sets_a_password_and_signs_in(
    client: Client, alliance: Alliance, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await _cli("users", "invite", "--email", "ross@example.org") == 0
    assert "1 invitation(s) sent" in capsys.readouterr().out
    user = await User.select(User.role, User.password_hash).where(User.email == "ross@example.org").first()
    assert user == {"role": "practitioner", "password_hash": None}
    link = await _delivered_link(tmp_path, "ross@example.org")
    page = await client.get(link)
    assert "Choose your password" in page.text
    csrf = client.cookies["csrftoken"]
    common = await client.post(link, data={"password": "password1234", "_csrf_token": csrf})
    assert common.status_code == 400
    assert "too easy to guess" in common.text
    short = await client.post(link, data={"password": "short", "_csrf_token": csrf})
    assert "10 characters or more" in short.text
    done = await client.post(link, data={"password": NEW_PASSWORD, "_csrf_token": csrf}, follow_redirects=False)
    assert done.headers["location"] == "/me"
    assert SESSION_COOKIE in done.cookies
    me = await client.get("/me", follow_redirects=True)
    assert "Ross Walker" in me.text
    again = await client.get(link)
    assert "This link has already been used" in again.text
    client.cookies.clear()
    assert (await sign_in(client, "ross@example.org", NEW_PASSWORD)).status_code in {302, 303}


async def test_managers_are_invited_as_managers_and_the_list_shows_who_was_invited(
    client: Client, alliance: Alliance, tmp_path: Path
) -> None:
    await User.delete().where(User.email == "graham@example.org")
    await sign_in(client, "admin.dcc@example.org")
    graham = alliance.practitioner_ids["graham@example.org"]
    response = await client.post(
        "/invitations",
        data={"practitioner": str(graham), "_csrf_token": client.cookies["csrftoken"]},
        follow_redirects=True,
    )
    assert "1 invitation(s) sent" in response.text
    assert (await User.select(User.role).where(User.email == "graham@example.org").first()) == {"role": "manager"}
    listing = await client.get("/invitations")
    assert "Graham" in listing.text
    assert "Amira" not in listing.text  # another organisation's practitioner
    api = await client.post(f"/api/v1/practitioners/{graham}/invite", headers=bearer(alliance.tokens["partner_admin"]))
    assert api.status_code == 202
    assert api.json() == {"sent": 1}
    other = await client.post(
        f"/api/v1/practitioners/{alliance.practitioner_ids['amira@example.org']}/invite",
        headers=bearer(alliance.tokens["partner_admin"]),
    )
    assert other.status_code == 404
    # The earlier link stopped working when the invitation was sent again.
    assert await SignInLink.count().where(SignInLink.expires_at > datetime.now(UTC)) == 1


async def test_an_expired_link_says_so_and_offers_a_new_one(client: Client, alliance: Alliance, tmp_path: Path) -> None:
    await _cli("users", "invite", "--email", "ross@example.org")
    link = await _delivered_link(tmp_path, "ross@example.org")
    await SignInLink.update({SignInLink.expires_at: datetime.now(UTC) - timedelta(seconds=1)}, force=True)
    page = await client.get(link)
    assert "This link has expired" in page.text
    assert 'href="/forgotten-password"' in page.text
    refused = await client.post(link, data={"password": NEW_PASSWORD, "_csrf_token": client.cookies["csrftoken"]})
    assert refused.status_code == 400
    assert (await User.select(User.password_hash).where(User.email == "ross@example.org").first()) == {
        "password_hash": None
    }


async def test_forgotten_password_answers_the_same_and_a_reset_ends_other_sessions(
    client: Client, alliance: Alliance, tmp_path: Path
) -> None:
    other_session = (await sign_in(client, "eilidh@example.org")).cookies[SESSION_COOKIE]
    client.cookies.clear()
    await client.get("/forgotten-password")
    csrf = client.cookies["csrftoken"]
    known = await client.post("/forgotten-password", data={"email": "eilidh@example.org", "_csrf_token": csrf})
    unknown = await client.post("/forgotten-password", data={"email": "nobody@example.org", "_csrf_token": csrf})
    strip = lambda html: html.replace("eilidh@example.org", "X").replace("nobody@example.org", "X")  # noqa: E731
    assert known.status_code == unknown.status_code == 200
    assert strip(known.text).split('name="_csrf_token"')[0] == strip(unknown.text).split('name="_csrf_token"')[0]
    assert await OutboxMessage.count().where(OutboxMessage.to_email == "nobody@example.org") == 0
    link = await _delivered_link(tmp_path, "eilidh@example.org")
    await client.get(link)
    done = await client.post(
        link, data={"password": NEW_PASSWORD, "_csrf_token": client.cookies["csrftoken"]}, follow_redirects=False
    )
    assert done.headers["location"] == "/me"
    assert await UserSession.count().where(UserSession.token_hash != "") == 1  # only the new one
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, other_session)
    assert (await client.get("/practitioners", follow_redirects=False)).status_code == 302


async def test_invite_everyone_in_an_organisation_skips_those_with_a_password(alliance: Alliance, capsys) -> None:
    assert await _cli("users", "invite", "--organisation", "DCC") == 0
    # DCC: Graham and Eilidh already have passwords; Ross is invited; the leaver is not.
    assert "1 invitation(s) sent" in capsys.readouterr().out
    assert await _cli("users", "invite", "--organisation", "NOPE") == 2


async def _suspend(email_address: str) -> None:
    await User.update({User.suspended_at: datetime.now(UTC), User.suspended_by: "admin@example.org"}).where(
        User.email == email_address
    )


async def test_a_suspended_person_cannot_use_an_old_invitation_and_nothing_changes(
    client: Client, alliance: Alliance, tmp_path: Path
) -> None:
    assert await _cli("users", "invite", "--email", "ross@example.org") == 0
    link = await _delivered_link(tmp_path, "ross@example.org")
    await _suspend("ross@example.org")
    await client.get(link)
    refused = await client.post(
        link, data={"password": NEW_PASSWORD, "_csrf_token": client.cookies["csrftoken"]}, follow_redirects=False
    )
    assert refused.status_code == 400
    assert "Your sign-in is suspended" in refused.text
    assert SESSION_COOKIE not in refused.cookies
    user = await User.select(User.id, User.password_hash).where(User.email == "ross@example.org").first()
    assert user is not None
    assert user["password_hash"] is None  # no password chosen
    assert await SignInLink.count().where((SignInLink.user == user["id"]) & SignInLink.used_at.is_not_null()) == 0
    assert await UserSession.count().where(UserSession.user == user["id"]) == 0


async def test_a_suspended_person_gets_no_reset_link(client: Client, alliance: Alliance, tmp_path: Path) -> None:
    await _suspend("eilidh@example.org")
    await client.get("/forgotten-password")
    asked = await client.post(
        "/forgotten-password", data={"email": "eilidh@example.org", "_csrf_token": client.cookies["csrftoken"]}
    )
    assert asked.status_code == 200  # the same answer as for anyone
    await invitations.send_requested_resets()
    assert await OutboxMessage.count().where(OutboxMessage.to_email == "eilidh@example.org") == 0
