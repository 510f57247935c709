"""The ``registry`` command: users, tokens, demo and migrate, with exit 2 and one line on bad input."""

from __future__ import annotations

import io
import subprocess
import sys

import anyio.to_thread
import pytest
from litestar.testing import AsyncTestClient

from registry.accounts.tables import ApiToken, User
from registry.cli import main
from registry.demo import DEMO_PASSWORD, DEMO_SIGN_INS
from registry.people.tables import Organisation, Practitioner
from tests.integration.test_sign_in import sign_in
from tests.support import Alliance, StoppedClock, bearer


async def _cli(*args: str, stdin: str = "") -> int:
    def run() -> int:
        saved = sys.stdin
        sys.stdin = io.StringIO(stdin)
        try:
            return main(list(args))
        finally:
            sys.stdin = saved

    return await anyio.to_thread.run_sync(run)


async def test_users_create_then_sign_in(client: AsyncTestClient, alliance: Alliance, capsys) -> None:  # type: ignore[type-arg]
    code = await _cli(
        "users", "create", "--email", "New.Lead@example.org", "--name", "New Lead", "--role", "lead",
        "--password-stdin", stdin="a long enough password\n",
    )  # fmt: skip
    assert code == 0
    assert capsys.readouterr().out.strip() == "created lead new.lead@example.org"
    stored = await User.select(User.password_hash).where(User.email == "new.lead@example.org").first()
    assert stored is not None
    assert stored["password_hash"].startswith("$argon2id$")
    response = await sign_in(client, "new.lead@example.org", "a long enough password")
    assert response.status_code in {302, 303}


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--email", "x@example.org", "--name", "X", "--role", "partner_admin"], "long password ok\n",
         "organisation: a partner admin needs an organisation"),
        (["--email", "x@example.org", "--name", "X", "--role", "lead"], "short\n",
         "password: Password must be 10 characters or more"),
        (["--email", "x@example.org", "--name", "X", "--role", "partner_admin", "--organisation", "NOPE"],
         "long password ok\n", "organisation: no organisation with code NOPE"),
        (["--email", "lead@example.org", "--name", "X", "--role", "lead"], "long password ok\n",
         "a user with email lead@example.org already exists"),
    ],
)  # fmt: skip
async def test_users_create_refuses_bad_input_with_exit_2(
    alliance: Alliance, capsys, args: list[str], stdin: str, message: str
) -> None:
    before = await User.count()
    assert await _cli("users", "create", *args, "--password-stdin", stdin=stdin) == 2
    assert capsys.readouterr().err.strip() == f"registry: {message}"
    assert await User.count() == before


async def test_a_manager_user_manages_by_manager_email(client: AsyncTestClient, alliance: Alliance) -> None:  # type: ignore[type-arg]
    """graham@example.org is the manager sign-in and the manager_email of Eilidh and Ross."""
    response = await client.get("/api/v1/practitioners", headers=bearer(alliance.tokens["manager"]))
    assert {p["email"] for p in response.json()["items"]} == {
        "graham@example.org",
        "eilidh@example.org",
        "ross@example.org",
    }


async def test_tokens_create_prints_only_the_token_and_stores_its_hash(
    client: AsyncTestClient,
    alliance: Alliance,
    capsys,  # type: ignore[type-arg]
) -> None:
    assert await _cli("tokens", "create", "--email", "lead@example.org", "--label", "stats script") == 0
    token = capsys.readouterr().out.strip()
    assert "\n" not in token
    assert len(token) >= 40
    response = await client.get("/api/v1/organisations", headers=bearer(token))
    assert response.status_code == 200
    assert not await ApiToken.exists().where(ApiToken.token_hash == token)
    assert await _cli("tokens", "create", "--email", "nobody@example.org") == 2
    assert capsys.readouterr().err.strip() == "registry: email: no user with email nobody@example.org"


async def test_demo_loads_a_believable_alliance_once(client: AsyncTestClient, capsys, fixed_clock: StoppedClock) -> None:  # type: ignore[type-arg]
    assert await _cli("demo", "--if-empty") == 0
    await _demo_shows_every_indicator_with_a_baseline()
    assert await Organisation.count() == 12
    practitioners = await Practitioner.count()
    assert 140 <= practitioners <= 160
    part_time = await Practitioner.count().where(Practitioner.contract.is_in(["part_time", "sessional"]))
    assert 0.25 <= part_time / practitioners <= 0.45
    assert await Practitioner.count().where(Practitioner.contract == "volunteer") >= 5
    assert await Practitioner.count().where(Practitioner.setting == "school") >= 10
    assert await Organisation.count().where(Organisation.kind == "local_authority") == 4
    assert await _cli("demo", "--if-empty") == 0
    assert "nothing loaded" in capsys.readouterr().out
    assert await _cli("demo") == 0
    assert await Practitioner.count() == practitioners
    for demo in DEMO_SIGN_INS:
        response = await sign_in(client, demo.email, DEMO_PASSWORD)
        assert response.status_code in {302, 303}, demo.role
        client.cookies.clear()


async def _demo_shows_every_indicator_with_a_baseline() -> None:
    """Issue 13: the demo has data in this financial year and the one before, so that the dashboard shows all
    eleven indicators against a baseline; CLD Plan 2024–27 (the default, being the newest) has targets."""
    from registry.cli_viewer import COMMAND_LINE
    from registry.metrics.report import ReportAsk, metrics_report

    report = await metrics_report(COMMAND_LINE, ReportAsk())
    assert (report.plan, report.period.label, report.baseline.label) == ("CLD-2024-27", "2026-27", "2025-26")
    assert len(report.indicators) == 11
    assert all(i.value is not None and i.baseline_value for i in report.indicators), report.indicators
    assert {i.code for i in report.indicators if i.target is not None} == {"A2", "B1", "C1", "D3"}
    strategy = await metrics_report(COMMAND_LINE, ReportAsk(plan="CLD-2018-21"))
    assert [i.value for i in strategy.indicators] == [i.value for i in report.indicators]


def test_the_console_script_and_python_m_work() -> None:
    result = subprocess.run([sys.executable, "-m", "registry", "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    for command in ("migrate", "serve", "demo", "users", "tokens", "import"):
        assert command in result.stdout
    unknown = subprocess.run(
        [sys.executable, "-m", "registry", "frobnicate"], capture_output=True, text=True, check=False
    )
    assert unknown.returncode == 2


async def test_migrate_is_idempotent(capsys) -> None:
    assert await _cli("migrate") == 0
    assert await _cli("migrate") == 0
    assert "No migrations need to be run" in capsys.readouterr().out
