"""Single sign-on end to end against a real OpenID Connect provider on loopback (oidc-provider-mock)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from litestar.testing import AsyncTestClient
from werkzeug.serving import BaseWSGIServer

from registry.accounts import sso
from registry.accounts.rules import Role
from registry.accounts.tables import User
from registry.cli_viewer import COMMAND_LINE
from registry.people import service as people
from registry.web.auth import SESSION_COOKIE
from tests.integration.test_sign_in import sign_in
from tests.support import PASSWORD, Alliance, as_viewer

with warnings.catch_warnings():
    # The mock provider still imports authlib.jose, which authlib deprecates in favour of joserfc.
    warnings.simplefilter("ignore", DeprecationWarning)
    from oidc_provider_mock import run_server_in_thread

# The mock provider (in a thread of this process, so under these filters) uses an authlib hook that authlib deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")

ADMIN = as_viewer("admin@example.org", "Admin", Role.ADMIN)
DOMAIN = "dcc.example.org"
CLIENT_ID = "cld-registry"
HEADER = "email,given_name,family_name,organisation,job_title,contract,weekly_hours,started_on,left_on\n"
STAFF = (
    HEADER
    + f"sam.sso@{DOMAIN},Sam,Single,DCC,Youth Worker,full_time,35,2021-01-04,\n"
    + f"gone.sso@{DOMAIN},Gail,Gone,DCC,Youth Worker,full_time,35,2019-01-04,2024-01-31\n"
)


@pytest.fixture(scope="module")
def provider() -> Iterator[BaseWSGIServer]:
    with run_server_in_thread(require_nonce=True) as server:
        yield server


@pytest.fixture(scope="module")
def other_provider() -> Iterator[BaseWSGIServer]:
    """A second provider with its own signing key."""
    with run_server_in_thread() as server:
        yield server


def _issuer(server: BaseWSGIServer) -> str:
    return f"http://localhost:{server.server_port}"


def _user_at_provider(server: BaseWSGIServer, email: str, verified: bool = True) -> None:
    httpx.put(f"{_issuer(server)}/users/{email}", json={"email": email, "email_verified": verified}).raise_for_status()


@pytest.fixture
async def dcc_sso(alliance: Alliance, provider: BaseWSGIServer) -> int:
    await people.import_practitioners(COMMAND_LINE, STAFF)
    return await sso.configure_provider(ADMIN, "DCC", _issuer(provider), CLIENT_ID, "s3cret-value", DOMAIN)


def _authorize(authorize_url: str, sub: str) -> str:
    """What a person does at the provider: choose who they are; returns the redirect back to us."""
    answer = httpx.post(authorize_url, data={"sub": sub})
    assert answer.status_code == 302, answer.text[:300]
    return answer.headers["location"]


async def _sso_sign_in(client: AsyncTestClient, server: BaseWSGIServer, email: str, next_: str = "/") -> Any:  # type: ignore[type-arg]
    start = await client.get("/sign-in/sso", params={"email": email, "next": next_}, follow_redirects=False)
    assert start.status_code in {302, 303}, start.text[:300]
    location = start.headers["location"]
    assert location.startswith(f"{_issuer(server)}/oauth2/authorize?")
    query = parse_qs(urlsplit(location).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["nonce"]
    assert query["state"]
    back = urlsplit(_authorize(location, email.lower()))
    assert back.path == "/sign-in/sso/callback"
    return await client.get(f"{back.path}?{back.query}", follow_redirects=False)


async def test_a_practitioner_signs_in_with_their_organisations_account(
    client: AsyncTestClient,
    provider: BaseWSGIServer,
    dcc_sso: int,  # type: ignore[type-arg]
) -> None:
    _user_at_provider(provider, f"sam.sso@{DOMAIN}")
    page = await client.get("/sign-in")
    assert "Sign in with your organisation" in page.text
    response = await _sso_sign_in(client, provider, f"Sam.SSO@{DOMAIN}", next_="/bookings")
    assert response.status_code in {302, 303}, response.text[:500]
    assert response.headers["location"] == "/bookings"
    assert len(response.cookies[SESSION_COOKIE]) >= 40
    me = await client.get("/me", follow_redirects=True)
    assert me.status_code == 200
    assert "Sam Single" in me.text
    user = await User.select(User.role, User.password_hash).where(User.email == f"sam.sso@{DOMAIN}").first()
    assert user == {"role": "practitioner", "password_hash": None}


async def test_a_state_works_once(client: AsyncTestClient, provider: BaseWSGIServer, dcc_sso: int) -> None:  # type: ignore[type-arg]
    _user_at_provider(provider, f"sam.sso@{DOMAIN}")
    start = await client.get("/sign-in/sso", params={"email": f"sam.sso@{DOMAIN}"}, follow_redirects=False)
    back = urlsplit(_authorize(start.headers["location"], f"sam.sso@{DOMAIN}"))
    assert (await client.get(f"{back.path}?{back.query}", follow_redirects=False)).status_code == 302
    again = await client.get(f"{back.path}?{back.query}", follow_redirects=False)
    assert again.status_code == 400
    assert "This sign-in has expired or was already used" in again.text


async def test_an_email_that_matches_no_practitioner_is_refused(
    client: AsyncTestClient,
    provider: BaseWSGIServer,
    dcc_sso: int,  # type: ignore[type-arg]
) -> None:
    _user_at_provider(provider, f"stranger@{DOMAIN}")
    response = await _sso_sign_in(client, provider, f"stranger@{DOMAIN}")
    assert response.status_code == 400
    assert (
        f"No practitioner record uses stranger@{DOMAIN}. Ask your organisation&#39;s partner admin to add you."
        in response.text
    )
    assert SESSION_COOKIE not in response.cookies
    assert not await User.exists().where(User.email == f"stranger@{DOMAIN}")


async def test_a_leaver_is_refused(client: AsyncTestClient, provider: BaseWSGIServer, dcc_sso: int) -> None:  # type: ignore[type-arg]
    _user_at_provider(provider, f"gone.sso@{DOMAIN}")
    response = await _sso_sign_in(client, provider, f"gone.sso@{DOMAIN}")
    assert response.status_code == 400
    assert "shows they have left" in response.text


async def test_an_unverified_email_is_refused(client: AsyncTestClient, provider: BaseWSGIServer, dcc_sso: int) -> None:  # type: ignore[type-arg]
    _user_at_provider(provider, f"sam.sso@{DOMAIN}", verified=False)
    response = await _sso_sign_in(client, provider, f"sam.sso@{DOMAIN}")
    assert response.status_code == 400
    assert "no verified e-mail address" in response.text


async def test_a_provider_cannot_vouch_for_another_domain(
    client: AsyncTestClient,
    provider: BaseWSGIServer,
    dcc_sso: int,  # type: ignore[type-arg]
) -> None:
    """The person chooses an address at the provider that DCC's provider does not cover."""
    _user_at_provider(provider, "eilidh@example.org")
    start = await client.get("/sign-in/sso", params={"email": f"sam.sso@{DOMAIN}"}, follow_redirects=False)
    back = urlsplit(_authorize(start.headers["location"], "eilidh@example.org"))
    response = await client.get(f"{back.path}?{back.query}", follow_redirects=False)
    assert response.status_code == 400
    assert "cannot vouch for eilidh@example.org" in response.text


