"""What keeps the page safe (newswatch.web.security): bind address, authentication, CSRF and
the rule editor's confinement to the rules directory."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from newswatch.errors import ConfigError, InputError
from newswatch.web.security import (
    Bind,
    CsrfGuard,
    RulePathError,
    WebAuth,
    WebConfigError,
    check_bind,
    parse_bind,
    rule_file,
)


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"authorization": f"Basic {token}"}


# --- parse_bind and Bind -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "host", "port"),
    [
        ("127.0.0.1:9000", "127.0.0.1", 9000),
        ("0.0.0.0:80", "0.0.0.0", 80),
        (":9001", "127.0.0.1", 9001),
        ("  :9002 ", "127.0.0.1", 9002),
        ("localhost", "localhost", 8080),
        ("[::1]:8080", "::1", 8080),
        ("[::1]", "::1", 8080),
        ("news.example.org:443", "news.example.org", 443),
        ("", "127.0.0.1", 8080),
    ],
)
def test_parse_bind(text: str, host: str, port: int) -> None:
    assert parse_bind(text) == Bind(host, port)


@pytest.mark.parametrize("text", ["nonsense:x", "::1", "a:b:c", "host:", "[::1", "1.2.3.4:-1"])
def test_parse_bind_refuses_bad_text(text: str) -> None:
    with pytest.raises(WebConfigError, match="HOST:PORT"):
        parse_bind(text)


@pytest.mark.parametrize("text", ["127.0.0.1:65536", ":70000", "[::1]:99999"])
def test_parse_bind_refuses_a_port_out_of_range(text: str) -> None:
    with pytest.raises(WebConfigError, match="out of range"):
        parse_bind(text)


def test_web_config_error_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        parse_bind("bad:port")


def test_bind_str_brackets_ipv6() -> None:
    assert str(Bind("::1", 8080)) == "[::1]:8080"
    assert str(Bind("127.0.0.1", 80)) == "127.0.0.1:80"
    assert str(parse_bind(str(Bind("::1", 8443)))) == "[::1]:8443"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.5.6.7", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("news.example.org", False),
        ("localhost.example.org", False),
    ],
)
def test_bind_loopback(host: str, loopback: bool) -> None:
    assert Bind(host, 8080).loopback is loopback


# --- check_bind -------------------------------------------------------------------------


def test_check_bind_passes_on_loopback_without_auth() -> None:
    for host in ("127.0.0.1", "::1", "localhost"):
        check_bind(Bind(host, 8080), WebAuth())


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "news.example.org"])
def test_check_bind_refuses_off_loopback_without_auth(host: str) -> None:
    with pytest.raises(WebConfigError, match="NEWSWATCH_WEB_TOKEN"):
        check_bind(Bind(host, 8080), WebAuth())


def test_check_bind_passes_off_loopback_with_a_token_or_a_proxy_header() -> None:
    check_bind(Bind("0.0.0.0", 8080), WebAuth(token="s3cret"))
    check_bind(Bind("0.0.0.0", 8080), WebAuth(proxy_header="X-Forwarded-User"))


# --- WebAuth ----------------------------------------------------------------------------


def test_without_auth_every_request_is_allowed() -> None:
    auth = WebAuth()
    assert not auth.required
    assert auth.allows({})
    assert auth.allows({"authorization": "Bearer anything"})


def test_basic_with_any_user_and_the_right_password() -> None:
    auth = WebAuth(token="s3cret")
    assert auth.required
    assert auth.allows(basic("analyst", "s3cret"))
    assert auth.allows(basic("", "s3cret"))
    assert auth.allows(basic("someone-else", "s3cret"))


def test_basic_with_a_password_holding_a_colon() -> None:
    auth = WebAuth(token="pa:ss")
    assert auth.allows(basic("analyst", "pa:ss"))
    assert not auth.allows(basic("pa", "ss"))


@pytest.mark.parametrize(
    "headers",
    [
        basic("analyst", "wrong"),
        basic("s3cret", ""),  # the token as the user name is not the password
        {"authorization": "Basic " + base64.b64encode(b"s3cret").decode()},  # no colon
        {"authorization": "Basic !!!not-base64!!!"},
        {"authorization": "Basic " + base64.b64encode(b"\xff\xfe:s3cret").decode()},
        {"authorization": "Bearer wrong"},
        {"authorization": "Bearer "},
        {"authorization": "Token s3cret"},
        {"authorization": "s3cret"},
        {},
    ],
    ids=[
        "wrong-password",
        "token-as-user",
        "no-colon",
        "bad-base64",
        "not-utf8",
        "wrong-bearer",
        "empty-bearer",
        "other-scheme",
        "bare-token",
        "no-header",
    ],
)
def test_requests_without_the_token_are_refused(headers: dict[str, str]) -> None:
    assert not WebAuth(token="s3cret").allows(headers)


def test_bearer_token() -> None:
    auth = WebAuth(token="s3cret")
    assert auth.allows({"authorization": "Bearer s3cret"})
    assert auth.allows({"authorization": "bearer  s3cret "})


def test_proxy_header() -> None:
    auth = WebAuth(proxy_header="X-Forwarded-User")
    assert auth.allows({"x-forwarded-user": "analyst"})
    assert not auth.allows({"x-forwarded-user": "  "})
    assert not auth.allows({})
    # Without a token configured, a Bearer or Basic header proves nothing.
    assert not auth.allows({"authorization": "Bearer anything"})
    assert not auth.allows(basic("analyst", "anything"))


def test_token_and_proxy_header_together_accept_either() -> None:
    auth = WebAuth(token="s3cret", proxy_header="X-Forwarded-User")
    assert auth.allows({"x-forwarded-user": "analyst"})
    assert auth.allows({"authorization": "Bearer s3cret"})
    assert not auth.allows({"authorization": "Bearer wrong"})


def test_from_env() -> None:
    auth = WebAuth.from_env(
        {"NEWSWATCH_WEB_TOKEN": " s3cret ", "NEWSWATCH_WEB_PROXY_HEADER": "X-Forwarded-User"}
    )
    assert auth == WebAuth(token="s3cret", proxy_header="X-Forwarded-User")
    assert WebAuth.from_env({}) == WebAuth()
    # Blank values are no authentication at all (not an empty password that anyone matches).
    blank = WebAuth.from_env({"NEWSWATCH_WEB_TOKEN": "  ", "NEWSWATCH_WEB_PROXY_HEADER": ""})
    assert blank == WebAuth() and not blank.required
    with pytest.raises(WebConfigError):
        check_bind(Bind("0.0.0.0", 8080), blank)


# --- CsrfGuard --------------------------------------------------------------------------


def test_csrf_token_is_valid_for_its_session_only() -> None:
    guard = CsrfGuard(b"k" * 32)
    one, two = CsrfGuard.new_session(), CsrfGuard.new_session()
    assert one != two
    token = guard.token(one)
    assert guard.valid(one, token)
    assert guard.valid(one, f" {token} ")  # as a form field may carry it
    assert not guard.valid(two, token)
    assert not guard.valid(one, guard.token(two))
    assert not guard.valid(one, token[:-1])


def test_csrf_token_is_stable_per_secret_and_differs_across_secrets() -> None:
    session = CsrfGuard.new_session()
    first, same, other = CsrfGuard(b"a" * 32), CsrfGuard(b"a" * 32), CsrfGuard(b"b" * 32)
    assert first.token(session) == same.token(session)
    assert not other.valid(session, first.token(session))
    # Without a secret, each guard draws its own: tokens of one process are not valid in another.
    assert not CsrfGuard().valid(session, CsrfGuard().token(session))


def test_csrf_missing_session_or_token_is_refused() -> None:
    guard = CsrfGuard(b"k" * 32)
    session = CsrfGuard.new_session()
    good = guard.token(session)
    empty_session_token = guard.token("")
    assert not guard.valid(None, good)
    assert not guard.valid(None, empty_session_token)
    assert not guard.valid("", empty_session_token)  # even the token an empty session would get
    assert not guard.valid(session, None)
    assert not guard.valid(session, "")
    assert not guard.valid(None, None)


# --- rule_file --------------------------------------------------------------------------


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    (rules / "sub").mkdir(parents=True)
    (rules / "a.yaml").write_text("id: a\n", encoding="utf-8")
    return rules


def test_rule_file_accepts_names_inside_the_rules_dir(rules_dir: Path) -> None:
    root = rules_dir.resolve()
    assert rule_file(rules_dir, "a.yaml") == root / "a.yaml"
    assert rule_file(rules_dir, "sub/b.yml") == root / "sub" / "b.yml"  # need not exist yet
    assert rule_file(rules_dir, "new/c.YAML") == root / "new" / "c.YAML"


@pytest.mark.parametrize(
    "name",
    [
        "../x.yaml",
        "sub/../../x.yaml",
        "sub/../a.yaml",
        "/etc/x.yaml",
        ".hidden.yaml",
        "sub/.hidden.yaml",
        ".git/x.yaml",
        "x.txt",
        "a.yaml.bak",
        "noext",
        "a\\b.yaml",
        "..\\x.yaml",
        "a\x00.yaml",
        "",
        "   ",
        ".",
    ],
)
def test_rule_file_refuses(rules_dir: Path, name: str) -> None:
    with pytest.raises(RulePathError):
        rule_file(rules_dir, name)


def test_rule_path_error_is_an_input_error(rules_dir: Path) -> None:
    with pytest.raises(InputError):
        rule_file(rules_dir, "../x.yaml")


def test_rule_file_refuses_a_symlink_pointing_outside(rules_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("id: outside\n", encoding="utf-8")
    (rules_dir / "link.yaml").symlink_to(outside)
    with pytest.raises(RulePathError, match="link"):
        rule_file(rules_dir, "link.yaml")


def test_rule_file_refuses_a_symlink_even_inside(rules_dir: Path) -> None:
    (rules_dir / "alias.yaml").symlink_to(rules_dir / "a.yaml")
    with pytest.raises(RulePathError):
        rule_file(rules_dir, "alias.yaml")


def test_rule_file_refuses_a_symlinked_directory_component(rules_dir: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.yaml").write_text("id: x\n", encoding="utf-8")
    (rules_dir / "linked").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(RulePathError):
        rule_file(rules_dir, "linked/x.yaml")
    with pytest.raises(RulePathError):
        rule_file(rules_dir, "linked/new.yaml")  # not created yet: still refused


def test_rule_file_through_a_symlinked_rules_dir_itself(rules_dir: Path, tmp_path: Path) -> None:
    # The rules directory may itself be reached through a link; names inside it are fine.
    link = tmp_path / "rules-link"
    link.symlink_to(rules_dir, target_is_directory=True)
    assert rule_file(link, "a.yaml") == rules_dir.resolve() / "a.yaml"
