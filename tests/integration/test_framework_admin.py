"""Competence frameworks are data an admin keeps: rename a competence, add a framework from CSV, choose the default."""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient

from registry.learning.tables import Competence, Framework
from tests.integration.test_sign_in import sign_in
from tests.support import Alliance, bearer

Client = AsyncTestClient  # type: ignore[type-arg]

HEADER = "framework_code,framework_name,kind,code,title\n"
YOUTH = HEADER + (
    "YW,National Youth Work Outcomes,competence,O1,Young people are confident\n"
    "YW,National Youth Work Outcomes,competence,O2,Young people manage personal and social relationships\n"
    "YW,National Youth Work Outcomes,value,YV1,Young people choose to participate\n"
)
BROKEN = HEADER + (
    "YW,National Youth Work Outcomes,competence,O1,Young people are confident\n"
    "YW,National Youth Work Outcomes,outcome,O2,Young people manage personal and social relationships\n"
    "YW,National Youth Work Outcomes,competence,O1,\n"
)


async def _competence_id(framework: str, code: str) -> int:
    row = (
        await Competence.select(Competence.id)
        .where((Competence.framework.code == framework) & (Competence.code == code))
        .first()
    )
    assert row is not None
    return int(row["id"])


async def _framework_id(code: str) -> int:
    row = await Framework.select(Framework.id).where(Framework.code == code).first()
    assert row is not None
    return int(row["id"])


async def _api_competences(client: Client, alliance: Alliance) -> dict[str, str]:
    response = await client.get("/api/v1/competences", headers=bearer(alliance.tokens["practitioner"]))
    assert response.status_code == 200
    return {c["code"]: c["title"] for c in response.json()}


async def _upload(client: Client, text: str, make_default: bool = False):  # type: ignore[no-untyped-def]
    data = {"_csrf_token": client.cookies["csrftoken"]}
    if make_default:
        data["make_default"] = "yes"
    return await client.post(
        "/admin/frameworks",
        data=data,
        files={"file": ("framework.csv", text.encode(), "text/csv")},
        follow_redirects=False,
    )


async def test_the_admin_page_lists_the_frameworks_and_only_admins_see_it_in_the_menu(
    client: Client, alliance: Alliance
) -> None:
    await sign_in(client, "admin@example.org")
    page = await client.get("/admin/frameworks")
    assert page.status_code == 200
    assert 'href="/admin/frameworks"' in page.text  # the "Frameworks" menu item
    assert "CLD Standards Council Competent Practitioner Framework" in page.text
    assert 'data-testid="default-tag"' in page.text
    assert 'value="Know and understand the community in which we work"' in page.text
    assert 'value="Promotion of learning as a lifelong activity"' in page.text
    assert "framework_code,framework_name,kind,code,title" in page.text
    await sign_in(client, "lead@example.org")
    assert 'href="/admin/frameworks"' not in (await client.get("/practitioners")).text


async def test_a_renamed_competence_shows_up_in_the_api(client: Client, alliance: Alliance) -> None:
    c1 = await _competence_id("CLDSC", "C1")
    await sign_in(client, "admin@example.org")
    await client.get("/admin/frameworks")
    response = await client.post(
        f"/admin/frameworks/competences/{c1}/title",
        data={
            "title": "  Know and understand the communities we work with ",
            "_csrf_token": client.cookies["csrftoken"],
        },
        follow_redirects=False,
    )
    assert response.status_code in {302, 303}
    assert response.headers["location"] == f"/admin/frameworks?saved=renamed#competence-{c1}"
    page = await client.get(response.headers["location"])
    assert "The title has been changed" in page.text
    titles = await _api_competences(client, alliance)
    assert titles["C1"] == "Know and understand the communities we work with"
    assert titles["C2"] == "Build and maintain relationships with individuals and groups"


