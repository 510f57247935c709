"""The learning log through the API: logging, privacy of reflections, verification, progress, import."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from registry.accounts.rules import Role
from registry.errors import Conflict
from registry.learning import service as learning
from registry.learning import verification
from registry.learning.schemas import LearningRecordIn, LearningRecordPatch
from registry.learning.tables import LearningRecord
from tests.integration.test_events_api import create_event
from tests.integration.test_import import _cli, _write
from tests.support import FIXED_NOW, FIXED_TODAY, Alliance, as_viewer, bearer

Client = AsyncTestClient  # type: ignore[type-arg]

# The clock stands still at 19 November 2026 (tests/support.py): the reporting year is 2026-27, 365 days.
pytestmark = pytest.mark.usefixtures("fixed_clock")
THIS_YEAR_STARTS = "2026-04-01"
RECORD = {
    "title": "Trauma-informed practice",
    "kind": "course",
    "completed_on": THIS_YEAR_STARTS,
    "hours": 7.5,
    "competences": ["C2", "c4"],
    "reflection": "I now open sessions by agreeing safety rules with the group.",
    "protected_time": True,
}


def _learning(alliance: Alliance, email: str = "eilidh@example.org") -> str:
    return f"/api/v1/practitioners/{alliance.practitioner_ids[email]}/learning"


async def _log(client: Client, alliance: Alliance, **changes: object) -> dict:  # type: ignore[type-arg]
    response = await client.post(
        _learning(alliance), json={**RECORD, **changes}, headers=bearer(alliance.tokens["practitioner"])
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_practitioner_logs_learning_with_two_competences(client: Client, alliance: Alliance) -> None:
    record = await _log(client, alliance)
    assert record["competences"] == ["C2", "C4"]
    assert record["source"] == "self"
    assert record["verification_state"] == "none"
    assert record["reflection"] == RECORD["reflection"]
    listed = (await client.get(_learning(alliance), headers=bearer(alliance.tokens["practitioner"]))).json()
    assert listed["total"] == 1
    assert listed["items"][0]["id"] == record["id"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"hours": 0.1}, "hours"),
        ({"hours": 201}, "hours"),
        ({"competences": []}, "competences"),
        ({"kind": "holiday"}, "kind"),
        ({"completed_on": "14/03/2026"}, "completed_on"),
        ({"title": ""}, "title"),
        ({"evidence_url": "not a link"}, "evidence_url"),
    ],
)
async def test_bad_records_are_refused_with_the_field_named(
    client: Client, alliance: Alliance, changes: dict[str, object], field: str
) -> None:
    response = await client.post(
        _learning(alliance), json={**RECORD, **changes}, headers=bearer(alliance.tokens["practitioner"])
    )
    assert response.status_code == 400
    assert field in response.json()["detail"]
    assert await LearningRecord.count() == 0


async def test_unknown_competence_is_refused(client: Client, alliance: Alliance) -> None:
    response = await client.post(
        _learning(alliance), json={**RECORD, "competences": ["C9"]}, headers=bearer(alliance.tokens["practitioner"])
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "competences: unknown competence C9"


@pytest.mark.parametrize(
    ("role", "reads_reflection"),
    [("practitioner", True), ("manager", True), ("partner_admin", False), ("lead", False), ("admin", False)],
)
async def test_reflections_are_private_to_practitioner_manager_and_verifier(
    client: Client, alliance: Alliance, role: str, reads_reflection: bool
) -> None:
    record = await _log(client, alliance)
    response = await client.get(f"{_learning(alliance)}/{record['id']}", headers=bearer(alliance.tokens[role]))
    assert response.status_code == 200
    body = response.json()
    assert body["hours"] == 7.5
    assert body["competences"] == ["C2", "C4"]
    assert (body["reflection"] == RECORD["reflection"]) is reads_reflection
    if not reads_reflection:
        assert body["reflection"] is None
        listed = (await client.get(_learning(alliance), headers=bearer(alliance.tokens[role]))).json()
        assert listed["items"][0]["reflection"] is None


async def test_a_named_verifier_reads_the_reflection_and_verifies(client: Client, alliance: Alliance) -> None:
    """Amira (registered CLDSC member in another partner) is asked; the lead still cannot read it."""
    # Amira's registration lapsed in 2022: renew it so she can verify.
    from registry.registration.service import append_change

    await append_change(alliance.practitioner_ids["amira@example.org"], "registered", FIXED_TODAY)
    from registry.accounts.service import create_api_token, create_user

    await create_user("amira@example.org", "Amira Malik", "practitioner")
    amira = bearer(await create_api_token("amira@example.org"))
    record = await _log(client, alliance)
    url = f"{_learning(alliance)}/{record['id']}"
    asked = await client.post(
        f"{url}/verification-request", json={"verifier_email": "Amira@example.org"},
        headers=bearer(alliance.tokens["practitioner"]),
    )  # fmt: skip
    assert asked.status_code == 201, asked.text
    assert asked.json()["verification_state"] == "requested"
    queue = (await client.get("/api/v1/verification", headers=amira)).json()
    assert [item["record_id"] for item in queue["items"]] == [record["id"]]
    assert queue["total"] == 1
    empty = (await client.get("/api/v1/verification", headers=bearer(alliance.tokens["manager"]))).json()
    assert empty == {"items": [], "total": 0}
    paged = (await client.get("/api/v1/verification?limit=1&offset=1", headers=amira)).json()
    assert paged == {"items": [], "total": 1}
    # Graham (line manager) is not the verifier of this record: not found for him.
    refused = await client.post(
        f"/api/v1/verification/{record['id']}/verify",
        json={"review_note": "x"},
        headers=bearer(alliance.tokens["manager"]),
    )
    assert refused.status_code == 404
    verified = await client.post(
        f"/api/v1/verification/{record['id']}/verify", json={"review_note": "We talked it through."}, headers=amira
    )
    assert verified.status_code == 201
    body = verified.json()
    assert body["verification_state"] == "verified"
    assert body["verified_by"] == "amira@example.org"
    assert body["review_note"] == "We talked it through."
    lead_view = (await client.get(url, headers=bearer(alliance.tokens["lead"]))).json()
    assert lead_view["verified_by"] == "amira@example.org"
    assert lead_view["review_note"] is None
    assert lead_view["reflection"] is None
    again = await client.post(f"/api/v1/verification/{record['id']}/verify", json={"review_note": "x"}, headers=amira)
    assert again.status_code == 409


async def test_verifier_must_be_the_manager_or_a_registered_practitioner(client: Client, alliance: Alliance) -> None:
    record = await _log(client, alliance)
    url = f"{_learning(alliance)}/{record['id']}/verification-request"
    token = bearer(alliance.tokens["practitioner"])
    for email, message in [
        ("eilidh@example.org", "you cannot verify your own learning"),
        ("ross@example.org", "choose your line manager or a practitioner registered"),  # status none
        ("amira@example.org", "choose your line manager or a practitioner registered"),  # lapsed
        ("stranger@example.org", "choose your line manager or a practitioner registered"),
    ]:
        response = await client.post(url, json={"verifier_email": email}, headers=token)
        assert response.status_code == 400, email
        assert message in response.json()["detail"]
    ok = await client.post(url, json={"verifier_email": "graham@example.org"}, headers=token)
    assert ok.status_code == 201


async def test_return_then_edit_then_verify(client: Client, alliance: Alliance) -> None:
    record = await _log(client, alliance)
    url = f"{_learning(alliance)}/{record['id']}"
    eilidh, graham = bearer(alliance.tokens["practitioner"]), bearer(alliance.tokens["manager"])
    await client.post(f"{url}/verification-request", json={"verifier_email": "graham@example.org"}, headers=eilidh)
    returned = await client.post(
        f"/api/v1/verification/{record['id']}/return", json={"comment": "Say what changed."}, headers=graham
    )
    assert returned.json()["verification_state"] == "returned"
    assert (await client.get(url, headers=eilidh)).json()["return_comment"] == "Say what changed."
    assert (await client.get("/api/v1/verification", headers=graham)).json() == {"items": [], "total": 0}
    edited = await client.patch(url, json={"reflection": "Groups now set their own rules."}, headers=eilidh)
    assert edited.status_code == 200
    assert edited.json()["verification_state"] == "none"
    await client.post(f"{url}/verification-request", json={"verifier_email": "graham@example.org"}, headers=eilidh)
    verified = await client.post(
        f"/api/v1/verification/{record['id']}/verify", json={"review_note": "Good."}, headers=graham
    )
    assert verified.json()["verification_state"] == "verified"
    changed = await client.patch(url, json={"hours": 8}, headers=eilidh)
    assert changed.json()["verification_state"] == "none"  # what was verified is no longer what is recorded
    assert changed.json()["verified_at"] is None


async def test_only_the_practitioner_changes_their_log(client: Client, alliance: Alliance) -> None:
    record = await _log(client, alliance)
    url = f"{_learning(alliance)}/{record['id']}"
    for role in ("manager", "lead", "admin", "partner_admin"):
        assert (await client.patch(url, json={"hours": 1}, headers=bearer(alliance.tokens[role]))).status_code == 403
        assert (await client.delete(url, headers=bearer(alliance.tokens[role]))).status_code == 403
    other = f"{_learning(alliance, 'graham@example.org')}"
    assert (await client.get(other, headers=bearer(alliance.tokens["practitioner"]))).status_code == 404
    assert (await client.delete(url, headers=bearer(alliance.tokens["practitioner"]))).status_code == 204
    assert (await client.get(url, headers=bearer(alliance.tokens["practitioner"]))).status_code == 404


async def test_learning_time_against_the_pro_rata_requirement(client: Client, alliance: Alliance) -> None:
    """Eilidh: 17.5 h a week all year → 17.5 h required, and 17.5 h of protected time under the CLDSC minimum
    (no policy set); 7.5 h protected + 2 h unprotected logged → 10 h of protected time remaining."""
    await _log(client, alliance)
    await _log(client, alliance, hours=2, protected_time=False, competences=["C7"])
    await _log(client, alliance, hours=50, completed_on="2025-04-01")  # last year's
    pid = alliance.practitioner_ids["eilidh@example.org"]
    response = await client.get(
        f"/api/v1/practitioners/{pid}/learning-time?period=2026-27", headers=bearer(alliance.tokens["lead"])
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "period": "2026-27",
        "entitlement_hours": 17.5,
        "used_hours": 7.5,
        "booked_hours": 0.0,
        "remaining_hours": 10.0,
        "required_pl_hours": 17.5,
        "learning_hours": 9.5,
    }
    bad = await client.get(
        f"/api/v1/practitioners/{pid}/learning-time?period=2025-27", headers=bearer(alliance.tokens["lead"])
    )
    assert bad.status_code == 400
    assert "period" in bad.json()["detail"]


async def test_an_event_at_half_past_midnight_in_summer_time_is_booked_in_the_year_of_its_local_date(
    client: Client, alliance: Alliance
) -> None:
    # 00:30 BST on 1 April 2030 is 23:30 UTC on 31 March: the event belongs to 2030-31, not to 2029-30.
    start = "2030-04-01T00:30:00+01:00"
    event = await create_event(
        client, alliance, sessions=[{"starts_at": start, "ends_at": "2030-04-01T02:30:00+01:00"}]
    )
    practitioner = bearer(alliance.tokens["practitioner"])
    booked = await client.post(f"/api/v1/events/{event['id']}/bookings", json={}, headers=practitioner)
    assert booked.json()["status"] == "confirmed"
    pid = alliance.practitioner_ids["eilidh@example.org"]

    async def booked_hours(period: str) -> float:
        url = f"/api/v1/practitioners/{pid}/learning-time?period={period}"
        return float((await client.get(url, headers=practitioner)).json()["booked_hours"])

    assert await booked_hours("2030-31") == 2.0
    assert await booked_hours("2029-30") == 0.0
    assert await booked_hours("2030-04-01..2030-04-01") == 2.0
    assert await booked_hours("2030-03-31..2030-03-31") == 0.0


async def test_goals_and_learning_needs(client: Client, alliance: Alliance) -> None:
    pid = alliance.practitioner_ids["eilidh@example.org"]
    goal = await client.post(
        f"/api/v1/practitioners/{pid}/goals", json={"title": "Co-design sessions with young people"},
        headers=bearer(alliance.tokens["practitioner"]),
    )  # fmt: skip
    assert goal.status_code == 201
    record = await _log(client, alliance, goal_id=goal.json()["id"])
    assert record["goal_id"] == goal.json()["id"]
    other_goal = await _log_error(client, alliance, goal_id=999999)
    assert "goal_id" in other_goal
    need = await client.post(
        f"/api/v1/practitioners/{pid}/learning-needs", json={"competence": "c5", "description": "Budgeting for groups"},
        headers=bearer(alliance.tokens["manager"]),
    )  # fmt: skip
    assert need.status_code == 201
    assert need.json()["competence"] == "C5"
    assert need.json()["recorded_by"] == "graham@example.org"
    refused = await client.post(
        f"/api/v1/practitioners/{pid}/learning-needs", json={"competence": "C5", "description": "x"},
        headers=bearer(alliance.tokens["partner_admin"]),
    )  # fmt: skip
    assert refused.status_code == 403
    listed = await client.get(f"/api/v1/practitioners/{pid}/learning-needs", headers=bearer(alliance.tokens["lead"]))
    assert [n["description"] for n in listed.json()["items"]] == ["Budgeting for groups"]
    assert listed.json()["total"] == 1


async def _log_error(client: Client, alliance: Alliance, **changes: object) -> str:
    response = await client.post(
        _learning(alliance), json={**RECORD, **changes}, headers=bearer(alliance.tokens["practitioner"])
    )
    assert response.status_code == 400
    return str(response.json()["detail"])


async def test_competences_come_from_the_framework_data(client: Client, alliance: Alliance) -> None:
    response = await client.get("/api/v1/competences", headers=bearer(alliance.tokens["practitioner"]))
    competences = response.json()
    assert [c["code"] for c in competences if c["kind"] == "competence"] == [f"C{i}" for i in range(1, 8)]
    assert competences[0]["title"] == "Know and understand the community in which we work"
    assert len([c for c in competences if c["kind"] == "value"]) == 5


async def test_import_learning_all_or_nothing(client: Client, alliance: Alliance, tmp_path: Path, capsys) -> None:
    header = "email,completed_on,title,kind,hours,competences,protected_time,reflection\n"
    bad = header + (
        "eilidh@example.org,2026-01-10,Mentoring,peer_support,2,C2;C6,yes,Useful\n"
        "nobody@example.org,2026-01-10,Reading,professional_reading,1,C7,no,\n"
        "ross@example.org,2026-01-10,Course,course,300,C9,maybe,\n"
    )
    assert await _cli("import", "learning", _write(tmp_path, "l.csv", bad)) == 2
    err = capsys.readouterr().err
    assert "line 3: email: no practitioner with email nobody@example.org" in err
    assert "line 4: protected_time: must be yes or no" in err
    assert "line 4: hours: must be 200 or less" in err
    assert await LearningRecord.count() == 0
    good = header + "eilidh@example.org,2026-01-10,Mentoring,peer_support,2,C2;C6,yes,Useful\n"
    assert await _cli("import", "learning", _write(tmp_path, "l.csv", good)) == 0
    listed = (await client.get(_learning(alliance), headers=bearer(alliance.tokens["practitioner"]))).json()
    assert listed["items"][0]["competences"] == ["C2", "C6"]
    assert listed["items"][0]["protected_time"] is True


async def test_verification_of_a_record_changed_meanwhile_is_refused(alliance: Alliance) -> None:
    eilidh = as_viewer("eilidh@example.org", "Eilidh", Role.PRACTITIONER)
    graham = as_viewer("graham@example.org", "Graham", Role.MANAGER)
    pid = alliance.practitioner_ids["eilidh@example.org"]
    record = await learning.create_record(
        eilidh,
        pid,
        LearningRecordIn(title="Course", kind="course", completed_on="2026-01-10", hours=2, competences=["C1"]),
    )
    await verification.request_verification(eilidh, pid, record.id, "graham@example.org")
    reviewed, _ = await verification.review_record(graham, record.id)
    await learning.update_record(eilidh, pid, record.id, LearningRecordPatch(hours=5))  # resets verification
    try:
        await verification.verify(graham, reviewed.id, "Looked fine")
    except Conflict:
        pass
    else:
        raise AssertionError("verified a record that had changed since it was asked for")
    assert (await learning.get_record(eilidh, pid, record.id)).verification_state == "none"


async def test_booked_hours_count_confirmed_places_not_yet_attended(client: Client, alliance: Alliance) -> None:
    start = FIXED_NOW + timedelta(days=2)  # in the reporting year 2026-27, and still to come
    event = await create_event(
        client,
        alliance,
        sessions=[{"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat()}],
    )
    await client.post(
        f"/api/v1/events/{event['id']}/bookings", json={}, headers=bearer(alliance.tokens["practitioner"])
    )
    pid = alliance.practitioner_ids["eilidh@example.org"]
    response = await client.get(
        f"/api/v1/practitioners/{pid}/learning-time?period=2026-27",
        headers=bearer(alliance.tokens["practitioner"]),
    )
    assert response.json()["booked_hours"] == 3.0
