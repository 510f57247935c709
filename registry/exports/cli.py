"""``registry export``: the files that leave the lead's screen, written by the command line (INTERFACE.md)."""

from __future__ import annotations

import argparse

import anyio

from registry.cli_viewer import COMMAND_LINE
from registry.exports import participation
from registry.exports.indicators import export_indicators
from registry.exports.suppression import K_DEFAULT
from registry.metrics.report import ReportAsk

__all__ = ("add_parser",)


def _k(text: str) -> int:
    try:
        k = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 2 <= k <= 100:
        raise argparse.ArgumentTypeError("k must be from 2 to 100")
    return k


async def _indicators(args: argparse.Namespace) -> None:
    ask = ReportAsk(args.period, args.plan, args.organisation, args.local_authority)
    body = await export_indicators(
        COMMAND_LINE, ask, file_format=args.format, purpose=args.purpose or "command line", k=args.suppress
    )
    await anyio.Path(args.output).write_bytes(body)


async def _participation(args: argparse.Namespace) -> None:
    ask = ReportAsk(args.period, None, args.organisation, args.local_authority)
    period, scope = await participation.export_participation(
        COMMAND_LINE, ask, file_format=args.format, purpose=args.purpose or "command line", k=args.suppress
    )
    if args.format == "xlsx":
        await participation.write_xlsx(period, scope, args.suppress, args.output)
        return
    async with await anyio.open_file(args.output, "w", encoding="utf-8", newline="") as out:
        async for line in participation.csv_lines(period, scope, args.suppress):
            await out.write(line)


def _common(command: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    command.add_argument("--period", required=True, help="2025-26 or 2025-04-01..2025-06-30")
    command.add_argument("--format", choices=formats, default=formats[0])
    command.add_argument("--output", required=True, metavar="FILE")
    command.add_argument("--organisation", metavar="CODE", help="only this organisation")
    command.add_argument("--local-authority", metavar="NAME", help="only the organisations in this local authority")
    command.add_argument("--suppress", type=_k, default=K_DEFAULT, metavar="K", help="hide counts under K (5)")
    command.add_argument("--purpose", help="why the file is made (kept in the audit log)")


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``export`` commands (registered by registry.cli)."""
    export = commands.add_parser("export", help="statistics for others, small numbers suppressed (METRICS.md)")
    kinds = export.add_subparsers(dest="export", required=True, metavar="KIND")
    indicators = kinds.add_parser("indicators", help="one row per indicator for a performance system (Pentana)")
    _common(indicators, ("csv", "xml"))
    indicators.add_argument("--plan", metavar="CODE", help="a plan's code (default: the newest active plan)")
    indicators.set_defaults(run=_indicators)
    people = kinds.add_parser("participation", help="attendances, participants, hours and events, suppressed")
    _common(people, ("csv", "xlsx"))
    people.set_defaults(run=_participation)
