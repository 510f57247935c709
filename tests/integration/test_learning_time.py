"""Protected learning time over a year (2026-27, the clock stopped on 19 November 2026): a full-time, a
part-time and a sessional practitioner, a starter on 1 October, a leaver in June and a policy change on
1 January. learning-time, the team view, its CSV and the weekly digest tell the same numbers.

Days: 1 April – 31 December 2026 is 275 days and 1 January – 31 March 2027 90 (365 in all). DCC's policy
is the CLDSC minimum (35 h a year for 35 h a week) until 31 December and 70 h per 35 h from 1 January, so a
whole year at w hours a week gives w × (275 + 2 × 90) / 365 = w × 455 / 365.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from litestar.testing import AsyncTestClient

from registry.accounts.rules import Role
from registry.cli_viewer import COMMAND_LINE
from registry.learning import service as learning
from registry.learning.schemas import LearningRecordIn
from registry.learning_time import requests, service
from registry.learning_time.schemas import (
    AdjustmentIn,
    PolicyIn,
    TimeRequestDecisionIn,
    TimeRequestIn,
    TimeRequestLogIn,
)
from registry.notify.digest import weekly_digests
from registry.notify.tables import OutboxMessage
from registry.people import service as people
from registry.people.schemas import PractitionerIn
from registry.registration import history as registration
from tests.integration.test_sign_in import sign_in
from tests.support import Alliance, StoppedClock, as_viewer, bearer, boxes

Client = AsyncTestClient  # type: ignore[type-arg]
EILIDH = as_viewer("eilidh@example.org", "Eilidh", Role.PRACTITIONER)
GRAHAM = as_viewer("graham@example.org", "Graham", Role.MANAGER)


async def _new_person(email: str, given: str, family: str, started_on: str, left_on: str | None = None) -> int:
    record = await people.create_practitioner(
        COMMAND_LINE,
        PractitionerIn.model_validate({
            "email": email, "given_name": given, "family_name": family, "organisation": "DCC",
            "contract": "full_time", "weekly_hours": 35, "started_on": started_on, "left_on": left_on,
            "manager_email": "graham@example.org",
        }),
    )  # fmt: skip
    return record.id


def _record(title: str, completed_on: str, hours: float, protected: bool) -> LearningRecordIn:
    return LearningRecordIn.model_validate({
        "title": title, "kind": "course", "completed_on": completed_on, "hours": hours, "competences": ["C2"],
        "protected_time": protected,
    })  # fmt: skip


async def _a_year(alliance: Alliance) -> dict[str, int]:
    ids = dict(alliance.practitioner_ids)
    ids["sam"] = await _new_person("sam@example.org", "Sam", "Stewart", "2026-10-01")
    ids["lee"] = await _new_person("lee@example.org", "Lee", "Lyall", "2020-01-06", left_on="2026-07-01")
    await service.set_policy(
        COMMAND_LINE, alliance.organisation_ids["DCC"],
        PolicyIn(hours_per_year=70, full_time_weekly_hours=35, applies_from=date(2027, 1, 1)),
    )  # fmt: skip
    eilidh = ids["eilidh@example.org"]
    await service.add_adjustment(GRAHAM, eilidh, AdjustmentIn(period="2026-27", hours=7, reason="Newly qualified"))
    # Eilidh: 6 h protected and 2 h not, logged herself; a 7 h course asked for, approved and logged.
    await learning.create_record(EILIDH, eilidh, _record("Group work", "2026-06-10", 6, True))
    await learning.create_record(EILIDH, eilidh, _record("Reading", "2026-06-11", 2, False))
    asked = await requests.create_request(
        EILIDH, eilidh,
        TimeRequestIn.model_validate({"title": "Facilitation course", "kind": "course", "starts_on": "2026-11-10",
                                      "hours": 7, "competences": ["C3", "C5"], "purpose": "Running groups"}),
    )  # fmt: skip
    await requests.decide_request(GRAHAM, asked.id, TimeRequestDecisionIn(decision="approve", note="Go for it"))
    await requests.log_learning(EILIDH, asked.id, TimeRequestLogIn(reflection="I now plan sessions differently"))
    # Ross (sessional, 6 h a week): 2 h protected logged, and a 3 h approved request in February not yet logged.
    ross = ids["ross@example.org"]
    ross_viewer = as_viewer("ross@example.org", "Ross", Role.PRACTITIONER)
    await learning.create_record(ross_viewer, ross, _record("ESOL network", "2026-09-01", 2, True))
    later = await requests.create_request(
        ross_viewer, ross,
        TimeRequestIn.model_validate({"title": "ESOL conference", "kind": "conference", "starts_on": "2027-02-05",
                                      "hours": 3, "competences": ["C3"]}),
    )  # fmt: skip
    await requests.decide_request(GRAHAM, later.id, TimeRequestDecisionIn(decision="approve"))
    # Ross's CLDSC registration lapses on 31 January 2027: within 90 days of 19 November.
    await registration.append_change(
        ross, "registered", date(2024, 2, 1), membership_number="CLDSC30003", renewal_due=date(2027, 1, 31),
        recorded_by_email="admin@example.org",
    )  # fmt: skip
    return ids


# Worked by hand (see the module docstring); behind = used + booked < entitlement × days gone / days employed
# − 10 % of the entitlement, with 233 days gone on 19 November (1 April – 19 November).
EXPECTED = {
    # 17.5 × 455/365 = 21.815 + 7 (adjustment) = 28.8; used 6 + 7 = 13; 28.8 × 233/365 − 2.88 = 15.5 > 13: behind.
    "eilidh@example.org": {"entitlement_hours": 28.8, "used_hours": 13.0, "booked_hours": 0.0, "remaining_hours": 15.8,
                           "behind": True},
    # 6 × 455/365 = 7.479 → 7.5; used 2, booked 3; 7.5 × 233/365 − 0.75 = 4.04 < 5: not behind.
    "ross@example.org": {"entitlement_hours": 7.5, "used_hours": 2.0, "booked_hours": 3.0, "remaining_hours": 2.5,
                         "behind": False},
    # 1 October – 31 December 92 days at 1×, then 90 at 2×: 35 × 272/365 = 26.08 → 26.1; 50 of 182 days gone:
    # 26.1 × 50/182 − 2.61 = 4.56 > 0: behind.
    "sam": {"entitlement_hours": 26.1, "used_hours": 0.0, "booked_hours": 0.0, "remaining_hours": 26.1,
            "behind": True},
    # Employed 1 April – 30 June, 91 days, all before the policy change: 35 × 91/365 = 8.7.
    "lee": {"entitlement_hours": 8.7, "used_hours": 0.0, "booked_hours": 0.0, "remaining_hours": 8.7,
            "behind": True},
}  # fmt: skip


async def test_a_year_of_protected_time_agrees_everywhere(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    ids = await _a_year(alliance)
    manager = bearer(alliance.tokens["manager"])
    # learning-time, for each person, exactly INTERFACE.md's fields.
    for key, expected in EXPECTED.items():
        response = await client.get(f"/api/v1/practitioners/{ids[key]}/learning-time?period=2026-27", headers=manager)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"period", "entitlement_hours", "used_hours", "booked_hours", "remaining_hours",
                             "required_pl_hours", "learning_hours"}  # fmt: skip
        assert {k: body[k] for k in expected if k != "behind"} == {k: v for k, v in expected.items() if k != "behind"}
    eilidh = (await client.get(f"/api/v1/practitioners/{ids['eilidh@example.org']}/learning-time", headers=manager))
    assert eilidh.json()["learning_hours"] == 15.0  # 6 + 2 + 7: all learning, protected or not
    assert eilidh.json()["required_pl_hours"] == 17.5

    # The team view (API): Graham's team, by family name; the leaver who left in 2024 is not in the year.
    team = (await client.get("/api/v1/team/learning-time?period=2026-27", headers=manager)).json()
    assert [m["name"] for m in team["items"]] == ["Lee Lyall", "Eilidh Morrison", "Sam Stewart", "Ross Walker"]
    rows = {m["practitioner_id"]: m for m in team["items"]}
    for key, expected in EXPECTED.items():
        assert {k: rows[ids[key]][k] for k in expected} == expected, key
    assert rows[ids["ross@example.org"]]["renewal_due"] == "2027-01-31"
    assert rows[ids["eilidh@example.org"]]["renewal_due"] is None
    assert rows[ids["eilidh@example.org"]]["verified_hours"] == 0.0
    part_time = (await client.get("/api/v1/team/learning-time?part_time=true", headers=manager)).json()
    assert [m["name"] for m in part_time["items"]] == ["Eilidh Morrison", "Ross Walker"]

    # The CSV has the same rows and numbers.
    await sign_in(client, "graham@example.org")
    downloaded = await client.get("/team/learning-time.csv?period=2026-27")
    assert downloaded.status_code == 200
    assert downloaded.headers["content-type"].startswith("text/csv")
    table = {r["name"]: r for r in csv.DictReader(io.StringIO(downloaded.text))}
    for member in team["items"]:
        line = table[member["name"]]
        for column in ("entitlement_hours", "used_hours", "booked_hours", "remaining_hours"):
            assert float(line[column]) == member[column]
        assert line["behind"] == ("yes" if member["behind"] else "no")

    # The page shows them, the flags and the link to the request queue.
    page = await client.get("/team/learning-time?period=2026-27")
    assert page.status_code == 200
    assert page.text.count('data-testid="team-row"') == 4
    assert page.text.count('data-testid="behind"') == 3
    assert "CLDSC registration lapses 31 January 2027" in page.text

    # The digest says who is behind, from the same numbers.
    await weekly_digests(today=date(2026, 11, 23))
    digest = await OutboxMessage.select(OutboxMessage.body_text).where(
        (OutboxMessage.to_email == "graham@example.org") & (OutboxMessage.subject == "Your weekly team digest")
    ).first()
    assert digest is not None
    text = digest["body_text"]
    assert "Behind on protected learning time: Eilidh Morrison (13 of 28.8 hours this year used or booked)" in text
    assert "Behind on protected learning time: Sam Stewart (0 of 26.1 hours" in text
    assert "Ross Walker (" not in text.split("Registration renewal")[0].split("Behind")[-1]


async def test_requests_move_only_forward_and_the_booked_hours_follow(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    practitioner, manager = bearer(alliance.tokens["practitioner"]), bearer(alliance.tokens["manager"])
    body = {"title": "Conference", "kind": "conference", "starts_on": "2027-01-20", "hours": 6.5,
            "competences": "C1;C4", "purpose": "Community empowerment"}  # fmt: skip
    created = await client.post(f"/api/v1/practitioners/{eilidh}/time-requests", json=body, headers=practitioner)
    assert created.status_code == 201, created.text
    request_id = created.json()["id"]
    assert created.json()["competences"] == ["C1", "C4"]
    mail = await OutboxMessage.select(OutboxMessage.to_email, OutboxMessage.subject).order_by(OutboxMessage.id)
    assert mail[-1] == {"to_email": "graham@example.org", "subject": "Protected learning time asked for: Conference"}

    async def booked() -> float:
        url = f"/api/v1/practitioners/{eilidh}/learning-time?period=2026-27"
        return float((await client.get(url, headers=practitioner)).json()["booked_hours"])

    assert await booked() == 0.0  # asked for, not yet approved
    waiting = (await client.get("/api/v1/time-requests", headers=manager)).json()
    assert [r["id"] for r in waiting["items"]] == [request_id]
    # Eilidh cannot decide her own; declining needs a note.
    own = await client.post(f"/api/v1/time-requests/{request_id}/decision", json={"decision": "approve"},
                            headers=practitioner)  # fmt: skip
    assert own.status_code == 403
    bare = await client.post(f"/api/v1/time-requests/{request_id}/decision", json={"decision": "decline"},
                             headers=manager)  # fmt: skip
    assert bare.status_code == 400
    assert "note" in bare.json()["detail"]
    approved = await client.post(f"/api/v1/time-requests/{request_id}/decision", json={"decision": "approve"},
                                 headers=manager)  # fmt: skip
    assert approved.json()["status"] == "approved"
    assert await booked() == 6.5
    again = await client.post(f"/api/v1/time-requests/{request_id}/decision", json={"decision": "decline",
                              "note": "Changed my mind"}, headers=manager)  # fmt: skip
    assert again.status_code == 409
    # Not done yet: its learning cannot be logged before it happens.
    early = await client.post(f"/api/v1/time-requests/{request_id}/learning", json={}, headers=practitioner)
    assert early.status_code == 400
    assert "future" in early.json()["detail"]
    withdrawn = await client.post(f"/api/v1/time-requests/{request_id}/withdraw", headers=practitioner)
    assert withdrawn.json()["status"] == "withdrawn"
    assert await booked() == 0.0
    late = await client.post(f"/api/v1/time-requests/{request_id}/learning", json={}, headers=practitioner)
    assert late.status_code == 409


async def test_a_request_without_a_line_manager_or_with_bad_dates_is_refused(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    graham = alliance.practitioner_ids["graham@example.org"]  # Graham has no line manager recorded
    headers = bearer(alliance.tokens["manager"])
    body: dict[str, Any] = {"title": "Course", "kind": "course", "starts_on": "2027-01-20", "hours": 3,
                            "competences": ["C1"]}  # fmt: skip
    refused = await client.post(f"/api/v1/practitioners/{graham}/time-requests", json=body, headers=headers)
    assert refused.status_code == 400
    assert "line manager" in refused.json()["detail"]
    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    backwards = {**body, "ends_on": "2027-01-19"}
    response = await client.post(f"/api/v1/practitioners/{eilidh}/time-requests", json=backwards,
                                 headers=bearer(alliance.tokens["practitioner"]))  # fmt: skip
    assert response.status_code == 400
    assert "ends_on" in response.json()["detail"]
    assert await requests.count_awaiting(GRAHAM) == 0


async def test_policies_apply_from_their_date_and_never_rewrite_a_past_year(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    dcc, fife = alliance.organisation_ids["DCC"], alliance.organisation_ids["FIFE"]
    partner_admin = bearer(alliance.tokens["partner_admin"])
    body = {"hours_per_year": 70, "full_time_weekly_hours": 35, "applies_from": "2026-03-31"}
    past = await client.post(f"/api/v1/organisations/{dcc}/learning-time-policies", json=body, headers=partner_admin)
    assert past.status_code == 400
    assert "earlier years" in past.json()["detail"]
    other = await client.post(f"/api/v1/organisations/{fife}/learning-time-policies",
                              json={**body, "applies_from": "2027-04-01"}, headers=partner_admin)  # fmt: skip
    assert other.status_code == 403
    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    url = f"/api/v1/practitioners/{eilidh}/learning-time?period=2025-26"
    before = (await client.get(url, headers=partner_admin)).json()["entitlement_hours"]
    fine = await client.post(f"/api/v1/organisations/{dcc}/learning-time-policies",
                             json={**body, "applies_from": "2026-04-01"}, headers=partner_admin)  # fmt: skip
    assert fine.status_code == 201, fine.text
    assert (await client.get(url, headers=partner_admin)).json()["entitlement_hours"] == before == 17.5
    this_year = f"/api/v1/practitioners/{eilidh}/learning-time?period=2026-27"
    assert (await client.get(this_year, headers=partner_admin)).json()["entitlement_hours"] == 35.0
    listed = (await client.get(f"/api/v1/organisations/{dcc}/learning-time-policies", headers=partner_admin)).json()
    assert [(p["hours_per_year"], p["applies_from"]) for p in listed] == [(70.0, "2026-04-01")]


async def test_a_change_of_weekly_hours_counts_from_its_day(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    from registry.people.schemas import PractitionerPatch

    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    await people.update_practitioner(COMMAND_LINE, eilidh, PractitionerPatch(weekly_hours=35, contract="full_time"))
    # 17.5 h a week 1 April – 18 November (232 days), 35 h from 19 November (133 days):
    # (17.5 × 232 + 35 × 133) / 365 = 23.87 → 23.9.
    url = f"/api/v1/practitioners/{eilidh}/learning-time?period=2026-27"
    assert (await client.get(url, headers=bearer(alliance.tokens["lead"]))).json()["entitlement_hours"] == 23.9


async def test_nobody_adjusts_their_own_time_and_the_team_view_is_for_managers(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    body = {"period": "2026-27", "hours": 35, "reason": "I deserve it"}
    own = await client.post(f"/api/v1/practitioners/{eilidh}/learning-time-adjustments", json=body,
                            headers=bearer(alliance.tokens["practitioner"]))  # fmt: skip
    assert own.status_code == 403
    team = await client.get("/api/v1/team/learning-time", headers=bearer(alliance.tokens["practitioner"]))
    assert team.status_code == 403
    other = await client.get("/api/v1/team/learning-time?organisation=FIFE", headers=bearer(alliance.tokens["manager"]))
    assert other.status_code == 403
    unknown = await client.get("/api/v1/team/learning-time?organisation=NOPE", headers=bearer(alliance.tokens["lead"]))
    assert unknown.status_code == 400
    fife = await client.get("/api/v1/team/learning-time?organisation=FIFE", headers=bearer(alliance.tokens["lead"]))
    assert [m["name"] for m in fife.json()["items"]] == ["Amira Malik"]
    # A partner admin sees their organisation: DCC's current staff (the leaver left in 2024).
    dcc = (await client.get("/api/v1/team/learning-time", headers=bearer(alliance.tokens["partner_admin"]))).json()
    assert {m["organisation"] for m in dcc["items"]} == {"DCC"}




async def test_the_balance_shows_before_booking_and_beside_an_approval(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    from registry.events import bookings
    from tests.integration.test_event_pages import make_event, sign_in_as

    event = await make_event("Community mapping", date(2026, 12, 10), hours=6, requires_approval=True)
    # Eilidh, 17.5 h this year with 6 h already used: "uses 6 hours of your 11.5".
    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    await learning.create_record(EILIDH, eilidh, _record("Group work", "2026-06-10", 6, True))
    await sign_in_as(client, "eilidh@example.org")
    page = await client.get(f"/events/{event.id}")
    assert "This event uses 6 hours of your 11.5 hours of protected learning time remaining in 2026-27" in page.text
    await bookings.book(EILIDH, event.id)
    await sign_in_as(client, "graham@example.org")
    team = await client.get("/bookings?team=1")
    assert "Eilidh Morrison has 11.5 hours of protected learning time remaining that year." in team.text


async def test_the_forms_say_what_to_fix_and_change_nothing(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    from tests.integration.test_event_pages import sign_in_as

    dcc = alliance.organisation_ids["DCC"]
    csrf = await sign_in_as(client, "admin.dcc@example.org")
    bad = await client.post(f"/organisations/{dcc}/learning-time-policy", data={
        "_csrf_token": csrf, "hours_per_year": "lots", "full_time_weekly_hours": "35",
        **boxes("applies_from", "2025-04-31"),
    })  # fmt: skip
    assert bad.status_code == 400
    assert "govuk-error-summary" in bad.text
    assert "Protected learning hours a year must be a number" in bad.text  # the page's label, not the field's name
    assert "Applies from must be a real date: 2025-04-31 does not exist" in bad.text
    assert (await service.list_policies(COMMAND_LINE, dcc)) == []
    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    empty = await client.post(f"/practitioners/{eilidh}/learning-time/adjustments",
                              data={"_csrf_token": csrf, "period": "2026-27", "hours": "7", "reason": ""})  # fmt: skip
    assert empty.status_code == 400
    assert "Reason" in empty.text
    done = await client.post(f"/practitioners/{eilidh}/learning-time/adjustments",
                             data={"_csrf_token": csrf, "period": "2026-27", "hours": "7", "reason": "Newly qualified"},
                             follow_redirects=True)  # fmt: skip
    assert "The adjustment is recorded." in done.text
    assert "24.5 hours" in done.text  # 17.5 + 7
    await sign_in_as(client, "lead@example.org")
    unknown = await client.get("/team/learning-time?organisation=NOPE")
    assert unknown.status_code == 400
    assert "NOPE is not an organisation of the alliance" in unknown.text
    nobody = await client.get("/team/learning-time?period=2010-11")
    assert 'data-testid="empty-team"' in nobody.text


async def test_an_hr_import_that_changes_weekly_hours_counts_from_the_day_of_the_import(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    csv_text = (
        "email,given_name,family_name,organisation,contract,weekly_hours,started_on,manager_email\n"
        "ross@example.org,Ross,Walker,DCC,part_time,12,2022-09-01,graham@example.org\n"
    )
    await people.import_practitioners(COMMAND_LINE, csv_text)
    await people.import_practitioners(COMMAND_LINE, csv_text)  # the same file again changes nothing
    # 6 h a week 1 April – 18 November (232 days), 12 h from 19 November (133 days):
    # (6 × 232 + 12 × 133) / 365 = 8.19 → 8.2.
    ross = alliance.practitioner_ids["ross@example.org"]
    url = f"/api/v1/practitioners/{ross}/learning-time?period=2026-27"
    assert (await client.get(url, headers=bearer(alliance.tokens["lead"]))).json()["entitlement_hours"] == 8.2
    from registry.people.tables import HoursChange

    assert await HoursChange.count().where(HoursChange.practitioner == ross) == 2


async def test_the_team_csv_never_hands_a_spreadsheet_a_formula(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    from registry.people.schemas import PractitionerPatch

    ross = alliance.practitioner_ids["ross@example.org"]
    await people.update_practitioner(COMMAND_LINE, ross, PractitionerPatch(given_name="=HYPERLINK(\"x\")"))
    await sign_in(client, "graham@example.org")
    table = list(csv.DictReader(io.StringIO((await client.get("/team/learning-time.csv")).text)))
    assert "'=HYPERLINK(\"x\") Walker" in [row["name"] for row in table]


async def test_a_long_title_and_a_past_year_are_answered_not_crashed(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    body = {"title": "T" * 300, "kind": "course", "starts_on": "2027-01-20", "hours": 3, "competences": ["C1"]}
    made = await client.post(f"/api/v1/practitioners/{eilidh}/time-requests", json=body,
                             headers=bearer(alliance.tokens["practitioner"]))  # fmt: skip
    assert made.status_code == 201, made.text
    subject = await OutboxMessage.select(OutboxMessage.subject).order_by(OutboxMessage.id, ascending=False).first()
    assert subject is not None
    assert subject["subject"].endswith("T…")
    assert len(subject["subject"]) < 300
    past = await client.post(f"/api/v1/practitioners/{eilidh}/learning-time-adjustments",
                             json={"period": "2025-26", "hours": 7, "reason": "Back-dated"},
                             headers=bearer(alliance.tokens["manager"]))  # fmt: skip
    assert past.status_code == 400
    assert "year gone by" in past.json()["detail"]
