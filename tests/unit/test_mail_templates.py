"""Mail templates: every kind renders as text and HTML with the same paragraphs, and HTML escapes what people typed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from html.parser import HTMLParser
from typing import Any

import pytest
from jinja2 import UndefinedError
from markupsafe import escape

from registry.notify.compose import render_mail
from registry.notify.digest import DigestItem
from registry.notify.ical import Session
from registry.settings import PROJECT_ROOT

HOSTILE = '<script>alert("x")</script> & Co'
LINK = "https://registry.example.org/events/7?from=mail&x=1"
SESSIONS = [
    Session(datetime(2030, 3, 5, 10, 0, tzinfo=UTC), datetime(2030, 3, 5, 12, 30, tzinfo=UTC)),
    Session(datetime(2030, 6, 5, 9, 0, tzinfo=UTC), datetime(2030, 6, 5, 11, 0, tzinfo=UTC)),  # BST: 10am
]

# One example per kind, with what people typed (names, titles, addresses) hostile everywhere it can be.
EXAMPLES: dict[str, dict[str, Any]] = {
    "booking": {"change": "confirmed", "title": HOSTILE, "sessions": SESSIONS, "place": HOSTILE},
    "event_reminder": {"title": HOSTILE, "when": "in 2 days", "starts_at": SESSIONS[0].starts_at},
    "renewal_reminder": {"due": date(2027, 1, 10), "lapsed": False},
    "evaluation_request": {"title": HOSTILE},
    "booking_declined": {"decided_by": HOSTILE, "title": HOSTILE, "reason": HOSTILE},
    "quarterly_report": {
        "plan_name": HOSTILE,
        "quarter": "Q3 2026-27",
        "start": date(2026, 10, 1),
        "end": date(2026, 12, 31),
        "headlines": [f"B2 {HOSTILE}: <5", "C1 Registered: 28.6%"],
        "legend": "<5 means fewer than 5",
    },
    "digest": {
        "items": [
            DigestItem("approval", name=HOSTILE, title=HOSTILE),
            DigestItem("verification", title=HOSTILE),
            DigestItem("renewal", name=HOSTILE, due=date(2027, 1, 10)),
            DigestItem("behind", name=HOSTILE, done=2.5, needed=17.5),
        ]
    },
    "invitation": {},
    "password_reset": {},
    "registration_decided": {"confirmed": False, "decided_by": HOSTILE, "claim": HOSTILE, "reason": HOSTILE},
    "manager_changed": {"manager_email": "a&b@example.org", "day": date(2026, 12, 1), "by_email": HOSTILE},
    "email_change_confirm": {"requested_by": HOSTILE, "new_email": "new@example.org"},
    "email_change_pending": {"requested_by": HOSTILE},
    "email_changed": {"new_email": "new@example.org", "old_email": "old@example.org"},
    "time_request": {
        "practitioner": HOSTILE,
        "hours": "7",
        "title": HOSTILE,
        "starts_on": date(2027, 2, 1),
        "ends_on": date(2027, 2, 2),
        "purpose": HOSTILE,
        "remaining": "10",
    },
    "time_request_decided": {
        "approved": False,
        "decided_by": HOSTILE,
        "hours": "7",
        "title": HOSTILE,
        "starts_on": date(2027, 2, 1),
        "note": HOSTILE,
    },
}


def _render(kind: str, **changes: Any) -> tuple[str, str]:
    return render_mail(kind, **{"name": HOSTILE, "link": LINK, **EXAMPLES[kind], **changes})


class _Blocks(HTMLParser):
    """The text of each paragraph and list item of an HTML part, tags dropped and entities read."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"p", "li"}:
            self._open = []

    def handle_endtag(self, tag: str) -> None:
        if tag in {"p", "li"} and self._open is not None:
            self.blocks.append("".join(self._open))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)


def _html_blocks(page: str) -> list[str]:
    parser = _Blocks()
    parser.feed(page)
    return parser.blocks


def _text_blocks(text: str) -> list[str]:
    return [line.removeprefix("- ") for paragraph in text.strip().split("\n\n") for line in paragraph.split("\n")]


def test_every_mail_template_has_an_example() -> None:
    kinds = {p.stem for p in (PROJECT_ROOT / "templates" / "mail").glob("*.jinja")}
    assert kinds == set(EXAMPLES)


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_text_and_html_parts_say_the_same_things(kind: str) -> None:
    text, page = _render(kind)
    assert _text_blocks(text) == _html_blocks(page)
    assert text.endswith("\n")
    assert "\n\n\n" not in text


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_html_part_escapes_what_people_typed(kind: str) -> None:
    text, page = _render(kind)
    assert "<script>" not in page
    assert str(escape(LINK)) in page
    assert str(escape(HOSTILE)) in page
    assert HOSTILE in text
    # Plain text is not HTML: what was typed reads as typed.
    assert "&lt;" not in text
    assert "&amp;" not in text


def test_a_practitioner_named_script_in_a_booking_message() -> None:
    text, page = _render("booking", name="<script>")
    assert text.startswith("Dear <script>,\n\n")
    assert "<p>Dear &lt;script&gt;,</p>" in page


def test_booking_message_gives_each_session_in_local_time_with_the_pages_formatter() -> None:
    text, _ = _render("booking", title="Youth voice", place="Coldside Library")
    assert "Tuesday 5 March 2030, 10am to 12:30pm" in text
    assert "Wednesday 5 June 2030, 10am to 12pm" in text  # British Summer Time
    assert "Where: Coldside Library" in text


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ("confirmed", "Your place is confirmed."),
        ("updated", "The event has changed: these are the new details."),
        ("waitlisted", "you are on the waiting list"),
        ("pending_approval", "needs your line manager's approval"),
        ("cancelled", "Your booking has been cancelled."),
    ],
)
def test_booking_message_says_what_changed(change: str, says: str) -> None:
    text, page = _render("booking", change=change)
    assert says in text
    assert any(says in block for block in _html_blocks(page))


def test_digest_lists_each_item() -> None:
    text, page = _render("digest")
    assert text.startswith("Your week in the CLD Workforce Registry:\n\n- Approve or refuse: ")
    assert "- Behind on protected learning time: " in text
    assert "(2.5 of 17.5 hours this year used or booked)" in text
    assert "- Registration renewal due 10 January 2027: " in text
    assert page.count("<li>") == 4
    assert "See your team: " in text


def test_a_missing_fact_is_an_error_not_a_blank() -> None:
    with pytest.raises(UndefinedError):
        render_mail("evaluation_request", name="Eilidh", link=LINK)
