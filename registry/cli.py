"""The ``registry`` command: parse arguments, call the same services the web app uses, print."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from registry.accounts.rules import ROLES, Viewer
from registry.cli_viewer import COMMAND_LINE
from registry.errors import DomainError, Invalid

__all__ = ("main",)


class UsageError(Exception):
    """Bad input on the command line: exit 2 with this message."""


MAX_IMPORT_BYTES = 20 * 1024 * 1024
"""An import file is held in memory while it is checked (all or nothing): larger files are refused at once."""


def _read(path: str) -> str:
    try:
        size = Path(path).stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise UsageError(
                f"{path}: {size / 1024 / 1024:.0f} MB is more than an import takes "
                f"({MAX_IMPORT_BYTES // 1024 // 1024} MB); split the file"
            )
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise UsageError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text (save the spreadsheet as CSV UTF-8)") from exc


async def _migrate(_: argparse.Namespace) -> None:
    from registry import db

    print(await db.migrate())


async def _demo(args: argparse.Namespace) -> None:
    from registry import db, demo

    await db.migrate()
    # On PostgreSQL every query outside a pool opens a connection: the demo's thousands of them took half a
    # minute (seconds in a pool).
    await db.open_pool()
    try:
        if args.if_empty and await demo.has_data():
            print("demo: the database already holds organisations; nothing loaded")
            return
        print(await demo.load())
    finally:
        await db.close_pool()


async def _synth(args: argparse.Namespace) -> None:
    from registry import db, synth

    await db.migrate()
    if args.practitioners < 1:
        raise UsageError("--practitioners must be at least 1")
    print(await synth.synthesise(args.practitioners, args.seed))


async def _users_create(args: argparse.Namespace) -> None:
    from registry.accounts import service

    if args.password_stdin:
        password: str | None = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            raise UsageError("the passwords do not match")
    else:
        raise UsageError("give the password with --password-stdin")
    await service.create_user(args.email, args.name, args.role, args.organisation, password)
    print(f"created {args.role} {args.email.strip().lower()}")


async def _users_invite(args: argparse.Namespace) -> None:
    from registry.accounts import invitations
    from registry.people.tables import Organisation, Practitioner

    if args.email:
        row = await Practitioner.select(Practitioner.id).where(Practitioner.email == args.email.strip().lower()).first()
        if row is None:
            raise UsageError(f"no practitioner with email {args.email}")
        count = await invitations.invite(COMMAND_LINE, practitioner_ids=[row["id"]])
    elif args.organisation:
        org = await Organisation.select(Organisation.id).where(Organisation.code == args.organisation.upper()).first()
        if org is None:
            raise UsageError(f"no organisation with code {args.organisation}")
        count = await invitations.invite(COMMAND_LINE, organisation_id=org["id"])
    else:
        count = await invitations.invite(COMMAND_LINE, everyone=True)
    print(f"{count} invitation(s) sent")


async def _tokens_create(args: argparse.Namespace) -> None:
    from registry.accounts import service

    print(await service.create_api_token(args.email, args.label, args.expires_in_days))


def _when(value: datetime | None) -> str:
    from registry.settings import get_settings

    return value.astimezone(get_settings().zone).strftime("%Y-%m-%d %H:%M") if value else "never"


async def _tokens_list(args: argparse.Namespace) -> None:
    from registry.accounts import api_tokens

    rows = await api_tokens.list_tokens(args.email)
    print("id\temail\tlabel\tcreated\texpires\tlast used")
    for row in rows:
        expires = _when(row.expires_at) + (" (expired)" if row.expired else "")
        print(f"{row.id}\t{row.email}\t{row.label}\t{_when(row.created_at)}\t{expires}\t{_when(row.last_used_at)}")


async def _tokens_revoke(args: argparse.Namespace) -> None:
    from registry.accounts import api_tokens

    count = await api_tokens.revoke(by=COMMAND_LINE.email, token_id=args.id, email=args.email)
    print(f"{count} token(s) revoked")


async def _import(args: argparse.Namespace) -> None:
    from registry.learning import service as learning
    from registry.people import service

    importers: dict[str, Callable[[Viewer, str], Awaitable[Any]]] = {
        "organisations": service.import_organisations,
        "practitioners": service.import_practitioners,
        "learning": learning.import_learning,
    }
    result = await importers[args.kind](COMMAND_LINE, _read(args.file))
    print(f"{args.kind}: {result}")


async def _backup(args: argparse.Namespace) -> None:
    from registry import backup

    print(await asyncio.to_thread(backup.backup, Path(args.file)))


async def _restore(args: argparse.Namespace) -> None:
    from registry import backup

    print(await asyncio.to_thread(backup.restore, Path(args.file)))


async def _secrets_rotate(_: argparse.Namespace) -> None:
    from registry.accounts import sso

    print(f"{await sso.reseal_secrets()} secret(s) re-encrypted under the current secret key")


async def _retention(args: argparse.Namespace) -> None:
    from registry.privacy.service import apply_retention

    report = await apply_retention(dry_run=args.dry_run)
    verb = "would be" if args.dry_run else "were"
    print(f"leavers who left before {report.cutoff.isoformat()}: {len(report.due)} due for erasure")
    for practitioner_id, left_on in report.due:
        print(f"  practitioner {practitioner_id}, left {left_on.isoformat()}")
    if not args.dry_run:
        print(f"{report.erased} erased ({len(report.due) - report.erased} still line-managing someone: next run)")
    print(f"audit entries before {report.audit_cutoff.date().isoformat()}: {report.audit_purged} {verb} deleted")


async def _jobs_run_due(_: argparse.Namespace) -> None:
    from registry import jobs

    for name, result in (await jobs.run_due()).items():
        print(f"{name}: {result}")


def _serve(args: argparse.Namespace) -> None:
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from registry.settings import get_settings

    json_logs = get_settings().log_format == "json"
    uvicorn.run(
        "registry.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        # JSON lines: uvicorn's own lines (the access log among them) go through the app's formatter, with the
        # request id, instead of uvicorn's text format.
        log_config=None if json_logs else LOGGING_CONFIG,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="registry", description="CLD Workforce Registry")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("migrate", help="apply all database migrations (idempotent)").set_defaults(run=_migrate)
    demo = commands.add_parser("demo", help="load the demo alliance (idempotent)")
    demo.add_argument("--if-empty", action="store_true", help="only when the database holds no organisations yet")
    demo.set_defaults(run=_demo)

    synth = commands.add_parser("synth", help="a synthetic alliance at scale, for benchmarks (an empty database only)")
    synth.add_argument("--practitioners", type=int, required=True, metavar="N")
    synth.add_argument("--seed", type=int, default=2018, metavar="S")
    synth.set_defaults(run=_synth)

    serve = commands.add_parser("serve", help="serve the web app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(sync=_serve)

    users = commands.add_parser("users", help="sign-ins").add_subparsers(dest="action", required=True, metavar="ACTION")
    create = users.add_parser("create", help="create a sign-in")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--organisation", metavar="CODE")
    create.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    create.set_defaults(run=_users_create)

    invite = users.add_parser("invite", help="invite practitioners who have no sign-in yet")
    whom = invite.add_mutually_exclusive_group(required=True)
    whom.add_argument("--email")
    whom.add_argument("--organisation", metavar="CODE")
    whom.add_argument("--all", action="store_true")
    invite.set_defaults(run=_users_invite)

    tokens = commands.add_parser("tokens", help="API tokens").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    token = tokens.add_parser("create", help="print a new API token for a user")
    token.add_argument("--email", required=True)
    token.add_argument("--label", default="")
    token.add_argument(
        "--expires-in-days", type=int, default=90, metavar="N", help="the token stops working after N days (90)"
    )
    token.set_defaults(run=_tokens_create)
    listing = tokens.add_parser("list", help="list API tokens (never their secrets)")
    listing.add_argument("--email", help="only this user's tokens")
    listing.set_defaults(run=_tokens_list)
    revoke = tokens.add_parser("revoke", help="revoke API tokens: they answer 401 from now on")
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("--id", type=int, metavar="N", help="the token with this id (see `tokens list`)")
    which.add_argument("--email", help="every token of this user")
    revoke.set_defaults(run=_tokens_revoke)

    jobs = commands.add_parser("jobs", help="scheduled jobs").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    jobs.add_parser("run-due", help="run once every scheduled job that is due now").set_defaults(run=_jobs_run_due)

    secrets = commands.add_parser("secrets", help="integration secrets kept encrypted at rest").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    secrets.add_parser(
        "rotate", help="re-encrypt every stored secret under REGISTRY_SECRET_KEY (after changing it)"
    ).set_defaults(run=_secrets_rotate)

    retention = commands.add_parser(
        "retention", help="erase leavers whose retention is over and old audit entries (REGISTRY_RETENTION_YEARS)"
    )
    retention.add_argument("--dry-run", action="store_true", help="say what would be erased; change nothing")
    retention.set_defaults(run=_retention)

    saved = commands.add_parser("backup", help="a consistent copy of the whole database, while it runs")
    saved.add_argument("file")
    saved.set_defaults(run=_backup)
    back = commands.add_parser("restore", help="put the database back as a backup holds it (stop the app first)")
    back.add_argument("file")
    back.set_defaults(run=_restore)

    imports = commands.add_parser("import", help="import a CSV file, all rows or none")
    imports.add_argument("kind", choices=("organisations", "practitioners", "learning"))
    imports.add_argument("file")
    imports.set_defaults(run=_import)

    from registry.metrics.cli import add_parser as add_metrics_parser

    add_metrics_parser(commands)
    from registry.exports.cli import add_parser as add_export_parser

    add_export_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if hasattr(args, "sync"):
        args.sync(args)
        return 0
    try:
        asyncio.run(args.run(args))
    except Invalid as exc:
        if len(exc.lines) > 1:
            # Every bad row on its own line, then the one-line summary.
            print("\n".join(exc.lines), file=sys.stderr)
            print(f"registry: {exc.detail}", file=sys.stderr)
        else:
            print(f"registry: {exc.lines[0]}", file=sys.stderr)
        return 2
    except (DomainError, UsageError) as exc:
        print(f"registry: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
