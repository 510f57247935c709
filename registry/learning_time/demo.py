"""Demo protected learning time: Dundee's policy (42 hours a year for a full-time post of 35 hours a week,
from the start of this financial year) and a time request from the demo practitioner waiting for her
manager's decision, loaded through the same services as real use."""

from __future__ import annotations

from datetime import timedelta

from registry import clock
from registry.accounts.rules import Role, Viewer
from registry.cli_viewer import COMMAND_LINE
from registry.learning.rules import financial_year
from registry.learning_time import requests, service
from registry.learning_time.schemas import PolicyIn, TimeRequestIn
from registry.learning_time.tables import LearningTimePolicy, TimeRequest
from registry.people.tables import Organisation, Practitioner

__all__ = ("load_learning_time",)


async def load_learning_time(practitioner_email: str) -> str:
    """Load the demo policy and request unless some protected learning time is recorded already."""
    if await LearningTimePolicy.exists() or await TimeRequest.exists():
        return "protected learning time already recorded; none added"
    dundee = await Organisation.select(Organisation.id).where(Organisation.code == "DCC").first()
    if dundee is not None:
        await service.set_policy(
            COMMAND_LINE, dundee["id"],
            PolicyIn(hours_per_year=42, full_time_weekly_hours=35, applies_from=financial_year(clock.today()).start),
        )  # fmt: skip
    own = await Practitioner.select(Practitioner.id, Practitioner.manager_email).where(
        Practitioner.email == practitioner_email
    ).first()
    if own is None or not own["manager_email"]:
        return "Dundee's protected learning time policy"
    eilidh = Viewer(0, practitioner_email, "Demo practitioner", Role.PRACTITIONER, practitioner_id=own["id"])
    await requests.create_request(
        eilidh, own["id"],
        TimeRequestIn.model_validate({
            "title": "Trauma-informed practice in community settings", "kind": "course",
            "starts_on": clock.today() + timedelta(days=21), "hours": 6.5, "competences": ["C2", "C3"],
            "purpose": "Safer, more welcoming youth groups",
        }),
    )  # fmt: skip
    return "Dundee's protected learning time policy; 1 time request waiting"
