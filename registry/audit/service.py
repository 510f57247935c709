"""Writing to and reading the audit log.

``record`` joins the caller's transaction when there is one, so that what is recorded and what was done are
written together or not at all."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from registry import clock
from registry.accounts.rules import Viewer
from registry.audit.rules import may_read_log
from registry.audit.schemas import AuditEntryOut
from registry.audit.tables import AuditEntry
from registry.csv_export import spreadsheet_text
from registry.db import contains, is_sqlite, write_tx
from registry.errors import Forbidden

__all__ = (
    "CSV_COLUMNS",
    "GUARD_DDL",
    "UPDATE_GUARD_DDL",
    "LogFilter",
    "csv_lines",
    "entries",
    "forget",
    "purge",
    "record",
)

GUARD_DDL = {
    "sqlite": (
        "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry"
        " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    ),
    "postgres": (
        "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry"
        " FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"
    ),
}
"""The trigger that refuses deletes (made by migration m0026 beside the one refusing updates), which the
purge lifts and puts back."""

UPDATE_GUARD_DDL = {
    "sqlite": (
        "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry"
        " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    ),
    "postgres": (
        "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry"
        " FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"
    ),
}
"""The trigger that refuses updates, which only an erasure lifts (``forget``) and puts back."""


async def record(
    actor: Viewer | None,
    action: str,
    *,
    subject: str = "",
    summary: str = "",
    details: Mapping[str, Any] | None = None,
    actor_email: str | None = None,
) -> None:
    """Add one entry. ``actor`` None is the scheduler, or whoever ``actor_email`` names without being signed in
    (an address that failed to sign in, the holder of a link mailed to an old address)."""
    async with write_tx():
        await AuditEntry.insert(
            AuditEntry(
                at=clock.now(),
                actor_user_id=actor.user_id or None if actor else None,
                actor_email=actor.email if actor else actor_email or "scheduler",
                actor_role=str(actor.role) if actor else "",
                action=action,
                subject=subject,
                summary=summary,
                details=json.dumps(dict(details or {}), default=str, sort_keys=True),
            )
        )


@dataclass(frozen=True, slots=True)
class LogFilter:
    """What the log's reader asks for; each may be empty."""

    action: str | None = None
    actor: str | None = None
    subject: str | None = None
    """Whom or what it was done to: ``practitioner:12``, an email address, ``event:3``…"""
    since: datetime | None = None
    until: datetime | None = None


def _where(ask: LogFilter) -> Any:
    where: Any = AuditEntry.id > 0
    if ask.action:
        # ``export`` finds ``export`` and every ``export.*``.
        prefix = ask.action.replace("\\", "").replace("%", "").replace("_", "")
        where &= (AuditEntry.action == ask.action) | AuditEntry.action.like(prefix + ".%")
    if ask.actor:
        where &= contains(AuditEntry.actor_email, ask.actor.strip())
    if ask.subject:
        where &= AuditEntry.subject == ask.subject.strip()
    if ask.since:
        where &= AuditEntry.at >= ask.since
    if ask.until:
        where &= AuditEntry.at < ask.until
    return where