async def test_a_domain_without_a_provider_is_told_to_use_a_password(client: AsyncTestClient, dcc_sso: int) -> None:  # type: ignore[type-arg]
    response = await client.get("/sign-in/sso", params={"email": "eilidh@example.org"}, follow_redirects=False)
    assert response.status_code == 400
    assert "Your organisation does not offer its own sign-in" in response.text


async def test_password_sign_in_can_be_turned_off(
    client: AsyncTestClient, provider: BaseWSGIServer, dcc_sso: int
) -> None:  # type: ignore[type-arg]
    email = f"sam.sso@{DOMAIN}"
    await User.insert(User(email=email, name="Sam", role="practitioner", password_hash=None, created_at=_now()))
    refused_before = await sign_in(client, email, PASSWORD)
    assert "Enter a correct email address and password" in refused_before.text
    await sso.configure_provider(ADMIN, "DCC", _issuer(provider), CLIENT_ID, "", DOMAIN, password_sign_in=False)
    refused = await sign_in(client, email, PASSWORD)
    assert refused.status_code == 400
    assert "Your organisation asks you to sign in with its own account" in refused.text
    # Other organisations' people still sign in with their password.
    assert (await sign_in(client, "lead@example.org")).status_code in {302, 303}


def _now() -> Any:
    from registry import clock

    return clock.now()


def _real_id_token(server: BaseWSGIServer, client_id: str, nonce: str, email: str) -> str:
    """An id token the provider really issued, through the code flow with PKCE."""
    _user_at_provider(server, email)
    verifier = "v" * 64
    issuer = _issuer(server)
    redirect = "http://testserver.local/sign-in/sso/callback"
    back = _authorize(
        f"{issuer}/oauth2/authorize?"
        + httpx.QueryParams(
            response_type="code", client_id=client_id, redirect_uri=redirect, scope="openid email",
            state="s", nonce=nonce, code_challenge=create_s256_code_challenge(verifier), code_challenge_method="S256",
        ).__str__(),
        email,
    )  # fmt: skip
    code = parse_qs(urlsplit(back).query)["code"][0]
    tokens = httpx.post(
        f"{issuer}/oauth2/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect, "code_verifier": verifier},
        auth=(client_id, "any-secret"),
    )
    tokens.raise_for_status()
    return str(tokens.json()["id_token"])


