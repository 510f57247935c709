"""The registration page: status and renewal countdown, history with who recorded it, and the change form."""

from __future__ import annotations

import re
from datetime import date

import pytest
from litestar.testing import AsyncTestClient

from registry import clock
from registry.accounts.rules import Role
from registry.registration import service as registration
from registry.registration.schemas import RegistrationChangeIn
from registry.registration.tables import CldscRegistration
from registry.web.templating import make_template_engine
from tests.integration.test_sign_in import sign_in
from tests.support import Alliance, as_viewer

Client = AsyncTestClient  # type: ignore[type-arg]
TODAY = date(2026, 11, 22)
LEAD = as_viewer("lead@example.org", "Lead", Role.LEAD)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def page_url(alliance: Alliance, email: str) -> str:
    return f"/practitioners/{alliance.practitioner_ids[email]}/registration"


def text_of(html: str, testid: str) -> str:
    """The visible text of the first element with this data-testid, whitespace collapsed."""
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</(span|strong|p|table|dl)>', html, re.S)
    assert match, testid
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def awaiting(html: str) -> str:
    """The visible text of the list of claims awaiting confirmation."""
    match = re.search(r'<ul class="govuk-list" data-testid="awaiting-confirmation">(.*?)</ul>', html, re.S)
    assert match
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def history_rows(html: str) -> list[str]:
    rows = re.findall(r'<tr class="govuk-table__row" data-testid="registration-change">(.*?)</tr>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


async def test_the_page_shows_status_countdown_and_history(client: Client, alliance: Alliance) -> None:
    await registration.record_change(
        LEAD,
        alliance.practitioner_ids["graham@example.org"],
        RegistrationChangeIn(status="registered", effective_from=date(2024, 3, 14), renewal_due=date(2027, 3, 14)),
    )
    await sign_in(client, "graham@example.org")
    page = await client.get(page_url(alliance, "graham@example.org"))
    assert page.status_code == 200
    assert text_of(page.text, "registration-status") == "Registered"
    assert text_of(page.text, "renewal-countdown") == "Renewal due 14 March 2027 — in 112 days"
    newest, imported = history_rows(page.text)
    # The recorded date is when it was written, so only the columns before it are compared.
    assert newest.startswith("14 March 2024 Registered Registered member 14 March 2027 lead@example.org ")
    assert imported.startswith(
        "10 January 2024 Registered HR import Registered member CLDSC10001 10 January 2027 command-line "
    )
    assert 'data-testid="registration-form"' in page.text
    assert "Back to your record" in page.text


async def test_an_overdue_registration_shows_how_overdue(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "lead@example.org")
    page = await client.get(page_url(alliance, "amira@example.org"))
    overdue = (TODAY - date(2022, 6, 1)).days
    assert text_of(page.text, "registration-status") == "Lapsed"
    assert text_of(page.text, "renewal-countdown") == (
        f"Renewal was due 1 June 2022 — overdue by {overdue} days; the registration has lapsed"
    )


@pytest.mark.parametrize(
    ("email", "status", "countdown"),
    [
        ("ross@example.org", "Not registered", "No renewal due"),
        ("nhs@example.org", "Applied", "Application made; the renewal date is set once registered"),
    ],
)
async def test_without_a_cycle_there_is_no_countdown(
    client: Client, alliance: Alliance, email: str, status: str, countdown: str
) -> None:
    await sign_in(client, "lead@example.org")
    page = await client.get(page_url(alliance, email))
    assert text_of(page.text, "registration-status") == status
    assert text_of(page.text, "renewal-countdown") == countdown


async def test_a_practitioner_records_a_change_and_sees_it_awaits_confirmation(
    client: Client, alliance: Alliance
) -> None:
    await sign_in(client, "eilidh@example.org")
    await client.get(page_url(alliance, "eilidh@example.org"))
    response = await client.post(
        page_url(alliance, "eilidh@example.org"),
        data={
            "status": "registered",
            "route": "recognised_qualification",
            "membership_number": "CLDSC20002",
            "effective_from": "2026-11-01",
            "renewal_due": "",
            "note": "Degree completed",
            "_csrf_token": client.cookies["csrftoken"],
        },
        follow_redirects=False,
    )
    assert response.status_code in {302, 303}
    assert response.headers["location"] == page_url(alliance, "eilidh@example.org") + "?saved=pending"
    page = await client.get(response.headers["location"])
    assert "The change has been recorded and is awaiting confirmation" in page.text
    # Her own claim does not count until someone checks it.
    assert text_of(page.text, "registration-status") == "Associate"
    assert text_of(page.text, "renewal-countdown") == "Renewal due 1 May 2028 — in 526 days"
    assert "Awaiting confirmation Registered member from 1 November 2026, membership number CLDSC20002" in (
        awaiting(page.text)
    )
    assert 'data-testid="confirm-claim"' not in page.text  # nobody confirms their own
    newest, older = history_rows(page.text)
    assert newest.startswith("1 November 2026 Registered Degree completed Registered member Recognised qualification")
    assert "CLDSC20002 1 November 2029 eilidh@example.org" in newest
    assert newest.endswith("Awaiting confirmation")
    assert older.startswith("1 May 2025 Associate")
    assert older.endswith("Counted when recorded")


async def test_the_form_shows_what_to_fix(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "graham@example.org")
    await client.get(page_url(alliance, "eilidh@example.org"))
    response = await client.post(
        page_url(alliance, "eilidh@example.org"),
        data={
            "effective_from": "1 Nov 2026",
            "renewal_due": "2020-01-01",
            "membership_number": "KEEP-ME",
            "_csrf_token": client.cookies["csrftoken"],
        },
    )
    assert response.status_code == 400
    assert "<title>Error: " in response.text
    assert "There is a problem" in response.text
    for field in ("status", "effective_from"):
        assert f'href="#{field}"' in response.text
    assert "Select the registration status" in response.text
    assert "Effective from must be a date like 2025-04-01" in response.text
    assert 'value="KEEP-ME"' in response.text
    assert (
        await CldscRegistration.count().where(
            CldscRegistration.practitioner == alliance.practitioner_ids["eilidh@example.org"]
        )
        == 1
    )


async def test_the_renewal_must_come_after_the_change(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "lead@example.org")
    await client.get(page_url(alliance, "ross@example.org"))
    response = await client.post(
        page_url(alliance, "ross@example.org"),
        data={
            "status": "associate",
            "effective_from": "2026-11-01",
            "renewal_due": "2026-10-01",
            "_csrf_token": client.cookies["csrftoken"],
        },
    )
    assert response.status_code == 400
    assert 'href="#renewal_due"' in response.text
    assert "The renewal date must be after the date the change takes effect" in response.text


async def test_the_form_needs_the_csrf_token(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "eilidh@example.org")
    response = await client.post(
        page_url(alliance, "eilidh@example.org"), data={"status": "withdrawn", "effective_from": "2026-11-01"}
    )
    assert response.status_code == 403
    assert not await CldscRegistration.exists().where(CldscRegistration.status == "withdrawn")


async def test_a_partner_admin_reads_without_the_form_and_cannot_post(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "admin.dcc@example.org")
    page = await client.get(page_url(alliance, "eilidh@example.org"))
    assert page.status_code == 200
    assert text_of(page.text, "registration-status") == "Associate"
    assert "Record a change" not in page.text
    refused = await client.post(
        page_url(alliance, "eilidh@example.org"),
        data={"status": "withdrawn", "effective_from": "2026-11-01", "_csrf_token": client.cookies["csrftoken"]},
    )
    assert refused.status_code == 403
    assert "You do not have access to this page" in refused.text
    assert (await client.get(page_url(alliance, "amira@example.org"))).status_code == 404


async def test_a_practitioner_cannot_see_or_change_someone_elses(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "eilidh@example.org")
    other = page_url(alliance, "graham@example.org")
    assert (await client.get(other)).status_code == 404
    refused = await client.post(
        other,
        data={"status": "withdrawn", "effective_from": "2026-11-01", "_csrf_token": client.cookies["csrftoken"]},
    )
    assert refused.status_code == 404
    assert "Page not found" in refused.text
    assert not await CldscRegistration.exists().where(CldscRegistration.status == "withdrawn")


async def test_a_manager_gets_the_form_for_their_team(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "graham@example.org")
    page = await client.get(page_url(alliance, "ross@example.org"))
    assert "Record a change" in page.text
    assert "Back to Ross Walker" in page.text
    assert (await client.get(page_url(alliance, "amira@example.org"))).status_code == 404


async def test_strangers_are_sent_to_sign_in(client: Client, alliance: Alliance) -> None:
    response = await client.get(page_url(alliance, "eilidh@example.org"), follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"].startswith("/sign-in?next=")


async def test_the_summary_card_for_the_practitioner_page(alliance: Alliance) -> None:
    eilidh = as_viewer("eilidh@example.org", "Eilidh", Role.PRACTITIONER)
    pid = alliance.practitioner_ids["eilidh@example.org"]
    summary = await registration.summary_for(eilidh, pid)
    html = make_template_engine().engine.get_template("registration/_summary.html").render(registration=summary)
    assert 'data-testid="registration-summary"' in html
    assert text_of(html, "registration-status") == "Associate"
    assert text_of(html, "renewal-countdown") == f"Renewal due 1 May 2028 — in {(date(2028, 5, 1) - TODAY).days} days"
    assert f'href="/practitioners/{pid}/registration"' in html
    assert "View registration history" in html
    assert "Associate member" in html
    assert "CLDSC10002" in html
