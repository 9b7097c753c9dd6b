"""The ``jifen`` command: run the bot, the sandbox, migrations, doctor and role grants."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.settings import Settings, SettingsError, load_settings
from models.store import db
from observability.logs import configure as configure_logs
from scheduler.leases import instance_id

log = logging.getLogger("jifen")

DEPLOYMENT_ENV = Path("/etc/jifen/jifen.env")
"""Where the install guide puts the service's environment (README, Operations)."""

STORE_COMMANDS = (
    "migrate",
    "doctor",
    "admin",
    "apikey",
    "webhook",
    "events",
    "import",
    "backup",
    "restore",
)
"""Commands that open the database: each says which one, and refuses a new default SQLite
file on a machine whose deployment is configured elsewhere."""


async def _with_store(settings: Settings, work: Callable[[], Awaitable[int]]) -> int:
    await db.open_store(settings.database.url)
    try:
        return await work()
    finally:
        await db.close_store()


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.bot.token.get_secret_value():
        log.warning("JIFEN_BOT__TOKEN is not set: starting the sandbox instead")
        return cmd_sandbox(settings, args)
    from bot.runners import TelegramRefused, run_bot

    try:
        asyncio.run(run_bot(settings))
    except TelegramRefused as refused:
        log.error("%s", refused)
        return 2
    return 0


def cmd_sandbox(settings: Settings, args: argparse.Namespace) -> int:
    from bot.sandbox import run_sandbox

    asyncio.run(
        run_sandbox(
            settings,
            open_browser=getattr(args, "open", False),
            demo=getattr(args, "demo", False),
            season=getattr(args, "demo", False) and not getattr(args, "quick", False),
            port=getattr(args, "port", None),
        )
    )
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    applied = asyncio.run(db.migrate(settings.database.url))
    for name in applied:
        print(f"applied {name}")
    where = _redact(settings.database.url)
    if applied:
        print(f"{len(applied)} migration(s) applied: {where} is up to date")
    else:
        print(f"nothing to apply: {where} was already up to date")
    return 0


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    """``jifen backup PATH``: a consistent snapshot while jifen runs."""
    from models.store import backup

    try:
        done = asyncio.run(backup.backup(settings.database.url, args.path))
    except backup.BackupError as exc:
        print(f"jifen: backup: {exc}", file=sys.stderr)
        return 2
    print(f"backup written: {done.path} ({done.bytes:,} bytes in {done.seconds:.1f} s)")
    return 0


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    """``jifen restore PATH [--force]``: replace the store, migrate forward, run doctor."""
    from models.store import backup

    try:
        done = asyncio.run(backup.restore(settings.database.url, args.path, force=args.force))
    except backup.BackupError as exc:
        print(f"jifen: restore: {exc}", file=sys.stderr)
        return 2
    print(f"restored {done.path} in {done.seconds:.1f} s")
    for name in done.migrations:
        print(f"migrated forward: {name}")

    async def check() -> int:
        problems = await _doctor()
        for problem in problems:
            print(f"doctor: {problem}")
        print("doctor: the ledger is consistent" if not problems else "doctor: PROBLEMS above")
        return 0 if not problems else 1

    return asyncio.run(_with_store(settings, check))


def cmd_makemigrations(settings: Settings, args: argparse.Namespace) -> int:
    from bot.devtools import make_migrations

    return asyncio.run(make_migrations(args.name))


async def _doctor() -> list[object]:
    """Every consistency check: the ledger, the stamp cards, the report roll-up."""
    from models.ledger import doctor
    from models.reports import rollup
    from models.stamps import doctor as stamp_doctor

    return [*await doctor.check(), *await stamp_doctor.check(), *await rollup.check()]


def cmd_doctor(settings: Settings, args: argparse.Namespace) -> int:
    async def work() -> int:
        problems = await _doctor()
        for problem in problems:
            print(problem)
        print(f"{len(problems)} problem(s) found" if problems else "ledger is consistent")
        return 1 if problems else 0

    return asyncio.run(_with_store(settings, work))


def cmd_admin(settings: Settings, args: argparse.Namespace) -> int:
    from models.access import staff
    from models.store.tables import Role

    async def work() -> int:
        if args.action == "grant":
            grant = await staff.grant_role(
                args.telegram_id,
                Role(args.role),
                granted_by=None,
                location=args.location,
                actor_kind="cli",
            )
            print(f"{grant.telegram_id} is now {grant.role.value}")
            return 0
        revoked = await staff.revoke_role(args.telegram_id, revoked_by=None, actor_kind="cli")
        print(f"{args.telegram_id}: role revoked" if revoked else f"{args.telegram_id} had no role")
        return 0 if revoked else 1

    return asyncio.run(_with_store(settings, work))


