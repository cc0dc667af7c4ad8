"""Smoke test of ``benchmarks/bench_stories.py`` at a tiny size: its ``--json`` output is
well-formed and its figures are sane (no timing thresholds)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

from benchmarks import bench_stories

SCRIPT = Path(bench_stories.__file__)


def test_mix_is_deterministic_and_duplicated() -> None:
    corpus = bench_stories.Corpus(3)
    one = bench_stories.make_mix(120, 3, 0.6, corpus)
    two = bench_stories.make_mix(120, 3, 0.6, bench_stories.Corpus(3))
    assert [(a.id, a.title, a.language) for a in one.articles] == [
        (a.id, a.title, a.language) for a in two.articles
    ]
    assert len(one.articles) == 120
    assert len({a.id for a in one.articles}) == 120
    times = [a.published for a in one.articles]
    assert times == sorted(t for t in times if t is not None)
    assert one.stories > 0 and sum(one.kinds.values()) > 0
    assert one.stories + one.singletons < len(one.articles)  # follow-ups exist


def test_script_json_output_is_sane() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--sizes", "150", "--runs", "2", "--rules", "20", "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    payload = json.loads(done.stdout)
    assert payload["runs"] == 2 and payload["rules"] == 20
    [point] = payload["points"]
    assert point["articles"] == 150
    assert len(point["runs"]["group_ms"]) == len(point["runs"]["match_ms"]) == 2
    assert all(t > 0 for t in point["runs"]["group_ms"] + point["runs"]["match_ms"])
    assert point["group_ms"] > 0 and point["match_ms"] > 0
    assert math.isclose(point["ratio"], point["group_ms"] / point["match_ms"])
    # The mix plants copies: the grouper makes fewer stories than there are articles, and at
    # least one per planted story or singleton it could not tell apart only by chance.
    assert 0 < point["stories"] < point["articles"]
    assert sum(point["signals"].values()) == point["articles"]
    assert point["signals"]["new"] == point["stories"]  # 150 articles: nothing evicted
    assert point["signals"].get("duplicate", 0) > 0
    assert point["peak_rss_mb"] > 0
