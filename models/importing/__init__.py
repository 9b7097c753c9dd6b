"""``jifen import members FILE``: bring members over from another system.

Each row is checked on its own (:mod:`models.importing.rows`), then against the other
rows (a shared external_id or phone refuses every row involved), then against the store
in batches (:mod:`models.importing.store`). Good rows are written, bad ones reported
with their line and reason and copied to ``FILE.rejected.csv``. Idempotent by
``external_id``: the same file again changes nothing; an opening balance is granted once
per member, as an ``opening`` ledger entry naming the file.

Imports every room below it (all but sandbox).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from models.importing import rows as _rows
from models.importing import store
from models.importing.rows import COLUMNS, FileError, MemberRow, Rejection
from models.ledger.config import RuleSet
from models.store import audit

__all__ = ["COLUMNS", "FileError", "ImportReport", "Rejection", "import_members", "rejected_path"]

BATCH_SIZE = 500


@dataclass
class ImportReport:
    rows: int
    outcome: store.Outcome
    dry_run: bool
    rejected_file: Path | None = None
    rejections: list[Rejection] = field(default_factory=list)
    ignored_columns: tuple[str, ...] = ()
    """Columns jifen does not know, left out (a warning; ``strict`` refuses them)."""
    repeated: tuple[tuple[int, int], ...] = ()
    """``(line, first line)``: rows that repeat an earlier row exactly, imported once."""

    @property
    def exit_code(self) -> int:
        return 1 if self.rejections else 0


def rejected_path(path: Path) -> Path:
    return path.with_name(path.name + ".rejected.csv")


async def import_members(
    path: Path,
    *,
    rules: RuleSet,
    default_country: str,
    timezone: str,
    now: datetime,
    dry_run: bool = False,
    on_total: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    strict: bool = False,
) -> ImportReport:
    """Import ``path``; raises :class:`FileError` when the file cannot be read at all
    (with ``strict``, also when it has columns jifen does not know)."""
    table = _rows.read(path, strict=strict)
    if on_total is not None:
        on_total(len(table.rows))
    today = now.astimezone(ZoneInfo(timezone)).date()
    tiers = tuple(level.key for level in rules.tiers.levels)
    checked = [
        _rows.check(line, cells, default_country=default_country, tiers=tiers, today=today)
        for line, cells in table.rows
    ]
    good = [row for row in checked if isinstance(row, MemberRow)]
    rejected = [row for row in checked if isinstance(row, Rejection)]
    good, twice = _rows.duplicates(good)
    rejected += twice
    if progress is not None and rejected:
        progress(len(rejected))
    ctx = store.Context(
        source=path.name,
        now=now,
        timezone=timezone,
        expiry=rules.expiry,
        default_tier=tiers[0],
    )
    total = store.Outcome()
    for start in range(0, len(good), batch_size):
        batch = good[start : start + batch_size]
        total.add(await store.run(batch, ctx, dry_run=dry_run))
        if progress is not None:
            progress(len(batch))
    rejected += total.rejected
    rejected.sort(key=lambda r: r.line)
    report = ImportReport(
        len(table.rows),
        total,
        dry_run,
        rejections=rejected,
        ignored_columns=table.ignored,
        repeated=table.repeated,
    )
    if dry_run:
        return report
    target = rejected_path(path)
    if rejected:
        _rows.write_rejected(target, table.header, rejected)
        report.rejected_file = target
    else:
        target.unlink(missing_ok=True)  # a stale list from an earlier run would mislead
    if not (total.created or total.updated or total.opening_members):
        return report  # nothing changed, so nothing to audit
    await audit.record(
        "member.import",
        actor_telegram_id=None,
        actor_kind="cli",
        target=f"file:{path.name}"[:128],
        details={
            "rows": report.rows,
            "created": total.created,
            "updated": total.updated,
            "unchanged": total.unchanged,
            "opening_points": total.opening_points,
            "rejected": len(rejected),
        },
    )
    return report
