"""The scheduler: which sweeper runs when. Each job is a service call over the database, safe to run in
every instance and after any restart (APScheduler keeps no state of its own)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from litestar import Litestar

from registry import clock
from registry.accounts import invitations, throttle
from registry.events import needs
from registry.exports.quarterly import send_quarterly_reports
from registry.metrics import snapshots
from registry.notify import digest, outbox, reminders
from registry.people import import_reports
from registry.privacy import service as privacy
from registry.settings import get_settings

__all__ = ("JOBS", "run_due", "scheduler_lifespan")

log = logging.getLogger(__name__)


async def deliver_outbox() -> str:
    report = await outbox.deliver_due()
    return f"{report.sent} sent, {report.retrying} to retry, {report.failed} failed"


async def remind_events() -> str:
    return f"{await reminders.event_reminders()} reminder(s) queued"


async def remind_renewals() -> str:
    return f"{await reminders.renewal_reminders()} reminder(s) queued"


async def request_evaluations() -> str:
    return f"{await reminders.evaluation_requests()} request(s) queued"


async def send_digests() -> str:
    return f"{await digest.weekly_digests()} digest(s) queued"


async def send_password_resets() -> str:
    return f"{await invitations.send_requested_resets()} reset link(s) queued"


async def clean_up_throttle() -> str:
    return f"{await throttle.clean_up()} old attempt(s) deleted"


async def clean_up_import_reports() -> str:
    return f"{await import_reports.clean_up()} import report(s) deleted"


async def clear_access_needs() -> str:
    return f"{await needs.purge(clock.now())} booking(s)' access needs cleared"


async def apply_retention() -> str:
    report = await privacy.apply_retention()
    return f"{report.erased} leaver(s) erased, {report.audit_purged} old audit entr(y/ies) deleted"


async def snapshot_metrics() -> str:
    """Tonight's snapshot of the current periods and, once a quarter has ended, its own and the leads' report."""
    done = []
    for run in await snapshots.run_due():
        done.append(f"{run.snapshots} snapshot(s) of {', '.join(run.periods)}")
        if run.quarter is not None:
            done.append(f"{await send_quarterly_reports(run.quarter, run.plans)} quarterly report(s) queued")
    return "; ".join(done) or "nothing due"


JOBS: dict[str, tuple[Callable[[], Awaitable[str]], dict[str, Any]]] = {
    # Reminders first, so that `run-due` delivers what it has just queued.
    "event_reminders": (remind_events, {"minutes": 15}),
    "renewal_reminders": (remind_renewals, {"hours": 1}),
    "evaluation_requests": (request_evaluations, {"hours": 1}),
    "weekly_digests": (send_digests, {"hours": 6}),
    # Hourly, so that the night's snapshot comes in the first hour of the day and a quarter's report soon after
    # its end; each run that finds the day's (and the quarter's) work done costs two small look-ups.
    "metric_snapshots": (snapshot_metrics, {"hours": 1}),
    # Normally already done right after the request's answer; this sweep catches what a stopped process left.
    "password_resets": (send_password_resets, {"minutes": 1}),
    "throttle_cleanup": (clean_up_throttle, {"hours": 1}),
    # Access and dietary needs are kept a month after the event, then cleared.
    "access_needs_cleanup": (clear_access_needs, {"hours": 1}),
    "import_report_cleanup": (clean_up_import_reports, {"hours": 1}),
    # The retention rule: leavers erased REGISTRY_RETENTION_YEARS after leaving, old audit entries deleted.
    "retention": (apply_retention, {"hours": 6}),
    "deliver_outbox": (deliver_outbox, {"minutes": 1}),
}
"""Job name → (the sweeper, its interval)."""


async def run_due() -> dict[str, str]:
    """Run every job once now (``registry jobs run-due``, for cron and tests)."""
    results = {}
    for name, (job, _) in JOBS.items():
        results[name] = await job()
    return results


async def _logged(name: str, job: Callable[[], Awaitable[str]]) -> None:
    try:
        result = await job()
    except Exception:  # a failing sweep must not stop the scheduler; it runs again at its next interval
        log.exception("scheduled job %s failed", name)
    else:
        log.debug("scheduled job %s: %s", name, result)


@asynccontextmanager
async def scheduler_lifespan(_: Litestar) -> AsyncIterator[None]:
    """Start the sweepers with the app when ``REGISTRY_SCHEDULER=on``."""
    settings = get_settings()
    if not settings.scheduler_enabled:
        yield
        return
    scheduler = AsyncIOScheduler(
        timezone=settings.zone, job_defaults={"coalesce": True, "misfire_grace_time": 300, "max_instances": 1}
    )
    for name, (job, interval) in JOBS.items():
        scheduler.add_job(_logged, "interval", args=[name, job], id=name, name=name, replace_existing=True, **interval)
    scheduler.start()
    log.info("scheduler started: %s", ", ".join(JOBS))
    try:
        yield
    finally:
        scheduler.shutdown(wait=False)
