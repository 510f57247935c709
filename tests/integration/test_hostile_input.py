"""Hostile bodies and parameters answer 400 with a ``detail``, never 500: deep nesting, loose types, extra fields,
long lists, huge ids; and the OpenAPI document declares each of these limits."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from registry.validation import MAX_ID, PERIOD_PATTERN
from tests.integration.test_events_api import create_event, event_body
from tests.integration.test_learning_api import RECORD
from tests.support import Alliance, bearer

Client = AsyncTestClient  # type: ignore[type-arg]


def _refused(response: Any, field: str | None = None) -> None:
    """A 400 whose JSON ``detail`` (naming ``field``) is all the caller learns: no traceback, no 500."""
    assert response.status_code == 400, response.text
    assert "Traceback" not in response.text
    assert 'File "' not in response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert detail
    if field is not None:
        assert field in detail, detail


async def _post_raw(client: Client, path: str, body: str, token: str) -> Any:
    return await client.post(path, content=body, headers={**bearer(token), "content-type": "application/json"})


@pytest.mark.parametrize(("opening", "closing"), [("[", "]"), ('{"a":', "}")])
async def test_json_nested_1000_deep_is_400_for_any_signed_in_caller(
    client: Client, alliance: Alliance, opening: str, closing: str
) -> None:
    deep = opening * 1000 + ("1" if opening != "[" else "") + closing * 1000
    for role, path in [("lead", "/api/v1/events"), ("practitioner", "/api/v1/events/1/bookings")]:
        response = await _post_raw(client, path, deep, alliance.tokens[role])
        _refused(response)
        assert "nested" in response.json()["detail"]


async def test_nesting_is_limited_well_below_the_stack(client: Client, alliance: Alliance) -> None:
    # 40 levels decode without a RecursionError; the limit is the registry's own, not the interpreter's.
    response = await _post_raw(client, "/api/v1/events", "[" * 40 + "]" * 40, alliance.tokens["lead"])
    _refused(response)
    assert "nested more than 32 levels" in response.json()["detail"]


async def test_malformed_json_is_400(client: Client, alliance: Alliance) -> None:
    _refused(await _post_raw(client, "/api/v1/events", '{"title": ', alliance.tokens["lead"]))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"capacity": True}, "capacity"),
        ({"capacity": "3"}, "capacity"),
        ({"capacity": 2.5}, "capacity"),
        ({"requires_approval": "false"}, "requires_approval"),
        ({"requires_approval": 0}, "requires_approval"),
        ({"topics": [1, 2]}, "topics"),
        ({"competences": [4]}, "competences"),
    ],
)
async def test_event_numbers_and_booleans_are_strict(
    client: Client, alliance: Alliance, changes: dict[str, Any], field: str
) -> None:
    response = await client.post("/api/v1/events", json=event_body(**changes), headers=bearer(alliance.tokens["lead"]))
    _refused(response, field)


async def test_a_practitioner_id_as_text_is_refused(client: Client, alliance: Alliance) -> None:
    event = await create_event(client, alliance)
    pid = alliance.practitioner_ids["ross@example.org"]
    response = await client.post(
        f"/api/v1/events/{event['id']}/bookings",
        json={"practitioner_id": str(pid)},
        headers=bearer(alliance.tokens["lead"]),
    )
    _refused(response, "practitioner_id")
    for huge in (MAX_ID + 1, 10**30):
        response = await client.post(
            f"/api/v1/events/{event['id']}/bookings",
            json={"practitioner_id": huge},
            headers=bearer(alliance.tokens["lead"]),
        )
        _refused(response, "practitioner_id")
    booked = await client.post(
        f"/api/v1/events/{event['id']}/bookings", json={"practitioner_id": pid}, headers=bearer(alliance.tokens["lead"])
    )
    assert booked.status_code == 201, booked.text


async def test_attendance_items_are_strict(client: Client, alliance: Alliance) -> None:
    event = await create_event(client, alliance)
    lead = bearer(alliance.tokens["lead"])
    for item, field in [
        ({"booking_id": "1", "attended": True}, "booking_id"),
        ({"booking_id": 1, "attended": 1}, "attended"),
    ]:
        _refused(await client.put(f"/api/v1/events/{event['id']}/attendance", json=[item], headers=lead), field)


async def test_learning_hours_and_flags_are_strict_and_dates_still_parse(client: Client, alliance: Alliance) -> None:
    path = f"/api/v1/practitioners/{alliance.practitioner_ids['eilidh@example.org']}/learning"
    own = bearer(alliance.tokens["practitioner"])
    _refused(await client.post(path, json={**RECORD, "hours": "7.5"}, headers=own), "hours")
    _refused(await client.post(path, json={**RECORD, "protected_time": "yes"}, headers=own), "protected_time")
    _refused(await client.post(path, json={**RECORD, "goal_id": "1"}, headers=own), "goal_id")
    for hours in (7.5, 3):
        saved = await client.post(path, json={**RECORD, "hours": hours}, headers=own)
        assert saved.status_code == 201, saved.text
        assert saved.json()["completed_on"] == RECORD["completed_on"]


async def test_weekly_hours_take_whole_and_half_hours_but_not_booleans(client: Client, alliance: Alliance) -> None:
    path = f"/api/v1/practitioners/{alliance.practitioner_ids['ross@example.org']}"
    lead = bearer(alliance.tokens["lead"])
    for hours in (17.5, 35):
        changed = await client.patch(path, json={"weekly_hours": hours, "started_on": "2022-09-01"}, headers=lead)
        assert changed.status_code == 200, changed.text
        assert changed.json()["weekly_hours"] == hours
    _refused(await client.patch(path, json={"weekly_hours": True}, headers=lead), "weekly_hours")
    _refused(await client.patch(path, json={"cld_qualified": "yes"}, headers=lead), "cld_qualified")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/events", event_body(organiser="me")),
        ("PATCH", "/api/v1/events/1", {"title": "New", "owner": 1}),
        ("POST", "/api/v1/events/1/bookings", {"practitioner_id": 1, "status": "confirmed"}),
        ("PUT", "/api/v1/events/1/attendance", [{"booking_id": 1, "attended": True, "hours": 100}]),
        ("POST", "/api/v1/organisations", {"code": "X", "name": "X", "kind": "other", "id": 5}),
        ("PATCH", "/api/v1/practitioners/1", {"role": "admin"}),
        ("POST", "/api/v1/practitioners/1/learning", {**RECORD, "verified_at": "2025-01-01T00:00:00Z"}),
        ("POST", "/api/v1/bookings/1/evaluation", {"rating": 5, "author": "x"}),
    ],
)
async def test_extra_fields_are_refused(client: Client, alliance: Alliance, method: str, path: str, body: Any) -> None:
    response = await client.request(method, path, json=body, headers=bearer(alliance.tokens["admin"]))
    _refused(response)
    assert "is not a field of this resource" in response.json()["detail"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"topics": [f"topic{i}" for i in range(21)]}, "topics"),
        ({"topics": ["x" * 51]}, "topics"),
        ({"competences": ["C1"] * 51}, "competences"),
        ({"competences": ["C" * 21]}, "competences"),
        ({"sessions": [event_body()["sessions"][0]] * 53}, "sessions"),
        ({"host_organisation": "D" * 31}, "host_organisation"),
    ],
)
async def test_event_lists_and_codes_have_limits(
    client: Client, alliance: Alliance, changes: dict[str, Any], field: str
) -> None:
    response = await client.post("/api/v1/events", json=event_body(**changes), headers=bearer(alliance.tokens["lead"]))
    _refused(response, field)


async def test_other_lists_have_limits(client: Client, alliance: Alliance) -> None:
    lead = bearer(alliance.tokens["lead"])
    event = await create_event(client, alliance)
    marks = [{"booking_id": i, "attended": True} for i in range(1, 1002)]
    _refused(await client.put(f"/api/v1/events/{event['id']}/attendance", json=marks, headers=lead))
    ross = alliance.practitioner_ids["ross@example.org"]
    areas = [f"area {i}" for i in range(21)]
    _refused(
        await client.patch(f"/api/v1/practitioners/{ross}", json={"practice_areas": areas}, headers=lead),
        "practice_areas",
    )
    path = f"/api/v1/practitioners/{alliance.practitioner_ids['eilidh@example.org']}/learning"
    many = {**RECORD, "competences": [f"C{i}" for i in range(51)]}
    _refused(await client.post(path, json=many, headers=bearer(alliance.tokens["practitioner"])), "competences")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/events/99999999999999999999",
        f"/api/v1/events/{MAX_ID + 1}",
        "/api/v1/events/0",
        "/api/v1/bookings/99999999999999999999",
        "/api/v1/organisations/99999999999999999999",
        "/api/v1/practitioners/99999999999999999999/learning",
        "/api/v1/practitioners/1/learning/99999999999999999999",
        "/api/v1/events/99999999999999999999/evaluation",
    ],
)
async def test_ids_out_of_range_are_400(client: Client, alliance: Alliance, path: str) -> None:
    _refused(await client.get(path, headers=bearer(alliance.tokens["admin"])))


async def test_an_id_at_the_top_of_the_range_is_simply_not_found(client: Client, alliance: Alliance) -> None:
    response = await client.get(f"/api/v1/events/{MAX_ID}", headers=bearer(alliance.tokens["admin"]))
    assert response.status_code == 404


async def test_query_parameters_are_bounded(client: Client, alliance: Alliance) -> None:
    lead = bearer(alliance.tokens["lead"])
    eilidh = alliance.practitioner_ids["eilidh@example.org"]
    _refused(await client.get(f"/api/v1/practitioners/{eilidh}/learning-time?period=99999-00", headers=lead), "period")
    _refused(await client.get("/api/v1/events", params={"q": "x" * 201}, headers=lead), "q")
    _refused(
        await client.get("/api/v1/practitioners", params={"organisation": "x" * 201}, headers=lead), "organisation"
    )
    fine = await client.get(f"/api/v1/practitioners/{eilidh}/learning-time?period=2025-26", headers=lead)
    assert fine.status_code == 200, fine.text


# What the document declares, so that a client generated from it sends only what the API accepts.


async def _document(client: Client) -> dict[str, Any]:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def _schema_of(document: dict[str, Any], reference: dict[str, Any]) -> dict[str, Any]:
    return document["components"]["schemas"][reference["$ref"].rsplit("/", 1)[1]]  # type: ignore[no-any-return]


async def test_every_request_body_refuses_extra_fields_in_the_document(client: Client) -> None:
    document = await _document(client)
    bodies = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if "requestBody" not in operation:
                continue
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            # An optional body (erasure's reason) is "the model or null".
            schema = next((s for s in schema.get("oneOf", schema.get("anyOf", [])) if "$ref" in s), schema)
            model = _schema_of(document, schema["items"] if schema.get("type") == "array" else schema)
            assert model.get("additionalProperties") is False, (method, path, model.get("title"))
            bodies += 1
    assert bodies >= 15
    for name in ("SessionIn", "AttendanceItem"):
        assert document["components"]["schemas"][name]["additionalProperties"] is False


async def test_the_document_declares_limits_ranges_and_formats(client: Client) -> None:
    document = await _document(client)
    schemas = document["components"]["schemas"]
    event = schemas["EventIn"]["properties"]
    assert event["topics"]["maxItems"] == 20
    assert event["topics"]["items"]["maxLength"] == 50
    assert event["competences"]["maxItems"] == 50
    assert event["sessions"]["maxItems"] == 52
    assert event["capacity"]["type"] == "integer"
    assert event["capacity"]["maximum"] == 10_000
    assert event["host_organisation"]["maxLength"] == 30
    assert schemas["SessionIn"]["properties"]["starts_at"]["format"] == "date-time"
    assert schemas["PractitionerIn"]["properties"]["started_on"]["format"] == "date"
    assert schemas["PractitionerIn"]["properties"]["email"]["format"] == "email"
    assert {"type": "string", "format": "uri"} in event["online_url"]["oneOf"]
    booking_id = schemas["AttendanceItem"]["properties"]["booking_id"]
    assert (booking_id["minimum"], booking_id["maximum"]) == (1, MAX_ID)
    assert schemas["LearningRecordIn"]["properties"]["competences"]["maxItems"] == 50
    practice_areas = schemas["PractitionerPatch"]["properties"]["practice_areas"]
    assert any(option.get("maxItems") == 20 for option in practice_areas.get("oneOf", [practice_areas]))

    attendance = document["paths"]["/api/v1/events/{event_id}/attendance"]["put"]
    assert attendance["requestBody"]["content"]["application/json"]["schema"]["maxItems"] == 1000
    for path, operations in document["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"].endswith("_id"):
                    assert (parameter["schema"]["minimum"], parameter["schema"]["maximum"]) == (1, MAX_ID), path
    learning_time = document["paths"]["/api/v1/practitioners/{practitioner_id}/learning-time"]["get"]
    period = next(p for p in learning_time["parameters"] if p["name"] == "period")
    assert "2025-26" in period["description"]
    # Beside the oneOf of string and null; JSON Schema applies a pattern to strings only.
    assert period["schema"]["pattern"] == PERIOD_PATTERN
