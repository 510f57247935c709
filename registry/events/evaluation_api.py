"""JSON API of event evaluations; thin: parse, call the service, return."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import JSONBody

from registry.accounts.rules import Role
from registry.events import evaluation
from registry.events.evaluation_schemas import EvaluationIn, EvaluationOut, EvaluationSummary
from registry.web.auth import requires_role, signed_in
from registry.web.deps import CurrentViewer
from registry.web.openapi import ERROR_RESPONSES
from registry.web.params import PathId

__all__ = ("EvaluationApi",)

_hosts = requires_role(Role.PARTNER_ADMIN, Role.LEAD, Role.ADMIN)


class EvaluationApi(Controller):
    """Attendees' feedback on events and the host's anonymous summary."""

    path = "/api/v1"
    guards = [signed_in]
    tags = ["events"]

    @post("/bookings/{booking_id:int}/evaluation", operation_id="EvaluateEvent", responses=ERROR_RESPONSES)
    async def submit(self, viewer: CurrentViewer, booking_id: PathId, data: JSONBody[EvaluationIn]) -> EvaluationOut:
        """Give feedback on an attended event (the attendee, once, from the start of its last session)."""
        return await evaluation.submit_evaluation(viewer, booking_id, data)

    @get(
        "/events/{event_id:int}/evaluation",
        operation_id="EvaluationSummary",
        guards=[_hosts],
        responses=ERROR_RESPONSES,
    )
    async def summary(self, viewer: CurrentViewer, event_id: PathId) -> EvaluationSummary:
        """The host's summary of the feedback: counts, average rating and comments without names."""
        return await evaluation.evaluation_summary(viewer, event_id)
