"""The transactional outbox: enqueue in the caller's transaction; a sweeper delivers, retries and gives up."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

from registry import clock
from registry.db import write_tx
from registry.notify.mail import UNREACHABLE, MailBackend, backend_for
from registry.notify.tables import OutboxMessage
from registry.settings import get_settings

__all__ = (
    "MAX_ATTEMPTS",
    "Attachment",
    "DeliveryReport",
    "backoff",
    "deliver_due",
    "enqueue",
    "retry_failed",
    "undelivered",
)

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
STALE_CLAIM = timedelta(minutes=10)
"""A claim older than this belonged to a process that died mid-send: the message is tried again."""


@dataclass(frozen=True, slots=True)
class Attachment:
    """A text file sent with a message (a CSV), encoded as UTF-8."""

    filename: str
    media_type: str
    """``text/csv``: a main type and a subtype."""
    text: str


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8, 16 minutes… after each failed try."""
    return timedelta(minutes=2 ** max(0, attempts - 1))


async def enqueue(
    to_email: str,
    subject: str,
    body_text: str,
    body_html: str,
    *,
    ics: bytes | None = None,
    ics_method: str | None = None,
    dedupe_key: str | None = None,
    attachment: Attachment | None = None,
) -> bool:
    """Write a message to the outbox (inside the caller's transaction). False when ``dedupe_key`` was used."""
    settings = get_settings()
    host = urlsplit(settings.base_url).hostname or "registry.local"
    now = clock.now()
    row = OutboxMessage(
        message_id=f"{uuid.uuid4()}@{host}",
        dedupe_key=dedupe_key,
        to_email=to_email,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        ics=ics.decode() if ics else None,
        ics_method=ics_method,
        attachment_name=attachment.filename if attachment else None,
        attachment_type=attachment.media_type if attachment else None,
        attachment=attachment.text if attachment else None,
        next_attempt_at=now,
        created_at=now,
    )
    if dedupe_key is None:
        await OutboxMessage.insert(row)
        return True
    inserted = (
        await OutboxMessage.insert(row)
        .on_conflict(target=OutboxMessage.dedupe_key, action="DO NOTHING")
        .returning(OutboxMessage.id)
    )
    return bool(inserted)


async def queued_keys(keys: Collection[str]) -> set[str]:
    """Which of ``keys`` are in the outbox already (any state): a sweep asks before it renders, so that a run
    with nothing new to send reads one column instead of composing every message again."""
    found: set[str] = set()
    ordered = sorted(set(keys))
    for start in range(0, len(ordered), _KEYS_AT_ONCE):
        chunk = ordered[start : start + _KEYS_AT_ONCE]
        rows = await OutboxMessage.select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.is_in(chunk))
        found.update(str(r["dedupe_key"]) for r in rows)
    return found


_KEYS_AT_ONCE = 500
"""Keys a query asks about: well under SQLite's limit of bound parameters."""


def _email(row: dict[str, Any]) -> EmailMessage:
    settings = get_settings()
    message = EmailMessage()
    message["From"] = f"CLD Workforce Registry <{settings.mail_from}>"
    message["To"] = str(row["to_email"])
    message["Subject"] = " ".join(str(row["subject"]).split())  # a header is one line, whatever a title holds
    message["Message-ID"] = f"<{row['message_id']}>"
    message["Date"] = format_datetime(row["created_at"])
    message.set_content(str(row["body_text"]))
    message.add_alternative(str(row["body_html"]), subtype="html")
    if row["ics"]:
        ics = str(row["ics"]).encode()
        method = str(row["ics_method"])
        message.add_alternative(ics, maintype="text", subtype="calendar", params={"method": method, "charset": "utf-8"})
        message.add_attachment(ics, maintype="application", subtype="ics", filename="invite.ics")
    if row.get("attachment_name"):
        maintype, _, subtype = str(row["attachment_type"]).partition("/")
        message.add_attachment(
            str(row["attachment"] or "").encode(),
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=str(row["attachment_name"]),
        )
    return message


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int
    retrying: int
    failed: int
    server_down: bool = False
    """The mail server could not be reached (or stalled): the rest of the queue waits for the next run."""


