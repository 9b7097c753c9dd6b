"""A ``jifen run`` with ``log.format = "json"`` writes nothing but JSON lines, each with
the instance's id, and no member's name (tests/observability has the fields in detail)."""

from __future__ import annotations

import json
import signal

from tests.instances.cluster import Cluster, until

FIELDS = {"time", "level", "logger", "message", "instance"}


async def test_a_run_in_json_writes_only_json_lines_and_no_names(
    cluster: Cluster,
) -> None:
    await cluster.start(1, JIFEN_LOG__FORMAT="json")
    alice = cluster.emu.player(1001, "Alicia Wanderlust")
    await alice.send("/start")
    await until(lambda: any(m.outgoing for m in alice.transcript), 30)
    [instance] = cluster.instances
    instance.process.send_signal(signal.SIGTERM)
    instance.process.wait(timeout=20)
    text = instance.log.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert any("running" in line["message"] for line in lines)
    for line in lines:
        assert set(line) >= FIELDS and line["instance"] == "i0"
    assert "Alicia" not in text and "Wanderlust" not in text
