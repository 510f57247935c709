"""Event evaluations through the API and the pages: attendees give feedback once, the host reads it without names."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from registry import clock
from registry.accounts.rules import Role
from registry.events import evaluation
from registry.events.evaluation import pending_evaluations
from registry.events.tables import Evaluation
from tests.integration.test_sign_in import sign_in
from tests.support import Alliance, as_viewer, bearer

Client = AsyncTestClient  # type: ignore[type-arg]
FIRST = (datetime.now(UTC) + timedelta(days=14)).replace(hour=9, minute=30, second=0, microsecond=0)
LAST = FIRST + timedelta(days=7)
BETWEEN_SESSIONS = FIRST + timedelta(days=1)
AFTER = LAST + timedelta(hours=3)
EILIDH = as_viewer("eilidh@example.org", "Eilidh", Role.PRACTITIONER)
NAMES = ("Eilidh", "Morrison", "Ross", "Walker", "Amira", "eilidh@", "ross@")


def _travel_to(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment)


async def _event(client: Client, alliance: Alliance, host: str = "DCC", status: str = "published") -> int:
    body = {
        "title": "Participatory budgeting in practice",
        "host_organisation": host,
        "format": "in_person",
        "venue": "Lochee Community Hub, Dundee",
        "capacity": 5,
        "sessions": [
            {"starts_at": FIRST.isoformat(), "ends_at": (FIRST + timedelta(hours=2)).isoformat()},
            {"starts_at": LAST.isoformat(), "ends_at": (LAST + timedelta(hours=2)).isoformat()},
        ],
        "competences": ["C4", "C6"],
        "status": status,
    }
    response = await client.post("/api/v1/events", json=body, headers=bearer(alliance.tokens["lead"]))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _book(client: Client, alliance: Alliance, event_id: int, email: str) -> int:
    response = await client.post(
        f"/api/v1/events/{event_id}/bookings",
        json={"practitioner_id": alliance.practitioner_ids[email]},
        headers=bearer(alliance.tokens["lead"]),
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _attendance(client: Client, alliance: Alliance, event_id: int, marks: dict[int, bool]) -> None:
    response = await client.put(
        f"/api/v1/events/{event_id}/attendance",
        json=[{"booking_id": b, "attended": attended} for b, attended in marks.items()],
        headers=bearer(alliance.tokens["partner_admin"]),
    )
    assert response.status_code == 200, response.text


async def _evaluate(
    client: Client, alliance: Alliance, booking_id: int, role: str = "practitioner", **body: Any
) -> Any:
    return await client.post(
        f"/api/v1/bookings/{booking_id}/evaluation", json=body, headers=bearer(alliance.tokens[role])
    )


async def _summary(client: Client, alliance: Alliance, event_id: int, role: str = "partner_admin") -> Any:
    return await client.get(f"/api/v1/events/{event_id}/evaluation", headers=bearer(alliance.tokens[role]))


async def _held_event(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch, attended: dict[str, bool]
) -> tuple[int, dict[str, int]]:
    """A DCC event, booked by the given people, then (after its last session) attendance as given."""
    event_id = await _event(client, alliance)
    booking_ids = {email: await _book(client, alliance, event_id, email) for email in attended}
    _travel_to(monkeypatch, AFTER)
    await _attendance(client, alliance, event_id, {booking_ids[e]: came for e, came in attended.items()})
    return event_id, booking_ids


async def _evaluate_as(client: Client, booking_id: int, email: str, **body: Any) -> Any:
    """Evaluate with a token of a practitioner who has no sign-in in the test alliance (Ross)."""
    from registry.accounts import service as accounts

    await accounts.create_user(email, email.split("@")[0].title(), "practitioner", None)
    token = await accounts.create_api_token(email, "tests")
    return await client.post(f"/api/v1/bookings/{booking_id}/evaluation", json=body, headers=bearer(token))


# ---------------------------------------------------------------- the API


async def test_attendees_evaluate_and_the_host_sees_the_anonymous_aggregate(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Comments show from 2 answers here (5 in the registry), so that two attendees can show them.
    monkeypatch.setattr(evaluation, "COMMENTS_FROM", 2)
    event_id, bookings = await _held_event(
        client,
        alliance,
        monkeypatch,
        {"eilidh@example.org": True, "ross@example.org": True, "graham@example.org": True, "nhs@example.org": False},
    )
    eilidh = await _evaluate(
        client, alliance, bookings["eilidh@example.org"], rating=5, competences=["c4", "C6", "C4"],
        will_do_differently="Start every PB cycle with a community walkabout.",
    )  # fmt: skip
    assert eilidh.status_code == 201, eilidh.text
    assert eilidh.json()["competences"] == ["C4", "C6"]
    ross = await _evaluate_as(
        client, bookings["ross@example.org"], "ross@example.org", rating=2, competences=["C4"],
        will_do_differently="Ask learners to set the budget priorities.",
    )  # fmt: skip
    assert ross.status_code == 201, ross.text

    summary = await _summary(client, alliance, event_id)
    assert summary.status_code == 200, summary.text
    body = summary.json()
    assert body["attendees"] == 3
    assert body["responses"] == 2
    assert body["average_rating"] == 3.5
    assert [(r["rating"], r["count"]) for r in body["ratings"]] == [(1, 0), (2, 1), (3, 0), (4, 0), (5, 1)]
    counts = {c["code"]: c["count"] for c in body["competences"]}
    assert counts["C4"] == 2
    assert counts["C6"] == 1
    assert sum(counts.values()) == 3
    assert [c["code"] for c in body["competences"]][:2] == ["C1", "C2"]  # the framework's order, zeros included
    assert body["comments"] == [
        "Ask learners to set the budget priorities.",
        "Start every PB cycle with a community walkabout.",
    ]
    assert not any(name in summary.text for name in NAMES)
    assert "booking" not in summary.text

    again = await _evaluate(client, alliance, bookings["eilidh@example.org"], rating=1)
    assert again.status_code == 409
    assert again.json()["detail"] == "You have already given feedback on this event"
    assert await Evaluation.count() == 2

    # Attendance corrected after the fact: Ross's answer no longer counts.
    await _attendance(client, alliance, event_id, {bookings["ross@example.org"]: False})
    corrected = (await _summary(client, alliance, event_id, role="lead")).json()
    assert (corrected["attendees"], corrected["responses"], corrected["average_rating"]) == (2, 1, 5.0)
    # One answer left: its words would be Eilidh's for anyone who knows who came, so counts only.
    assert corrected["comments"] == []
    assert corrected["comments_withheld"] is True
    assert "walkabout" not in json.dumps(corrected)


async def test_with_fewer_than_k_answers_the_summary_holds_counts_only(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert evaluation.COMMENTS_FROM == 5  # METRICS.md's k
    event_id, bookings = await _held_event(
        client, alliance, monkeypatch, {"eilidh@example.org": True, "ross@example.org": True}
    )
    await _evaluate(client, alliance, bookings["eilidh@example.org"], rating=5, will_do_differently="Walkabouts.")
    await _evaluate_as(client, bookings["ross@example.org"], "ross@example.org", rating=3, will_do_differently="Budgets.")
    body = (await _summary(client, alliance, event_id)).json()
    assert (body["responses"], body["comments"], body["comments_withheld"]) == (2, [], True)
    assert [(r["rating"], r["count"]) for r in body["ratings"]] == [(1, 0), (2, 0), (3, 1), (4, 0), (5, 1)]
    await sign_in(client, "admin.dcc@example.org")
    page = (await client.get(f"/events/{event_id}/evaluation")).text
    assert 'data-testid="comments-withheld"' in page
    assert "Walkabouts" not in page
    assert "Budgets" not in page


async def test_no_answers_yet_gives_zeros_and_no_average(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    event_id, _ = await _held_event(client, alliance, monkeypatch, {"eilidh@example.org": True})
    body = (await _summary(client, alliance, event_id)).json()
    assert (body["attendees"], body["responses"], body["average_rating"]) == (1, 0, None)
    assert all(r["count"] == 0 for r in body["ratings"])
    assert all(c["count"] == 0 for c in body["competences"])
    assert body["comments"] == []


async def test_feedback_needs_attendance(client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch) -> None:
    event_id = await _event(client, alliance)
    booking_id = await _book(client, alliance, event_id, "eilidh@example.org")
    _travel_to(monkeypatch, AFTER)
    confirmed = await _evaluate(client, alliance, booking_id, rating=4)
    assert confirmed.status_code == 409
    assert "recorded that you attended" in confirmed.json()["detail"]
    await _attendance(client, alliance, event_id, {booking_id: False})
    no_show = await _evaluate(client, alliance, booking_id, rating=4)
    assert no_show.status_code == 409
    assert await Evaluation.count() == 0


async def test_feedback_opens_when_the_last_session_starts(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    event_id = await _event(client, alliance)
    booking_id = await _book(client, alliance, event_id, "eilidh@example.org")
    _travel_to(monkeypatch, BETWEEN_SESSIONS)
    await _attendance(client, alliance, event_id, {booking_id: True})
    early = await _evaluate(client, alliance, booking_id, rating=4)
    assert early.status_code == 409
    assert early.json()["detail"] == "Feedback opens when the event's last session starts"
    assert await pending_evaluations(EILIDH) == []
    _travel_to(monkeypatch, LAST)
    assert [p.booking_id for p in await pending_evaluations(EILIDH)] == [booking_id]
    assert (await _evaluate(client, alliance, booking_id, rating=4)).status_code == 201
    assert await pending_evaluations(EILIDH) == []


async def test_only_the_attendee_evaluates_their_booking(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, bookings = await _held_event(
        client, alliance, monkeypatch, {"eilidh@example.org": True, "amira@example.org": True}
    )
    # Her manager, DCC's admin and a lead can see Eilidh's booking, but the feedback is hers to give.
    for role in ("manager", "partner_admin", "lead", "admin"):
        response = await _evaluate(client, alliance, bookings["eilidh@example.org"], role=role, rating=5)
        assert response.status_code == 403, (role, response.text)
    # Eilidh cannot see Amira's (Fife) booking at all.
    hidden = await _evaluate(client, alliance, bookings["amira@example.org"], rating=1)
    assert hidden.status_code == 404
    assert (await _evaluate(client, alliance, 999_999, rating=1)).status_code == 404
    assert await Evaluation.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({}, "rating"),
        ({"rating": 3, "will_do_differently": "x" * 2001}, "will_do_differently"),
        ({"rating": 3, "competences": ["C99"]}, "competences"),
        ({"rating": 3, "competences": ["V1"]}, "competences"),
        ({"rating": 3, "name": "Eilidh"}, "name"),
    ],
)
async def test_bad_evaluations_are_refused(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch, body: dict[str, Any], field: str
) -> None:
    _, bookings = await _held_event(client, alliance, monkeypatch, {"eilidh@example.org": True})
    response = await _evaluate(client, alliance, bookings["eilidh@example.org"], **body)
    assert response.status_code == 400, response.text
    assert field in response.text
    assert await Evaluation.count() == 0


async def test_two_answers_for_one_booking_at_once_store_one(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, bookings = await _held_event(client, alliance, monkeypatch, {"eilidh@example.org": True})
    answers = await asyncio.gather(
        *[_evaluate(client, alliance, bookings["eilidh@example.org"], rating=r) for r in (2, 4, 5)]
    )
    assert sorted(a.status_code for a in answers) == [201, 409, 409]
    assert await Evaluation.count() == 1


async def test_only_the_host_reads_the_summary(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    event_id, _ = await _held_event(client, alliance, monkeypatch, {"eilidh@example.org": True})
    for role in ("practitioner", "manager"):
        assert (await _summary(client, alliance, event_id, role=role)).status_code == 403
    for role in ("partner_admin", "lead", "admin"):
        assert (await _summary(client, alliance, event_id, role=role)).status_code == 200
    fife_event = await _event(client, alliance, host="FIFE")
    refused = await _summary(client, alliance, fife_event)  # DCC's admin: published, not theirs
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the host can see the feedback on this event"
    fife_draft = await _event(client, alliance, host="FIFE", status="draft")
    assert (await _summary(client, alliance, fife_draft)).status_code == 404
    assert (await _summary(client, alliance, 999_999)).status_code == 404


# ---------------------------------------------------------------- the pages


async def test_the_form_shows_errors_keeps_answers_and_then_thanks(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, bookings = await _held_event(client, alliance, monkeypatch, {"eilidh@example.org": True})
    booking_id = bookings["eilidh@example.org"]
    await sign_in(client, "eilidh@example.org")
    pending = await client.get("/evaluations")
    assert f'href="/bookings/{booking_id}/evaluation"' in pending.text
    form = await client.get(f"/bookings/{booking_id}/evaluation")
    assert form.status_code == 200
    assert "How useful was it?" in form.text
    assert 'id="rating"' in form.text
    assert 'value="C4"' in form.text
    csrf = client.cookies["csrftoken"]
    bad = await client.post(
        f"/bookings/{booking_id}/evaluation",
        data={
            "will_do_differently": "Use a walkabout. " + "x" * 2000,
            "competences": ["C4", "C6"],
            "_csrf_token": csrf,
        },
    )
    assert bad.status_code == 400
    assert "There is a problem" in bad.text
    assert '<a href="#rating">Select how useful the event was</a>' in bad.text
    assert (
        '<a href="#will_do_differently">What you will do differently must be 2000 characters or fewer</a>' in bad.text
    )
    assert bad.text.index('href="#rating"') < bad.text.index('href="#will_do_differently"')
    assert "Use a walkabout." in bad.text  # what was typed is kept
    assert re.search(r'value="C6"[^>]*checked', bad.text)
    assert await Evaluation.count() == 0

    sent = await client.post(
        f"/bookings/{booking_id}/evaluation",
        data={"rating": "4", "will_do_differently": "Use a walkabout.\r\nThen map assets.", "competences": ["C4"],
              "_csrf_token": csrf},
        follow_redirects=False,
    )  # fmt: skip
    assert sent.status_code in {302, 303}
    assert sent.headers["location"] == "/evaluations?sent=1"
    thanks = await client.get("/evaluations?sent=1")
    assert "Your feedback has been sent to the host" in thanks.text
    assert 'data-testid="empty"' in thanks.text
    stored = await Evaluation.select().first()
    assert stored is not None
    assert (stored["rating"], stored["competences"]) == (4, "C4")
    assert stored["will_do_differently"] == "Use a walkabout.\nThen map assets."

    closed = await client.get(f"/bookings/{booking_id}/evaluation")
    assert "You have already given feedback on this event" in closed.text
    assert 'data-testid="evaluation-form"' not in closed.text
    twice = await client.post(f"/bookings/{booking_id}/evaluation", data={"rating": "1", "_csrf_token": csrf})
    assert twice.status_code == 409
    assert await Evaluation.count() == 1


async def test_the_form_says_why_it_is_not_open_yet(client: Client, alliance: Alliance) -> None:
    event_id = await _event(client, alliance)
    booking_id = await _book(client, alliance, event_id, "eilidh@example.org")
    await sign_in(client, "eilidh@example.org")
    page = await client.get(f"/bookings/{booking_id}/evaluation")
    assert page.status_code == 200
    assert "You can give feedback once the host has recorded that you attended" in page.text
    assert 'data-testid="evaluation-form"' not in page.text
    pending = await client.get("/evaluations")
    assert 'data-testid="empty"' in pending.text
    client.cookies.clear()
    await sign_in(client, "graham@example.org")
    assert (await client.get(f"/bookings/{booking_id}/evaluation")).status_code == 403


async def test_the_host_reads_figures_chart_table_and_anonymous_comments(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evaluation, "COMMENTS_FROM", 2)
    event_id, bookings = await _held_event(
        client, alliance, monkeypatch, {"eilidh@example.org": True, "ross@example.org": True}
    )
    await _evaluate(
        client, alliance, bookings["eilidh@example.org"], rating=5, competences=["C4"],
        will_do_differently="Co-design the <agenda> with residents.",
    )  # fmt: skip
    await _evaluate_as(client, bookings["ross@example.org"], "ross@example.org", rating=4, competences=["C4", "C6"])
    await sign_in(client, "admin.dcc@example.org")
    page = await client.get(f"/events/{event_id}/evaluation")
    assert page.status_code == 200
    html = page.text
    figures = html[html.index('data-testid="evaluation-figures"') :]
    assert re.search(r"Attended\s*</dt>\s*<dd[^>]*>\s*2\s*</dd>", figures)
    assert re.search(r"Gave feedback\s*</dt>\s*<dd[^>]*>\s*2 of 2\s*</dd>", figures)
    assert "4.5 out of 5" in html
    assert 'data-label="5" data-count="1"' in html
    assert 'data-label="4" data-count="1"' in html
    assert 'data-label="1" data-count="0"' in html
    assert 'data-label="C4" data-count="2"' in html
    assert 'data-label="C6" data-count="1"' in html
    assert 'data-testid="ratings-table"' in html
    assert 'data-testid="competences-table"' in html
    assert '<svg role="img" aria-labelledby="ratings-title"' in html
    assert "Co-design the &lt;agenda&gt; with residents." in html
    assert not any(name in html for name in ("Eilidh", "Morrison", "Ross", "Walker"))

    client.cookies.clear()
    await sign_in(client, "eilidh@example.org")
    refused = await client.get(f"/events/{event_id}/evaluation")
    assert refused.status_code == 403
    assert "Co-design" not in refused.text


async def test_the_summary_page_without_answers(
    client: Client, alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    event_id, _ = await _held_event(client, alliance, monkeypatch, {"eilidh@example.org": True})
    await sign_in(client, "lead@example.org")
    page = await client.get(f"/events/{event_id}/evaluation")
    assert page.status_code == 200
    assert "No ratings yet" in page.text
    assert 'data-testid="no-feedback"' in page.text
    assert "<svg" not in page.text