async def test_an_empty_title_is_refused_with_an_error_summary(client: Client, alliance: Alliance) -> None:
    c2 = await _competence_id("CLDSC", "C2")
    await sign_in(client, "admin@example.org")
    await client.get("/admin/frameworks")
    response = await client.post(
        f"/admin/frameworks/competences/{c2}/title",
        data={"title": "   ", "_csrf_token": client.cookies["csrftoken"]},
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert f'<a href="#title-{c2}">Enter a title</a>' in response.text
    too_long = await client.post(
        f"/admin/frameworks/competences/{c2}/title",
        data={"title": "x" * 301, "_csrf_token": client.cookies["csrftoken"]},
    )
    assert too_long.status_code == 400
    assert "Title must be 300 characters or fewer" in too_long.text
    assert f'value="{"x" * 301}"' in too_long.text  # what was typed is kept
    assert (await _api_competences(client, alliance))[
        "C2"
    ] == "Build and maintain relationships with individuals and groups"


async def test_a_framework_with_problems_is_not_added_and_every_problem_is_listed(
    client: Client, alliance: Alliance
) -> None:
    await sign_in(client, "admin@example.org")
    await client.get("/admin/frameworks")
    frameworks, competences = await Framework.count(), await Competence.count()
    response = await _upload(client, BROKEN, make_default=True)
    assert response.status_code == 400
    problems = re.findall(r"<li>(line \d+: [^<]+)</li>", response.text)
    assert problems == [
        "line 3: kind: must be competence or value",
        "line 4: title: is required",
        "line 4: code: O1 appears twice in the file (also line 2)",
    ]
    assert "The file has 3 problem(s). Nothing was added." in response.text
    assert 'name="make_default" type="checkbox" value="yes" checked' in response.text
    assert (await Framework.count(), await Competence.count()) == (frameworks, competences)


async def test_an_admin_adds_a_framework_makes_it_the_default_and_back(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "admin@example.org")
    await client.get("/admin/frameworks")
    added = await _upload(client, YOUTH)
    assert added.status_code in {302, 303}
    page = await client.get(added.headers["location"])
    assert "The framework has been added" in page.text
    assert "National Youth Work Outcomes" in page.text
    assert 'data-testid="make-default-YW"' in page.text
    # Added, but CLDSC stays the default until an admin says otherwise.
    assert set(await _api_competences(client, alliance)) == {f"C{i}" for i in range(1, 8)} | {
        f"V{i}" for i in range(1, 6)
    }

    youth = await _framework_id("YW")
    made = await client.post(
        f"/admin/frameworks/{youth}/default", data={"_csrf_token": client.cookies["csrftoken"]}, follow_redirects=False
    )
    assert made.status_code in {302, 303}
    assert "The default framework has been changed" in (await client.get(made.headers["location"])).text
    assert await _api_competences(client, alliance) == {
        "O1": "Young people are confident",
        "O2": "Young people manage personal and social relationships",
        "YV1": "Young people choose to participate",
    }

    cldsc = await _framework_id("CLDSC")
    await client.post(f"/admin/frameworks/{cldsc}/default", data={"_csrf_token": client.cookies["csrftoken"]})
    assert "C1" in await _api_competences(client, alliance)
    assert await Framework.count().where(Framework.is_default == True) == 1  # noqa: E712


async def test_a_framework_code_already_used_is_refused(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "admin@example.org")
    await client.get("/admin/frameworks")
    assert (await _upload(client, YOUTH)).status_code in {302, 303}
    again = await _upload(client, YOUTH, make_default=True)
    assert again.status_code == 400
    assert "A framework with code YW already exists" in again.text
    assert await Framework.count().where(Framework.code == "YW") == 1
    assert "C1" in await _api_competences(client, alliance)  # the failed upload did not change the default


async def test_an_upload_without_a_file_asks_for_one(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "admin@example.org")
    await client.get("/admin/frameworks")
    response = await client.post("/admin/frameworks", data={"_csrf_token": client.cookies["csrftoken"]})
    assert response.status_code == 400
    assert '<a href="#file">Select a CSV file</a>' in response.text


# Litestar 2.25 runs guards outside the try/finally that closes a parsed form (litestar/routes/http.py), so an
# upload refused by a guard leaves its SpooledTemporaryFile to the garbage collector, which warns.
@pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <function SpooledTemporaryFile.__del__:pytest.PytestUnraisableExceptionWarning"
)
async def test_non_admins_are_refused(client: Client, alliance: Alliance) -> None:
    c1 = await _competence_id("CLDSC", "C1")
    cldsc = await _framework_id("CLDSC")
    for email in ("lead@example.org", "admin.dcc@example.org", "graham@example.org", "eilidh@example.org"):
        await sign_in(client, email)
        csrf = client.cookies["csrftoken"]
        assert (await client.get("/admin/frameworks")).status_code == 403, email
        renamed = await client.post(
            f"/admin/frameworks/competences/{c1}/title", data={"title": "X", "_csrf_token": csrf}
        )
        assert renamed.status_code == 403, email
        assert (await _upload(client, YOUTH, make_default=True)).status_code == 403, email
        made = await client.post(f"/admin/frameworks/{cldsc}/default", data={"_csrf_token": csrf})
        assert made.status_code == 403, email
    assert (await _api_competences(client, alliance))["C1"] == "Know and understand the community in which we work"
    assert await Framework.count() == 1
