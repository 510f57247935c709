"""Getting imported practitioners signed in: invitations, choosing a password, forgotten passwords.

Links are single-use, expire (invitations after 7 days, resets after 1 hour) and are stored only as hashes;
the mail goes through the outbox in the same transaction. A forgotten-password request is only queued by
the page (throttled, and the same work for any address); a job turns it into a link and a mail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from registry import clock
from registry.accounts import service as accounts
from registry.accounts import throttle
from registry.accounts.passwords import hash_password, password_problem
from registry.accounts.rules import ADMIN_ROLES, Role, Viewer, hash_token, new_token
from registry.accounts.tables import PasswordResetRequest, SignInLink, User, UserSession
from registry.db import write_tx
from registry.errors import Forbidden, Invalid, NotFound
from registry.notify.compose import render_mail
from registry.notify.outbox import enqueue
from registry.people.employment import employed_on
from registry.people.tables import Practitioner
from registry.settings import get_settings

__all__ = (
    "INVITATION_LIFETIME",
    "RESET_LIFETIME",
    "InvitationRow",
    "invitation_list",
    "invite",
    "link_state",
    "request_reset",
    "send_invitation",
    "send_requested_resets",
    "set_password",
)

log = logging.getLogger(__name__)
INVITATION_LIFETIME = timedelta(days=7)
RESET_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class InvitationRow:
    practitioner_id: int
    name: str
    email: str
    invited_at: datetime | None
    signed_in_at: datetime | None


async def _new_link(user_id: int, purpose: str, lifetime: timedelta) -> str:
    """A fresh link; earlier unused links of the same purpose stop working (inside the caller's transaction)."""
    now = clock.now()
    await SignInLink.update({SignInLink.expires_at: now}).where(
        (SignInLink.user == user_id) & (SignInLink.purpose == purpose) & SignInLink.used_at.is_null()
    )
    token = new_token()
    await SignInLink.insert(
        SignInLink(
            token_hash=hash_token(token), user=user_id, purpose=purpose, created_at=now, expires_at=now + lifetime
        )
    )
    return token


async def send_invitation(user_id: int, email: str, name: str) -> None:
    """A fresh invitation link by mail, replacing any earlier one (inside the caller's transaction)."""
    token = await _new_link(user_id, "invite", INVITATION_LIFETIME)
    link = f"{get_settings().base_url}/set-password/{token}"
    text, page = render_mail("invitation", name=name, link=link)
    await enqueue(email, "Your invitation to the CLD Workforce Registry", text, page)


def _may_invite(viewer: Viewer, organisation_id: int) -> bool:
    return viewer.role in ADMIN_ROLES or (
        viewer.role is Role.PARTNER_ADMIN and viewer.organisation_id == organisation_id
    )


async def invite(
    viewer: Viewer,
    *,
    practitioner_ids: list[int] | None = None,
    organisation_id: int | None = None,
    everyone: bool = False,
) -> int:
    """Invite practitioners who cannot sign in yet (no password set); a second invitation replaces the first."""
    if viewer.role not in ADMIN_ROLES | {Role.PARTNER_ADMIN}:
        raise Forbidden("Only partner admins and alliance leads can send invitations")
    query = Practitioner.select(
        Practitioner.id, Practitioner.email, Practitioner.given_name, Practitioner.organisation, Practitioner.left_on
    ).where(employed_on(clock.today()))
    if practitioner_ids is not None:
        query = query.where(Practitioner.id.is_in(practitioner_ids or [0]))
    elif organisation_id is not None:
        query = query.where(Practitioner.organisation == organisation_id)
    elif not everyone:
        raise Invalid({"practitioners": "say whom to invite"})
    candidates = [p for p in await query if _may_invite(viewer, p["organisation"])]
    if practitioner_ids is not None and len(candidates) != len(set(practitioner_ids)):
        raise NotFound("No such practitioner")
    managers = {
        r["manager_email"]
        for r in await Practitioner.select(Practitioner.manager_email).where(Practitioner.manager_email.is_not_null())
    }
    # A record's sign-in is the one tied to it by id; a sign-in that merely shares the address (a lead, an
    # admin) is never taken over by inviting the record.
    users = {
        u["practitioner"]: u
        for u in await User.select(User.id, User.practitioner, User.password_hash).where(
            User.practitioner.is_in([p["id"] for p in candidates] or [0])
        )
    }
    taken = {
        u["email"]
        for u in await User.select(User.email).where(
            User.email.is_in([p["email"] for p in candidates] or [""]) & User.practitioner.is_null()
        )
    }
    sent = 0
    async with write_tx():
        for person in candidates:
            user = users.get(person["id"])
            if user is not None and user["password_hash"]:
                continue  # already has a sign-in
            if user is None and person["email"] in taken:
                continue  # the address is another sign-in's; that person already signs in with it
            if user is None:
                role = Role.MANAGER if person["email"] in managers else Role.PRACTITIONER
                inserted = await User.insert(
                    User(email=person["email"], name=person["given_name"], role=role,
                         organisation=person["organisation"], created_at=clock.now(), practitioner=person["id"])
                ).returning(User.id)  # fmt: skip
                user_id = int(inserted[0]["id"])
            else:
                user_id = int(user["id"])
            await send_invitation(user_id, person["email"], person["given_name"])
            sent += 1
    log.info("%s sent %s invitation(s)", viewer.email, sent)
    return sent


def _invitable(viewer: Viewer) -> Any:
    """WHERE clause: current practitioners the viewer may invite (partner admins: their organisation)."""
    where = employed_on(clock.today())
    if viewer.role not in ADMIN_ROLES:
        where = where & (Practitioner.organisation == (viewer.organisation_id or 0))
    return where


async def invitation_list(viewer: Viewer, limit: int = 50, offset: int = 0) -> tuple[list[InvitationRow], int]:
    """A page of the current practitioners the viewer may invite, by name, with when they were last invited
    and last signed in; and how many there are (filtered and paged in SQL)."""
    if viewer.role not in ADMIN_ROLES | {Role.PARTNER_ADMIN}:
        raise Forbidden("Only partner admins and alliance leads can send invitations")
    where = _invitable(viewer)
    people = (
        await Practitioner.select(
            Practitioner.id, Practitioner.email, Practitioner.given_name, Practitioner.family_name
        )
        .where(where)
        .order_by(Practitioner.family_name, Practitioner.given_name, Practitioner.id)
        .limit(limit)
        .offset(offset)
    )
    users = {
        u["practitioner"]: u
        for u in await User.select(User.id, User.practitioner, User.last_signed_in_at).where(
            User.practitioner.is_in([p["id"] for p in people] or [0])
        )
    }
    invited: dict[int, datetime] = {}
    links = await SignInLink.select(SignInLink.user, SignInLink.created_at).where(
        (SignInLink.purpose == "invite") & SignInLink.user.is_in([u["id"] for u in users.values()] or [0])
    )
    for link in links:
        invited[link["user"]] = max(invited.get(link["user"], link["created_at"]), link["created_at"])
    rows = []
    for p in people:
        user = users.get(p["id"])
        rows.append(
            InvitationRow(
                p["id"], f"{p['given_name']} {p['family_name']}", p["email"],
                invited.get(user["id"]) if user else None, user["last_signed_in_at"] if user else None,
            )
        )  # fmt: skip
    return rows, int(await Practitioner.count().where(where))


async def _link(token: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = await SignInLink.select().where(SignInLink.token_hash == hash_token(token)).first()
    return row


async def link_state(token: str) -> str:
    """``valid``, ``expired`` or ``used`` (an unknown link reads as expired)."""
    link = await _link(token)
    if link is None or link["expires_at"] <= clock.now():
        return "used" if link is not None and link["used_at"] is not None else "expired"
    return "used" if link["used_at"] is not None else "valid"


async def set_password(token: str, password: str) -> int:
    """Choose a password through a valid link; every other session of that person ends. Returns the user id."""
    if problem := password_problem(password):
        raise Invalid({"password": problem})
    link = await _link(token)
    if link is None or link["used_at"] is not None or link["expires_at"] <= clock.now():
        raise Invalid({"password": "This link has expired or has already been used"})
    password_hash = await hash_password(password)
    async with write_tx():
        used = (
            await SignInLink.update({SignInLink.used_at: clock.now()})
            .where((SignInLink.id == link["id"]) & SignInLink.used_at.is_null())
            .returning(SignInLink.id)
        )
        if not used:
            raise Invalid({"password": "This link has expired or has already been used"})
        # A suspended person's old link chooses nothing: the password, the link and their sessions stay as they
        # were (raising here undoes the link's use too), and they are told why, as signing in tells them.
        changed = (
            await User.update({User.password_hash: password_hash})
            .where((User.id == link["user"]) & User.suspended_at.is_null())
            .returning(User.email)
        )
        if not changed:
            raise Invalid({"password": accounts.SUSPENDED})
        await UserSession.delete().where(UserSession.user == link["user"])
        # Guesses at the old password no longer matter: the person proved they hold the mailbox.
        for user in changed:
            await throttle.clear(throttle.SIGN_IN_ACCOUNT, str(user["email"]))
    log.info("user %s set a password through a %s link", link["user"], link["purpose"])
    return int(link["user"])


async def request_reset(email: str, client_address: str | None = None) -> None:
    """Queue a reset for ``send_requested_resets``; the caller always answers the same, known address or not.

    Only the throttle is consulted here, and it counts the address as typed, so the work (and the time it
    takes) is the same whether the address has a sign-in or not. Past the limits the request is dropped
    quietly: the answer must not reveal anything either.
    """
    email = email.strip().lower()
    client = throttle.client_key(client_address)
    async with write_tx():
        try:
            await throttle.record_attempt((throttle.RESET_ACCOUNT, email), (throttle.RESET_CLIENT, client))
        except throttle.TooManyAttempts:
            log.warning("password reset not queued: too many requests for %s or from %s", email, client)
            return
        await PasswordResetRequest.insert(PasswordResetRequest(email=email, requested_at=clock.now()))


async def send_requested_resets(batch: int = 200) -> int:
    """The job: each waiting request is taken once (by whichever instance deletes it first) and, if its
    address has a sign-in of someone still here, becomes a link and a mail in the same transaction."""
    waiting = await PasswordResetRequest.select(PasswordResetRequest.id).order_by(PasswordResetRequest.id).limit(batch)
    sent = 0
    for queued in waiting:
        async with write_tx():
            taken = (
                await PasswordResetRequest.delete()
                .where(PasswordResetRequest.id == queued["id"])
                .returning(PasswordResetRequest.email)
            )
            if taken and await _send_reset(str(taken[0]["email"])):
                sent += 1
    return sent


async def _send_reset(email: str) -> bool:
    """A reset link by mail, inside the caller's transaction; False for an unknown address or a leaver."""
    user = await User.select(User.id, User.name, User.practitioner, User.suspended_at).where(
        User.email == email
    ).first()
    if user is None:
        log.info("password reset asked for an unknown address")
        return False
    if user["suspended_at"] is not None:
        log.info("password reset not sent: user %s is suspended", user["id"])
        return False
    if await accounts.has_left(user["practitioner"]):
        return False
    token = await _new_link(user["id"], "reset", RESET_LIFETIME)
    link = f"{get_settings().base_url}/set-password/{token}"
    text, page = render_mail("password_reset", name=user["name"], link=link)
    await enqueue(email, "Reset your CLD Workforce Registry password", text, page)
    log.info("password reset link sent to user %s", user["id"])
    return True
