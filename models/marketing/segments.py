"""RFM segments of members, and the at-risk audience for win-back broadcasts.

Scores (1–5) are ranked quintiles over the members who bought within the window
(``window_days``, default a year): recency by last purchase, frequency by purchase count,
monetary by spend net of refunds. For a value ``v`` ranked ``rank`` (ties share the
lowest rank) among ``n`` buyers, ``score = min(5, 1 + ⌊5·(rank−1)/(n−1)⌋)`` (3 for a
single buyer), in integers so both databases agree exactly.

The ranking needs window functions over all buyers once; it is reduced to each score's
smallest value (:class:`RfmThresholds`), so counting and streaming members are plain
aggregates and keyset pages that never hold more than one page in memory.

Segments, first match wins:

=================  ===============================================
new                joined within ``new_days`` (default 30)
inactive           no purchase within the window
champions          R ≥ 4 and F ≥ 4
loyal              R ≥ 3 and F ≥ 3
promising          R ≥ 4 (recent, not yet frequent)
at_risk            R ≤ 2 and F ≥ 3 (were frequent, gone quiet)
hibernating        R ≤ 2 (rare and long ago)
need_attention     the rest (R = 3, F ≤ 2)
=================  ===============================================
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from tortoise.queryset import QuerySet

from models.delivery import classes
from models.delivery.classes import MessageClass
from models.reports.query import Sql, as_int
from models.store import clock
from models.store.tables import Member

WINDOW_DAYS = 365
NEW_DAYS = 30
CHUNK_SIZE = 5000


class Segment(StrEnum):
    CHAMPIONS = "champions"
    LOYAL = "loyal"
    PROMISING = "promising"
    NEED_ATTENTION = "need_attention"
    AT_RISK = "at_risk"
    HIBERNATING = "hibernating"
    NEW = "new"
    INACTIVE = "inactive"


SEGMENT_KEYS: dict[Segment, str] = {
    Segment.CHAMPIONS: "reports-segment-champions",
    Segment.LOYAL: "reports-segment-loyal",
    Segment.PROMISING: "reports-segment-promising",
    Segment.NEED_ATTENTION: "reports-segment-need-attention",
    Segment.AT_RISK: "reports-segment-at-risk",
    Segment.HIBERNATING: "reports-segment-hibernating",
    Segment.NEW: "reports-segment-new",
    Segment.INACTIVE: "reports-segment-inactive",
}
"""The locale key naming each segment (``locales/*/reports.ftl``)."""


@dataclass(frozen=True)
class RfmThresholds:
    """Smallest value that earns each score (score → value), per dimension, at ``now``."""

    now: datetime
    window_start: datetime
    new_since: datetime
    recency: dict[int, Any]
    frequency: dict[int, Any]
    monetary: dict[int, Any]


@dataclass(frozen=True)
class MemberSegment:
    """One member's RFM scores and segment (scores ``None`` without a purchase in the window)."""

    member_id: int
    code: str
    name: str
    language: str
    marketing_opt_in: bool
    purchases: int
    spend_minor: int
    last_purchase_at: datetime | None
    recency: int | None
    frequency: int | None
    monetary: int | None
    segment: Segment


def _score(rank: str) -> str:
    """The integer quintile score of a rank among ``n`` buyers (see the module docstring)."""
    raw = f"5 * ({rank} - 1) / (n - 1)"
    return f"CASE WHEN n = 1 THEN 3 WHEN {raw} >= 4 THEN 5 ELSE 1 + {raw} END"


_SEGMENT_CASE = (
    "CASE WHEN x.created_at >= {new_since} THEN 'new'"
    " WHEN x.f IS NULL THEN 'inactive'"
    " WHEN x.rs >= 4 AND x.fs >= 4 THEN 'champions'"
    " WHEN x.rs >= 3 AND x.fs >= 3 THEN 'loyal'"
    " WHEN x.rs >= 4 THEN 'promising'"
    " WHEN x.rs <= 2 AND x.fs >= 3 THEN 'at_risk'"
    " WHEN x.rs <= 2 THEN 'hibernating'"
    " ELSE 'need_attention' END"
)


def _agg(q: Sql, t: RfmThresholds, members: str = "") -> str:
    """Per-member purchases in the window: count, net spend, last purchase."""
    window = q.between("created_at", t.window_start, t.now)
    return (
        "SELECT member_id, COUNT(*) AS f, SUM(amount_minor - refunded_minor) AS m,"
        f" MAX(created_at) AS l FROM purchase WHERE {window}"
        f"{members} GROUP BY member_id"
    )


async def thresholds(*, window_days: int = WINDOW_DAYS, new_days: int = NEW_DAYS) -> RfmThresholds:
    """Rank every buyer in the window once and keep each score's smallest value."""
    now = clock.now()
    t = RfmThresholds(
        now, now - timedelta(days=window_days), now - timedelta(days=new_days), {}, {}, {}
    )
    q = Sql()
    score = _score
    rows = await q.rows(
        f"WITH a AS ({_agg(q, t)}), r AS (SELECT f, m, l, RANK() OVER (ORDER BY f) AS rf,"
        " RANK() OVER (ORDER BY m) AS rm, RANK() OVER (ORDER BY l) AS rl, COUNT(*) OVER () AS n"
        " FROM a)"
        # Times and numbers in separate columns: PostgreSQL's UNION keeps one type per column.
        f" SELECT 'r' AS dim, {score('rl')} AS s, NULL AS v, MIN(l) AS vt FROM r"
        f" GROUP BY {score('rl')}"
        f" UNION ALL SELECT 'f', {score('rf')}, MIN(f), NULL FROM r GROUP BY {score('rf')}"
        f" UNION ALL SELECT 'm', {score('rm')}, MIN(m), NULL FROM r GROUP BY {score('rm')}"
    )
    dims = {"r": t.recency, "f": t.frequency, "m": t.monetary}
    for row in rows:
        value = row["vt"] if row["dim"] == "r" else row["v"]
        dims[str(row["dim"])][as_int(row["s"])] = value
    return t


def _score_sql(q: Sql, column: str, cutoffs: dict[int, Any]) -> str:
    if not cutoffs:  # typed: PostgreSQL takes a bare NULL column for text, then `rs >= 4` fails
        return "CAST(NULL AS INTEGER)"
    whens = " ".join(
        f"WHEN {column} >= {q.p(cutoffs[s])} THEN {s}" for s in sorted(cutoffs, reverse=True)
    )
    return f"CASE WHEN {column} IS NULL THEN NULL {whens} ELSE {min(cutoffs)} END"


def _scored(q: Sql, t: RfmThresholds, members: str, member_filter: str) -> str:
    """Members with their aggregates, scores and segment (a subquery named ``s``)."""
    inner = (
        "SELECT mm.id, mm.code, mm.first_name, mm.last_name, mm.language, mm.marketing_opt_in,"
        " mm.created_at, a.f, a.m, a.l,"
        f" {_score_sql(q, 'a.l', t.recency)} AS rs, {_score_sql(q, 'a.f', t.frequency)} AS fs,"
        f" {_score_sql(q, 'a.m', t.monetary)} AS ms"
        f" FROM member mm LEFT JOIN ({_agg(q, t, members)}) a ON a.member_id = mm.id"
        f" WHERE mm.deleted_at IS NULL AND mm.enrolled{member_filter}"
    )
    return (
        f"SELECT x.*, {_SEGMENT_CASE.format(new_since=q.p(t.new_since))} AS segment"
        f" FROM ({inner}) x"
    )


async def segment_counts(
    *, window_days: int = WINDOW_DAYS, new_days: int = NEW_DAYS
) -> dict[Segment, int]:
    """Members (not deleted) per segment; every segment present, zero if empty.

    The score is monotone in the rank, so scoring each buyer from its own rank gives what
    the cutoffs of :func:`thresholds` would, in one pass over purchases (monetary, which
    no segment reads, is not ranked). Buyers are joined to members by primary key; members
    without a purchase in the window are the rest of a plain member count.
    """
    now = clock.now()
    t = RfmThresholds(
        now, now - timedelta(days=window_days), now - timedelta(days=new_days), {}, {}, {}
    )
    q = Sql()
    segment = _SEGMENT_CASE.format(new_since=q.p(t.new_since))
    new = f"CASE WHEN created_at >= {q.p(t.new_since)} THEN 'new' ELSE 'old' END"
    rows = await q.rows(
        f"WITH a AS ({_agg(q, t)}), r AS (SELECT member_id, f,"
        " RANK() OVER (ORDER BY f) AS rf, RANK() OVER (ORDER BY l) AS rl,"
        " COUNT(*) OVER () AS n FROM a)"
        f" SELECT 'buyers' AS who, {segment} AS segment, COUNT(*) AS n FROM"
        f" (SELECT mm.created_at, r.f, {_score('r.rl')} AS rs, {_score('r.rf')} AS fs"
        " FROM r JOIN member mm ON mm.id = r.member_id"
        " WHERE mm.deleted_at IS NULL AND mm.enrolled) x"
        f" GROUP BY {segment}"
        f" UNION ALL SELECT 'members', {new}, COUNT(*) FROM member"
        f" WHERE deleted_at IS NULL AND enrolled GROUP BY {new}"
    )
    buyers = {str(r["segment"]): as_int(r["n"]) for r in rows if r["who"] == "buyers"}
    members = {str(r["segment"]): as_int(r["n"]) for r in rows if r["who"] == "members"}
    found = dict(buyers)
    found["new"] = members.get("new", 0)
    found["inactive"] = members.get("old", 0) - sum(v for k, v in buyers.items() if k != "new")
    return {seg: found.get(seg.value, 0) for seg in Segment}


def segments_message(counts: dict[Segment, int]) -> tuple[str, dict[str, int]]:
    """The locale key and arguments of the segment-count text (``reports-segments``)."""
    return "reports-segments", {seg.value: counts.get(seg, 0) for seg in Segment}


def _parse_ts(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


async def iter_segments(
    *,
    segment: Segment | None = None,
    window_days: int = WINDOW_DAYS,
    new_days: int = NEW_DAYS,
    chunk_size: int = CHUNK_SIZE,
) -> AsyncIterator[list[MemberSegment]]:
    """Pages of (member, scores, segment) by member id, optionally one segment only."""
    t = await thresholds(window_days=window_days, new_days=new_days)
    after = 0
    while True:
        page = Sql()
        ids = await page.rows(
            "SELECT id FROM member WHERE deleted_at IS NULL AND enrolled"
            f" AND id > {page.p(after)}"
            f" ORDER BY id LIMIT {int(chunk_size)}"
        )
        if not ids:
            return
        lo, hi = as_int(ids[0]["id"]), as_int(ids[-1]["id"])
        after = hi
        q = Sql()
        members = f" AND member_id >= {q.p(lo)} AND member_id <= {q.p(hi)}"
        span = f" AND mm.id >= {q.p(lo)} AND mm.id <= {q.p(hi)}"
        where = f" WHERE s.segment = {q.p(segment.value)}" if segment else ""
        rows = await q.rows(
            f"SELECT s.* FROM ({_scored(q, t, members, span)}) s{where} ORDER BY s.id"
        )
        yield [
            MemberSegment(
                member_id=as_int(r["id"]),
                code=str(r["code"]),
                name=" ".join(x for x in (r["first_name"], r["last_name"]) if x) or str(r["code"]),
                language=str(r["language"]),
                marketing_opt_in=bool(r["marketing_opt_in"]),
                purchases=as_int(r["f"]),
                spend_minor=as_int(r["m"]),
                last_purchase_at=_parse_ts(r["l"]),
                recency=None if r["rs"] is None else as_int(r["rs"]),
                frequency=None if r["fs"] is None else as_int(r["fs"]),
                monetary=None if r["ms"] is None else as_int(r["ms"]),
                segment=Segment(str(r["segment"])),
            )
            for r in rows
        ]


def at_risk_members(
    silent_days: int = 60, active_within_days: int = 365, *, reachable_only: bool = True
) -> QuerySet[Member]:
    """Members who bought within ``active_within_days`` but not in the last ``silent_days``.

    A query, not a list: a broadcast takes ``.values_list("id", flat=True)`` or pages it.
    ``reachable_only`` keeps the members a marketing message may reach
    (:func:`models.delivery.classes.audience`).
    """
    now = clock.now()
    query = Member.filter(
        deleted_at=None,
        enrolled=True,
        last_purchase_at__lt=now - timedelta(days=silent_days),
        last_purchase_at__gte=now - timedelta(days=active_within_days),
    )
    if reachable_only:
        query = query.filter(classes.audience(MessageClass.MARKETING))
    return query


async def segments_of(member_ids: list[int], t: RfmThresholds) -> dict[int, Segment]:
    """The segment of each of ``member_ids`` (a page of the console's member list) under
    thresholds ``t``, by the same SQL as :func:`iter_segments`: one query for the batch."""
    if not member_ids:
        return {}
    q = Sql()
    marks = ", ".join(q.p(int(i)) for i in member_ids)
    rows = await q.rows(
        f"SELECT s.id, s.segment FROM"
        f" ({_scored(q, t, f' AND member_id IN ({marks})', f' AND mm.id IN ({marks})')}) s"
    )
    return {as_int(r["id"]): Segment(str(r["segment"])) for r in rows}
