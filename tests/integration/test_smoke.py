from __future__ import annotations

from tests.support import Alliance, bearer


async def test_lead_lists_everyone_current(client, alliance: Alliance) -> None:
    response = await client.get("/api/v1/practitioners", headers=bearer(alliance.tokens["lead"]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == 5