def _jwks(server: BaseWSGIServer) -> dict[str, Any]:
    keys: dict[str, Any] = httpx.get(f"{_issuer(server)}/jwks").json()
    return keys


def test_the_real_token_passes_every_check(provider: BaseWSGIServer) -> None:
    token = _real_id_token(provider, CLIENT_ID, "nonce-1", f"sam.sso@{DOMAIN}")
    claims = sso.validate_id_token(token, _jwks(provider), _issuer(provider), CLIENT_ID, "nonce-1")
    assert claims["email"] == f"sam.sso@{DOMAIN}"


def test_a_token_for_another_audience_is_refused(provider: BaseWSGIServer) -> None:
    token = _real_id_token(provider, "some-other-service", "nonce-2", f"sam.sso@{DOMAIN}")
    with pytest.raises(sso.SsoRefused, match=r"issued for another service \(wrong audience\)"):
        sso.validate_id_token(token, _jwks(provider), _issuer(provider), CLIENT_ID, "nonce-2")


def test_a_token_signed_by_another_key_is_refused(provider: BaseWSGIServer, other_provider: BaseWSGIServer) -> None:
    token = _real_id_token(provider, CLIENT_ID, "nonce-3", f"sam.sso@{DOMAIN}")
    with pytest.raises(sso.SsoRefused, match="its signature is not valid"):
        sso.validate_id_token(token, _jwks(other_provider), _issuer(provider), CLIENT_ID, "nonce-3")


def test_a_tampered_token_is_refused(provider: BaseWSGIServer) -> None:
    import base64
    import json

    token = _real_id_token(provider, CLIENT_ID, "nonce-4", f"sam.sso@{DOMAIN}")
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["email"] = "lead@example.org"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    with pytest.raises(sso.SsoRefused, match="its signature is not valid"):
        sso.validate_id_token(
            f"{header}.{forged}.{signature}", _jwks(provider), _issuer(provider), CLIENT_ID, "nonce-4"
        )


def test_a_wrong_nonce_or_issuer_is_refused(provider: BaseWSGIServer) -> None:
    token = _real_id_token(provider, CLIENT_ID, "nonce-5", f"sam.sso@{DOMAIN}")
    with pytest.raises(sso.SsoRefused, match="does not belong to this sign-in"):
        sso.validate_id_token(token, _jwks(provider), _issuer(provider), CLIENT_ID, "another-nonce")
    with pytest.raises(sso.SsoRefused, match=r"was not issued by https://login\.example\.org"):
        sso.validate_id_token(token, _jwks(provider), "https://login.example.org", CLIENT_ID, "nonce-5")


async def test_wrong_audience_end_to_end(client: AsyncTestClient, provider: BaseWSGIServer, dcc_sso: int) -> None:  # type: ignore[type-arg]
    """The registry is sent to the provider as one client, but the provider's answer is checked as another."""
    _user_at_provider(provider, f"sam.sso@{DOMAIN}")
    start = await client.get("/sign-in/sso", params={"email": f"sam.sso@{DOMAIN}"}, follow_redirects=False)
    back = urlsplit(_authorize(start.headers["location"], f"sam.sso@{DOMAIN}"))
    # Between the two legs an admin changes the client id: the code was issued to the old one.
    await sso.configure_provider(ADMIN, "DCC", _issuer(provider), "renamed-client", "", DOMAIN)
    response = await client.get(f"{back.path}?{back.query}", follow_redirects=False)
    assert response.status_code == 400
    assert "Your organisation&#39;s sign-in could not be checked" in response.text
    assert SESSION_COOKIE not in response.cookies


async def test_admins_configure_providers_and_the_secret_is_never_shown(
    client: AsyncTestClient,
    provider: BaseWSGIServer,
    alliance: Alliance,  # type: ignore[type-arg]
) -> None:
    await sign_in(client, "admin@example.org")
    csrf = client.cookies["csrftoken"]
    form = {"organisation": "DCC", "issuer": _issuer(provider), "client_id": CLIENT_ID, "client_secret": "top-secret-42",
            "email_domains": DOMAIN, "password_sign_in": "no", "_csrf_token": csrf}  # fmt: skip
    saved = await client.post("/admin/sso", data=form, follow_redirects=False)
    assert saved.status_code in {302, 303}, saved.text[:500]
    page = await client.get("/admin/sso?saved=1")
    assert "Dundee City Council" in page.text
    assert DOMAIN in page.text
    assert "Turned off" in page.text
    assert "top-secret-42" not in page.text
    bad = await client.post("/admin/sso", data={**form, "email_domains": "", "client_secret": ""})
    assert bad.status_code == 400
    assert "Enter the e-mail domains the provider covers" in bad.text
    assert "top-secret-42" not in bad.text
