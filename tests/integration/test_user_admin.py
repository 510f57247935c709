"""Administration of sign-ins in the browser (issue 15, point 2): admins manage every sign-in, partner admins
their own organisation's; nobody raises their own role, gives a role above their own, or leaves the registry
without an admin; suspending ends sessions and tokens at once; every change is in the audit log."""

from __future__ import annotations

import asyncio
import re

import pytest
from litestar.testing import AsyncTestClient

from registry.accounts import service as accounts
from registry.accounts import users
from registry.accounts.passwords import hash_password
from registry.accounts.rules import Role, Viewer
from registry.accounts.tables import User
from registry.audit.tables import AuditEntry
from registry.errors import Forbidden, Invalid
from registry.notify.tables import OutboxMessage
from tests.integration.test_event_pages import sign_in_as
from tests.integration.test_sign_in import sign_in
from tests.support import PASSWORD, Alliance, as_viewer, bearer

Client = AsyncTestClient  # type: ignore[type-arg]


async def _user(email: str, name: str, role: str, organisation: str | None = None, password: bool = True) -> int:
    user_id = await accounts.create_user(email, name, role, organisation)
    if password:
        await User.update({User.password_hash: await hash_password(PASSWORD)}).where(User.id == user_id)
    return user_id


def _emails(html: str) -> list[str]:
    return re.findall(r'data-testid="user-row" data-email="([^"]+)"', html)


async def _actions() -> list[tuple[str, str]]:
    rows = await AuditEntry.select(AuditEntry.action, AuditEntry.subject).order_by(AuditEntry.id)
    return [(r["action"], r["subject"]) for r in rows if r["action"].startswith(("user.", "token."))]


async def test_admins_list_and_search_every_sign_in_partner_admins_their_organisations(
    client: Client, alliance: Alliance
) -> None:
    await _user("sam.dcc@example.org", "Sam Dundee", "practitioner", "DCC")
    await _user("fay.fife@example.org", "Fay Fife", "practitioner", "FIFE", password=False)
    await sign_in_as(client, "admin@example.org")
    everyone = _emails((await client.get("/admin/users")).text)
    assert {"sam.dcc@example.org", "fay.fife@example.org", "lead@example.org", "admin@example.org"} <= set(everyone)
    assert _emails((await client.get("/admin/users?q=FIFE")).text) == ["fay.fife@example.org"]
    assert _emails((await client.get("/admin/users?status=invited")).text) == ["fay.fife@example.org"]
    assert _emails((await client.get("/admin/users?role=lead")).text) == ["lead@example.org"]
    empty = await client.get("/admin/users?q=nobody-at-all")
    assert "No sign-in matches these filters." in empty.text

    await sign_in_as(client, "admin.dcc@example.org")
    own = _emails((await client.get("/admin/users")).text)
    assert set(own) == {"admin.dcc@example.org", "sam.dcc@example.org"}
    fay = await User.select(User.id).where(User.email == "fay.fife@example.org").first()
    assert fay is not None
    assert (await client.get(f"/admin/users/{fay['id']}")).status_code == 404  # not even told it exists


async def test_nobody_gives_a_role_above_their_own_or_changes_their_own(client: Client, alliance: Alliance) -> None:
    sam = await _user("sam.dcc@example.org", "Sam Dundee", "practitioner", "DCC")
    csrf = await sign_in_as(client, "admin.dcc@example.org")
    page = await client.post(f"/admin/users/{sam}/role", data={"_csrf_token": csrf, "role": "lead"})
    assert page.status_code == 400
    assert "You cannot give a role above your own" in page.text
    assert 'value="lead"' not in page.text  # not even offered
    own = await User.select(User.id).where(User.email == "admin.dcc@example.org").first()
    assert own is not None
    mine = await client.post(f"/admin/users/{own['id']}/role", data={"_csrf_token": csrf, "role": "practitioner"})
    assert mine.status_code == 400
    assert "You cannot change your own role" in mine.text
    assert (await User.select(User.role).where(User.id == sam).first()) == {"role": "practitioner"}

    done = await client.post(
        f"/admin/users/{sam}/role", data={"_csrf_token": csrf, "role": "partner_admin"}, follow_redirects=False
    )
    assert done.status_code in {302, 303}
    assert (await User.select(User.role).where(User.id == sam).first()) == {"role": "partner_admin"}
    lead = await User.select(User.id).where(User.email == "lead@example.org").first()
    assert lead is not None
    assert (await client.post(f"/admin/users/{lead['id']}/role", data={"_csrf_token": csrf, "role": "practitioner"})
            ).status_code == 404  # fmt: skip
    assert await _actions() == [("user.role", "sam.dcc@example.org")]