async def _due_ids(now: datetime, limit: int) -> list[int]:
    rows = (
        await OutboxMessage.select(OutboxMessage.id)
        .where(
            (OutboxMessage.next_attempt_at <= now)
            & (
                (OutboxMessage.status == "pending")
                | ((OutboxMessage.status == "sending") & (OutboxMessage.claimed_at < now - STALE_CLAIM))
            )
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return [int(r["id"]) for r in rows]


async def _claim(message_id: int) -> tuple[dict[str, Any], datetime] | None:
    """Claim one message just before sending it; a conditional update means two instances never both win."""
    now = clock.now()
    async with write_tx():
        taken = (
            await OutboxMessage.update({OutboxMessage.status: "sending", OutboxMessage.claimed_at: now})
            .where(
                (OutboxMessage.id == message_id)
                & (OutboxMessage.next_attempt_at <= now)
                & (
                    (OutboxMessage.status == "pending")
                    | ((OutboxMessage.status == "sending") & (OutboxMessage.claimed_at < now - STALE_CLAIM))
                )
            )
            .returning(*OutboxMessage.all_columns())
        )
    return (taken[0], now) if taken else None


async def _finish(message_id: int, claimed_at: datetime, values: dict[Any, Any]) -> None:
    """Record the outcome, only if our claim still stands (no other instance took the message over)."""
    async with write_tx():
        await OutboxMessage.update({**values, OutboxMessage.claimed_at: None}).where(
            (OutboxMessage.id == message_id)
            & (OutboxMessage.status == "sending")
            & (OutboxMessage.claimed_at == claimed_at)
        )


async def deliver_due(backend: MailBackend | None = None, batch: int = 100, batches: int = 20) -> DeliveryReport:
    """Send what is due, batch by batch. Each message is claimed, sent outside any transaction, then marked."""
    settings = get_settings()
    backend = backend or backend_for(settings.mail_url, settings.mail_timeout_seconds)
    total = DeliveryReport(0, 0, 0)
    for _ in range(batches):
        report = await _deliver_batch(backend, batch)
        total = DeliveryReport(total.sent + report.sent, total.retrying + report.retrying, total.failed + report.failed,
                               report.server_down)  # fmt: skip
        if report.server_down or report == DeliveryReport(0, 0, 0):
            break
    if total != DeliveryReport(0, 0, 0):
        log.info("outbox: %s sent, %s to retry, %s failed", total.sent, total.retrying, total.failed)
    return total


async def _deliver_batch(backend: MailBackend, limit: int) -> DeliveryReport:
    sent = retrying = failed = 0
    for message_id in await _due_ids(clock.now(), limit):
        claim = await _claim(message_id)
        if claim is None:
            continue  # another instance has it
        row, claimed_at = claim
        attempts = int(row["attempts"]) + 1
        try:
            await backend.send(_email(row))
        except Exception as exc:  # any failure of the mail server is retried, and logged with context
            gave_up = attempts >= MAX_ATTEMPTS
            log.warning("delivery of message %s to %s failed (try %s): %s", row["id"], row["to_email"], attempts, exc)
            await _finish(
                message_id,
                claimed_at,
                {
                    OutboxMessage.status: "failed" if gave_up else "pending",
                    OutboxMessage.attempts: attempts,
                    OutboxMessage.next_attempt_at: clock.now() + backoff(attempts),
                    OutboxMessage.last_error: (str(exc) or f"{type(exc).__name__}: no answer in time")[:1000],
                },
            )
            failed += gave_up
            retrying += not gave_up
            if isinstance(exc, UNREACHABLE):  # one stalled server costs one timeout a run, not one per message
                return DeliveryReport(sent, retrying, failed, server_down=True)
            continue
        await _finish(
            message_id,
            claimed_at,
            {OutboxMessage.status: "sent", OutboxMessage.sent_at: clock.now(), OutboxMessage.attempts: attempts},
        )
        sent += 1
    return DeliveryReport(sent, retrying, failed)


async def undelivered(limit: int = 200) -> list[dict[str, Any]]:
    """Messages not (yet) delivered: failed ones first, then those waiting to be retried."""
    rows: list[dict[str, Any]] = (
        await OutboxMessage.select(
            OutboxMessage.id, OutboxMessage.to_email, OutboxMessage.subject, OutboxMessage.status,
            OutboxMessage.attempts, OutboxMessage.last_error, OutboxMessage.next_attempt_at, OutboxMessage.created_at,
        )
        .where(OutboxMessage.status.is_in(["failed", "pending", "sending"]) & (OutboxMessage.attempts > 0))
        .order_by(OutboxMessage.status)
        .order_by(OutboxMessage.created_at, ascending=False)
        .limit(limit)
    )  # fmt: skip
    return rows


async def retry_failed(message_id: int, by: str) -> None:
    """An admin sends a failed message again."""
    async with write_tx():
        await OutboxMessage.update(
            {OutboxMessage.status: "pending", OutboxMessage.attempts: 0, OutboxMessage.next_attempt_at: clock.now()}
        ).where((OutboxMessage.id == message_id) & (OutboxMessage.status == "failed"))
    log.info("%s retried outbox message %s", by, message_id)
