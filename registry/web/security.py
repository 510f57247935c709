"""What every answer carries to protect the people it is about: a strict Content-Security-Policy, no framing, no
MIME sniffing, no caching of personal data, and HSTS when served over https."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import BeforeMessageSendHookHandler, Message, Scope

__all__ = ("CONTENT_SECURITY_POLICY", "STATIC_PREFIXES", "security_headers")

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        # No form-action: "Sign in with your organisation" is a form answered by a redirect to the provider,
        # and browsers check that redirect against form-action.
    )
)
"""Scripts and styles only from files the registry serves: no inline script, style attribute or CDN."""
STATIC_PREFIXES = ("/static/", "/assets/")
"""Assets that hold nothing about anyone, so browsers may cache them."""
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(*, https: bool) -> BeforeMessageSendHookHandler:
    """A ``before_send`` hook adding the headers to every answer: pages, API, feeds, errors and static files.

    ``https``: the service is served over https (``REGISTRY_BASE_URL``), so browsers are told to keep to it.
    """

    async def add_headers(message: Message, scope: Scope) -> None:  # a coroutine: a plain hook runs in a thread
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"  # frame-ancestors for browsers that predate it
        headers["Referrer-Policy"] = "same-origin"  # feed and invitation tokens live in URLs
        if https:
            headers["Strict-Transport-Security"] = HSTS
        if not scope["path"].startswith(STATIC_PREFIXES) and "public" not in headers.get("cache-control", ""):
            # Pages, API answers and personal feeds hold personal data: no browser or proxy may keep a copy.
            # Only what a handler marks public (the alliance's published events) stays cacheable.
            headers["Cache-Control"] = "no-store"

    return add_headers