async def test_inviting_someone_makes_the_sign_in_and_mails_the_link(client: Client, alliance: Alliance) -> None:
    csrf = await sign_in_as(client, "admin.dcc@example.org")
    form = {"_csrf_token": csrf, "email": "New.Person@example.org", "name": "New Person", "role": "manager",
            "organisation": "FIFE"}  # fmt: skip  # a forged organisation: a partner admin invites to their own
    answer = await client.post("/admin/users/new", data=form, follow_redirects=False)
    assert answer.status_code in {302, 303}
    made = (
        await User.select(User.role, User.organisation.code.as_alias("org"), User.password_hash)
        .where(User.email == "new.person@example.org")
        .first()
    )
    assert made == {"role": "manager", "org": "DCC", "password_hash": None}
    mail = (
        await OutboxMessage.select(OutboxMessage.subject, OutboxMessage.body_text)
        .where(OutboxMessage.to_email == "new.person@example.org")
        .first()
    )
    assert mail is not None
    assert "/set-password/" in mail["body_text"]
    assert await _actions() == [("user.invite", "new.person@example.org")]

    again = await client.post("/admin/users/new", data={**form, "role": "admin"})
    assert again.status_code == 400
    assert "You cannot give a role above your own" in again.text
    twice = await client.post("/admin/users/new", data={**form, "email": "eilidh@example.org", "role": "practitioner"})
    assert twice.status_code == 400
    assert "Someone already signs in with this email address" in twice.text
    bad = await client.post("/admin/users/new", data={"_csrf_token": csrf, "email": "nope", "name": "", "role": "x"})
    assert bad.status_code == 400
    assert "govuk-error-summary" in bad.text
    assert await User.count().where(User.email == "nope") == 0


async def test_suspending_ends_sessions_and_tokens_and_restoring_lets_them_back(
    client: Client, alliance: Alliance
) -> None:
    sam = await _user("sam.dcc@example.org", "Sam Dundee", "practitioner", "DCC")
    token = await accounts.create_api_token("sam.dcc@example.org", "sync")
    assert (await client.get("/api/v1/events", headers=bearer(token))).status_code == 200
    await sign_in_as(client, "sam.dcc@example.org")
    assert (await client.get("/me", follow_redirects=False)).status_code == 200
    sams_cookies = dict(client.cookies)

    csrf = await sign_in_as(client, "admin@example.org")
    confirm = await client.get(f"/admin/users/{sam}/suspend")
    assert "Are you sure you want to suspend Sam Dundee?" in confirm.text
    assert "Their 1 API token will be revoked" in confirm.text
    done = await client.post(f"/admin/users/{sam}/suspend", data={"_csrf_token": csrf}, follow_redirects=False)
    assert done.status_code in {302, 303}
    page = (await client.get(f"/admin/users/{sam}")).text
    assert "Suspended" in page
    assert "by admin@example.org" in page
    assert (await client.get("/api/v1/events", headers=bearer(token))).status_code == 401

    client.cookies.clear()
    for name, value in sams_cookies.items():
        client.cookies.set(name, value)
    assert (await client.get("/me", follow_redirects=False)).status_code == 302  # signed out at once
    refused = await sign_in(client, "sam.dcc@example.org")
    assert refused.status_code == 400
    assert "Your sign-in is suspended" in refused.text

    csrf = await sign_in_as(client, "admin@example.org")
    await client.post(f"/admin/users/{sam}/restore", data={"_csrf_token": csrf})
    assert (await sign_in(client, "sam.dcc@example.org")).status_code in {302, 303}
    assert (await client.get("/api/v1/events", headers=bearer(token))).status_code == 401  # stays revoked
    assert await _actions() == [("user.suspend", "sam.dcc@example.org"), ("user.restore", "sam.dcc@example.org")]