async def entries(viewer: Viewer, ask: LogFilter, limit: int = 50, offset: int = 0) -> tuple[list[AuditEntryOut], int]:
    """A page of the log, newest first, and how many entries match."""
    if not may_read_log(viewer):
        raise Forbidden("Only leads and admins read the audit log")
    where = _where(ask)
    total = await AuditEntry.count().where(where)
    rows = (
        await AuditEntry.select()
        .where(where)
        .order_by(AuditEntry.at, ascending=False)
        .order_by(AuditEntry.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    return [
        AuditEntryOut(
            id=r["id"], at=r["at"], actor_email=r["actor_email"], actor_role=r["actor_role"], action=r["action"],
            subject=r["subject"], summary=r["summary"], details=json.loads(r["details"] or "{}"),
        )
        for r in rows
    ], total  # fmt: skip


CSV_COLUMNS = ("at", "actor_email", "actor_role", "action", "subject", "summary", "details")
_CSV_BATCH = 1000


async def csv_lines(viewer: Viewer, ask: LogFilter) -> AsyncIterator[str]:
    """Every matching entry as CSV, newest first, a batch at a time by id (keyset: no offset gets slow), so
    that memory stays flat however long the log. Free text is made safe for spreadsheets."""
    if not may_read_log(viewer):
        raise Forbidden("Only leads and admins read the audit log")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def line(values: Iterable[Any]) -> str:
        out.seek(0)
        out.truncate()
        writer.writerow(values)
        return out.getvalue()

    yield line(CSV_COLUMNS)
    where, last = _where(ask), None
    while True:
        query = AuditEntry.select(AuditEntry.id, *(getattr(AuditEntry, c) for c in CSV_COLUMNS))
        rows = await query.where(where if last is None else where & (AuditEntry.id < last)).order_by(
            AuditEntry.id, ascending=False
        ).limit(_CSV_BATCH)  # fmt: skip
        for r in rows:
            yield line([r["at"].isoformat(), *(spreadsheet_text(str(r[c])) for c in CSV_COLUMNS[1:])])
        if len(rows) < _CSV_BATCH:
            return
        last = rows[-1]["id"]


async def _lock_the_log(kind: str) -> None:
    """Take, first in the transaction, the lock that lifting the guard needs: on PostgreSQL two purges (or
    erasures) at once otherwise both read the log, then each waits for the other to let go of it to drop the
    trigger — a deadlock (two instances' schedulers met one). SQLite's write transaction already serialises."""
    if kind == "postgres":
        await AuditEntry.raw("LOCK TABLE audit_entry IN ACCESS EXCLUSIVE MODE")


async def purge(before: datetime) -> int:
    """Delete the entries older than ``before`` (the retention rule), the only way any entry goes: the guard
    is lifted and put back inside one transaction, so no other writer ever sees the log unguarded."""
    kind = "sqlite" if is_sqlite() else "postgres"
    async with write_tx():
        await _lock_the_log(kind)
        count = await AuditEntry.count().where(AuditEntry.at < before)
        await AuditEntry.raw("DROP TRIGGER audit_entry_no_delete" + ("" if kind == "sqlite" else " ON audit_entry"))
        await AuditEntry.delete().where(AuditEntry.at < before)
        await AuditEntry.raw(GUARD_DDL[kind])
    return int(count)


async def forget(identities: list[str], pseudonym: str) -> int:
    """Put ``pseudonym`` for each of an erased person's ``identities`` (their addresses, their name) wherever the
    log names them, so that it still says what was done, when and by whom — someone now unnamed. The only
    change an entry ever undergoes: the guard is lifted and put back inside the erasure's transaction."""
    kind = "sqlite" if is_sqlite() else "postgres"
    names = [i for i in dict.fromkeys(identities) if i and i != pseudonym]
    if not names:
        return 0
    changed = 0
    async with write_tx():
        await _lock_the_log(kind)
        await AuditEntry.raw("DROP TRIGGER audit_entry_no_update" + ("" if kind == "sqlite" else " ON audit_entry"))
        for name in names:
            pattern = "%" + name.replace("%", "") + "%"  # a LIKE pattern may match more; REPLACE is exact
            changed += int(
                await AuditEntry.count().where(
                    (AuditEntry.actor_email == name) | (AuditEntry.subject == name)
                    | AuditEntry.summary.like(pattern) | AuditEntry.details.like(pattern)
                )
            )  # fmt: skip
            await AuditEntry.raw(
                "UPDATE audit_entry SET actor_email = CASE WHEN actor_email = {} THEN {} ELSE actor_email END,"
                " subject = CASE WHEN subject = {} THEN {} ELSE subject END,"
                " summary = REPLACE(summary, {}, {}), details = REPLACE(details, {}, {})"
                " WHERE actor_email = {} OR subject = {} OR summary LIKE {} OR details LIKE {}",
                name, pseudonym, name, pseudonym, name, pseudonym, name, pseudonym, name, name, pattern, pattern,
            )  # fmt: skip
        await AuditEntry.raw(UPDATE_GUARD_DDL[kind])
    return changed
