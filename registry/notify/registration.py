"""What a decision on a registration claim says to the practitioner: confirmed, or not and why.

Called inside the decision's write transaction, so the decision and its message are committed together.
"""

from __future__ import annotations

from registry.notify.compose import bodies
from registry.notify.outbox import enqueue
from registry.people.tables import Practitioner
from registry.registration.tables import CldscRegistration
from registry.settings import get_settings

__all__ = ("on_registration_decided",)

_WHAT = {"registered": "registered member", "associate": "registered associate member"}


async def on_registration_decided(change_id: int, decided_by_name: str) -> bool:
    """Mail the practitioner the decision on their claim; one message per claim (False if already queued)."""
    change = await CldscRegistration.select(
        CldscRegistration.practitioner, CldscRegistration.status, CldscRegistration.effective_from,
        CldscRegistration.membership_number, CldscRegistration.state, CldscRegistration.decision_note,
    ).where(CldscRegistration.id == change_id).first()  # fmt: skip
    assert change is not None
    person = await Practitioner.select(Practitioner.email, Practitioner.given_name).where(
        Practitioner.id == change["practitioner"]
    ).first()  # fmt: skip
    assert person is not None
    what = _WHAT.get(change["status"], change["status"])
    claim = f"{what} from {change['effective_from']:%-d %B %Y}"
    if change["membership_number"]:
        claim += f", membership number {change['membership_number']}"
    if change["state"] == "confirmed":
        subject = "Your CLDSC registration has been confirmed"
        lines = [
            f"{decided_by_name} has confirmed your CLD Standards Council registration: {claim}.",
            "It now shows as your registration status, and you can be asked to verify others' learning.",
        ]
    else:
        subject = "Your CLDSC registration change was not confirmed"
        lines = [
            f"{decided_by_name} could not confirm the registration change recorded for you: {claim}.",
            f"The reason given: {change['decision_note']}",
            "Your registration status is as it was. You can record the change again with the right details.",
        ]
    link = f"{get_settings().base_url}/practitioners/{change['practitioner']}/registration"
    text, page = bodies(
        person["given_name"],
        lines,
        "You are getting this because a change of your CLD Standards Council registration was recorded.",
        link,
    )
    return await enqueue(person["email"], subject, text, page, dedupe_key=f"registration-decision:{change_id}")
