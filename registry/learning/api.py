"""JSON API of the learning log: records, verification, goals, needs, competences and learning time."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from registry.learning import service, verification
from registry.learning.schemas import (
    CompetenceOut,
    GoalIn,
    GoalOut,
    LearningNeedIn,
    LearningNeedOut,
    LearningRecordIn,
    LearningRecordOut,
    LearningRecordPatch,
    LearningTimeOut,
    QueueItem,
    ReturnIn,
    VerificationRequestIn,
    VerifyIn,
)
from registry.learning_time import service as learning_time_service
from registry.people.schemas import Page
from registry.web.auth import signed_in
from registry.web.deps import API_PAGING, CurrentViewer, ListPaging
from registry.web.openapi import ERROR_RESPONSES
from registry.web.params import PathId, PeriodQuery

__all__ = ("CompetenceApi", "LearningApi", "VerificationApi")


class CompetenceApi(Controller):
    """The default competence framework."""

    path = "/api/v1/competences"
    guards = [signed_in]
    tags = ["learning"]

    @get("/", operation_id="ListCompetences", responses=ERROR_RESPONSES)
    async def list_competences(self) -> list[CompetenceOut]:
        """The competences learning is tagged with, and the framework's values."""
        return await service.list_competences(include_values=True)


class LearningApi(Controller):
    """A practitioner's learning log (reflections only for the practitioner, line manager and verifier)."""

    path = "/api/v1/practitioners/{practitioner_id:int}"
    guards = [signed_in]
    dependencies = API_PAGING
    tags = ["learning"]

    @get("/learning", operation_id="ListLearning", responses=ERROR_RESPONSES)
    async def list_learning(
        self, viewer: CurrentViewer, practitioner_id: PathId, paging: ListPaging
    ) -> Page[LearningRecordOut]:
        """Learning records, newest first."""
        items, total = await service.list_records(viewer, practitioner_id, paging.limit, paging.offset)
        return Page(items=items, total=total)

    @post("/learning", operation_id="CreateLearning", responses=ERROR_RESPONSES)
    async def create_learning(
        self, viewer: CurrentViewer, practitioner_id: PathId, data: JSONBody[LearningRecordIn]
    ) -> LearningRecordOut:
        """Log learning (the practitioner themself)."""
        return await service.create_record(viewer, practitioner_id, data)

    @get("/learning/{record_id:int}", operation_id="GetLearning", responses=ERROR_RESPONSES)
    async def get_learning(
        self, viewer: CurrentViewer, practitioner_id: PathId, record_id: PathId
    ) -> LearningRecordOut:
        """One learning record."""
        return await service.get_record(viewer, practitioner_id, record_id)

    @patch("/learning/{record_id:int}", operation_id="UpdateLearning", responses=ERROR_RESPONSES)
    async def update_learning(
        self,
        viewer: CurrentViewer,
        practitioner_id: PathId,
        record_id: PathId,
        data: JSONBody[LearningRecordPatch],
    ) -> LearningRecordOut:
        """Change a record (it then needs verifying again)."""
        return await service.update_record(viewer, practitioner_id, record_id, data)

    @delete(
        "/learning/{record_id:int}",
        operation_id="DeleteLearning",
        responses=ERROR_RESPONSES,
        status_code=HTTP_204_NO_CONTENT,
    )
    async def delete_learning(self, viewer: CurrentViewer, practitioner_id: PathId, record_id: PathId) -> None:
        """Delete one of your own records."""
        await service.delete_record(viewer, practitioner_id, record_id)

    @post(
        "/learning/{record_id:int}/verification-request",
        operation_id="RequestVerification",
        responses=ERROR_RESPONSES,
    )
    async def request_verification(
        self,
        viewer: CurrentViewer,
        practitioner_id: PathId,
        record_id: PathId,
        data: JSONBody[VerificationRequestIn],
    ) -> LearningRecordOut:
        """Ask the line manager or a registered practitioner to verify a record."""
        return await verification.request_verification(viewer, practitioner_id, record_id, data.verifier_email)

    @get("/learning-time", operation_id="GetLearningTime", responses=ERROR_RESPONSES)
    async def learning_time(
        self, viewer: CurrentViewer, practitioner_id: PathId, period: PeriodQuery = None
    ) -> LearningTimeOut:
        """Protected learning time and the CLDSC pro-rata requirement for a period (default: this year)."""
        chosen = learning_time_service.period_or_this_year(period)
        return await learning_time_service.learning_time(viewer, practitioner_id, chosen)

    @get("/goals", operation_id="ListGoals", responses=ERROR_RESPONSES)
    async def list_goals(self, viewer: CurrentViewer, practitioner_id: PathId) -> list[GoalOut]:
        """PL goals."""
        return await service.list_goals(viewer, practitioner_id)

    @post("/goals", operation_id="CreateGoal", responses=ERROR_RESPONSES)
    async def add_goal(self, viewer: CurrentViewer, practitioner_id: PathId, data: JSONBody[GoalIn]) -> GoalOut:
        """Set a PL goal (the practitioner themself)."""
        return await service.add_goal(viewer, practitioner_id, data)

    @get("/learning-needs", operation_id="ListLearningNeeds", responses=ERROR_RESPONSES)
    async def list_needs(
        self, viewer: CurrentViewer, practitioner_id: PathId, paging: ListPaging
    ) -> Page[LearningNeedOut]:
        """Learning needs recorded against competences, newest first."""
        needs, total = await service.list_needs(viewer, practitioner_id, paging.limit, paging.offset)
        return Page(items=needs, total=total)

    @post("/learning-needs", operation_id="CreateLearningNeed", responses=ERROR_RESPONSES)
    async def record_need(
        self, viewer: CurrentViewer, practitioner_id: PathId, data: JSONBody[LearningNeedIn]
    ) -> LearningNeedOut:
        """Record a learning need (the practitioner or their line manager)."""
        return await service.record_need(viewer, practitioner_id, data)


class VerificationApi(Controller):
    """The verifier's side: the queue, verifying and returning."""

    path = "/api/v1/verification"
    guards = [signed_in]
    dependencies = API_PAGING
    tags = ["learning"]

    @get("/", operation_id="VerificationQueue", responses=ERROR_RESPONSES)
    async def queue(self, viewer: CurrentViewer, paging: ListPaging) -> Page[QueueItem]:
        """Records waiting for the caller's review, oldest request first."""
        items, total = await verification.verification_queue(viewer, paging.limit, paging.offset)
        return Page(items=items, total=total)

    @post("/{record_id:int}/verify", operation_id="VerifyLearning", responses=ERROR_RESPONSES)
    async def verify(self, viewer: CurrentViewer, record_id: PathId, data: JSONBody[VerifyIn]) -> LearningRecordOut:
        """Record the review note and verify."""
        return await verification.verify(viewer, record_id, data.review_note)

    @post("/{record_id:int}/return", operation_id="ReturnLearning", responses=ERROR_RESPONSES)
    async def return_record(
        self, viewer: CurrentViewer, record_id: PathId, data: JSONBody[ReturnIn]
    ) -> LearningRecordOut:
        """Send the record back with a comment."""
        return await verification.return_record(viewer, record_id, data.comment)
