"""``registry export``: the files that leave the lead's screen, written by the command line (INTERFACE.md)."""

from __future__ import annotations

import argparse

import anyio

from registry.cli_viewer import COMMAND_LINE
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


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``export`` commands (registered by registry.cli)."""
    export = commands.add_parser("export", help="statistics for others, small numbers suppressed (METRICS.md)")
    kinds = export.add_subparsers(dest="export", required=True, metavar="KIND")
    indicators = kinds.add_parser("indicators", help="one row per indicator for a performance system (Pentana)")
    indicators.add_argument("--period", required=True, help="2025-26 or 2025-04-01..2025-06-30")
    indicators.add_argument("--format", choices=("csv", "xml"), default="csv")
    indicators.add_argument("--output", required=True, metavar="FILE")
    indicators.add_argument("--plan", metavar="CODE", help="a plan's code (default: the newest active plan)")
    indicators.add_argument("--organisation", metavar="CODE", help="only this organisation")
    indicators.add_argument("--local-authority", metavar="NAME", help="only the organisations in this local authority")
    indicators.add_argument("--suppress", type=_k, default=K_DEFAULT, metavar="K", help="hide counts under K (5)")
    indicators.add_argument("--purpose", help="why the file is made (kept in the audit log)")
    indicators.set_defaults(run=_indicators)
