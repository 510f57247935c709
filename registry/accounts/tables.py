"""Sign-ins: users, their browser sessions and their API tokens (secrets stored only as hashes)."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from registry.people.tables import Organisation, Practitioner

__all__ = (
    "ApiToken",
    "PasswordResetRequest",
    "SignInLink",
    "SsoLogin",
    "SsoProvider",
    "Throttle",
    "User",
    "UserSession",
)


class User(Table, tablename="app_user"):
    """Someone who can sign in; tied to their practitioner record (if they have one) by id, never by email."""

    id: Serial

    email = Varchar(length=254, unique=True, index=True)
    """Lower case; unique whatever the case (index on lower(email))."""
    practitioner = ForeignKey(references=Practitioner, null=True, on_delete=OnDelete.set_null, unique=True)
    name = Varchar(length=200)
    role = Varchar(length=20)
    organisation = ForeignKey(references=Organisation, null=True, on_delete=OnDelete.restrict)
    password_hash = Text(null=True, default=None)
    created_at = Timestamptz()
    last_signed_in_at = Timestamptz(null=True, default=None)
    suspended_at = Timestamptz(null=True, default=None)
    """Set while the sign-in is suspended: no sign-in, session or API token of theirs works."""
    suspended_by = Varchar(length=254, null=True, default=None)


class UserSession(Table, tablename="user_session"):
    """A signed-in browser; the cookie holds a random token whose SHA-256 is stored here."""

    id: Serial

    token_hash = Varchar(length=64, unique=True, index=True)
    user = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()


class ApiToken(Table, tablename="api_token"):
    """A bearer token for scripts; only its SHA-256 is kept. Revoking one deletes its row."""

    id: Serial

    token_hash = Varchar(length=64, unique=True, index=True)
    user = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade, index=True)
    label = Varchar(length=100, default="")
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    """Kept to within a few minutes (``api_tokens.LAST_USED_PRECISION``), so a busy script does not write on
    every request."""
    expires_at = Timestamptz(null=True, default=None)
    """Always set when a token is made (tokens older than migration m0013 got created_at + 90 days);
    a token without one is treated as expired."""


class SignInLink(Table, tablename="sign_in_link"):
    """A single-use link to set a password: an invitation (7 days) or a reset (1 hour); only its hash is kept."""

    id: Serial
    token_hash = Varchar(length=64, unique=True, index=True)
    user = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade, index=True)
    purpose = Varchar(length=20)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class SsoProvider(Table, tablename="sso_provider"):
    """An organisation's OpenID Connect provider, for the people whose e-mail domains it covers."""

    id: Serial
    organisation = ForeignKey(references=Organisation, null=False, on_delete=OnDelete.cascade, unique=True)
    issuer = Varchar(length=500)
    client_id = Varchar(length=300)
    client_secret = Text(secret=True)
    email_domains = Text(default="")
    """Lower-case domains joined with ';'."""
    password_sign_in = Boolean(default=True)
    """False: the organisation's people may only sign in through the provider."""
    created_at = Timestamptz()


class SsoLogin(Table, tablename="sso_login"):
    """A sign-in under way at a provider: kept in the database so any app instance can finish it."""

    id: Serial
    state = Varchar(length=64, unique=True, index=True)
    nonce = Varchar(length=64)
    code_verifier = Varchar(length=128)
    provider = ForeignKey(references=SsoProvider, null=False, on_delete=OnDelete.cascade, index=True)
    next_url = Varchar(length=500, default="/")
    expires_at = Timestamptz()


class Throttle(Table, tablename="throttle"):
    """One counted attempt: a failed (or still running) password sign-in, or a password reset request.

    ``key`` is the account's email or the client's address, depending on ``kind``; the limits are
    counted here, not in a process, so they hold however many app instances run. A job deletes old rows.
    """

    id: Serial
    kind = Varchar(length=30)
    key = Varchar(length=300)
    at = Timestamptz()


class PasswordResetRequest(Table, tablename="password_reset_request"):
    """A forgotten-password request waiting for the job that looks up the address and queues the mail.

    The request handler only writes this row, so it does the same work for known and unknown addresses.
    """

    id: Serial
    email = Varchar(length=254)
    requested_at = Timestamptz()
