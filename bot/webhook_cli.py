"""``jifen webhook add|list|remove|test``: endpoints for Standard Webhooks (models/webhooks.py).

Kept out of ``bot/cli.py`` so that file only wires the subcommand in. Every change is
audited (actor ``cli``); the secret is printed once by ``add`` and never again.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import Any

from bot.settings import Settings
from models.delivery import webhook_delivery as delivery
from models.delivery import webhooks
from scheduler.webhooks import WebhookWorker

_REFUSED = {
    webhooks.InvalidUrl: lambda r: f"invalid URL ({r.reason}); use http(s)://host/path",
    webhooks.PrivateTarget: lambda r: (
        f"refused: the host resolves to a private address ({r.address}); "
        "set webhooks.allow_private = true to allow it"
    ),
    webhooks.UnresolvableHost: lambda r: f"refused: cannot resolve host {r.host}",
    webhooks.UnknownEventType: lambda r: (
        f"unknown event type(s): {', '.join(r.names) or '(none given)'}; "
        f"known: {', '.join(webhooks.EVENT_TYPES)}"
    ),
}


def add_webhook_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``webhook`` subcommand and its actions."""
    webhook = sub.add_parser("webhook", help="endpoints that receive signed webhooks")
    actions = webhook.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="register a URL; prints its id and secret once")
    add.add_argument("url", help="https://… endpoint that accepts POSTs")
    add.add_argument(
        "--events", help=f"comma-separated types (default: all): {','.join(webhooks.EVENT_TYPES)}"
    )
    actions.add_parser("list", help="endpoints, delivery counts and recent failures")
    remove = actions.add_parser("remove", help="stop sending to an endpoint")
    remove.add_argument("id", type=int)
    test = actions.add_parser("test", help="send a webhook.test event now and show the outcome")
    test.add_argument("id", type=int)
    return webhook


def _error(text: str) -> int:
    print(f"jifen: {text}", file=sys.stderr)
    return 1


async def run_webhook_command(settings: Settings, args: argparse.Namespace) -> int:
    allow_private = settings.webhooks.allow_private
    if args.action == "add":
        events = webhooks.parse_events(args.events)
        if isinstance(events, webhooks.UnknownEventType):
            return _error(_REFUSED[webhooks.UnknownEventType](events))
        added = await webhooks.add(args.url, events=events, allow_private=allow_private)
        if not isinstance(added, webhooks.EndpointAdded):
            return _error(_REFUSED[type(added)](added))
        print(f"webhook {added.endpoint_id} for {', '.join(added.events or ('all events',))}")
        print("signing secret (shown once, keep it safe):")
        print(added.secret)
        return 0
    if args.action == "list":
        return _list(await webhooks.list_endpoints())
    if args.action == "remove":
        removed = await webhooks.remove(args.id)
        if isinstance(removed, webhooks.UnknownEndpoint):
            return _error(f"no webhook {args.id}")
        print(f"webhook {args.id} removed ({removed.cancelled} pending deliveries cancelled)")
        return 0
    return await _test(settings, args.id)


def _list(rows: list[webhooks.EndpointSummary]) -> int:
    if not rows:
        print("no webhooks; add one with: jifen webhook add URL")
    for row in rows:
        events = ",".join(row.events) if row.events else "all events"
        print(
            f"{row.endpoint_id}  {row.url}  [{events}]  delivered {row.delivered}"
            f"  pending {row.pending}  failed {row.failed}"
        )
        for failure in row.recent_failures:
            when = f"{failure.at:%Y-%m-%d %H:%M}" if failure.at else "-"
            print(f"    failed {when}  {failure.event_type}  {failure.msg_id}  {failure.error}")
    return 0


async def _test(settings: Settings, endpoint_id: int) -> int:
    queued = await webhooks.queue_test(endpoint_id)
    if isinstance(queued, webhooks.UnknownEndpoint):
        return _error(f"no webhook {endpoint_id}")
    worker = WebhookWorker(settings.webhooks, config_admins=tuple(settings.access.admins))
    try:
        claimed = await delivery.claim_due(1, timedelta(minutes=1), delivery_id=queued.delivery_id)
        if not claimed:  # the bot's worker took it first
            print(f"{queued.msg_id}: queued; the running bot delivers it")
            return 0
        outcome = await worker.deliver(claimed[0])
    finally:
        await worker.close()
    took = f"{outcome.seconds * 1000:.0f} ms"
    if outcome.ok:
        print(f"{queued.msg_id}: delivered, HTTP {outcome.status} in {took}")
        return 0
    print(f"{queued.msg_id}: failed ({outcome.error}) after {took}; it will be retried")
    return 1
