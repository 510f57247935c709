"""The HTML pages: lists with filters and pagination, forms with GOV.UK error summaries, scoped records."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from litestar.testing import AsyncTestClient

from registry.people.tables import Organisation, Practitioner
from tests.integration.test_sign_in import sign_in
from tests.support import Alliance, boxes

Client = AsyncTestClient  # type: ignore[type-arg]
STAMP = datetime(2024, 1, 1, tzinfo=UTC)

FORM = {
    "email": "sam.new@example.org",
    "given_name": "Sam",
    "family_name": "New",
    "organisation": "DCC",
    "job_title": "Youth Worker",
    "contract": "sessional",
    "weekly_hours": "8",
    "setting": "School",
    "locality": "Lochee",
    "practice_areas": "youth work; ESOL",
    "cld_qualified": "no",
    "manager_email": "graham@example.org",
    **boxes("started_on", "2025-09-01"),
    **boxes("left_on", ""),
}


def _rows(html: str) -> list[str]:
    return re.findall(r'href="/practitioners/\d+">([^<]+)</a>', html)


async def test_list_filters_search_and_clear(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "lead@example.org")
    page = await client.get("/practitioners")
    assert _rows(page.text) == ["Baxter, Graham", "Malik, Amira", "Morrison, Eilidh", "Nicol, Neil", "Walker, Ross"]
    assert "Clear filters" not in page.text
    filtered = await client.get("/practitioners?organisation=DCC&contract=part_time")
    assert _rows(filtered.text) == ["Morrison, Eilidh"]
    assert "Clear filters" in filtered.text
    assert '<option value="part_time" selected>' in filtered.text
    nobody = await client.get("/practitioners?q=zzzz")
    assert "No practitioners found" in nobody.text
    assert "No one matches these filters" in nobody.text
    leavers = await client.get("/practitioners?employment=left")
    assert _rows(leavers.text) == ["Leaver, Lorna"]
    assert "Left 31 March 2024" in leavers.text


async def test_list_is_paginated(client: Client, alliance: Alliance) -> None:
    await Practitioner.insert(
        *[
            Practitioner(
                email=f"p{i:02d}@example.org", given_name="Pat", family_name=f"Zed{i:02d}",
                organisation=alliance.organisation_ids["FIFE"], contract="volunteer", weekly_hours=2,
                started_on=date(2024, 1, 1), created_at=STAMP, updated_at=STAMP,
            )
            for i in range(30)
        ]
    )  # fmt: skip
    await sign_in(client, "lead@example.org")
    first = await client.get("/practitioners?organisation=FIFE")
    assert "Showing 1 to 25 of 31 practitioners" in first.text
    assert 'href="?organisation=FIFE&amp;employment=current&amp;page=2"' in first.text
    second = await client.get("/practitioners?organisation=FIFE&page=2")
    assert "Showing 26 to 31 of 31 practitioners" in second.text
    assert _rows(second.text)[-1] == "Zed29, Pat"
    assert (await client.get("/practitioners?page=0")).status_code == 400


async def test_a_manager_sees_their_team_only(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "graham@example.org")
    page = await client.get("/practitioners")
    assert '<h1 class="govuk-heading-l">My team</h1>' in page.text
    assert _rows(page.text) == ["Baxter, Graham", "Morrison, Eilidh", "Walker, Ross"]
    assert "Add a practitioner" not in page.text
    other = await client.get(f"/practitioners/{alliance.practitioner_ids['amira@example.org']}")
    assert other.status_code == 404
    assert "Page not found" in other.text


async def test_practitioner_page_shows_the_record(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "eilidh@example.org")
    page = await client.get(f"/practitioners/{alliance.practitioner_ids['eilidh@example.org']}")
    assert "Your record" in page.text
    assert "Youth work, Family learning" not in page.text  # practice areas are shown as recorded
    assert "youth work, family learning" in page.text
    assert "Associate" in page.text
    assert "Change details" not in page.text


async def test_add_practitioner_form_shows_errors_then_saves(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "lead@example.org")
    form = await client.get("/practitioners/new")
    assert 'for="weekly_hours"' in form.text
    csrf = client.cookies["csrftoken"]
    bad = await client.post(
        "/practitioners/new", data={**FORM, "weekly_hours": "sixty", "email": "", "_csrf_token": csrf}
    )
    assert bad.status_code == 400
    assert "<title>Error: Add a practitioner" in bad.text
    assert '<a href="#weekly_hours">Average weekly CLD hours must be a number</a>' in bad.text
    assert 'href="#email"' in bad.text
    assert 'value="Sam"' in bad.text  # what was typed is kept
    assert await Practitioner.count().where(Practitioner.email == "sam.new@example.org") == 0
    saved = await client.post("/practitioners/new", data={**FORM, "_csrf_token": csrf}, follow_redirects=True)
    assert "The record has been saved" in saved.text
    assert "Sam New" in saved.text
    row = await Practitioner.select().where(Practitioner.email == "sam.new@example.org").first()
    assert row is not None
    assert (row["setting"], row["practice_areas"], row["cld_qualified"]) == ("school", "youth work;ESOL", False)
    duplicate = await client.post("/practitioners/new", data={**FORM, "_csrf_token": csrf})
    assert duplicate.status_code == 400
    assert "already exists" in duplicate.text


async def test_edit_practitioner_and_partner_admin_limits(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "admin.dcc@example.org")
    ross = alliance.practitioner_ids["ross@example.org"]
    form = await client.get(f"/practitioners/{ross}/edit")
    assert 'value="ross@example.org"' in form.text
    assert "Fife Council" not in form.text  # a partner admin can only choose their organisation
    csrf = client.cookies["csrftoken"]
    data = {**FORM, "email": "ross@example.org", "given_name": "Ross", "family_name": "Walker", **boxes("left_on", "2026-01-31")}
    saved = await client.post(f"/practitioners/{ross}/edit", data={**data, "_csrf_token": csrf}, follow_redirects=True)
    assert "The record has been saved" in saved.text
    assert "Left on 31 January 2026" in saved.text
    amira = alliance.practitioner_ids["amira@example.org"]
    assert (await client.get(f"/practitioners/{amira}/edit")).status_code == 404
    moved = await client.post(f"/practitioners/{ross}/edit", data={**data, "organisation": "FIFE", "_csrf_token": csrf})
    assert moved.status_code == 400
    assert "own organisation" in moved.text


async def test_organisation_pages(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "lead@example.org")
    listing = await client.get("/organisations")
    assert "Dundee City Council" in listing.text
    dcc = await client.get(f"/organisations/{alliance.organisation_ids['DCC']}")
    assert '<a class="govuk-link" href="/practitioners?organisation=DCC">3</a>' in dcc.text
    csrf = client.cookies["csrftoken"]
    bad = await client.post("/organisations/new", data={"code": "", "name": "", "kind": "", "_csrf_token": csrf})
    assert bad.status_code == 400
    assert 'href="#name"' in bad.text
    assert 'href="#kind"' in bad.text
    created = await client.post(
        "/organisations/new",
        data={"code": "pkc", "name": "Perth and Kinross Council", "kind": "local_authority", "_csrf_token": csrf},
        follow_redirects=True,
    )
    assert "The organisation has been saved" in created.text
    pkc = await Organisation.select().where(Organisation.code == "PKC").first()
    assert pkc is not None
    edited = await client.post(
        f"/organisations/{pkc['id']}/edit",
        data={"name": "Perth & Kinross Council", "kind": "local_authority", "local_authority": "Perth and Kinross",
              "_csrf_token": csrf},
        follow_redirects=True,
    )  # fmt: skip
    assert "Perth &amp; Kinross Council" in edited.text
    empty = await client.get("/organisations?q=nothing-like-this")
    assert "No organisations found" in empty.text


async def test_pages_escape_what_people_typed(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "lead@example.org")
    csrf = client.cookies["csrftoken"]
    await client.post(
        "/practitioners/new",
        data={**FORM, "given_name": "<script>alert(1)</script>", "_csrf_token": csrf},
    )
    page = await client.get("/practitioners?q=sam.new")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


async def test_a_practitioner_without_a_record_is_told_so(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "lead@example.org")
    page = await client.get("/me")
    assert "No practitioner record uses your email address" in page.text


async def test_unknown_pages_get_a_404_page(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "lead@example.org")
    page = await client.get("/no-such-page")
    assert page.status_code == 404
    assert "Page not found" in page.text
    api = await client.get("/api/v1/nothing")
    assert api.status_code == 404
    assert api.json()["detail"]
