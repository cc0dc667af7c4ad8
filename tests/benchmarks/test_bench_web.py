"""Smoke test of ``benchmarks/bench_web.py`` at a tiny size: the page is served on a loopback
port, every page answers, and the ``--json`` output is well-formed (no timing thresholds)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

from benchmarks import bench_web

SCRIPT = Path(bench_web.__file__)
PAGES = {
    "/",
    "/?all=1",
    "/rules",
    "/feeds",
    "/alerts",
    "/silences",
    "/health",
    "/metrics",
    "POST /rules/try",
    "POST /rules/check",
}
DIRECT = {"desk.try_rule_file (direct)", "desk.check_rule_file (direct)"}


def test_nearest_rank() -> None:
    values = [float(v) for v in range(1, 21)]
    assert bench_web.nearest_rank(values, 0.9) == 18.0
    assert bench_web.nearest_rank([5.0], 0.9) == 5.0


def test_script_json_output_is_sane() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--articles", "200", "--runs", "2", "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    payload = json.loads(done.stdout)
    assert payload["articles"] == 200 and payload["rounds"] == 2
    setup = payload["setup"]
    assert setup["archived"] == 200
    assert 0 < setup["articles_with_hits"] <= setup["hits"]
    pages = {p["name"]: p for p in payload["pages"]}
    requested = payload["requested"]
    expected = PAGES | DIRECT | {f"/?rule={requested['rule']}"}
    expected.add(f"/article?id={requested['article']}")
    assert set(pages) == expected
    for name, page in pages.items():
        assert len(page["runs_ms"]) == 2, name
        assert page["median_ms"] > 0 and page["p90_ms"] >= page["median_ms"], name
        assert page["first_ms"] > 0, name
        if name in DIRECT:
            assert page["kind"] == "direct"
        else:
            assert page["kind"] == "http" and page["bytes"] > 0, name
    assert math.isclose(pages["/health"]["vs_health"], 1.0)
