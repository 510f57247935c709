"""Single sign-on through an organisation's OpenID Connect provider (authorisation code flow with PKCE).

A provider vouches only for the e-mail domains it is configured with, and a sign-in only ever reaches a
practitioner the HR file already has: single sign-on never creates a practitioner.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from registry import clock
from registry.accounts.rules import Role, Viewer
from registry.accounts.service import has_left, start_session
from registry.accounts.tables import SsoLogin, SsoProvider, User
from registry.db import write_tx
from registry.errors import Forbidden, Invalid, NotFound
from registry.people.tables import Organisation, Practitioner
from registry.secrets_at_rest import open_secret, reseal, seal
from registry.settings import get_settings

__all__ = (
    "CALLBACK_PATH",
    "LOGIN_LIFETIME",
    "ProviderRow",
    "SsoRefused",
    "begin_login",
    "configure_provider",
    "finish_login",
    "list_providers",
    "providers_for_email",
    "validate_id_token",
)

log = logging.getLogger(__name__)

CALLBACK_PATH = "/sign-in/sso/callback"
LOGIN_LIFETIME = timedelta(minutes=10)
CLOCK_SKEW = 60
"""Seconds of difference between our clock and the provider's that are tolerated."""
HTTP_TIMEOUT = 10.0
SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "EdDSA"]
_UNCHECKED = "Your organisation's sign-in could not be checked"


class SsoRefused(Invalid):
    """A sign-in through a provider that the registry refuses; the detail says why, in plain words."""

    def __init__(self, detail: str) -> None:
        super().__init__({"sso": detail}, detail=detail)


@dataclass(frozen=True, slots=True)
class ProviderRow:
    id: int
    organisation_code: str
    organisation_name: str
    issuer: str
    client_id: str
    email_domains: list[str]
    password_sign_in: bool


def _domains(text: str) -> list[str]:
    return [d.strip().lower().lstrip("@") for d in text.replace(",", ";").split(";") if d.strip()]


def _domain_of(email: str) -> str:
    return email.strip().lower().rpartition("@")[2]


def _row(row: dict[str, Any]) -> ProviderRow:
    return ProviderRow(
        id=int(row["id"]),
        organisation_code=str(row["organisation.code"]),
        organisation_name=str(row["organisation.name"]),
        issuer=str(row["issuer"]),
        client_id=str(row["client_id"]),
        email_domains=_domains(str(row["email_domains"])),
        password_sign_in=bool(row["password_sign_in"]),
    )


_COLUMNS = (
    SsoProvider.id,
    SsoProvider.organisation.code,
    SsoProvider.organisation.name,
    SsoProvider.issuer,
    SsoProvider.client_id,
    SsoProvider.email_domains,
    SsoProvider.password_sign_in,
)


async def list_providers(viewer: Viewer) -> list[ProviderRow]:
    """Every configured provider, without secrets (admins only)."""
    if viewer.role is not Role.ADMIN:
        raise Forbidden("Only admins can configure single sign-on")
    return [_row(r) for r in await SsoProvider.select(*_COLUMNS).order_by(SsoProvider.organisation.name)]


async def configure_provider(
    viewer: Viewer,
    organisation_code: str,
    issuer: str,
    client_id: str,
    client_secret: str,
    email_domains: str,
    password_sign_in: bool = True,
) -> int:
    """Set an organisation's provider; an empty secret keeps the one already stored. Returns the provider id."""
    if viewer.role is not Role.ADMIN:
        raise Forbidden("Only admins can configure single sign-on")
    problems: dict[str, str] = {}
    issuer = issuer.strip().rstrip("/")
    org = await Organisation.select(Organisation.id).where(Organisation.code == organisation_code.strip()).first()
    if org is None:
        problems["organisation"] = "Choose an organisation"
    if not (issuer.startswith("https://") or issuer.startswith(("http://localhost", "http://127.0.0.1"))):
        problems["issuer"] = "Enter the provider's issuer URL, starting with https://"
    if not client_id.strip():
        problems["client_id"] = "Enter the client ID the provider gave the registry"
    domains = _domains(email_domains)
    if not domains or any("." not in d or "@" in d or " " in d for d in domains):
        problems["email_domains"] = "Enter the e-mail domains the provider covers, like council.gov.uk"
    existing = (
        await SsoProvider.select(SsoProvider.id).where(SsoProvider.organisation == org["id"]).first() if org else None
    )
    if not client_secret and existing is None:
        problems["client_secret"] = "Enter the client secret the provider gave the registry"  # noqa: S105
    if org is not None:
        clash = await SsoProvider.select(SsoProvider.email_domains).where(SsoProvider.organisation != org["id"])
        taken = {d for r in clash for d in _domains(r["email_domains"])}
        if overlap := sorted(taken & set(domains)):
            problems["email_domains"] = f"Another organisation's provider already covers {', '.join(overlap)}"
    if problems or org is None:
        raise Invalid(problems)
    values: dict[Any, Any] = {
        SsoProvider.issuer: issuer,
        SsoProvider.client_id: client_id.strip(),
        SsoProvider.email_domains: ";".join(domains),
        SsoProvider.password_sign_in: password_sign_in,
    }
    if client_secret:
        values[SsoProvider.client_secret] = seal(client_secret)  # encrypted at rest, never shown back
    async with write_tx():
        if existing is not None:
            await SsoProvider.update(values).where(SsoProvider.id == existing["id"])
            provider_id = int(existing["id"])
        else:
            rows = await SsoProvider.insert(
                SsoProvider(
                    organisation=org["id"], issuer=issuer, client_id=client_id.strip(),
                    client_secret=seal(client_secret), email_domains=";".join(domains),
                    password_sign_in=password_sign_in, created_at=clock.now(),
                )
            ).returning(SsoProvider.id)  # fmt: skip
            provider_id = int(rows[0]["id"])
    log.info("%s configured single sign-on %s for %s (%s)", viewer.email, issuer, organisation_code, ";".join(domains))
    return provider_id


