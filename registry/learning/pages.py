"""Pages of the learning log: records, verification, goals and learning needs; thin controllers."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from pydantic import ValidationError

from registry.accounts.rules import Viewer
from registry.errors import Conflict, Forbidden, Invalid
from registry.learning import progress, service, verification
from registry.learning.pack import may_produce_pack
from registry.learning.rules import KINDS, may_manage_own_learning, may_record_need
from registry.learning.schemas import GoalIn, LearningNeedIn, LearningRecordIn, LearningRecordOut, LearningRecordPatch
from registry.web.auth import signed_in
from registry.web.dates import date_from_parts, parts_of
from registry.web.deps import FIRST_PAGE, PAGE_PAGING, CurrentViewer, ListPaging, Paging
from registry.web.pages import form_data, form_page, problems_of, render, sentences
from registry.web.params import AnyRequest

__all__ = ("LearningPages", "VerificationPages")


def _record_form(form: dict[str, str], competences: list[str]) -> dict[str, Any]:
    """A submitted learning form as the schema's input (checkbox lists and yes/no radios)."""
    return {
        "title": form.get("title", ""),
        "kind": form.get("kind", ""),
        "completed_on": date_from_parts(form, "completed_on")[0],
        "hours": form.get("hours", ""),
        "competences": competences,
        "goal_id": form.get("goal_id") or None,
        "reflection": form.get("reflection", ""),
        "protected_time": form.get("protected_time") == "yes",
        "evidence_url": form.get("evidence_url", ""),
    }


def _with_date_problem(problems: dict[str, str], form: dict[str, str]) -> dict[str, str]:
    """How the date was written (a box left empty) says more than the schema's reading of what came of it."""
    if problem := date_from_parts(form, "completed_on")[1]:
        return {**problems, "completed_on": problem}
    return problems


def _form_from(record: LearningRecordOut) -> dict[str, Any]:
    return {
        "title": record.title,
        "kind": record.kind,
        **parts_of("completed_on", record.completed_on),
        "hours": f"{record.hours:g}",
        "goal_id": str(record.goal_id or ""),
        "reflection": record.reflection or "",
        "protected_time": "yes" if record.protected_time else "no",
        "evidence_url": record.evidence_url or "",
    }