def cmd_apikey(settings: Settings, args: argparse.Namespace) -> int:
    from models.access import api_keys

    async def work() -> int:
        if args.action == "create":
            created = await api_keys.create(args.name, location=args.location)
            if isinstance(created, api_keys.InvalidKeyName):
                print(f"jifen: invalid key name or location ({created.reason})", file=sys.stderr)
                return 2
            where = f" at {created.location}" if created.location else ""
            print(f"API key {created.prefix} ({created.name}{where}); shown once, keep it safe:")
            print(created.key)
            return 0
        if args.action == "list":
            for row in await api_keys.list_keys():
                state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
                used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
                print(
                    f"{row.prefix}  {state:<18} {row.location or '-':<16} used {used}  {row.name}"
                )
            return 0
        result = await api_keys.revoke(args.prefix)
        if isinstance(result, api_keys.KeyRevoked):
            print(f"{args.prefix}: revoked")
            return 0
        known = isinstance(result, api_keys.AlreadyRevoked)
        print(f"{args.prefix}: {'already revoked' if known else 'no such key'}", file=sys.stderr)
        return 1

    return asyncio.run(_with_store(settings, work))


def cmd_webhook(settings: Settings, args: argparse.Namespace) -> int:
    from bot.webhook_cli import run_webhook_command

    return asyncio.run(_with_store(settings, lambda: run_webhook_command(settings, args)))


def cmd_events(settings: Settings, args: argparse.Namespace) -> int:
    from bot.events_cli import run_events_command

    return asyncio.run(_with_store(settings, lambda: run_events_command(settings, args)))


def cmd_emulator(settings: Settings, args: argparse.Namespace) -> int:
    from bot.emulator_cli import run_emulator_command

    return run_emulator_command(settings, args)


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    """``jifen import members FILE [--dry-run]``: exit 0 all good, 1 some rejected, 2 unreadable."""
    from tqdm import tqdm

    from models import importing
    from models.ledger import rule_versions
    from models.store import clock
    from models.store.tables import RuleVersion

    async def work() -> int:
        if not args.dry_run:
            await rule_versions.ensure_seeded(settings.rules)
        seeded = await RuleVersion.exists()
        rules = (await rule_versions.current())[1] if seeded else settings.rules
        now = clock.now()
        bars: list[tqdm] = []  # opened once the file is read: an unreadable file shows none

        def on_total(total: int) -> None:
            bars.append(tqdm(total=total, unit="row", desc="import", file=sys.stderr))

        try:
            report = await importing.import_members(
                args.file,
                rules=rules,
                default_country=settings.members.default_country,
                timezone=settings.scheduler.timezone,
                now=now,
                dry_run=args.dry_run,
                strict=args.strict,
                on_total=on_total,
                progress=lambda n: bars[0].update(n),
            )
        except importing.FileError as exc:
            print(f"jifen: {args.file}: {exc.code}: {exc.message}", file=sys.stderr)
            return 2
        finally:
            for bar in bars:
                bar.close()
        if report.ignored_columns:
            print(
                f"warning: column(s) ignored: {', '.join(report.ignored_columns)}"
                f" (known: {', '.join(importing.COLUMNS)}; --strict refuses such a file)",
                file=sys.stderr,
            )
        for line, first in report.repeated:
            print(
                f"warning: line {line} repeats line {first} exactly: imported once", file=sys.stderr
            )
        for r in report.rejections:
            print(f"line {r.line}: {r.code}: {r.message}")
        out = report.outcome
        verb = "would be" if args.dry_run else "were"
        print(
            f"{report.rows} row(s): {out.created} new, {out.updated} updated, "
            f"{out.unchanged} unchanged, {len(report.rejections)} rejected; "
            f"opening balances {verb} granted: {out.opening_points} points "
            f"to {out.opening_members} member(s)"
        )
        if report.rejected_file is not None:
            print(f"rejected rows written to {report.rejected_file}")
        return report.exit_code

    return asyncio.run(_with_store(settings, work))


