"""Mail survives the usual faults: a server that accepts the connection and never answers costs one timeout a
run (not one per message), and the app killed with SIGKILL mid-delivery delivers every message on restart,
each at most once more. (A server that is down for the whole run: test_mail.py.)"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller

from registry.notify import outbox
from registry.notify.mail import SmtpBackend
from registry.notify.tables import OutboxMessage
from registry.settings import PROJECT_ROOT
from tests.integration.test_mail import Collector, _free_port
from tests.support import Alliance, TestDatabases

ADDRESSES = ("one@example.org", "two@example.org", "three@example.org")


@pytest.fixture
async def stalled_port() -> AsyncIterator[int]:
    """An SMTP port that accepts every connection and never says a word."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    yield int(server.sockets[0].getsockname()[1])
    for writer in held:
        writer.close()
    server.close()


async def _three_messages() -> None:
    for address in ADDRESSES:
        await outbox.enqueue(address, f"Hello {address}", "Plain text", "<p>Plain text</p>")


def _smtp(port: int, timeout: float = 5.0) -> SmtpBackend:
    return SmtpBackend("127.0.0.1", port, None, None, use_tls=False, start_tls=False, timeout=timeout)


async def _deliver_everything_to_a_working_server() -> Collector:
    collector, port = Collector(), _free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        await OutboxMessage.update({OutboxMessage.next_attempt_at: datetime.now(UTC)}, force=True)
        await outbox.deliver_due(_smtp(port))
        assert (await outbox.deliver_due(_smtp(port))).sent == 0
    finally:
        controller.stop()
    return collector


async def test_a_stalled_server_costs_one_timeout_and_the_rest_of_the_queue_waits(
    alliance: Alliance, stalled_port: int
) -> None:
    await _three_messages()
    report = await outbox.deliver_due(_smtp(stalled_port, timeout=0.5))
    assert (report.sent, report.retrying, report.failed, report.server_down) == (0, 1, 0, True)
    rows = await OutboxMessage.select(OutboxMessage.status, OutboxMessage.attempts, OutboxMessage.last_error)
    assert sorted(r["attempts"] for r in rows) == [0, 0, 1]
    assert {r["status"] for r in rows} == {"pending"}
    [error] = [r["last_error"] for r in rows if r["attempts"]]
    assert "TimeoutError" in error
    collector = await _deliver_everything_to_a_working_server()
    assert sorted(m["To"] for m in collector.messages) == sorted(ADDRESSES)


async def test_killed_mid_delivery_every_message_goes_on_restart_once(
    alliance: Alliance, databases: TestDatabases, stalled_port: int
) -> None:
    await _three_messages()
    env = {
        **os.environ, "REGISTRY_DATABASE_URL": databases.current_url,
        "REGISTRY_MAIL_URL": f"smtp://127.0.0.1:{stalled_port}", "REGISTRY_MAIL_TIMEOUT_SECONDS": "60",
    }  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "registry", "jobs", "run-due", env=env, cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(600):  # until it is handing the first message to the (stalled) server
            if await OutboxMessage.exists().where(OutboxMessage.status == "sending"):
                break
            await asyncio.sleep(0.05)
        else:
            pytest.fail("the delivery never started")
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    assert process.returncode == -signal.SIGKILL
    stuck = await OutboxMessage.select(OutboxMessage.status).where(OutboxMessage.status == "sending")
    assert len(stuck) == 1, "the killed process left its claim behind"
    # A claim older than STALE_CLAIM is taken over by the next run, whichever instance runs it.
    await OutboxMessage.update(
        {OutboxMessage.claimed_at: datetime.now(UTC) - outbox.STALE_CLAIM - timedelta(seconds=1)}, force=True
    ).where(OutboxMessage.status == "sending")
    collector = await _deliver_everything_to_a_working_server()
    # Every message in the outbox (ours, and what the killed run's reminders had queued) arrived exactly once.
    statuses = await OutboxMessage.select(OutboxMessage.status, OutboxMessage.message_id)
    assert {r["status"] for r in statuses} == {"sent"}
    arrived = [m["Message-ID"].strip("<>") for m in collector.messages]
    assert sorted(arrived) == sorted(r["message_id"].strip("<>") for r in statuses)
    assert set(ADDRESSES) <= {m["To"] for m in collector.messages}