class LearningPages(Controller):
    """A practitioner's learning log, goals and needs."""

    path = "/practitioners/{practitioner_id:int}"
    guards = [signed_in]
    dependencies = PAGE_PAGING
    include_in_schema = False

    @get("/learning")
    async def log_page(
        self,
        request: AnyRequest,
        viewer: CurrentViewer,
        practitioner_id: FromPath[int],
        paging: ListPaging,
        saved: FromQuery[str | None] = None,
    ) -> Template:
        """The learning log with progress against the requirement."""
        practitioner = await service.practitioner_ref(viewer, practitioner_id)
        records, total = await service.list_records(viewer, practitioner_id, paging.limit, paging.offset)
        return render(
            request,
            "learning/log.html",
            practitioner=practitioner,
            records=records,
            pagination=paging.pagination(total),
            params={},
            progress=await progress.progress_overview(viewer, practitioner_id),
            is_owner=may_manage_own_learning(viewer, practitioner["id"]),
            can_make_pack=may_produce_pack(viewer, practitioner["id"], practitioner["manager_email"]),
            saved=saved,
        )

    @get("/learning/new")
    async def new_page(self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int]) -> Template:
        """Form to log learning."""
        practitioner = await self._owned(viewer, practitioner_id)
        return await self._form(request, viewer, practitioner, {"protected_time": "no"}, [], {}, None)

    @post("/learning/new")
    async def create(
        self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int]
    ) -> Template | Redirect:
        """Save new learning, or show the form again with what to fix."""
        practitioner = await self._owned(viewer, practitioner_id)
        form, competences = await self._read(request)
        try:
            record = await service.create_record(
                viewer, practitioner_id, LearningRecordIn.model_validate(_record_form(form, competences))
            )
        except (ValidationError, Invalid) as exc:
            problems = _with_date_problem(problems_of(exc, "title"), form)
            return await self._form(request, viewer, practitioner, form, competences, problems, None)
        return Redirect(f"/practitioners/{practitioner_id}/learning/{record.id}?saved=1")

    @get("/learning/{record_id:int}")
    async def record_page(
        self,
        request: AnyRequest,
        viewer: CurrentViewer,
        practitioner_id: FromPath[int],
        record_id: FromPath[int],
        saved: FromQuery[str | None] = None,
    ) -> Template:
        """One record, its reflection (for those who may read it) and its verification."""
        return await self._record(request, viewer, practitioner_id, record_id, {}, {}, saved)

    @get("/learning/{record_id:int}/edit")
    async def edit_page(
        self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int], record_id: FromPath[int]
    ) -> Template:
        """Form to change a record."""
        practitioner = await self._owned(viewer, practitioner_id)
        record = await service.get_record(viewer, practitioner_id, record_id)
        return await self._form(request, viewer, practitioner, _form_from(record), record.competences, {}, record)

    @post("/learning/{record_id:int}/edit")
    async def update(
        self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int], record_id: FromPath[int]
    ) -> Template | Redirect:
        """Save changes to a record."""
        practitioner = await self._owned(viewer, practitioner_id)
        record = await service.get_record(viewer, practitioner_id, record_id)
        form, competences = await self._read(request)
        try:
            full = LearningRecordIn.model_validate(_record_form(form, competences))
            await service.update_record(viewer, practitioner_id, record_id, LearningRecordPatch(**full.model_dump()))
        except (ValidationError, Invalid) as exc:
            problems = _with_date_problem(problems_of(exc, "title"), form)
            return await self._form(request, viewer, practitioner, form, competences, problems, record)
        return Redirect(f"/practitioners/{practitioner_id}/learning/{record_id}?saved=1")

    @get("/learning/{record_id:int}/delete")
    async def delete_page(
        self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int], record_id: FromPath[int]
    ) -> Template:
        """Ask before deleting."""
        practitioner = await self._owned(viewer, practitioner_id)
        record = await service.get_record(viewer, practitioner_id, record_id)
        return render(request, "learning/delete.html", practitioner=practitioner, record=record)

    @post("/learning/{record_id:int}/delete")
    async def delete(self, viewer: CurrentViewer, practitioner_id: FromPath[int], record_id: FromPath[int]) -> Redirect:
        """Delete the record."""
        await service.delete_record(viewer, practitioner_id, record_id)
        return Redirect(f"/practitioners/{practitioner_id}/learning?saved=deleted")

    @post("/learning/{record_id:int}/verification-request")
    async def request_verification(
        self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int], record_id: FromPath[int]
    ) -> Template | Redirect:
        """Name a verifier."""
        await self._owned(viewer, practitioner_id)
        form = await form_data(request)
        try:
            await verification.request_verification(viewer, practitioner_id, record_id, form.get("verifier_email", ""))
        except (Invalid, Conflict) as exc:
            problems = problems_of(exc, "verifier_email")
            return await self._record(request, viewer, practitioner_id, record_id, form, problems, None)
        return Redirect(f"/practitioners/{practitioner_id}/learning/{record_id}?saved=requested")

    @get("/goals")
    async def goals_page(self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int]) -> Template:
        """PL goals, and a form to add one."""
        return await self._goals(request, viewer, practitioner_id, {}, {})

    @post("/goals")
    async def add_goal(
        self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int]
    ) -> Template | Redirect:
        """Add a PL goal."""
        await self._owned(viewer, practitioner_id)
        form = await form_data(request)
        try:
            await service.add_goal(viewer, practitioner_id, GoalIn.model_validate(form))
        except ValidationError as exc:
            return await self._goals(request, viewer, practitioner_id, form, problems_of(exc, "title"))
        return Redirect(f"/practitioners/{practitioner_id}/goals")

    @get("/learning-needs")
    async def needs_page(
        self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int], paging: ListPaging
    ) -> Template:
        """Learning needs, and a form to record one."""
        return await self._needs(request, viewer, practitioner_id, {}, {}, paging)

    @post("/learning-needs")
    async def record_need(
        self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int]
    ) -> Template | Redirect:
        """Record a learning need against a competence."""
        practitioner = await service.practitioner_ref(viewer, practitioner_id)
        if not may_record_need(viewer, practitioner["id"], practitioner["manager_email"]):
            raise Forbidden("Only the practitioner or their line manager can record their learning needs")
        form = await form_data(request)
        try:
            await service.record_need(viewer, practitioner_id, LearningNeedIn.model_validate(form))
        except (ValidationError, Invalid) as exc:
            return await self._needs(request, viewer, practitioner_id, form, problems_of(exc, "competence"))
        return Redirect(f"/practitioners/{practitioner_id}/learning-needs")

    # ------------------------------------------------------------ helpers

    async def _owned(self, viewer: Viewer, practitioner_id: int) -> dict[str, Any]:
        practitioner = await service.practitioner_ref(viewer, practitioner_id)
        if not may_manage_own_learning(viewer, practitioner["id"]):
            raise Forbidden("Only the practitioner can change their own learning log")
        return practitioner

    async def _read(self, request: AnyRequest) -> tuple[dict[str, str], list[str]]:
        raw = await request.form()
        competences = [v for v in raw.getall("competences") if isinstance(v, str)] if "competences" in raw else []
        return await form_data(request), competences

    async def _form(
        self,
        request: AnyRequest,
        viewer: Viewer,
        practitioner: dict[str, Any],
        form: dict[str, Any],
        chosen: list[str],
        problems: dict[str, str],
        record: LearningRecordOut | None,
    ) -> Template:
        return form_page(
            request,
            "learning/record_form.html",
            form,
            sentences(problems),
            practitioner=practitioner,
            chosen=chosen,
            record=record,
            kinds=KINDS,
            competences=await service.list_competences(),
            goals=await service.list_goals(viewer, practitioner["id"]),
        )

    async def _record(
        self,
        request: AnyRequest,
        viewer: Viewer,
        practitioner_id: int,
        record_id: int,
        form: dict[str, str],
        problems: dict[str, str],
        saved: str | None,
    ) -> Template:
        practitioner = await service.practitioner_ref(viewer, practitioner_id)
        record = await service.get_record(viewer, practitioner_id, record_id)
        competences = {c.code: c.title for c in await service.list_competences()}
        return form_page(
            request,
            "learning/record.html",
            form,
            sentences(problems),
            practitioner=practitioner,
            record=record,
            competences=competences,
            is_owner=may_manage_own_learning(viewer, practitioner["id"]),
            saved=saved,
        )

    async def _goals(
        self, request: AnyRequest, viewer: Viewer, practitioner_id: int, form: dict[str, str], problems: dict[str, str]
    ) -> Template:
        practitioner = await service.practitioner_ref(viewer, practitioner_id)
        return form_page(
            request,
            "learning/goals.html",
            form,
            sentences(problems),
            practitioner=practitioner,
            goals=await service.list_goals(viewer, practitioner_id),
            is_owner=may_manage_own_learning(viewer, practitioner["id"]),
        )

    async def _needs(
        self,
        request: AnyRequest,
        viewer: Viewer,
        practitioner_id: int,
        form: dict[str, str],
        problems: dict[str, str],
        paging: Paging = FIRST_PAGE,
    ) -> Template:
        practitioner = await service.practitioner_ref(viewer, practitioner_id)
        needs, total = await service.list_needs(viewer, practitioner_id, paging.limit, paging.offset)
        return form_page(
            request,
            "learning/needs.html",
            form,
            sentences(problems),
            practitioner=practitioner,
            needs=needs,
            pagination=paging.pagination(total),
            params={},
            competences=await service.list_competences(),
            can_record=may_record_need(viewer, practitioner["id"], practitioner["manager_email"]),
        )


