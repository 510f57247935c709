"""The message a practitioner gets when their line manager declines a booking, with the reason given (inside
the booking's transaction, through the outbox)."""

from __future__ import annotations

from typing import Any

from registry.notify.compose import render_mail
from registry.notify.outbox import enqueue
from registry.settings import get_settings

__all__ = ("on_declined",)


async def on_declined(practitioner: dict[str, Any], event: dict[str, Any], decided_by: str, reason: str) -> None:
    title = str(event["title"])
    text, page = render_mail(
        "booking_declined", name=practitioner["given_name"], decided_by=decided_by, title=title, reason=reason,
        link=f"{get_settings().base_url}/events/{event['id']}",
    )  # fmt: skip
    await enqueue(practitioner["email"], f"Booking not approved: {' '.join(title.split())[:150]}", text, page)
