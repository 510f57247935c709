"""People can turn off optional messages (reminders, evaluation requests, the weekly digest) — never invites."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from registry.accounts.rules import Viewer
from registry.db import write_tx
from registry.notify.tables import NotificationPreference

__all__ = ("opted_out", "reminders_on", "set_reminders")

log = logging.getLogger(__name__)


async def opted_out(emails: Iterable[str]) -> set[str]:
    """Which of these people have turned reminders off (one query)."""
    wanted = list({e.lower() for e in emails})
    if not wanted:
        return set()
    rows = await NotificationPreference.select(NotificationPreference.email).where(
        NotificationPreference.email.is_in(wanted) & (NotificationPreference.reminders == False)  # noqa: E712
    )
    return {r["email"] for r in rows}


async def reminders_on(email: str) -> bool:
    return email.lower() not in await opted_out([email])


async def set_reminders(viewer: Viewer, enabled: bool) -> None:
    email = viewer.email.lower()
    async with write_tx():
        if await NotificationPreference.exists().where(NotificationPreference.email == email):
            await NotificationPreference.update({NotificationPreference.reminders: enabled}).where(
                NotificationPreference.email == email
            )
        else:
            await NotificationPreference.insert(NotificationPreference(email=email, reminders=enabled))
    log.info("%s turned reminders %s", email, "on" if enabled else "off")
