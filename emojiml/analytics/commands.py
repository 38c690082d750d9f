"""``emojiml report``: the Analytics page's numbers for one workspace, as JSON or one CSV."""

from __future__ import annotations

import argparse


def cmd_report(args: argparse.Namespace) -> int:
    from emojiml.analytics.report import workspace_report

    report = workspace_report(
        args.workspace, channel=args.channel, since=args.since, until=args.until, pivot=args.pivot
    )
    print(report.to_csv() if args.format == "csv" else report.to_json(), end="" if args.format == "csv" else "\n")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """``report``."""
    report = commands.add_parser("report", help="acceptance and engagement tables of a workspace (JSON or CSV)")
    report.add_argument("--workspace", required=True, help="a stored workspace (see `emojiml workspaces`)")
    report.add_argument("--channel", help="only this channel's events (votes are not tied to a channel)")
    report.add_argument("--since", help="first day to include, YYYY-MM-DD (UTC)")
    report.add_argument("--until", help="last day to include, YYYY-MM-DD (UTC)")
    report.add_argument("--pivot", help="before/after split date (default: when the latest model got its first vote)")
    report.add_argument("--format", choices=("json", "csv"), default="json")
    report.set_defaults(func=cmd_report)
