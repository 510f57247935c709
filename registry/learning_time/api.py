"""JSON API of protected learning time: time requests, adjustments, policies and the team view."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from registry.learning_time import requests, service, team
from registry.learning_time.deps import TEAM_FILTERS, TeamFilters
from registry.learning_time.schemas import (
    AdjustmentIn,
    AdjustmentOut,
    PolicyIn,
    PolicyOut,
    TeamMemberOut,
    TimeRequestDecisionIn,
    TimeRequestIn,
    TimeRequestLogIn,
    TimeRequestOut,
)
from registry.people.schemas import Page
from registry.web.auth import signed_in
from registry.web.deps import CurrentViewer
from registry.web.openapi import ERROR_RESPONSES
from registry.web.params import Limit, Offset, PathId

__all__ = ("LearningTimeApi",)



class LearningTimeApi(Controller):
    """Protected learning time: requests to line managers, individual adjustments, policies, the team."""

    path = "/api/v1"
    guards = [signed_in]
    tags = ["learning time"]

    @get("/practitioners/{practitioner_id:int}/time-requests", operation_id="ListTimeRequests",
         responses=ERROR_RESPONSES)  # fmt: skip
    async def list_requests(
        self, viewer: CurrentViewer, practitioner_id: PathId, limit: Limit = 50, offset: Offset = 0
    ) -> Page[TimeRequestOut]:
        """A person's time requests, latest first."""
        items, total = await requests.list_requests(viewer, practitioner_id, limit, offset)
        return Page(items=items, total=total)

    @post("/practitioners/{practitioner_id:int}/time-requests", operation_id="CreateTimeRequest",
          responses=ERROR_RESPONSES)  # fmt: skip
    async def create_request(
        self, viewer: CurrentViewer, practitioner_id: PathId, data: JSONBody[TimeRequestIn]
    ) -> TimeRequestOut:
        """Ask your line manager for protected time for learning outside the alliance's events."""
        return await requests.create_request(viewer, practitioner_id, data)

    @get("/time-requests", operation_id="ListTimeRequestsAwaitingMe", responses=ERROR_RESPONSES)
    async def awaiting(self, viewer: CurrentViewer, limit: Limit = 50, offset: Offset = 0) -> Page[TimeRequestOut]:
        """Requests waiting for your decision as line manager, oldest first."""
        items, total = await requests.awaiting_decision(viewer, limit, offset)
        return Page(items=items, total=total)

    @get("/time-requests/{request_id:int}", operation_id="GetTimeRequest", responses=ERROR_RESPONSES)
    async def get_request(self, viewer: CurrentViewer, request_id: PathId) -> TimeRequestOut:
        """One time request."""
        return await requests.get_request(viewer, request_id)

    @post("/time-requests/{request_id:int}/decision", operation_id="DecideTimeRequest",
          responses=ERROR_RESPONSES, status_code=HTTP_200_OK)  # fmt: skip
    async def decide(self, viewer: CurrentViewer, request_id: PathId, data: JSONBody[TimeRequestDecisionIn]) -> (
        TimeRequestOut
    ):
        """Approve or decline (with a note saying why) — the practitioner's line manager."""
        return await requests.decide_request(viewer, request_id, data)

    @post("/time-requests/{request_id:int}/withdraw", operation_id="WithdrawTimeRequest",
          responses=ERROR_RESPONSES, status_code=HTTP_200_OK)  # fmt: skip
    async def withdraw(self, viewer: CurrentViewer, request_id: PathId) -> TimeRequestOut:
        """Withdraw your request (before its learning is logged)."""
        return await requests.withdraw_request(viewer, request_id)

    @post("/time-requests/{request_id:int}/learning", operation_id="LogTimeRequestLearning",
          responses=ERROR_RESPONSES, status_code=HTTP_200_OK)  # fmt: skip
    async def log_learning(
        self, viewer: CurrentViewer, request_id: PathId, data: JSONBody[TimeRequestLogIn]
    ) -> TimeRequestOut:
        """Log the learning of an approved request: it counts as used protected time from then on."""
        return await requests.log_learning(viewer, request_id, data)

    @get("/practitioners/{practitioner_id:int}/learning-time-adjustments", operation_id="ListLearningTimeAdjustments",
         responses=ERROR_RESPONSES)  # fmt: skip
    async def list_adjustments(self, viewer: CurrentViewer, practitioner_id: PathId) -> list[AdjustmentOut]:
        """A person's individual adjustments, newest year first."""
        return await service.list_adjustments(viewer, practitioner_id)

    @post("/practitioners/{practitioner_id:int}/learning-time-adjustments", operation_id="AddLearningTimeAdjustment",
          responses=ERROR_RESPONSES)  # fmt: skip
    async def add_adjustment(
        self, viewer: CurrentViewer, practitioner_id: PathId, data: JSONBody[AdjustmentIn]
    ) -> AdjustmentOut:
        """Extra (or fewer) protected hours for one year, with the reason."""
        return await service.add_adjustment(viewer, practitioner_id, data)

    @get("/organisations/{organisation_id:int}/learning-time-policies", operation_id="ListLearningTimePolicies",
         responses=ERROR_RESPONSES)  # fmt: skip
    async def list_policies(self, viewer: CurrentViewer, organisation_id: PathId) -> list[PolicyOut]:
        """An organisation's protected learning time policies, newest first."""
        return await service.list_policies(viewer, organisation_id)

    @post("/organisations/{organisation_id:int}/learning-time-policies", operation_id="SetLearningTimePolicy",
          responses=ERROR_RESPONSES)  # fmt: skip
    async def set_policy(self, viewer: CurrentViewer, organisation_id: PathId, data: JSONBody[PolicyIn]) -> PolicyOut:
        """Set the policy from a date (partner admins their own organisation's; leads and admins any)."""
        return await service.set_policy(viewer, organisation_id, data)

    @get("/team/learning-time", operation_id="ListTeamLearningTime", responses=ERROR_RESPONSES,
         dependencies=TEAM_FILTERS)  # fmt: skip
    async def team(
        self, viewer: CurrentViewer, filters: TeamFilters, limit: Limit = 50, offset: Offset = 0
    ) -> Page[TeamMemberOut]:
        """Each team member's protected learning time for the period, who is behind, who lapses soon."""
        items, total = await team.team_rows(viewer, filters.valid(), limit, offset)
        return Page(items=items, total=total)
