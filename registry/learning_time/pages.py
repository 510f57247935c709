"""Pages of protected learning time: a person's ledger and adjustments, time requests and their decision, the
manager's team view with its CSV, and an organisation's policy. Thin controllers."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Stream, Template
from pydantic import ValidationError

from registry import clock
from registry.errors import Conflict, Forbidden, Invalid
from registry.learning import service as learning
from registry.learning.rules import KINDS, financial_year, may_manage_own_learning
from registry.learning_time import requests, service, team
from registry.learning_time.deps import TEAM_FILTERS, TeamFilters
from registry.learning_time.rules import may_decide_request, may_set_policy
from registry.learning_time.schemas import (
    AdjustmentIn,
    PolicyIn,
    TimeRequestDecisionIn,
    TimeRequestIn,
    TimeRequestLogIn,
)
from registry.people import service as people
from registry.validation import problems_from
from registry.web.auth import signed_in
from registry.web.dates import validated
from registry.web.deps import CurrentViewer
from registry.web.pages import PER_PAGE, Pagination, form_data, render, sentences
from registry.web.params import AnyRequest, PageNumber, PeriodQuery

__all__ = ("LearningTimePages",)

class LearningTimePages(Controller):
    """Protected learning time for practitioners, their line managers, partner admins and leads."""

    path = "/"
    guards = [signed_in]
    include_in_schema = False

    # ------------------------------------------------------------ a person's ledger

    @get("/practitioners/{practitioner_id:int}/learning-time")
    async def ledger_page(
        self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int], period: PeriodQuery = None,
        saved: FromQuery[str | None] = None,
    ) -> Template:  # fmt: skip
        """A person's protected learning time for a period, their requests and adjustments."""
        return await self._ledger(request, viewer, practitioner_id, period, {}, {}, saved)

    @post("/practitioners/{practitioner_id:int}/learning-time/adjustments")
    async def add_adjustment(
        self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int]
    ) -> Template | Redirect:
        """Record extra (or fewer) hours for a year, with the reason."""
        practitioner = await learning.practitioner_ref(viewer, practitioner_id)
        if not service.may_adjust_for(viewer, practitioner):
            raise Forbidden("Only the line manager, a partner admin of the organisation, a lead or an admin can adjust")
        form = await form_data(request)
        try:
            data = AdjustmentIn.model_validate(form)
            await service.add_adjustment(viewer, practitioner_id, data)
        except ValidationError as exc:
            return await self._ledger(request, viewer, practitioner_id, None, form, problems_from(exc), None)
        except Invalid as exc:
            return await self._ledger(request, viewer, practitioner_id, None, form, exc.problems, None)
        return Redirect(f"/practitioners/{practitioner_id}/learning-time?period={data.period}&saved=adjusted")

    async def _ledger(
        self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: int, period: str | None,
        form: dict[str, str], problems: dict[str, str], saved: str | None,
    ) -> Template:  # fmt: skip
        practitioner = await learning.practitioner_ref(viewer, practitioner_id)
        chosen = service.period_or_this_year(period)
        time = await service.time_of(practitioner, chosen)
        items, _ = await requests.list_requests(viewer, practitioner_id, 100, 0)
        return render(
            request,
            "learning_time/ledger.html",
            status_code=400 if problems else 200,
            practitioner=practitioner,
            period=chosen,
            time=time,
            time_requests=items,
            adjustments=await service.list_adjustments(viewer, practitioner_id),
            may_adjust=service.may_adjust_for(viewer, practitioner),
            is_owner=may_manage_own_learning(viewer, practitioner_id),
            this_year=financial_year(clock.today()).label,
            form=form,
            errors=sentences(problems),
            saved=saved,
        )

    # ------------------------------------------------------------ time requests

    @get("/practitioners/{practitioner_id:int}/time-requests/new")
    async def new_request_page(
        self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int]
    ) -> Template:
        """Form to ask for protected time."""
        return await self._request_form(request, viewer, practitioner_id, {}, [], {})

    @post("/practitioners/{practitioner_id:int}/time-requests/new")
    async def create_request(
        self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: FromPath[int]
    ) -> Template | Redirect:
        """Send the request to the line manager, or show the form again with what to fix."""
        form = await form_data(request)
        raw = await request.form()
        chosen = [v for v in raw.getall("competences") if isinstance(v, str)] if "competences" in raw else []
        wanted = ("title", "kind", "hours", "purpose")
        values: dict[str, Any] = {k: v for k, v in form.items() if k in wanted or k.startswith(("starts_", "ends_"))}
        values["competences"] = chosen
        data, problems = validated(TimeRequestIn, values, ("starts_on", "ends_on"))
        if data is None:
            return await self._request_form(request, viewer, practitioner_id, form, chosen, problems)
        try:
            created = await requests.create_request(viewer, practitioner_id, data)
        except Invalid as exc:
            return await self._request_form(request, viewer, practitioner_id, form, chosen, exc.problems)
        return Redirect(f"/time-requests/{created.id}?saved=requested")

    async def _request_form(
        self, request: AnyRequest, viewer: CurrentViewer, practitioner_id: int, form: dict[str, str], chosen: list[str],
        problems: dict[str, str],
    ) -> Template:  # fmt: skip
        practitioner = await learning.practitioner_ref(viewer, practitioner_id)
        if not may_manage_own_learning(viewer, practitioner_id):
            raise Forbidden("Only the practitioner can ask for their own protected time")
        year = financial_year(clock.today())
        return render(
            request,
            "learning_time/request_form.html",
            status_code=400 if problems else 200,
            practitioner=practitioner,
            time=await service.time_of(practitioner, year),
            kinds=[k for k in KINDS if k != "event"],
            competences=await learning.list_competences(),
            form=form,
            chosen=chosen,
            errors=sentences(problems, {"title": "What is the learning", "hours": "Hours of protected time"}),
        )

    @get("/time-requests")
    async def awaiting_page(self, request: AnyRequest, viewer: CurrentViewer, page: PageNumber = 1) -> Template:
        """Time requests waiting for the signed-in line manager's decision."""
        items, total = await requests.awaiting_decision(viewer, PER_PAGE, (page - 1) * PER_PAGE)
        return render(
            request, "learning_time/awaiting.html", items=items, pagination=Pagination(page, total), params={}
        )

    @get("/time-requests/{request_id:int}")
    async def request_page(
        self, request: AnyRequest, viewer: CurrentViewer, request_id: FromPath[int], saved: FromQuery[str | None] = None
    ) -> Template:
        """One request: its details, the person's balance, and what the viewer can do with it."""
        return await self._request(request, viewer, request_id, {}, {}, saved)

    @post("/time-requests/{request_id:int}/decision")
    async def decide(
        self, request: AnyRequest, viewer: CurrentViewer, request_id: FromPath[int]
    ) -> Template | Redirect:
        """Approve or decline with a note (the line manager)."""
        form = await form_data(request)
        try:
            data = TimeRequestDecisionIn.model_validate(
                {"decision": form.get("decision", ""), "note": form.get("note", "")}
            )
            await requests.decide_request(viewer, request_id, data)
        except ValidationError as exc:
            return await self._request(request, viewer, request_id, form, problems_from(exc), None)
        except Invalid as exc:
            return await self._request(request, viewer, request_id, form, exc.problems, None)
        except Conflict as exc:
            return await self._request(request, viewer, request_id, form, {"decision": exc.detail}, None)
        return Redirect(f"/time-requests/{request_id}?saved={data.decision}d")

    @post("/time-requests/{request_id:int}/withdraw")
    async def withdraw(
        self, request: AnyRequest, viewer: CurrentViewer, request_id: FromPath[int]
    ) -> Template | Redirect:
        """Withdraw the request (the practitioner)."""
        try:
            await requests.withdraw_request(viewer, request_id)
        except Conflict as exc:
            return await self._request(request, viewer, request_id, {}, {"withdraw": exc.detail}, None)
        return Redirect(f"/time-requests/{request_id}?saved=withdrawn")

    @post("/time-requests/{request_id:int}/log")
    async def log_learning(
        self, request: AnyRequest, viewer: CurrentViewer, request_id: FromPath[int]
    ) -> Template | Redirect:
        """Log the learning of an approved request (the practitioner)."""
        form = await form_data(request)
        values = {
            "completed_on": form.get("completed_on") or None,
            "hours": form.get("hours") or None,
            "reflection": form.get("reflection", ""),
        }
        try:
            done = await requests.log_learning(viewer, request_id, TimeRequestLogIn.model_validate(values))
        except ValidationError as exc:
            return await self._request(request, viewer, request_id, form, problems_from(exc), None)
        except Invalid as exc:
            return await self._request(request, viewer, request_id, form, exc.problems, None)
        except Conflict as exc:
            return await self._request(request, viewer, request_id, form, {"completed_on": exc.detail}, None)
        return Redirect(f"/practitioners/{done.practitioner_id}/learning/{done.learning_record_id}?saved=1")

    async def _request(
        self, request: AnyRequest, viewer: CurrentViewer, request_id: int, form: dict[str, str],
        problems: dict[str, str], saved: str | None,
    ) -> Template:  # fmt: skip
        item = await requests.get_request(viewer, request_id)
        practitioner = await learning.practitioner_ref(viewer, item.practitioner_id)
        year = financial_year(item.starts_on)
        return render(
            request,
            "learning_time/request.html",
            status_code=400 if problems else 200,
            item=item,
            practitioner=practitioner,
            time=await service.time_of(practitioner, year),
            competences={c.code: c.title for c in await learning.list_competences()},
            may_decide=may_decide_request(viewer, item.practitioner_id, practitioner["manager_email"]),
            is_owner=may_manage_own_learning(viewer, item.practitioner_id),
            today=clock.today(),
            form=form,
            errors=sentences(problems),
            saved=saved,
        )

    # ------------------------------------------------------------ the team

    @get("/team/learning-time", dependencies=TEAM_FILTERS)
    async def team_page(
        self, request: AnyRequest, viewer: CurrentViewer, filters: TeamFilters, page: PageNumber = 1
    ) -> Template:
        """Who on the team has had their protected time: bars and a table, flags, and what awaits."""
        problems = dict(filters.problems)
        chosen = filters.value
        try:
            members, total = await team.team_rows(viewer, chosen, PER_PAGE, (page - 1) * PER_PAGE)
        except Invalid as exc:
            problems |= exc.problems
            chosen = team.TeamFilter(chosen.period, chosen.part_time, chosen.setting, None)
            members, total = await team.team_rows(viewer, chosen, PER_PAGE, (page - 1) * PER_PAGE)
        options = await people.filter_options(viewer)
        return render(
            request,
            "learning_time/team.html",
            status_code=400 if problems else 200,
            members=members,
            filters=chosen,
            params=dict(filters.params),
            pagination=Pagination(page, total),
            awaiting=await team.awaiting(viewer),
            options=options,
            all_organisations=viewer.role.value in {"lead", "admin"},
            errors=sentences(problems),
        )

    @get("/team/learning-time.csv", dependencies=TEAM_FILTERS)
    async def team_csv(self, viewer: CurrentViewer, filters: TeamFilters) -> Stream:
        """The team table as CSV (the same rows and numbers as the page)."""
        chosen = filters.valid()
        rows = team.team_csv(viewer, chosen)
        first = await anext(rows)  # refusals (wrong role, unknown organisation) come before any byte is sent

        async def body() -> Any:
            yield first
            async for line in rows:
                yield line

        return Stream(
            body(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="learning-time-{chosen.period.label}.csv"'},
        )

    # ------------------------------------------------------------ an organisation's policy

    @get("/organisations/{organisation_id:int}/learning-time-policy")
    async def policy_page(self, request: AnyRequest, viewer: CurrentViewer, organisation_id: FromPath[int]) -> Template:
        """The organisation's policies, and a form to set one from a date."""
        return await self._policy(request, viewer, organisation_id, {}, {})

    @post("/organisations/{organisation_id:int}/learning-time-policy")
    async def set_policy(
        self, request: AnyRequest, viewer: CurrentViewer, organisation_id: FromPath[int]
    ) -> Template | Redirect:
        """Set the policy from its date."""
        form = await form_data(request)
        policy, problems = validated(PolicyIn, form, ("applies_from",))
        if policy is None:
            return await self._policy(request, viewer, organisation_id, form, problems)
        try:
            await service.set_policy(viewer, organisation_id, policy)
        except Invalid as exc:
            return await self._policy(request, viewer, organisation_id, form, exc.problems)
        return Redirect(f"/organisations/{organisation_id}/learning-time-policy?saved=1")

    async def _policy(
        self,
        request: AnyRequest,
        viewer: CurrentViewer,
        organisation_id: int,
        form: dict[str, str],
        problems: dict[str, str],
    ) -> Template:
        organisation = await people.get_organisation(organisation_id)
        return render(
            request,
            "learning_time/policy.html",
            status_code=400 if problems else 200,
            organisation=organisation,
            policies=await service.list_policies(viewer, organisation_id),
            may_set=may_set_policy(viewer, organisation_id),
            saved=request.query_params.get("saved"),
            form=form,
            errors=sentences(problems),
        )
