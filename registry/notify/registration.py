"""What a decision on a registration claim says to the practitioner: confirmed, or not and why.

Called inside the decision's write transaction, so the decision and its message are committed together.
"""

from __future__ import annotations

from registry.notify.compose import render_mail
from registry.notify.outbox import enqueue
from registry.people.tables import Practitioner
from registry.registration.tables import CldscRegistration
from registry.settings import get_settings
from registry.templating import govdate

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
    claim = f"{what} from {govdate(change['effective_from'])}"
    if change["membership_number"]:
        claim += f", membership number {change['membership_number']}"
    confirmed = change["state"] == "confirmed"
    subject = (
        "Your CLDSC registration has been confirmed"
        if confirmed
        else "Your CLDSC registration change was not confirmed"
    )
    text, page = render_mail(
        "registration_decided", name=person["given_name"], confirmed=confirmed, decided_by=decided_by_name,
        claim=claim, reason=change["decision_note"] or "",
        link=f"{get_settings().base_url}/practitioners/{change['practitioner']}/registration",
    )  # fmt: skip
    return await enqueue(person["email"], subject, text, page, dedupe_key=f"registration-decision:{change_id}")