class VerificationPages(Controller):
    """The verifier's queue and review."""

    path = "/verification"
    guards = [signed_in]
    dependencies = PAGE_PAGING
    include_in_schema = False

    @get("/")
    async def queue(
        self, request: AnyRequest, viewer: CurrentViewer, paging: ListPaging, done: FromQuery[str | None] = None
    ) -> Template:
        """Learning waiting for the signed-in person's review."""
        items, total = await verification.verification_queue(viewer, paging.limit, paging.offset)
        return render(
            request, "learning/queue.html", items=items, done=done, pagination=paging.pagination(total),
            params={"done": done},
        )  # fmt: skip

    @get("/{record_id:int}")
    async def review_page(self, request: AnyRequest, viewer: CurrentViewer, record_id: FromPath[int]) -> Template:
        """Read the reflection and record the review."""
        return await self._review(request, viewer, record_id, {}, {})

    @post("/{record_id:int}")
    async def decide(self, request: AnyRequest, viewer: CurrentViewer, record_id: FromPath[int]) -> Template | Redirect:
        """Verify with a review note, or return with a comment."""
        await verification.review_record(viewer, record_id)  # only the named verifier gets further
        form = await form_data(request)
        decision = form.get("decision")
        note = form.get("note", "").strip()
        problems: dict[str, str] = {}
        if decision not in {"verify", "return"}:
            problems["decision"] = "Choose whether to verify the record or return it"
        if not note:
            problems["note"] = (
                "Enter a note of your review" if decision != "return" else "Enter a comment for the practitioner"
            )
        if problems:
            return await self._review(request, viewer, record_id, form, problems)
        try:
            if decision == "verify":
                await verification.verify(viewer, record_id, note)
            else:
                await verification.return_record(viewer, record_id, note)
        except Conflict as exc:
            return await self._review(request, viewer, record_id, form, {"decision": exc.detail})
        return Redirect(f"/verification?done={'verified' if decision == 'verify' else 'returned'}")

    async def _review(
        self, request: AnyRequest, viewer: Viewer, record_id: int, form: dict[str, str], problems: dict[str, str]
    ) -> Template:
        record, practitioner = await verification.review_record(viewer, record_id)
        competences = {c.code: c.title for c in await service.list_competences()}
        return form_page(
            request, "learning/review.html", form, problems, record=record, practitioner=practitioner,
            competences=competences,
        )  # fmt: skip
