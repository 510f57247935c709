"""Pages of the workforce metrics: the leads' dashboard (a card per indicator under its action), an indicator's
breakdown, and the shared learning needs with the needs behind each cell. Thin controllers: they read the
filters, ask registry.metrics.report / needs, and render; a bad filter re-renders the form with what to fix."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from registry.accounts.rules import ALLIANCE_ROLES, Role, Viewer
from registry.errors import Invalid, NotFound
from registry.metrics import needs as shared_needs
from registry.metrics import plans
from registry.metrics.catalogue import ACTIVE_POPULATION
from registry.metrics.display import Card, breakdown_sections, card_of
from registry.metrics.report import ReportAsk, dashboard
from registry.metrics.tables import MetricIndicator
from registry.people.tables import Organisation
from registry.web.auth import requires_role, signed_in
from registry.web.deps import CurrentViewer
from registry.web.pages import render
from registry.web.params import AnyRequest

__all__ = ("MetricsPages", "filter_errors", "query_ask")

Text = FromQuery[str | None]


def query_ask(
    period: str | None, plan: str | None, organisation: str | None, local_authority: str | None
) -> ReportAsk:
    """The filters as a page's query string gave them, tidied (the dashboard's, the printable report's…)."""
    # Query text is capped here as the API caps it (params.py); anything longer is not a code or a period.
    def tidy(value: str | None, cap: int) -> str | None:
        return (value or "").strip()[:cap] or None

    return ReportAsk(tidy(period, 22), tidy(plan, 30), tidy(organisation, 30), tidy(local_authority, 100))


def _params(ask: ReportAsk) -> dict[str, str]:
    return {k: v for k, v in {"period": ask.period, "plan": ask.plan, "organisation": ask.organisation,
                              "local_authority": ask.local_authority}.items() if v}  # fmt: skip


def filter_errors(exc: Invalid) -> dict[str, str]:
    return {field: problem[:1].upper() + problem[1:] for field, problem in exc.problems.items()}


async def _options(viewer: Viewer) -> dict[str, Any]:
    """The filters' choices: plans; organisations and local authorities for those who may choose them."""
    choices = [
        (p.code, f"{p.name} ({p.code})" + (" — archived" if p.status != "active" else ""))
        for p in await plans.list_plans(viewer)
    ]
    options: dict[str, Any] = {"plans": choices}
    if viewer.role in ALLIANCE_ROLES:
        rows = await Organisation.select(Organisation.code, Organisation.name, Organisation.local_authority).order_by(
            Organisation.name
        )
        options["organisations"] = [(r["code"], r["name"]) for r in rows]
        options["local_authorities"] = sorted({r["local_authority"] for r in rows if r["local_authority"]})
    return options


def _by_action(cards: list[Card]) -> list[tuple[str, str, list[Card]]]:
    groups: dict[str, tuple[str, str, list[Card]]] = {}
    for card in cards:
        entry = groups.setdefault(card.indicator.action, (card.indicator.action, card.indicator.action_title, []))
        entry[2].append(card)
    return list(groups.values())


class MetricsPages(Controller):
    """The workforce metrics for partner admins (their organisation), alliance leads and admins."""

    path = "/metrics"
    guards = [signed_in, requires_role(Role.PARTNER_ADMIN, Role.LEAD, Role.ADMIN)]
    include_in_schema = False

    @get("/")
    async def dashboard_page(
        self, request: AnyRequest, viewer: CurrentViewer, period: Text = None, plan: Text = None,
        organisation: Text = None, local_authority: Text = None,
    ) -> Template:  # fmt: skip
        """One card per indicator under its action, for the period and scope chosen."""
        ask = query_ask(period, plan, organisation, local_authority)
        context: dict[str, Any] = {"params": _params(ask), "options": await _options(viewer), "groups": [],
                                   "report": None, "active_population": ACTIVE_POPULATION}  # fmt: skip
        try:
            board = await dashboard(viewer, ask)
        except Invalid as exc:
            return render(request, "metrics/dashboard.html", status_code=400, errors=filter_errors(exc), **context)
        cards = [card_of(i, board.trends.get(i.id, [])) for i in board.report.indicators]
        context.update(report=board.report, groups=_by_action(cards))
        return render(request, "metrics/dashboard.html", **context)

    @get("/indicators/{indicator_id:int}")
    async def breakdown_page(
        self, request: AnyRequest, viewer: CurrentViewer, indicator_id: FromPath[int], period: Text = None,
        organisation: Text = None, local_authority: Text = None,
    ) -> Template:  # fmt: skip
        """One indicator: its card, its breakdown for the period and its trend as a table."""
        found = await MetricIndicator.select(MetricIndicator.plan.code.as_alias("plan")).where(
            MetricIndicator.id == indicator_id
        ).first()
        if found is None:
            raise NotFound("No such indicator")
        ask = query_ask(period, found["plan"], organisation, local_authority)
        context: dict[str, Any] = {"params": _params(ask), "options": await _options(viewer), "card": None,
                                   "sections": [], "indicator_id": indicator_id}  # fmt: skip
        try:
            board = await dashboard(viewer, ask, indicator_id)
        except Invalid as exc:
            return render(request, "metrics/breakdown.html", status_code=400, errors=filter_errors(exc), **context)
        indicator = board.report.indicators[0]
        context.update(
            report=board.report, card=card_of(indicator, board.trends.get(indicator.id, [])),
            sections=breakdown_sections(indicator.breakdown),
        )
        return render(request, "metrics/breakdown.html", **context)

    @get("/needs")
    async def needs_page(
        self, request: AnyRequest, viewer: CurrentViewer, period: Text = None, organisation: Text = None,
        local_authority: Text = None,
    ) -> Template:  # fmt: skip
        """Competences × organisations: learning needs recorded in the period, beside the events planned."""
        ask = query_ask(period, None, organisation, local_authority)
        context: dict[str, Any] = {"params": _params(ask), "options": await _options(viewer), "grid": None}
        try:
            context["grid"] = await shared_needs.needs_grid(viewer, ask)
        except Invalid as exc:
            return render(request, "metrics/needs.html", status_code=400, errors=filter_errors(exc), **context)
        return render(request, "metrics/needs.html", **context)

    @get("/needs/{competence:str}")
    async def needs_cell_page(
        self, request: AnyRequest, viewer: CurrentViewer, competence: FromPath[str], period: Text = None,
        organisation: Text = None,
    ) -> Template:  # fmt: skip
        """The needs behind one cell of the grid (names for leads and admins only)."""
        ask = query_ask(period, None, organisation, None)
        try:
            cell = await shared_needs.needs_behind(viewer, ask, competence[:20])
        except Invalid as exc:
            return render(request, "metrics/needs_cell.html", status_code=400, errors=filter_errors(exc), cell=None,
                          params=_params(ask))  # fmt: skip
        return render(request, "metrics/needs_cell.html", cell=cell, params=_params(ask))
