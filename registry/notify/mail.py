"""Mail delivery backends chosen by REGISTRY_MAIL_URL: a folder of .eml files, or an SMTP server."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from registry.settings import PROJECT_ROOT

__all__ = ("FileBackend", "MailBackend", "SmtpBackend", "backend_for")


class MailBackend(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True, slots=True)
class FileBackend:
    """Each message an RFC 5322 ``.eml`` file named by its Message-ID: sending twice writes the same file."""

    folder: Path

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._write, message)

    def _write(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = str(message["Message-ID"]).strip("<>").replace("/", "_").replace("@", "_at_")
        temporary = self.folder / f".{name}.tmp"
        temporary.write_bytes(message.as_bytes())
        os.replace(temporary, self.folder / f"{name}.eml")  # whole or not at all


@dataclass(frozen=True, slots=True)
class SmtpBackend:
    host: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    start_tls: bool
    timeout: float = 5.0
    """Seconds one message may take in all, connecting included: a server that accepts the connection and never
    answers costs this long, once (the outbox then stops trying until its next run)."""

    async def send(self, message: EmailMessage) -> None:
        async with asyncio.timeout(self.timeout):
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.use_tls,
                start_tls=self.start_tls,
                timeout=self.timeout,
            )


UNREACHABLE: tuple[type[BaseException], ...] = (
    TimeoutError, ConnectionError, aiosmtplib.SMTPConnectError, aiosmtplib.SMTPServerDisconnected,
    aiosmtplib.SMTPTimeoutError,
)  # fmt: skip
"""Failures that say the server itself is down or stalled, not that one message was refused."""


def backend_for(url: str, timeout: float = 5.0) -> MailBackend:
    """``file://var/outbox`` (relative to the project), ``smtp://``, ``smtp+starttls://`` or ``smtps://``."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        path = Path(unquote(parts.netloc + parts.path))
        return FileBackend(path if path.is_absolute() else PROJECT_ROOT / path)
    if parts.scheme in {"smtp", "smtp+starttls", "smtps"}:
        if not parts.hostname:
            raise ValueError("the mail URL needs a host, e.g. smtp://mail.example.org:25")
        default_port = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}[parts.scheme]
        return SmtpBackend(
            host=parts.hostname,
            port=parts.port or default_port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=parts.scheme == "smtps",
            start_tls=parts.scheme == "smtp+starttls",
            timeout=timeout,
        )
    raise ValueError("REGISTRY_MAIL_URL must start with file://, smtp://, smtp+starttls:// or smtps://")
