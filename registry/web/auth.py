"""Who is calling: a bearer token on the API, a session cookie on pages; and the guards that use it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Receive, Scope, Send

from registry.accounts import service as accounts
from registry.accounts.rules import Role, Viewer
from registry.events import bookings

__all__ = ("SESSION_COOKIE", "AuthMiddleware", "requires_role", "signed_in", "viewer_of")

SESSION_COOKIE = "registry_session"
API_PREFIX = "/api/"
STATIC_PREFIXES = ("/static/", "/assets/")

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]
"""Guards are coroutines: Litestar runs a plain function guard in its thread pool, a thread hop on every request."""


def _bearer(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return None


def _cookie(headers: Iterable[tuple[bytes, bytes]], key: str) -> str | None:
    for name, value in headers:
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == key and v:
                    return v
    return None


class AuthMiddleware:
    """Puts the calling ``Viewer`` (or None) in ``scope["user"]``; guards decide what that allows.

    The API takes only bearer tokens and pages only the session cookie, so a cookie can never carry a
    cross-site request into the (CSRF-free) API.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in {"http", "websocket"}:
            headers = scope["headers"]
            viewer: Viewer | None = None
            if scope["path"].startswith(API_PREFIX):
                token = _bearer(headers)
                viewer = await accounts.viewer_for_api_token(token) if token else None
            else:
                token = _cookie(headers, SESSION_COOKIE)
                viewer = await accounts.viewer_for_session(token) if token else None
                if viewer is not None and not scope["path"].startswith(STATIC_PREFIXES):
                    # The navigation's "To approve" count: one COUNT on the manager's index, pages only.
                    scope["to_approve"] = await bookings.waiting_for_approval(viewer.email)  # type: ignore[typeddict-unknown-key]
            scope["user"] = viewer
            scope["auth"] = token if viewer else None
        await self.app(scope, receive, send)


def viewer_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Viewer:
    viewer = connection.scope.get("user")
    if not isinstance(viewer, Viewer):
        raise NotAuthorizedException("Sign in to continue")
    return viewer


async def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Any signed-in person."""
    viewer_of(connection)


def requires_role(*roles: Role) -> Guard:
    """Only these roles; a known user of another role gets 403."""
    allowed = frozenset(roles)

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if viewer_of(connection).role not in allowed:
            raise PermissionDeniedException("Your role does not allow this")

    guard.__name__ = f"requires_role({', '.join(sorted(allowed))})"
    return guard
