"""The learning pages: logging with errors shown, the chart, privacy on the page, the verifier's queue."""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient

from registry.learning.tables import LearningRecord
from tests.integration.test_sign_in import sign_in
from tests.support import Alliance

Client = AsyncTestClient  # type: ignore[type-arg]

# The clock stands still at 19 November 2026 (tests/support.py): the reporting year is 2026-27.
pytestmark = pytest.mark.usefixtures("fixed_clock")


def _form(**changes: object) -> dict[str, object]:
    return {
        "title": "Community of practice: detached youth work",
        "kind": "community_of_practice",
        "completed_on": "2026-04-01",
        "hours": "3",
        "competences": ["C1", "C6"],
        "reflection": "Mapped where young people gather after dark.",
        "protected_time": "yes",
        "evidence_url": "",
        **changes,
    }


def _bar(html: str, code: str) -> str:
    match = re.search(rf'data-code="{code}" data-hours="([^"]+)"', html)
    assert match, code
    return match.group(1)


async def test_log_learning_through_the_form_and_see_the_chart_change(client: Client, alliance: Alliance) -> None:
    pid = alliance.practitioner_ids["eilidh@example.org"]
    await sign_in(client, "eilidh@example.org")
    before = await client.get(f"/practitioners/{pid}")
    assert _bar(before.text, "C1") == "0"
    csrf = client.cookies["csrftoken"]
    bad = await client.post(
        f"/practitioners/{pid}/learning/new", data={**_form(hours="0", competences=[]), "_csrf_token": csrf}
    )
    assert bad.status_code == 400
    assert '<a href="#hours">Hours must be 0.25 or more</a>' in bad.text
    assert 'href="#competences"' in bad.text
    assert "Mapped where young people gather" in bad.text  # what was typed is kept
    assert await LearningRecord.count() == 0
    saved = await client.post(
        f"/practitioners/{pid}/learning/new", data={**_form(), "_csrf_token": csrf}, follow_redirects=True
    )
    assert "The learning record has been saved" in saved.text
    assert "C1 Know and understand the community in which we work" in saved.text
    after = await client.get(f"/practitioners/{pid}")
    assert _bar(after.text, "C1") == "3"
    assert _bar(after.text, "C6") == "3"
    assert _bar(after.text, "C2") == "0"
    assert "3 of 17.5 hours" in after.text or "3 of 17.6 hours" in after.text


async def test_the_lead_sees_hours_but_not_the_reflection_on_the_page(client: Client, alliance: Alliance) -> None:
    pid = alliance.practitioner_ids["eilidh@example.org"]
    await sign_in(client, "eilidh@example.org")
    await client.post(
        f"/practitioners/{pid}/learning/new", data={**_form(), "_csrf_token": client.cookies["csrftoken"]}
    )
    record = await LearningRecord.select(LearningRecord.id).first()
    assert record is not None
    client.cookies.clear()
    await sign_in(client, "lead@example.org")
    page = await client.get(f"/practitioners/{pid}/learning/{record['id']}")
    assert page.status_code == 200
    assert "Mapped where young people gather" not in page.text
    assert "The reflection is private" in page.text
    assert "Change this record" not in page.text
    assert (await client.get(f"/practitioners/{pid}/learning/new")).status_code == 403


async def test_verify_through_the_queue(client: Client, alliance: Alliance) -> None:
    pid = alliance.practitioner_ids["eilidh@example.org"]
    await sign_in(client, "eilidh@example.org")
    csrf = client.cookies["csrftoken"]
    await client.post(f"/practitioners/{pid}/learning/new", data={**_form(), "_csrf_token": csrf})
    record = await LearningRecord.select(LearningRecord.id).first()
    assert record is not None
    rid = record["id"]
    bad = await client.post(
        f"/practitioners/{pid}/learning/{rid}/verification-request",
        data={"verifier_email": "ross@example.org", "_csrf_token": csrf},
    )
    assert bad.status_code == 400
    assert "choose your line manager" in bad.text
    asked = await client.post(
        f"/practitioners/{pid}/learning/{rid}/verification-request",
        data={"verifier_email": "graham@example.org", "_csrf_token": csrf},
        follow_redirects=True,
    )
    assert "Your verifier has been asked" in asked.text
    client.cookies.clear()
    await sign_in(client, "graham@example.org")
    queue = await client.get("/verification")
    assert f'href="/verification/{rid}"' in queue.text
    review = await client.get(f"/verification/{rid}")
    assert "Mapped where young people gather" in review.text
    csrf = client.cookies["csrftoken"]
    missing = await client.post(f"/verification/{rid}", data={"_csrf_token": csrf})
    assert missing.status_code == 400
    assert 'href="#decision"' in missing.text
    done = await client.post(
        f"/verification/{rid}",
        data={"decision": "verify", "note": "Discussed at supervision.", "_csrf_token": csrf},
        follow_redirects=True,
    )
    assert "The record has been verified" in done.text
    assert "Nothing is waiting for you" in done.text
    record_page = await client.get(f"/practitioners/{pid}/learning/{rid}")
    assert "Verified by graham@example.org" in record_page.text
    assert "Discussed at supervision." in record_page.text


async def test_delete_asks_first(client: Client, alliance: Alliance) -> None:
    pid = alliance.practitioner_ids["eilidh@example.org"]
    await sign_in(client, "eilidh@example.org")
    csrf = client.cookies["csrftoken"]
    await client.post(f"/practitioners/{pid}/learning/new", data={**_form(), "_csrf_token": csrf})
    record = await LearningRecord.select(LearningRecord.id).first()
    assert record is not None
    confirm = await client.get(f"/practitioners/{pid}/learning/{record['id']}/delete")
    assert "Are you sure you want to delete" in confirm.text
    assert await LearningRecord.count() == 1
    deleted = await client.post(
        f"/practitioners/{pid}/learning/{record['id']}/delete", data={"_csrf_token": csrf}, follow_redirects=True
    )
    assert "The learning record has been deleted" in deleted.text
    assert await LearningRecord.count() == 0


async def test_goals_and_needs_pages(client: Client, alliance: Alliance) -> None:
    pid = alliance.practitioner_ids["eilidh@example.org"]
    await sign_in(client, "graham@example.org")
    csrf = client.cookies["csrftoken"]
    assert (
        await client.post(f"/practitioners/{pid}/goals", data={"title": "x", "_csrf_token": csrf})
    ).status_code == 403
    need = await client.post(
        f"/practitioners/{pid}/learning-needs",
        data={"competence": "C4", "description": "Participatory budgeting", "_csrf_token": csrf},
        follow_redirects=True,
    )
    assert "Participatory budgeting" in need.text
    empty = await client.post(
        f"/practitioners/{pid}/learning-needs", data={"competence": "", "description": "", "_csrf_token": csrf}
    )
    assert empty.status_code == 400
    client.cookies.clear()
    await sign_in(client, "eilidh@example.org")
    csrf = client.cookies["csrftoken"]
    goal = await client.post(
        f"/practitioners/{pid}/goals",
        data={"title": "Lead a co-design project", "_csrf_token": csrf},
        follow_redirects=True,
    )
    assert "Lead a co-design project" in goal.text
