"""FeedListWatch on a real file: edits seen by stamp, a broken edit reported once, its fix said;
diff_feeds and FeedListChange (pure)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

import pytest

from feeds.config import FeedSpec
from feeds.watch import FeedListChange, FeedListWatch, diff_feeds, file_stamp


def entry(feed_id: str, interval: int = 60) -> str:
    return f"  - id: {feed_id}\n    url: http://127.0.0.1:9/{feed_id}\n    interval: {interval}\n"


def write(path: Path, *entries: str, comment: str = "") -> None:
    path.write_text(comment + "feeds:\n" + "".join(entries), encoding="utf-8")


class Applied:
    """``apply`` that records each list and answers with its diff to the previous one."""

    def __init__(self, specs: Sequence[FeedSpec]) -> None:
        self.current = tuple(specs)
        self.lists: list[tuple[FeedSpec, ...]] = []

    def __call__(self, specs: Sequence[FeedSpec]) -> FeedListChange:
        change = diff_feeds(self.current, specs)
        self.current = tuple(specs)
        self.lists.append(self.current)
        return change


def messages(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == level]


def test_an_unchanged_file_is_not_read_again(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    write(path, entry("a"))
    watch = FeedListWatch(path, min_interval=1)
    assert [s.id for s in watch.load()] == ["a"]
    assert watch.check() is None
    assert watch.check() is None


def test_edit_break_fix_while_running(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="feeds.watch")
    path = tmp_path / "feeds.yaml"
    write(path, entry("a"), entry("b"))
    watch = FeedListWatch(path, min_interval=1)
    apply = Applied(watch.load())

    # A valid edit: applied, one line saying what changed.
    write(path, entry("a", interval=300), entry("c"))
    assert watch.reload(apply) == FeedListChange(added=("c",), removed=("b",), changed=("a",))
    assert [s.id for s in apply.current] == ["a", "c"]
    assert messages(caplog, logging.INFO) == [
        f"feed list reloaded from {path}: 1 added (c), 1 removed (b), 1 changed (a)"
    ]

    # A broken edit (line 7: interval is not a number): logged with file:line, not applied,
    # and reported once however often the unchanged file is checked.
    write(path, entry("a", interval=300), entry("c"), "  - id: d\n    url: http://x/d\n")
    path.write_text(path.read_text("utf-8") + "    interval: soon\n", encoding="utf-8")
    assert watch.reload(apply) is None
    assert watch.reload(apply) is None
    (error,) = messages(caplog, logging.ERROR)
    assert error.startswith("feed list not reloaded, the previous list keeps running: ")
    assert f"{path}:10:15: feeds[2].interval: " in error
    assert len(apply.lists) == 1

    # Fixed: applied, and the line says the error is gone.
    write(path, entry("a", interval=300), entry("c"), entry("d"))
    assert watch.reload(apply) == FeedListChange(added=("d",))
    assert messages(caplog, logging.INFO)[-1] == (
        f"feed list reloaded from {path}: 1 added (d), 0 removed, 0 changed; "
        "the previous error is fixed"
    )

    # Rewritten with the same feeds (a comment added): applied, nothing to say at INFO.
    write(path, entry("a", interval=300), entry("c"), entry("d"), comment="# desk feeds\n")
    assert watch.reload(apply) == FeedListChange()
    assert len(messages(caplog, logging.INFO)) == 2
    assert messages(caplog, logging.DEBUG)[-1] == f"feed list {path} rewritten, same feeds"


def test_a_fix_back_to_the_running_list_is_still_confirmed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="feeds.watch")
    path = tmp_path / "feeds.yaml"
    write(path, entry("a"))
    watch = FeedListWatch(path, min_interval=1)
    apply = Applied(watch.load())
    path.write_text("feeds:\n  - id: a\n    url: [oops\n", encoding="utf-8")
    assert watch.reload(apply) is None
    write(path, entry("a"))  # the very list that runs: no change, but the error is gone
    assert watch.reload(apply) == FeedListChange()
    assert messages(caplog, logging.INFO)[-1].endswith(
        ": 0 added, 0 removed, 0 changed; the previous error is fixed"
    )


def test_a_deleted_file_is_an_error_once_and_its_return_a_reload(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "feeds.yaml"
    write(path, entry("a"))
    watch = FeedListWatch(path, min_interval=1)
    apply = Applied(watch.load())
    path.unlink()
    assert file_stamp(path) is None
    update = watch.check()
    assert update is not None and update.error is not None
    assert str(update.error).startswith(f"{path}:1:1: cannot read")
    assert watch.check() is None  # still missing: not reported again
    write(path, entry("a"), entry("b"))
    assert watch.reload(apply) == FeedListChange(added=("b",))


def test_a_broken_list_at_start_raises(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds:\n  - id: Bad Id\n    url: http://x/\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"feeds\.yaml:2:\d+: feeds\[0\]\.id"):
        FeedListWatch(path).load()


async def test_follow_reloads_until_stopped(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    write(path, entry("a"))
    watch = FeedListWatch(path, min_interval=1)
    apply = Applied(watch.load())
    stop = asyncio.Event()
    task = asyncio.create_task(watch.follow(apply, stop, every=0.02))
    try:
        write(path, entry("a"), entry("b"))
        async with asyncio.timeout(5):
            while not apply.lists:
                await asyncio.sleep(0.01)
        assert [s.id for s in apply.current] == ["a", "b"]
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=1.0)


# --- pure ------------------------------------------------------------------------------------


def test_diff_feeds_by_id_and_spec() -> None:
    a = FeedSpec(id="a", url="http://x/a")
    b = FeedSpec(id="b", url="http://x/b")
    c = FeedSpec(id="c", url="http://x/c")
    assert diff_feeds([a, b], [a, b]) == FeedListChange()
    assert not diff_feeds([a, b], [b, a])  # order alone is no change
    headers = FeedSpec(id="a", url=a.url, headers=(("Authorization", "Bearer x"),))
    off = FeedSpec(id="b", url=b.url, enabled=False)
    assert diff_feeds([a, b], [c, headers, off]) == FeedListChange(added=("c",), changed=("a", "b"))
    assert diff_feeds([a, b, c], [b]) == FeedListChange(removed=("a", "c"))


def test_describe_names_a_few_ids_and_counts_the_rest() -> None:
    many = tuple(f"feed-{n}" for n in range(7))
    change = FeedListChange(added=many, changed=("x",))
    assert change.describe() == (
        "7 added (feed-0, feed-1, feed-2, feed-3, feed-4, +2 more), 0 removed, 1 changed (x)"
    )
    assert FeedListChange().describe() == "0 added, 0 removed, 0 changed"