async def reseal_secrets() -> int:
    """Re-encrypt every provider's client secret under the current secret key (``registry secrets rotate``)."""
    async with write_tx():
        rows = await SsoProvider.select(SsoProvider.id, SsoProvider.client_secret)
        for row in rows:
            await SsoProvider.update({SsoProvider.client_secret: reseal(row["client_secret"])}).where(
                SsoProvider.id == row["id"]
            )
    return len(rows)


async def providers_for_email(email: str) -> list[ProviderRow]:
    """The providers that cover that address's domain (at most one, as domains never overlap)."""
    domain = _domain_of(email)
    if not domain:
        return []
    rows = await SsoProvider.select(*_COLUMNS)
    return [p for p in map(_row, rows) if domain in p.email_domains]


async def _provider(provider_id: int) -> dict[str, Any]:
    row: dict[str, Any] | None = (
        await SsoProvider.select(*_COLUMNS, SsoProvider.client_secret).where(SsoProvider.id == provider_id).first()
    )
    if row is None:
        raise NotFound("No such sign-in provider")
    return row


async def _discover(http: httpx.AsyncClient, issuer: str) -> dict[str, Any]:
    """The provider's endpoints, from its discovery document; its issuer must be the one configured."""
    try:
        response = await http.get(f"{issuer}/.well-known/openid-configuration")
        response.raise_for_status()
        metadata: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("discovery failed for %s: %s", issuer, exc)
        raise SsoRefused("Your organisation's sign-in service is not answering. Try again later.") from exc
    if str(metadata.get("issuer", "")).rstrip("/") != issuer:
        raise SsoRefused(f"{_UNCHECKED}: the provider does not call itself {issuer}.")
    return metadata


def _callback_url() -> str:
    return f"{get_settings().base_url}{CALLBACK_PATH}"


async def begin_login(provider_id: int, next_url: str = "/") -> str:
    """Remember a new sign-in attempt (state, nonce, PKCE verifier) and return the provider's authorisation URL."""
    provider = await _provider(provider_id)
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
        metadata = await _discover(http, provider["issuer"])
    state, nonce, verifier = generate_token(40), generate_token(40), generate_token(64)
    next_url = next_url if len(next_url) <= 500 else "/"
    now = clock.now()
    async with write_tx():
        await SsoLogin.delete().where(SsoLogin.expires_at < now)
        await SsoLogin.insert(
            SsoLogin(state=state, nonce=nonce, code_verifier=verifier, provider=provider_id, next_url=next_url,
                     expires_at=now + LOGIN_LIFETIME)
        )  # fmt: skip
    url: str = prepare_grant_uri(
        metadata["authorization_endpoint"], provider["client_id"], "code", redirect_uri=_callback_url(),
        scope="openid email profile", state=state, nonce=nonce,
        code_challenge=create_s256_code_challenge(verifier), code_challenge_method="S256",
    )  # fmt: skip
    return url


def validate_id_token(id_token: str, jwks: dict[str, Any], issuer: str, client_id: str, nonce: str) -> dict[str, Any]:
    """The id token's claims once its signature (against the provider's keys), issuer, audience, nonce and
    expiry are right; otherwise ``SsoRefused`` saying which check failed."""
    try:
        token = jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=SIGNING_ALGORITHMS)  # type: ignore[arg-type]
    except (JoseError, ValueError) as exc:
        log.warning("id token from %s refused: %s", issuer, exc)
        raise SsoRefused(f"{_UNCHECKED}: its signature is not valid.") from exc
    claims: dict[str, Any] = dict(token.claims)
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else list(audience or [])
    now = clock.now().timestamp()
    if str(claims.get("iss", "")).rstrip("/") != issuer:
        raise SsoRefused(f"{_UNCHECKED}: it was not issued by {issuer}.")
    if client_id not in audiences or (len(audiences) > 1 and claims.get("azp") not in (None, client_id)):
        raise SsoRefused(f"{_UNCHECKED}: it was issued for another service (wrong audience).")
    if not nonce or claims.get("nonce") != nonce:
        raise SsoRefused(f"{_UNCHECKED}: it does not belong to this sign-in attempt.")
    expiry = claims.get("exp")
    if not isinstance(expiry, int | float) or expiry + CLOCK_SKEW < now:
        raise SsoRefused(f"{_UNCHECKED}: it has expired. Start again.")
    issued = claims.get("iat")
    if isinstance(issued, int | float) and issued - CLOCK_SKEW > now:
        raise SsoRefused(f"{_UNCHECKED}: it was issued in the future.")
    return claims


