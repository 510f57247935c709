"""Changing the email of a record someone signs in with, without letting whoever types the new address take
the account over.

On a record that has a sign-in or any learning, a new address is only asked for: it takes effect once the
person confirms it (signed in as themselves, or from the link mailed to the OLD address), or once an admin
other than the person who asked confirms it after checking. The new address is only told that a change is
pending: whoever typed it may own it, so a confirmation there would prove nothing. Every step is kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from registry import clock
from registry.accounts.rules import Role, Viewer, hash_token, is_self, new_token
from registry.accounts.tables import User
from registry.audit import service as audit
from registry.db import write_tx
from registry.errors import Conflict, Forbidden, NotFound
from registry.learning.tables import LearningRecord
from registry.notify.compose import render_mail
from registry.notify.outbox import enqueue
from registry.people.tables import EmailChange, LineManagerChange, Practitioner
from registry.settings import get_settings

__all__ = (
    "PendingEmail",
    "address_taken",
    "change_now",
    "decide",
    "decide_by_link",
    "may_decide",
    "needs_confirmation",
    "pending_by_link",
    "pending_emails",
    "request_change",
)

log = logging.getLogger(__name__)
LINK_LIFETIME = timedelta(days=14)

_COLUMNS = (
    EmailChange.id,
    EmailChange.practitioner,
    EmailChange.old_email,
    EmailChange.new_email,
    EmailChange.requested_by_email,
    EmailChange.requested_at,
)


@dataclass(frozen=True, slots=True)
class PendingEmail:
    id: int
    practitioner_id: int
    old_email: str
    new_email: str
    requested_by_email: str
    requested_at: datetime


def _pending(row: dict[str, Any]) -> PendingEmail:
    return PendingEmail(
        id=row["id"],
        practitioner_id=row["practitioner"],
        old_email=row["old_email"],
        new_email=row["new_email"],
        requested_by_email=row["requested_by_email"],
        requested_at=row["requested_at"],
    )


async def needs_confirmation(practitioner_id: int) -> bool:
    """A record somebody signs in with, or that holds learning, changes address only once confirmed."""
    return bool(
        await User.exists().where(User.practitioner == practitioner_id)
        or await LearningRecord.exists().where(LearningRecord.practitioner == practitioner_id)
    )


async def address_taken(email: str, practitioner_id: int) -> bool:
    """Whether another record or another person's sign-in already uses the address."""
    other_record = await Practitioner.exists().where(
        (Practitioner.email == email) & (Practitioner.id != practitioner_id)
    )
    other_user = await User.exists().where(
        (User.email == email) & (User.practitioner.is_null() | (User.practitioner != practitioner_id))
    )
    return bool(other_record or other_user)


async def pending_emails(practitioner_ids: list[int]) -> dict[int, PendingEmail]:
    rows = await EmailChange.select(*_COLUMNS).where(
        EmailChange.practitioner.is_in(practitioner_ids or [0]) & (EmailChange.state == "pending")
    )
    return {row["practitioner"]: _pending(row) for row in rows}


async def request_change(viewer: Viewer, practitioner: dict[str, Any], new_email: str) -> None:
    """Ask for the change (inside the caller's transaction): the old address gets a link to confirm or
    decline it, the new one only hears that a change is pending. An earlier pending change is superseded."""
    now = clock.now()
    await EmailChange.update(
        {EmailChange.state: "superseded", EmailChange.decided_at: now, EmailChange.decided_by_email: viewer.email}
    ).where((EmailChange.practitioner == practitioner["id"]) & (EmailChange.state == "pending"))
    token = new_token()
    await EmailChange.insert(
        EmailChange(
            practitioner=practitioner["id"],
            old_email=practitioner["email"],
            new_email=new_email,
            state="pending",
            token_hash=hash_token(token),
            requested_by_email=viewer.email,
            requested_at=now,
        )
    )
    base = get_settings().base_url
    link = f"{base}/email-change/{token}"
    name = practitioner["given_name"]
    text, page = render_mail(
        "email_change_confirm", name=name, requested_by=viewer.email, new_email=new_email, link=link
    )
    await enqueue(practitioner["email"], "Confirm the change of your registry email address", text, page)
    text, page = render_mail("email_change_pending", name=name, requested_by=viewer.email, link=base)
    await enqueue(new_email, "A change of email address is pending", text, page)
    log.info("%s asked to change practitioner %s's email (change pending)", viewer.email, practitioner["id"])


