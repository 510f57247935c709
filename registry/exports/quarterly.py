"""The quarterly report to the alliance leads: when a quarter ends and its snapshots are taken, each lead gets a
mail through the outbox with the plan's headline figures for the quarter, the indicator CSV of the quarter and
the year to date attached, and a link to the printable report (registry.exports.report_pages). Once per lead,
plan and quarter however many instances run it (the outbox's dedupe key); the figures leave the lead's screen,
so they are suppressed as every export is, and the sending is recorded in the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from registry.accounts.rules import Role, Viewer
from registry.accounts.tables import User
from registry.audit import service as audit
from registry.db import write_tx
from registry.exports.indicators import IndicatorRow, indicator_rows, to_csv
from registry.exports.suppression import K_DEFAULT, LEGEND, RATE_MARK
from registry.learning.rules import Period
from registry.metrics.catalogue import METRICS
from registry.metrics.display import shown
from registry.metrics.report import ReportAsk, metrics_report
from registry.metrics.rules import quarter_name, year_to_date
from registry.notify.compose import render_mail
from registry.notify.outbox import Attachment, enqueue
from registry.settings import get_settings

__all__ = ("SCHEDULER", "figure_text", "report_link", "send_quarterly_reports")

SCHEDULER = Viewer(user_id=0, email="scheduler", name="Scheduler", role=Role.ADMIN)
"""Whom the scheduler's reports are worked out as: the whole alliance."""


def figure_text(value: str | None, metric: str) -> str:
    """A published figure as a page or a mail writes it: ``28.6%``, ``42``, ``<5``, ``*``, ``No figure``."""
    if value is None:
        return "No figure"
    if value.startswith("<") or value == RATE_MARK:
        return value
    definition = METRICS.get(metric)
    return shown(float(value), definition.kind if definition else "count")


def report_link(plan: str, period: Period) -> str:
    """The printable report of a plan for a period."""
    return f"{get_settings().base_url}/metrics/report?{urlencode({'plan': plan, 'period': period.label})}"


def _headline(row: IndicatorRow) -> str:
    return f"{row.indicator_code} {row.indicator}: {figure_text(row.value, row.metric)}"


async def send_quarterly_reports(quarter: Period, plans: Sequence[str], k: int = K_DEFAULT) -> int:
    """Queue the quarter's report of each plan to each lead; how many messages were queued now."""
    leads = await User.select(User.email, User.name).where(User.role == Role.LEAD.value).order_by(User.email)
    if not leads:
        return 0
    queued = 0
    for plan in plans:
        rows: list[IndicatorRow] = []
        reports = [await metrics_report(SCHEDULER, ReportAsk(p.label, plan)) for p in (quarter, year_to_date(quarter))]
        for report in reports:
            rows.extend(indicator_rows(report, k))
        headline = indicator_rows(reports[0], k)
        name = quarter_name(quarter)
        attachment = Attachment(f"indicators-{plan}-{name.replace(' ', '-')}.csv", "text/csv", "".join(to_csv(rows)))
        sent_to: list[str] = []
        async with write_tx():
            for lead in leads:
                text, page = render_mail(
                    "quarterly_report", name=lead["name"], plan_name=reports[0].plan_name, quarter=name,
                    start=quarter.start, end=quarter.end, headlines=[_headline(r) for r in headline],
                    legend=LEGEND.format(k=k), link=report_link(plan, quarter),
                )  # fmt: skip
                if await enqueue(
                    lead["email"], f"{reports[0].plan_name}: the figures for {name}", text, page,
                    dedupe_key=f"quarterly-report:{plan}:{quarter.start:%Y-%m-%d}:{lead['email']}",
                    attachment=attachment,
                ):  # fmt: skip
                    sent_to.append(lead["email"])
            if sent_to:
                await audit.record(
                    None, "export", subject="indicators",
                    summary=f"Quarterly report of {plan} for {name} to {len(sent_to)} lead(s)",
                    details={
                        "filters": {"period": quarter.label, "plan": plan, "year_to_date": year_to_date(quarter).label},
                        "format": "csv", "purpose": "quarterly report to the alliance leads", "suppress": k,
                        "rows": len(rows), "recipients": sent_to,
                    },
                )  # fmt: skip
        queued += len(sent_to)
    return queued