async def _take_login(state: str) -> dict[str, Any]:
    """The sign-in attempt with that state, used up (a state works once)."""
    async with write_tx():
        rows: list[dict[str, Any]] = (
            await SsoLogin.delete().where(SsoLogin.state == state).returning(*SsoLogin.all_columns())
        )
    if not rows or rows[0]["expires_at"] <= clock.now():
        raise SsoRefused("This sign-in has expired or was already used. Start again from the sign-in page.")
    return rows[0]


async def _exchange(provider: dict[str, Any], code: str, verifier: str) -> tuple[str, dict[str, Any]]:
    """Swap the code for tokens; returns the id token and the provider's keys."""
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
        metadata = await _discover(http, provider["issuer"])
        try:
            response = await http.post(
                metadata["token_endpoint"],
                data={"grant_type": "authorization_code", "code": code, "redirect_uri": _callback_url(),
                      "code_verifier": verifier},
                auth=(provider["client_id"], open_secret(provider["client_secret"])),
                headers={"Accept": "application/json"},
            )  # fmt: skip
            response.raise_for_status()
            tokens: dict[str, Any] = response.json()
            keys = await http.get(metadata["jwks_uri"])
            keys.raise_for_status()
            jwks: dict[str, Any] = keys.json()
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            log.warning("token exchange with %s failed: %s", provider["issuer"], exc)
            raise SsoRefused(f"{_UNCHECKED}: the provider did not accept the sign-in. Start again.") from exc
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise SsoRefused(f"{_UNCHECKED}: the provider sent no id token.")
    return id_token, jwks


async def _user_for(email: str) -> int:
    """The user with that e-mail; a current practitioner without a sign-in gets one (as invitations do)."""
    user = await User.select(User.id, User.practitioner).where(User.email == email).first()
    if user is not None:
        if await has_left(user["practitioner"]):
            raise SsoRefused(f"The practitioner record for {email} shows they have left, so they cannot sign in.")
        return int(user["id"])
    person = (
        await Practitioner.select(
            Practitioner.id, Practitioner.email, Practitioner.given_name,
            Practitioner.organisation, Practitioner.left_on,
        )
        .where(Practitioner.email == email)
        .first()
    )
    if person is None:
        raise SsoRefused(f"No practitioner record uses {email}. Ask your organisation's partner admin to add you.")
    if person["left_on"] is not None and person["left_on"] <= clock.today():
        raise SsoRefused(f"The practitioner record for {email} shows they have left, so they cannot sign in.")
    async with write_tx():
        user = await User.select(User.id).where(User.email == email).first()
        if user is not None:
            return int(user["id"])
        manages = await Practitioner.exists().where(Practitioner.manager_email == email)
        rows = await User.insert(
            User(email=email, name=person["given_name"], role=Role.MANAGER if manages else Role.PRACTITIONER,
                 organisation=person["organisation"], created_at=clock.now(), practitioner=person["id"])
        ).returning(User.id)  # fmt: skip
    log.info("sign-in created for %s through single sign-on", email)
    return int(rows[0]["id"])


async def finish_login(state: str, code: str, previous_session: str | None) -> tuple[str, str]:
    """Check the provider's answer and open a session. Returns (session token, where to go next)."""
    login = await _take_login(state)
    provider = await _provider(int(login["provider"]))
    id_token, jwks = await _exchange(provider, code, login["code_verifier"])
    claims = validate_id_token(id_token, jwks, provider["issuer"], provider["client_id"], login["nonce"])
    email = str(claims.get("email") or "").strip().lower()
    if not email or claims.get("email_verified") is not True:
        raise SsoRefused("Your organisation's account has no verified e-mail address, so it cannot be matched.")
    if _domain_of(email) not in _domains(provider["email_domains"]):
        raise SsoRefused(f"{provider['organisation.name']} cannot vouch for {email}: it is not one of its domains.")
    user_id = await _user_for(email)
    token = await start_session(user_id, previous_session, how="sso")
    log.info("%s signed in through %s", email, provider["issuer"])
    return token, str(login["next_url"])
