"""routes.yaml: the tree, inheritance, continue, and problems with file:line:col."""

from __future__ import annotations

from datetime import timedelta

import apprise
import pytest

from newswatch.alerts.message import Alert
from newswatch.inbox.notices import parts_of
from newswatch.inbox.routes import Routes, RoutesError, Subject, load_routes, parse_routes
from newswatch.inbox.split import body_limit

TREE = """\
route:
  receiver: desk
  group_wait: 30s
  routes:
    - match: {severity: critical}
      group_wait: 0s
      receiver: [oncall, desk]
      continue: true
    - match: {tags: [syria], language: [ar, fr]}
      cooldown: 1h
      routes:
        - match: {feed: "tass-*"}
          updates: false
    - match: {rule: "lavrov*"}
      digest: {every: 1h}
"""


def _tree() -> Routes:
    routes, problems = parse_routes(TREE, "routes.yaml", {"desk", "oncall"})
    assert routes is not None and problems == []
    return routes


def test_children_inherit_and_override() -> None:
    routes = _tree()
    syria = routes.route("root.1")
    tass = routes.route("root.1.0")
    assert syria is not None and tass is not None
    assert syria.settings.group_wait == timedelta(seconds=30)  # from the root
    assert tass.settings.cooldown == timedelta(hours=1)  # from its parent
    assert tass.settings.updates is False and syria.settings.updates is True
    assert tass.settings.receivers == ("desk",)


@pytest.mark.parametrize(
    ("subject", "leaves"),
    [
        (Subject("x", "critical", ("syria",), "tass-en", "ar"), ["root.0", "root.1.0"]),
        (Subject("x", "high", ("syria",), "bbc", "fr"), ["root.1"]),
        (Subject("x", "high", ("syria",), "bbc", "ru"), ["root"]),
        (Subject("lavrov-syria", "low", (), "bbc", "ru"), ["root.2"]),
        (Subject("x", "critical", (), "", ""), ["root.0"]),
    ],
)
def test_a_notice_descends_to_the_first_matching_child_unless_continue(
    subject: Subject, leaves: list[str]
) -> None:
    assert [r.id for r in _tree().leaves(subject)] == leaves


def test_without_a_file_the_default_is_the_rules_own_tags_at_once() -> None:
    root = Routes.default().root
    assert root.settings.receivers == () and root.settings.group_wait == timedelta(0)
    assert root.settings.updates is False


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("route:\n  group_wait: soon\n", "2:15", "root: group_wait: expected a duration"),
        ("route:\n  routes:\n    - match: {colour: red}\n", "3:15", "match: colour: unknown field"),
        ("route:\n  routes:\n    - match: {severity: urgent}\n", "3:25", "unknown 'urgent'"),
        ("route:\n  quiet: [night]\n", "2:10", "no time interval 'night'"),
        ("route:\n  receiver: pager\n", "2:13", "receiver 'pager': no notification target"),
        ("route:\n  bogus: 1\n", "2:3", "root: bogus: unknown key"),
        (
            "route:\n  digest: {at: '08:00', timezone: Mars/Olympus}\n",
            "2:11",
            "unknown time zone 'Mars/Olympus'",
        ),
        (
            "route:\n  digest: {every: 1h}\n  group_interval: 2h\n",
            "3:19",
            "group_interval (2h) is longer than the digest period (1h)",
        ),
        ("route: [1]\n", "1:1", "route: required (a mapping)"),
        ("route:\n  group_wait: [\n", "3:1", "YAML syntax error"),
    ],
)
def test_problems_say_where(text: str, where: str, message: str) -> None:
    routes, problems = parse_routes(text, "r.yaml", {"desk"})
    assert routes is None
    found = [str(p) for p in problems]
    assert any(p.startswith(f"r.yaml:{where}:") and message in p for p in found), found


def test_load_routes_raises_every_problem(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "routes.yaml"
    path.write_text("route:\n  group_wait: soon\n  cooldown: x\n", encoding="utf-8")
    with pytest.raises(RoutesError) as caught:
        load_routes(path)
    assert len(caught.value.problems) == 2


def test_a_telegram_length_message_is_split_into_parts_none_over_the_limit() -> None:
    plugin = apprise.Apprise.instantiate("tgram://123456789:abcdefg_hijklmnop/12315544/")
    limit = body_limit(plugin)
    assert limit == 4096
    lines = [f"- قصة رقم {n}: وصل وفد إلى أنقرة لبحث التجارة (feed{n}, ar)" for n in range(300)]
    body = "\n".join(lines)
    alert = Alert("k", "r", "1", "a", "[HIGH] Digest: 300 stories", body, ("desk",), "high")
    parts = parts_of(alert, limit)
    assert len(parts) > 1
    assert all(len(p.title) + 1 + len(p.body) <= limit for p in parts)
    assert len({p.key for p in parts}) == len(parts)
    for line in lines:  # every line arrives, whole, in exactly one part
        assert sum(p.body.count(line + "\n") + p.body.endswith(line) for p in parts) >= 1
    assert parts_of(alert, None) == [alert]