async def change_now(practitioner_id: int, old: str, new: str) -> None:
    """Move the record to the new address (inside the caller's transaction). One identity: the sign-in tied
    to the record, and the teams this person manages, follow the address."""
    now = clock.now()
    await Practitioner.update({Practitioner.email: new, Practitioner.updated_at: now}).where(
        Practitioner.id == practitioner_id
    )
    await User.update({User.email: new}).where(User.practitioner == practitioner_id)
    await Practitioner.update({Practitioner.manager_email: new}).where(Practitioner.manager_email == old)
    await LineManagerChange.update({LineManagerChange.manager_email: new}).where(
        LineManagerChange.manager_email == old
    )


def may_decide(viewer: Viewer, change: PendingEmail, confirm: bool) -> bool:
    if is_self(viewer, change.practitioner_id):
        return True
    if viewer.role is Role.ADMIN and viewer.email.lower() != change.requested_by_email.lower():
        return True
    # Whoever asked may withdraw the request, never confirm it.
    return not confirm and viewer.email.lower() == change.requested_by_email.lower()


async def _apply(change: PendingEmail, by_email: str, how: str, confirm: bool, viewer: Viewer | None = None) -> None:
    now = clock.now()
    async with write_tx():
        moved = (
            await EmailChange.update(
                {
                    EmailChange.state: "confirmed" if confirm else "declined",
                    EmailChange.decided_by_email: by_email,
                    EmailChange.decided_how: how,
                    EmailChange.decided_at: now,
                }
            )
            .where((EmailChange.id == change.id) & (EmailChange.state == "pending"))
            .returning(EmailChange.id)
        )
        if not moved:
            raise Conflict("This change of email address has already been decided")
        state = "confirmed" if confirm else "declined"
        await audit.record(
            viewer, f"email_change.{state}", subject=f"practitioner:{change.practitioner_id}",
            summary=f"Change of email {change.old_email} → {change.new_email} {state} ({how})",
            details={"old": change.old_email, "new": change.new_email, "how": how}, actor_email=by_email,
        )  # fmt: skip
        if not confirm:
            log.info("%s declined the email change %s (%s)", by_email, change.id, how)
            return
        if await address_taken(change.new_email, change.practitioner_id):
            raise Conflict(f"{change.new_email} is now used by another record or sign-in; ask again with another")
        await change_now(change.practitioner_id, change.old_email, change.new_email)
        text, page = render_mail(
            "email_changed", name="colleague", new_email=change.new_email, old_email=change.old_email,
            link=get_settings().base_url,
        )  # fmt: skip
        await enqueue(change.new_email, "Your registry email address has changed", text, page)
    log.info("%s confirmed the email change %s (%s)", by_email, change.id, how)


async def decide(viewer: Viewer, practitioner_id: int, confirm: bool) -> None:
    """The person (signed in), an admin who did not ask, or (to withdraw) the requester decides."""
    change = (await pending_emails([practitioner_id])).get(practitioner_id)
    if change is None:
        raise NotFound("No change of email address is waiting for this record")
    if not may_decide(viewer, change, confirm):
        raise Forbidden(
            "Only the person themself or an admin other than the one who asked can confirm this change"
            if confirm
            else "Only the person, the one who asked or an admin can decline this change"
        )
    how = "self" if is_self(viewer, practitioner_id) else ("admin" if viewer.role is Role.ADMIN else "requester")
    await _apply(change, viewer.email, how, confirm, viewer)


async def pending_by_link(token: str) -> PendingEmail | None:
    row = await EmailChange.select(*_COLUMNS).where(
        (EmailChange.token_hash == hash_token(token))
        & (EmailChange.state == "pending")
        & (EmailChange.requested_at > clock.now() - LINK_LIFETIME)
    ).first()
    return _pending(row) if row else None


async def decide_by_link(token: str, confirm: bool) -> PendingEmail:
    """From the link mailed to the old address: holding it proves the person owns the address in use."""
    change = await pending_by_link(token)
    if change is None:
        raise NotFound("This link has expired or the change has already been decided")
    await _apply(change, change.old_email, "old_address", confirm)
    return change
