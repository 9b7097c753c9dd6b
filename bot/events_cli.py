"""``jifen events replay TYPE --since DATE``: apply an event rule added later to the past.

Kept out of ``bot/cli.py`` so that file only wires the subcommand in. The replay itself is
``models.ledger.events.replay`` (idempotent: a second run awards nothing more).
"""

from __future__ import annotations

import argparse
import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.settings import Settings
from models.ledger import events
from models.ledger.config import EVENT_TYPE_PATTERN


def _event_type(text: str) -> str:
    if not re.fullmatch(EVENT_TYPE_PATTERN, text):
        raise argparse.ArgumentTypeError(f"not an event type: {text!r} (e.g. review.written)")
    return text


def add_events_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``events`` subcommand and its actions."""
    parser = sub.add_parser("events", help="events other systems reported (POST /events)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    replay = actions.add_parser(
        "replay", help="award stored no_rule events of TYPE by the rule in force now"
    )
    replay.add_argument("type", type=_event_type, help="the event type, e.g. review.written")
    replay.add_argument(
        "--since",
        type=date.fromisoformat,
        required=True,
        help="YYYY-MM-DD: events received from this local day on",
    )
    return parser


async def run_events_command(settings: Settings, args: argparse.Namespace) -> int:
    tz = settings.scheduler.timezone
    since = datetime(args.since.year, args.since.month, args.since.day, tzinfo=ZoneInfo(tz))
    done = await events.replay(args.type, since, tz=tz)
    print(
        f"{args.type}: {done.awarded} awarded ({done.points} points), {done.capped} capped,"
        f" {done.no_rule} still without a rule"
    )
    return 0
