"""Loading the Apprise YAML config: ${ENV} expansion, errors, routing by tag, stable ids."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from newswatch.alerts.targets import Targets, TargetsError, expand_env, plugin_url
from newswatch.redaction import redact
from tests.alerts.builders import json_config

HOOK = "json://127.0.0.1:9/hooks"


def routed(targets: Targets, *tags: str) -> set[str]:
    return {t.display for t in targets.select(tags)}


def test_tags_route_alerts_to_their_targets() -> None:
    targets = Targets.from_text(
        json_config(
            (f"{HOOK}/desk", "desk, Email"),
            (f"{HOOK}/ops", "ops"),
            (f"{HOOK}/default", "default"),
            (f"{HOOK}/untagged", None),
            (f"{HOOK}/always", "always"),
        ),
        environ={},
    )
    assert len(targets) == 5
    all_ = "json://127.0.0.1:9/hooks/always"
    assert routed(targets, "ops") == {"json://127.0.0.1:9/hooks/ops", all_}
    assert routed(targets, "email") == {"json://127.0.0.1:9/hooks/desk", all_}
    assert routed(targets, "DESK", "ops") == {
        "json://127.0.0.1:9/hooks/desk",
        "json://127.0.0.1:9/hooks/ops",
        all_,
    }
    # Rules without notify tags carry "default": tagged-default and untagged targets get them.
    assert routed(targets, "default") == {
        "json://127.0.0.1:9/hooks/default",
        "json://127.0.0.1:9/hooks/untagged",
        all_,
    }
    assert routed(targets, "nobody") == {all_}
    pairs = targets.for_tags(["ops"])
    assert [target_id for target_id, _ in pairs] == [t.id for t in targets.select(["ops"])]
    assert all(plugin_url(plugin, privacy=True).startswith("json://") for _, plugin in pairs)


def test_env_references_are_expanded_with_defaults_and_escapes(tmp_path: Path) -> None:
    config = tmp_path / "apprise.yaml"
    config.write_text(
        "version: 1\n"
        "urls:\n"
        "  - json://${HOOK_HOST}:${HOOK_PORT:-8080}/${HOOK_PATH:-fallback}/$$literal:\n"
        "      tag: ${HOOK_TAG:-desk}\n",
        encoding="utf-8",
    )
    environ = {"HOOK_HOST": "127.0.0.1", "HOOK_PATH": ""}
    [target] = Targets.load(config, environ=environ)
    # ${HOOK_PATH:-…} takes the default for an empty variable as well as for a missing one.
    assert plugin_url(target.plugin, privacy=False).startswith(
        "json://127.0.0.1:8080/fallback/$literal"
    )
    assert target.tags == {"desk"}
    assert Targets.load(config, environ=environ).get(target.id) is not None

    assert expand_env("a${X}b${Y:-z}$$", {"X": "1"}, where="w") == ("a1bz$", ["1"])


def test_a_password_with_url_characters_arrives_intact() -> None:
    password = "p@ss:w/rd?#1"
    [target] = Targets.from_text(
        "urls:\n  - mailto://desk:${SMTP_PASSWORD}@127.0.0.1:2525"
        "?from=nw@example.org&to=desk@example.org:\n"
        "      tag: email\n",
        environ={"SMTP_PASSWORD": password},
    )
    # Inside a URL the value is percent-encoded, so Apprise splits the URL where it should.
    assert target.plugin.password == password
    assert target.plugin.host == "127.0.0.1" and target.plugin.port == 2525


def test_a_whole_url_may_come_from_one_variable() -> None:
    [target] = Targets.from_text(
        "urls:\n  - ${DESK_URL}\n", environ={"DESK_URL": "json://127.0.0.1:9/from-env"}
    )
    assert plugin_url(target.plugin, privacy=False).startswith("json://127.0.0.1:9/from-env")
    # The whole URL is the secret (think of a webhook with its token in the path).
    assert target.display == "json://***"


def test_missing_variables_are_named_with_file_and_line_but_no_values(tmp_path: Path) -> None:
    config = tmp_path / "apprise.yaml"
    config.write_text(
        "version: 1\n"
        "urls:\n"
        "  - json://user:${HOOK_PASSWORD}@127.0.0.1:9/${HOOK_PATH}:\n"
        "      tag: desk\n"
        "  - mailto://desk:${SMTP_PASSWORD}@127.0.0.1:25?to=${SMTP_TO}:\n"
        "      tag: email\n",
        encoding="utf-8",
    )
    environ = {"HOOK_PASSWORD": "hunter2-value", "SMTP_TO": "desk@example.org"}
    with pytest.raises(TargetsError) as caught:
        Targets.load(config, environ=environ)
    message = str(caught.value)
    assert str(config) in message
    assert "HOOK_PATH (line 3)" in message and "SMTP_PASSWORD (line 5)" in message
    assert "hunter2-value" not in message and "desk@example.org" not in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("urls: [ 'json://a\n  - : :", "not valid YAML at line"),
        ("- json://127.0.0.1/x\n", "not an Apprise YAML config"),
        ("version: 2\nurls: []\n", "version"),
        ("include: other.yaml\n", "include"),
        ("urls: json://127.0.0.1/x\n", "must be a list"),
        ("urls:\n  - json://127.0.0.1/ok\n  - jsno://127.0.0.1/typo\n", "urls entry 2 (line 3)"),
        ("urls:\n  - json://x/${bad name}\n", "malformed"),
    ],
)
def test_unusable_configs_are_clear_errors(text: str, expected: str) -> None:
    with pytest.raises(TargetsError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        Targets.from_text(text, source="apprise.yaml", environ={})


def test_unknown_scheme_error_names_the_scheme() -> None:
    with pytest.raises(TargetsError, match="scheme 'jsno'"):
        Targets.from_text("urls:\n  - jsno://127.0.0.1/typo\n", environ={})


def test_no_config_means_console_only(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert not Targets.load(None)
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing yet\n", encoding="utf-8")
    assert not Targets.load(empty)
    assert not Targets.from_text("version: 1\n", environ={})
    with caplog.at_level(logging.WARNING):
        missing = Targets.load(tmp_path / "absent.yaml")
    assert not missing and len(missing) == 0
    assert "console only" in caplog.text


def test_ids_are_stable_secret_free_and_the_same_url_is_one_target() -> None:
    token = "tok-4c1d-secret-9a"
    text = (
        "urls:\n"
        "  - json://hook:${TOKEN}@127.0.0.1:9/a?+X-Token=${TOKEN}:\n"
        "      tag: desk\n"
        "  - json://127.0.0.1:9/b:\n"
        "      tag: desk\n"
        "  - json://hook:${TOKEN}@127.0.0.1:9/a?+X-Token=${TOKEN}:\n"
        "      tag: email\n"
    )
    first = Targets.from_text(text, environ={"TOKEN": token})
    second = Targets.from_text(text, environ={"TOKEN": token})
    assert [t.id for t in first] == [t.id for t in second]
    assert len(first) == 2  # the repeated URL is one endpoint...
    a, b = first
    assert a.tags == {"desk", "email"}  # ...with the tags of both entries
    assert a.id != b.id and a.id.startswith("json-")
    for target in first:
        assert token not in target.id and token not in target.display
        assert "X-Token" not in target.display  # Apprise would show header values
    assert a.display == "json://hook:****@127.0.0.1:9/a"
    # The id does not depend on the secret's value (nothing to guess it from, and a rotated
    # token keeps the held deliveries of its target)...
    rotated = Targets.from_text(text, environ={"TOKEN": "tok-rotated-value"})
    assert [t.id for t in rotated] == [t.id for t in first]
    # ...but on everything else in the URL.
    moved = Targets.from_text(text.replace(":9/a", ":9/c"), environ={"TOKEN": token})
    assert moved.get(a.id) is None and moved.get(b.id) is not None


def test_env_values_are_masked_in_text_and_in_apprise_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "sk-live-77aa88bb"
    caplog.set_level(logging.DEBUG)
    Targets.from_text(
        "urls:\n  - json://127.0.0.1:9/x?+Authorization=Bearer%20${API_KEY}:\n      tag: a\n",
        environ={"API_KEY": secret},
    )
    assert redact(f"key is {secret}.") == "key is ***."
    # Apprise logged the loaded URL (with the header) at DEBUG level: masked.
    assert "Loaded URL" in caplog.text and "***" in caplog.text
    assert secret not in caplog.text
