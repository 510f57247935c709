"""Pages of event evaluations: the attendee's form, their "give feedback" list, the host's summary; thin."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from pydantic import ValidationError

from registry.errors import Conflict, Invalid
from registry.events import evaluation
from registry.events.evaluation import EvaluationContext
from registry.events.evaluation_schemas import MAX_WILL_DO_DIFFERENTLY, EvaluationIn
from registry.learning.service import list_competences
from registry.validation import problems_from
from registry.web.auth import signed_in
from registry.web.deps import CurrentViewer
from registry.web.pages import form_data, form_page, render, sentences
from registry.web.params import AnyRequest

__all__ = ("EvaluationPages",)


RATINGS = (
    (1, "Not at all useful"),
    (2, "Slightly useful"),
    (3, "Moderately useful"),
    (4, "Very useful"),
    (5, "Extremely useful"),
)
"""The answers to "How useful was it?", as the form offers them."""

_MESSAGES = {
    "rating": "Select how useful the event was",
    "will_do_differently": f"What you will do differently must be {MAX_WILL_DO_DIFFERENTLY} characters or fewer",
    "competences": "Select only competences from the list",
}


def _messages(problems: dict[str, str]) -> dict[str, str]:
    """Field problems as the GOV.UK error messages the form shows, in the form's order."""
    worded = sentences(problems)
    ordered = [f for f in _MESSAGES if f in problems] + [f for f in problems if f not in _MESSAGES]
    return {field: _MESSAGES.get(field, worded[field]) for field in ordered}


class EvaluationPages(Controller):
    """Feedback on events: giving it, and reading it as the host."""

    path = "/"
    guards = [signed_in]
    include_in_schema = False

    @get("/evaluations")
    async def pending(self, request: AnyRequest, viewer: CurrentViewer, sent: FromQuery[str | None] = None) -> Template:
        """Events the signed-in person attended and has not yet given feedback on."""
        items = await evaluation.pending_evaluations(viewer)
        return render(request, "events/evaluation_pending.html", items=items, sent=sent)

    @get("/bookings/{booking_id:int}/evaluation")
    async def form_page(self, request: AnyRequest, viewer: CurrentViewer, booking_id: FromPath[int]) -> Template:
        """The feedback form (or why it is not open yet)."""
        context = await evaluation.evaluation_context(viewer, booking_id)
        return await self._form(request, context, {}, [], {})

    @post("/bookings/{booking_id:int}/evaluation")
    async def submit(
        self, request: AnyRequest, viewer: CurrentViewer, booking_id: FromPath[int]
    ) -> Template | Redirect:
        """Send the feedback, or show the form again with what to fix."""
        context = await evaluation.evaluation_context(viewer, booking_id)
        if context.closed_reason:
            return await self._form(request, context, {}, [], {})
        raw = await request.form()
        chosen = [v for v in raw.getall("competences") if isinstance(v, str)] if "competences" in raw else []
        form = await form_data(request)
        try:
            data = EvaluationIn.model_validate(
                {
                    "rating": form.get("rating") or None,
                    "will_do_differently": form.get("will_do_differently", ""),
                    "competences": chosen,
                }
            )
            await evaluation.submit_evaluation(viewer, booking_id, data)
        except ValidationError as exc:
            return await self._form(request, context, form, chosen, problems_from(exc))
        except Invalid as exc:
            return await self._form(request, context, form, chosen, exc.problems)
        except Conflict as exc:
            closed = EvaluationContext(
                context.booking_id, context.event_id, context.event_title, context.starts_at, exc.detail
            )
            return await self._form(request, closed, {}, [], {})
        return Redirect("/evaluations?sent=1")

    @get("/events/{event_id:int}/evaluation")
    async def summary_page(self, request: AnyRequest, viewer: CurrentViewer, event_id: FromPath[int]) -> Template:
        """The host's summary of the feedback: figures, a chart with a table, comments without names."""
        summary = await evaluation.evaluation_summary(viewer, event_id)
        return render(request, "events/evaluation_summary.html", summary=summary, rating_labels=dict(RATINGS))

    async def _form(
        self,
        request: AnyRequest,
        context: EvaluationContext,
        form: dict[str, str],
        chosen: list[str],
        problems: dict[str, str],
    ) -> Template:
        closed = not problems and context.closed_reason and request.method == "POST"
        return form_page(
            request,
            "events/evaluation_form.html",
            form,
            _messages(problems),
            status_code=409 if closed else None,
            booking=context,
            chosen=chosen,
            ratings=RATINGS,
            competences=await list_competences(),
            max_length=MAX_WILL_DO_DIFFERENTLY,
        )
