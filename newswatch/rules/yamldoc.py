"""YAML documents with positions: parsing (ruamel round-trip, so every node knows its line and
column), plain data for pydantic, and pydantic's errors turned into problems at the right
``file:line:col``. Shared by rule files and catalogue files."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from newswatch.rules.problems import RuleProblem
from newswatch.yamlguard import yaml_limit

__all__ = [
    "is_catalogue",
    "key_pos",
    "plain",
    "schema_problems",
    "value_pos",
    "yaml_documents",
]


def yaml_documents(text: str, source: str) -> tuple[list[Any], list[RuleProblem]]:
    over = yaml_limit(text)  # before anything walks the data: an alias bomb, 5,000 levels
    if over is not None:
        return [], [RuleProblem(source, over.line, over.column, over.message, code="yaml-limit")]
    yaml = YAML(typ="rt")
    try:
        return [d for d in yaml.load_all(text) if d is not None], []
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        problem = RuleProblem(source, line, col, f"YAML syntax error: {message}", code="yaml")
        return [], [problem]
    except YAMLError as exc:
        return [], [RuleProblem(source, 1, 1, f"YAML error: {exc}", code="yaml")]


def is_catalogue(doc: Any) -> bool:
    return isinstance(doc, CommentedMap) and set(doc) == {"entities"}


def plain(node: Any) -> Any:
    """ruamel's round-trip types to plain Python (pydantic and hashing want plain data)."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, str):
        return str(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def value_pos(node: CommentedMap, key: Any) -> tuple[int, int]:
    line, col = node.lc.value(key)
    return line + 1, col + 1


def _locate(root: CommentedMap, loc: tuple[int | str, ...], *, at_key: bool) -> tuple[int, int]:
    """The 1-based position of the node a pydantic error location points at."""
    node: Any = root
    line, col = root.lc.line + 1, root.lc.col + 1
    for depth, part in enumerate(loc):
        last = depth == len(loc) - 1
        if isinstance(node, CommentedMap) and part in node:
            if last and at_key:
                k_line, k_col = node.lc.key(part)
                return k_line + 1, k_col + 1
            line, col = value_pos(node, part)
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            i_line, i_col = node.lc.item(part)
            line, col = i_line + 1, i_col + 1
            node = node[part]
        else:
            break
    return line, col


def _error_code(error: Any) -> str:
    kind = str(error["type"])
    if kind == "missing":
        return "missing-field"
    if kind == "extra_forbidden":
        return "unknown-key"
    return "invalid-value"


def schema_problems(
    exc: ValidationError, node: CommentedMap, source: str, owner: str | None, prefix: str = ""
) -> list[RuleProblem]:
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        line, col = _locate(node, loc, at_key=error["type"] == "extra_forbidden")
        message = _describe(error, prefix)
        problems.append(RuleProblem(source, line, col, message, owner, code=_error_code(error)))
    return problems


def _describe(error: Any, prefix: str = "") -> str:
    loc = prefix + ".".join(str(p) for p in error["loc"])
    kind = error["type"]
    if kind == "missing":
        return f"{loc}: required field is missing"
    if kind == "extra_forbidden":
        return f"{loc}: unknown key"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{loc}: {message}" if loc else message


def key_pos(node: CommentedMap, key: Any) -> tuple[int, int]:
    line, col = node.lc.key(key)
    return line + 1, col + 1
