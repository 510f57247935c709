"""Messages in plain words (issue 15, point 6): whatever is sent wrong, the API's ``detail`` and the page's
error summary say what to fix without pydantic's wording or a Python repr; a date that does not exist says
so; learning completed in the future is refused."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.test_event_pages import sign_in_as
from tests.support import FIXED_TODAY, Alliance, StoppedClock, bearer, boxes

Client = AsyncTestClient  # type: ignore[type-arg]
GOOD: dict[str, Any] = {"title": "Group work", "kind": "course", "completed_on": "2026-10-01", "hours": 2,
                        "competences": ["C3"]}  # fmt: skip
PYDANTIC = re.compile(r"Input should|List should|should have|after validation|Value error|type=|\[|'\w+'")


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"kind": "webinar"}, "kind", "must be one of course, conference"),
        ({"competences": []}, "competences", "must have at least one item"),
        ({"completed_on": "2025-02-31"}, "completed_on", "must be a real date: 2025-02-31 does not exist"),
        ({"completed_on": "2025-13-01"}, "completed_on", "must be a real date: 2025-13-01 does not exist"),
        ({"completed_on": str(FIXED_TODAY + timedelta(days=1))}, "completed_on", "must be today or in the past"),
        ({"hours": "lots"}, "hours", "must be a number"),
        ({"evidence_url": "not a link"}, "evidence_url", "must be a full web address"),
        ({"colour": "blue"}, "colour", "is not a field of this resource"),
        ({"title": ""}, "title", "must not be empty"),
    ],
)
async def test_the_api_says_what_is_wrong_in_plain_words(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock, change: dict[str, Any], field: str, says: str
) -> None:
    pid = alliance.practitioner_ids["eilidh@example.org"]
    answer = await client.post(
        f"/api/v1/practitioners/{pid}/learning",
        json={**GOOD, **change},
        headers=bearer(alliance.tokens["practitioner"]),
    )
    assert answer.status_code == 400, answer.text
    detail = answer.json()["detail"]
    assert says in detail
    assert field in detail
    assert not PYDANTIC.search(detail.replace(f"{field}:", "")), detail


async def test_the_learning_form_refuses_a_future_date_and_a_date_that_does_not_exist(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    pid = alliance.practitioner_ids["eilidh@example.org"]
    csrf = await sign_in_as(client, "eilidh@example.org")
    form = {"_csrf_token": csrf, "title": "Group work", "kind": "course", "hours": "2", "competences": "C3",
            "protected_time": "no"}  # fmt: skip
    for completed, says in (
        (str(FIXED_TODAY + timedelta(days=3)), "must be today or in the past"),
        ("2025-02-31", "must be a real date: 2025-02-31 does not exist"),
    ):
        page = await client.post(f"/practitioners/{pid}/learning/new", data={**form, "completed_on": completed})
        assert page.status_code == 400
        summary = unescape(page.text[page.text.index("govuk-error-summary") :])
        summary = summary[: summary.index("</ul>")]
        assert says in summary
        assert "Date completed" in summary  # the label on the page, not the field's name
        assert not PYDANTIC.search(re.sub(r"<[^>]+>", "", summary))
    assert date.fromisoformat("2026-10-01") <= FIXED_TODAY


async def test_the_learning_form_takes_the_date_in_three_boxes(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    pid = alliance.practitioner_ids["eilidh@example.org"]
    csrf = await sign_in_as(client, "eilidh@example.org")
    form = {"_csrf_token": csrf, "title": "Group work", "kind": "course", "hours": "2", "competences": "C3",
            "protected_time": "no", "completed_on-day": "27", "completed_on-month": "", "completed_on-year": "2026"}  # fmt: skip
    partial = await client.post(f"/practitioners/{pid}/learning/new", data=form)
    assert partial.status_code == 400
    assert "Date completed must include a month" in unescape(partial.text)
    assert re.search(r'name="completed_on-day"[^>]*value="27"', partial.text)  # what was typed is kept
    saved = await client.post(
        f"/practitioners/{pid}/learning/new", data={**form, "completed_on-month": "9"}, follow_redirects=False
    )
    assert saved.status_code in {302, 303}
    record_id = saved.headers["location"].split("/")[-1].split("?")[0]
    edit = (await client.get(f"/practitioners/{pid}/learning/{record_id}/edit")).text
    for name, value in (("day", "27"), ("month", "9"), ("year", "2026")):
        assert re.search(rf'name="completed_on-{name}"[^>]*value="{value}"', edit), name


async def test_the_registration_form_takes_its_dates_in_three_boxes(client: Client, alliance: Alliance) -> None:
    from registry.registration.tables import CldscRegistration

    pid = alliance.practitioner_ids["eilidh@example.org"]
    csrf = await sign_in_as(client, "lead@example.org")
    form = {"_csrf_token": csrf, "status": "registered", "membership_number": "CLDSC20002", "note": "",
            "route": "recognised_qualification", "effective_from-day": "1", "effective_from-month": "",
            "effective_from-year": "2026", "renewal_due-day": "", "renewal_due-month": "", "renewal_due-year": ""}  # fmt: skip
    before = await CldscRegistration.count().where(CldscRegistration.practitioner == pid)
    partial = await client.post(f"/practitioners/{pid}/registration", data=form)
    assert partial.status_code == 400
    assert "Effective from must include a month" in unescape(partial.text)
    assert await CldscRegistration.count().where(CldscRegistration.practitioner == pid) == before
    saved = await client.post(
        f"/practitioners/{pid}/registration", data={**form, "effective_from-month": "11"}, follow_redirects=False
    )
    assert saved.status_code in {302, 303}, saved.text
    assert await CldscRegistration.count().where(CldscRegistration.practitioner == pid) == before + 1


async def test_a_half_written_optional_date_is_refused_not_dropped(client: Client, alliance: Alliance) -> None:
    """An optional date with a box left empty must not be saved as "no date" (it was read so before)."""
    from registry.registration.tables import CldscRegistration

    pid = alliance.practitioner_ids["eilidh@example.org"]
    csrf = await sign_in_as(client, "lead@example.org")
    form = {"_csrf_token": csrf, "status": "registered", "membership_number": "CLDSC20002", "note": "",
            "route": "recognised_qualification", **boxes("effective_from", "2026-11-01"),
            **boxes("renewal_due", "2029-11-01"), "renewal_due-month": ""}  # fmt: skip
    before = await CldscRegistration.count().where(CldscRegistration.practitioner == pid)
    partial = await client.post(f"/practitioners/{pid}/registration", data=form)
    assert partial.status_code == 400
    assert "must include a month" in unescape(partial.text)
    assert 'href="#renewal_due-day"' in partial.text  # the summary takes the keyboard to the first box
    assert await CldscRegistration.count().where(CldscRegistration.practitioner == pid) == before


async def test_the_time_request_form_takes_its_days_in_boxes_and_names_its_own_labels(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    from registry.learning_time.tables import TimeRequest

    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    csrf = await sign_in_as(client, "eilidh@example.org")
    first_day = (FIXED_TODAY + timedelta(days=20)).isoformat()
    form = {"_csrf_token": csrf, "title": "Facilitation course", "kind": "course", "hours": "lots", "purpose": "",
            "competences": "C3", **boxes("starts_on", first_day), **boxes("ends_on", "2027-02-29")}  # fmt: skip
    wrong = await client.post(f"/practitioners/{eilidh}/time-requests/new", data=form)
    assert wrong.status_code == 400
    text = unescape(wrong.text)
    assert "Hours of protected time must be a number" in text  # the label on this page, not "Hours"
    assert "Last day must be a real date: 2027-02-29 does not exist" in text
    assert not PYDANTIC.search(re.sub(r"<[^>]+>", " ", text.split("govuk-error-summary")[1][:2000]))
    assert await TimeRequest.count() == 0
    sent = await client.post(
        f"/practitioners/{eilidh}/time-requests/new", data={**form, "hours": "6", **boxes("ends_on", "")},
        follow_redirects=False,
    )  # fmt: skip
    assert sent.status_code in {302, 303}, sent.text
    row = await TimeRequest.select(TimeRequest.starts_on, TimeRequest.ends_on).first()
    assert row is not None
    assert str(row["starts_on"]) == str(row["ends_on"]) == first_day  # one day: it ends when it starts


async def test_the_practitioner_form_takes_started_and_left_in_boxes(client: Client, alliance: Alliance) -> None:
    from tests.integration.test_people_pages import FORM

    csrf = await sign_in_as(client, "admin.dcc@example.org")
    leaver = {**FORM, "email": "morag@example.org", "_csrf_token": csrf, **boxes("left_on", "2026-02-30")}
    wrong = await client.post("/practitioners/new", data=leaver)
    assert wrong.status_code == 400
    assert "Left on must be a real date: 2026-02-30 does not exist" in unescape(wrong.text)
    assert 'name="left_on-day" type="text" value="30"' in wrong.text
    saved = await client.post(
        "/practitioners/new", data={**leaver, **boxes("left_on", "2026-02-27")}, follow_redirects=False
    )
    assert saved.status_code in {302, 303}, saved.text
    record = await client.get(saved.headers["location"].split("?")[0] + "/edit")
    assert 'name="left_on-day" type="text" value="27"' in record.text
    assert 'name="started_on-year" type="text" value="2025"' in record.text
