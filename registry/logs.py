"""Logging: a request id on every line a request causes, and JSON lines when ``REGISTRY_LOG_FORMAT=json``.

The id comes from the reverse proxy's ``X-Request-ID`` when it sends a sensible one, else is made here; it is
sent back in the response's ``X-Request-ID`` so that a user's report, the proxy's log and ours meet."""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ("REQUEST_ID", "JsonFormatter", "RequestIdMiddleware", "install_request_ids", "log_formatters")

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")
_GOOD_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
_installed = False


def install_request_ids() -> None:
    """Every log record made from now on carries ``request_id`` (``-`` outside a request), whichever logger
    makes it and whichever thread later writes it out."""
    global _installed
    if _installed:
        return
    make = logging.getLogRecordFactory()

    def with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        record.request_id = REQUEST_ID.get()
        return record

    logging.setLogRecordFactory(with_request_id)
    _installed = True


def log_formatters(log_format: str) -> dict[str, dict[str, Any]]:
    """The app's ``standard`` formatter: JSON lines, or text with the request id after the logger's name."""
    if log_format == "json":
        return {"standard": {"()": JsonFormatter}}
    return {"standard": {"format": "%(levelname)s - %(asctime)s - %(name)s - %(request_id)s - %(message)s"}}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, request_id, message, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestIdMiddleware:
    """Give each HTTP request its id for as long as it runs, and name it in the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), "")
        request_id = given if _GOOD_ID.fullmatch(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)

        async def named(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, named)
        finally:
            REQUEST_ID.reset(token)