def _redact(url: str) -> str:
    scheme, _, rest = url.partition("://")
    if "@" in rest:
        rest = "***@" + rest.split("@", 1)[1]
    return f"{scheme}://{rest}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jifen", description="jifen: loyalty points with a Telegram bot front end"
    )
    parser.add_argument("--config", type=Path, help="config file (default ./config.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="run the command against the sandbox's database (sandbox.database_url)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="start the bot as configured (sandbox without a token)")
    run.set_defaults(func=cmd_run)

    sandbox = sub.add_parser("sandbox", help="the bot in a browser chat page, no Telegram needed")
    sandbox.add_argument("--open", action="store_true", help="open the page in the browser")
    sandbox.add_argument(
        "--demo",
        action="store_true",
        help="seed six months of history: ~300 members in two shops, campaigns, offers"
        " (once per database; measured and printed)",
    )
    sandbox.add_argument(
        "--quick",
        action="store_true",
        help="with --demo: only the first hour (a catalogue, a campaign, five shoppers)",
    )
    sandbox.add_argument("--port", type=int, help="web page port (default sandbox.port)")
    sandbox.set_defaults(func=cmd_sandbox)

    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(func=cmd_migrate)

    makemigrations = sub.add_parser("makemigrations", help="(developers) write a migration")
    makemigrations.add_argument("--name", help="migration name")
    makemigrations.set_defaults(func=cmd_makemigrations)

    backup = sub.add_parser("backup", help="write a consistent snapshot (while jifen runs)")
    backup.add_argument("path", type=Path, help="the file to write (SQLite copy or pg_dump -Fc)")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="replace the database with a snapshot, check it")
    restore.add_argument("path", type=Path, help="a file written by jifen backup")
    restore.add_argument(
        "--force", action="store_true", help="even when the database already holds members"
    )
    restore.set_defaults(func=cmd_restore)

    doctor = sub.add_parser(
        "doctor",
        help="check balance = entries = lots for every member, and stamp cards = their stamps",
    )
    doctor.set_defaults(func=cmd_doctor)

    admin = sub.add_parser("admin", help="grant or revoke roles")
    admin_sub = admin.add_subparsers(dest="action", required=True, metavar="ACTION")
    grant = admin_sub.add_parser("grant", help="give a Telegram user a role")
    grant.add_argument("telegram_id", type=int, help="numeric Telegram user id")
    grant.add_argument("role", choices=["admin", "marketer", "staff"])
    grant.add_argument("--location", help="shop/location the role is bound to")
    revoke = admin_sub.add_parser("revoke", help="take a Telegram user's role away")
    revoke.add_argument("telegram_id", type=int, help="numeric Telegram user id")
    admin.set_defaults(func=cmd_admin)

    apikey = sub.add_parser("apikey", help="HTTP API keys for a POS or web shop")
    apikey_sub = apikey.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = apikey_sub.add_parser("create", help="make a key and print it once")
    create.add_argument("name", help="what uses it, e.g. 'POS till 1'")
    create.add_argument("--location", help="shop/location its purchases are recorded at")
    apikey_sub.add_parser("list", help="keys with their state and last use (never the secret)")
    revoke_key = apikey_sub.add_parser("revoke", help="stop a key at once")
    revoke_key.add_argument("prefix", help="the 8 characters after jf_")
    apikey.set_defaults(func=cmd_apikey)

    from bot.webhook_cli import add_webhook_parser

    add_webhook_parser(sub).set_defaults(func=cmd_webhook)
    from bot.events_cli import add_events_parser

    add_events_parser(sub).set_defaults(func=cmd_events)
    from bot.emulator_cli import add_emulator_parser

    add_emulator_parser(sub).set_defaults(func=cmd_emulator)

    import_ = sub.add_parser("import", help="bring members over from another system")
    import_sub = import_.add_subparsers(dest="what", required=True, metavar="WHAT")
    import_members = import_sub.add_parser(
        "members", help="members from a CSV/XLSX (exit 0 ok, 1 rows rejected, 2 unreadable)"
    )
    import_members.add_argument(
        "file", type=Path, help="CSV (UTF-8 or GBK/GB18030) or XLSX with a header row"
    )
    import_members.add_argument(
        "--strict",
        action="store_true",
        help="refuse a file with columns jifen does not know (default: ignore them, warn)",
    )
    import_members.add_argument(
        "--dry-run", action="store_true", help="check everything and report, write nothing"
    )
    import_.set_defaults(func=cmd_import)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
    except SettingsError as exc:
        print(f"jifen: {exc}", file=sys.stderr)
        return 2
    configure_logs(
        settings.log.format,
        verbose=args.verbose,
        instance=instance_id(settings.bot.instance_id, settings.bot.listen_port),
    )
    if args.sandbox:
        from bot.sandbox import sandbox_settings

        if args.command == "run":
            return cmd_sandbox(settings, args)
        settings = sandbox_settings(settings)
    if args.command in STORE_COMMANDS:
        refusal = database_refusal(settings)
        if refusal is not None:
            print(f"jifen: {refusal}", file=sys.stderr)
            return 2
        label = " (the sandbox's)" if args.sandbox else ""
        print(f"jifen: database{label}: {_redact(settings.database.url)}", file=sys.stderr)
    return args.func(settings, args)


def database_refusal(settings: Settings) -> str | None:
    """Why a command must not open this database, or None.

    A command run without the service's environment falls back to the default SQLite
    file; on a machine with a deployment (its env file, or webhook mode) that would create
    an empty database and, say, print an API key the service never sees.
    """
    url = settings.database.url
    default = type(settings.database).model_fields["url"].default
    if url != default or not db.is_sqlite(url) or db.sqlite_path(url).exists():
        return None
    if not DEPLOYMENT_ENV.exists() and settings.bot.mode != "webhook":
        return None
    where = DEPLOYMENT_ENV if DEPLOYMENT_ENV.exists() else "bot.mode = webhook"
    return (
        f"no database is configured for this command, and this machine has a deployment"
        f" ({where}): a new empty {url} would be created. Run it with the service's"
        f" environment: sudo -u jifen sh -c 'set -a; . {DEPLOYMENT_ENV}; set +a; jifen ...'"
    )


if __name__ == "__main__":
    sys.exit(main())
