"""RFM segments from SQL equal a naive ranking of the same generated purchases."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from models.marketing import segments
from models.marketing.segments import Segment
from models.store import db, sql
from tests.reports import dataset

WINDOW, NEW = 365, 30


def scores(values: dict[int, object]) -> dict[int, int]:
    """1 + ⌊5·(rank−1)/(n−1)⌋ capped at 5, ties sharing the lowest rank; 3 for one buyer."""
    ordered = sorted(values.values())  # type: ignore[type-var]
    n = len(ordered)
    result = {}
    for member, value in values.items():
        rank = 1 + sum(1 for v in ordered if v < value)  # type: ignore[operator]
        result[member] = 3 if n == 1 else min(5, 1 + 5 * (rank - 1) // (n - 1))
    return result


def naive_segments(rows: dataset.Chunk) -> dict[int, tuple[Segment, int | None, int | None]]:
    now = dataset.NOW
    since = now - timedelta(days=WINDOW)
    freq: Counter[int] = Counter()
    spend: Counter[int] = Counter()
    last: dict[int, datetime] = {}
    for p in rows.purchases:
        if since <= p[12] < now:
            freq[p[1]] += 1
            spend[p[1]] += p[4] - p[10]
            last[p[1]] = max(last.get(p[1], p[12]), p[12])
    r, f = scores(dict(last)), scores(dict(freq))
    scores(dict(spend))
    out: dict[int, tuple[Segment, int | None, int | None]] = {}
    for m in rows.members:
        mid = m[0]
        if m[14] is not None:
            continue
        if m[12] >= now - timedelta(days=NEW):
            seg = Segment.NEW
        elif mid not in freq:
            seg = Segment.INACTIVE
        elif r[mid] >= 4 and f[mid] >= 4:
            seg = Segment.CHAMPIONS
        elif r[mid] >= 3 and f[mid] >= 3:
            seg = Segment.LOYAL
        elif r[mid] >= 4:
            seg = Segment.PROMISING
        elif r[mid] <= 2 and f[mid] >= 3:
            seg = Segment.AT_RISK
        elif r[mid] <= 2:
            seg = Segment.HIBERNATING
        else:
            seg = Segment.NEED_ATTENTION
        out[mid] = (seg, r.get(mid), f.get(mid))
    return out


async def test_segments_match_a_naive_ranking(data: dataset.Chunk) -> None:
    expected = naive_segments(data)
    counts = await segments.segment_counts(window_days=WINDOW, new_days=NEW)
    assert counts == {seg: sum(1 for e in expected.values() if e[0] is seg) for seg in Segment}
    assert counts[Segment.CHAMPIONS] > 0 and counts[Segment.AT_RISK] > 0

    seen: dict[int, tuple[Segment, int | None, int | None]] = {}
    pages = 0
    async for page in segments.iter_segments(chunk_size=37):
        pages += 1
        assert len(page) <= 37
        for row in page:
            seen[row.member_id] = (row.segment, row.recency, row.frequency)
    assert seen == expected
    assert pages >= len(expected) // 37

    at_risk = [
        row.member_id
        async for page in segments.iter_segments(segment=Segment.AT_RISK)
        for row in page
    ]
    assert at_risk == sorted(m for m, e in expected.items() if e[0] is Segment.AT_RISK)
    key, args = segments.segments_message(counts)
    assert key == "reports-segments" and args["at_risk"] == len(at_risk)


async def test_at_risk_audience_is_a_query(data: dataset.Chunk) -> None:
    now = dataset.NOW
    # the data set has no Telegram ids; a marketing audience needs a chat to reach
    await sql.execute(db.connection(), "UPDATE member SET telegram_id = id + 1000000")
    expected = sorted(
        m[0]
        for m in data.members
        if m[14] is None
        and m[5]
        and m[13] is not None
        and now - timedelta(days=90) <= m[13] < now - timedelta(days=14)
    )
    query = segments.at_risk_members(silent_days=14, active_within_days=90)
    assert sorted(await query.values_list("id", flat=True)) == expected
    assert expected
    everyone = segments.at_risk_members(14, 90, reachable_only=False)
    assert await everyone.count() >= len(expected)