async def test_admins_make_and_revoke_a_token_for_someone_shown_once(client: Client, alliance: Alliance) -> None:
    sam = await _user("sam.dcc@example.org", "Sam Dundee", "practitioner", "DCC")
    csrf = await sign_in_as(client, "admin.dcc@example.org")
    made = await client.post(
        f"/admin/users/{sam}/tokens", data={"_csrf_token": csrf, "label": "nightly sync", "expires_in_days": "30"}
    )
    assert made.status_code == 201
    secret = re.search(r'data-testid="new-token">([^<]+)<', made.text)
    assert secret is not None
    assert (await client.get("/api/v1/events", headers=bearer(secret[1]))).status_code == 200
    assert secret[1] not in (await client.get(f"/admin/users/{sam}")).text  # never shown again

    token_id = int(re.findall(r'data-testid="revoke-(\d+)"', (await client.get(f"/admin/users/{sam}")).text)[0])
    confirm = await client.get(f"/admin/users/{sam}/tokens/{token_id}/revoke")
    assert "Are you sure you want to revoke “nightly sync”?" in confirm.text
    await client.post(f"/admin/users/{sam}/tokens/{token_id}/revoke", data={"_csrf_token": csrf})
    assert (await client.get("/api/v1/events", headers=bearer(secret[1]))).status_code == 401
    too_long = await client.post(f"/admin/users/{sam}/tokens", data={"_csrf_token": csrf, "expires_in_days": "9999"})
    assert too_long.status_code == 400
    assert await _actions() == [("token.create", "sam.dcc@example.org"), ("token.revoke", "sam.dcc@example.org")]


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(alliance: Alliance) -> None:
    first = await User.select(User.id).where(User.email == "admin@example.org").first()
    assert first is not None
    second = await _user("second.admin@example.org", "Second Admin", "admin")
    a = Viewer(first["id"], "admin@example.org", "A", Role.ADMIN)
    b = Viewer(second, "second.admin@example.org", "B", Role.ADMIN)
    outcomes = await asyncio.gather(
        users.change_role(a, second, "lead"), users.change_role(b, first["id"], "lead"), return_exceptions=True
    )
    refused = [o for o in outcomes if isinstance(o, Invalid)]
    assert len(refused) == 1
    assert "only admin left" in refused[0].problems["role"]
    assert await User.count().where(User.role == "admin") == 1


async def test_nobody_suspends_themselves_and_a_lead_manages_no_sign_ins(client: Client, alliance: Alliance) -> None:
    me = await User.select(User.id).where(User.email == "admin@example.org").first()
    assert me is not None
    viewer = Viewer(me["id"], "admin@example.org", "Admin", Role.ADMIN)
    with pytest.raises(Invalid) as refused:
        await users.suspend(viewer, me["id"])
    assert refused.value.problems == {"suspend": "You cannot suspend your own sign-in"}
    csrf = await sign_in_as(client, "admin@example.org")
    page = await client.post(f"/admin/users/{me['id']}/suspend", data={"_csrf_token": csrf})
    assert page.status_code == 400
    assert "You cannot suspend your own sign-in" in page.text
    lead = as_viewer("lead@example.org", "Lead", Role.LEAD)
    with pytest.raises(Forbidden, match="Only admins and partner admins"):
        await users.list_users(lead, users.UserFilter(), 10, 0)
    await sign_in_as(client, "lead@example.org")
    assert (await client.get("/admin/users")).status_code == 403
