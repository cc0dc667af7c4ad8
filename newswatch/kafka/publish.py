"""``newswatch rules publish DIR``: the rule files, validated, onto the compacted rules topic.

All or nothing: the directory is checked exactly as ``newswatch rules check`` does (schema,
conditions, duplicate ids, each rule's examples run through the real matcher); if anything is an
error, nothing is published. Otherwise every rule becomes one record (key = rule id, value = that
rule's own YAML text), records that would not change are skipped, and the ids on the topic that
the directory no longer has are tombstoned — the directory is the whole truth.

A rule's ``ref:`` entities are written out in full from the entity catalogue (``inline_refs``),
so each record stands alone: workers never need the catalogue files, and the version is the
one ``rules check`` computed (it already hashes the catalogue data the rule uses).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kafka.errors import KafkaError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from newswatch.errors import NewswatchError
from newswatch.kafka.admin import ensure_topics
from newswatch.kafka.config import KafkaSettings
from newswatch.kafka.producer import make_producer
from newswatch.kafka.reading import read_latest
from newswatch.kafka.records import RecordError, RuleRecord
from newswatch.rules.catalogue import Catalogue, inline_refs
from newswatch.rules.loader import CatalogueCache, parse_rules_text
from newswatch.rules.problems import RuleProblem
from newswatch.workflow.check import check_rules

__all__ = ["PublishError", "PublishPlan", "plan_publish", "publish_rules", "rule_records"]

log = logging.getLogger(__name__)


class PublishError(NewswatchError):
    """Nothing was published: the rules are invalid, or Kafka did not take the records."""

    def __init__(self, message: str, problems: tuple[RuleProblem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True, slots=True)
class PublishPlan:
    upserts: tuple[RuleRecord, ...] = ()
    deletes: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    warnings: tuple[RuleProblem, ...] = field(default=())

    @property
    def changes(self) -> int:
        return len(self.upserts) + len(self.deletes)


def _rule_nodes(documents: list[Any]) -> list[CommentedMap]:
    nodes: list[CommentedMap] = []
    for doc in documents:
        if isinstance(doc, CommentedMap) and "rules" in doc and "id" not in doc:
            items = doc["rules"]
            if isinstance(items, CommentedSeq):
                nodes.extend(item for item in items if isinstance(item, CommentedMap))
        elif isinstance(doc, CommentedMap):
            nodes.append(doc)
    return nodes


def _split(text: str, catalogue: Catalogue | None = None) -> list[tuple[str, int]]:
    """Each rule of one file as a standalone YAML text (``ref:`` entities written out from
    ``catalogue``), with its line in the file."""
    yaml = YAML(typ="rt")
    yaml.width = 4096  # no re-wrapping of long alias lists
    documents = [d for d in yaml.load_all(text) if d is not None]
    out: list[tuple[str, int]] = []
    for node in _rule_nodes(documents):
        if catalogue is not None:
            inline_refs(node, catalogue)  # an unknown ref fails the re-parse check below
        buffer = io.StringIO()
        yaml.dump(node, buffer)
        out.append((buffer.getvalue(), node.lc.line + 1))
    return out


def rule_records(directory: Path) -> tuple[list[RuleRecord], tuple[RuleProblem, ...]]:
    """One record per valid rule; raises ``PublishError`` if anything is an error."""
    checked = check_rules(directory)
    if checked.errors:
        raise PublishError(
            f"{len(checked.errors)} error(s) in {directory}: nothing published", checked.problems
        )
    wanted = {rule.id: rule for rule in checked.rules}
    base = directory if directory.is_dir() else directory.parent
    # The catalogue each file's refs resolve against, found as check_rules found it.
    catalogues = CatalogueCache(directory if directory.is_dir() else None)
    records: list[RuleRecord] = []
    for file in checked.files:
        path = Path(file)
        source = path.relative_to(base).as_posix() if path.is_relative_to(base) else file
        catalogue = catalogues.for_file(path)
        for text, line in _split(path.read_text(encoding="utf-8"), catalogue):
            parsed, problems = parse_rules_text(text, source)
            # The worker parses exactly this text: it must give back the very rule checked.
            if problems or len(parsed) != 1 or parsed[0].id not in wanted:
                raise PublishError(f"{file}:{line}: a rule does not survive being cut out alone")
            rule = parsed[0]
            if rule.version != wanted[rule.id].version:
                raise PublishError(f"{file}:{line}: rule {rule.id} changes when cut out alone")
            records.append(RuleRecord(rule.id, rule.version, text, source, line))
    if {r.id for r in records} != set(wanted):
        raise PublishError(f"{directory}: could not find every rule's text")
    return records, checked.problems


def plan_publish(records: list[RuleRecord], current: dict[str, RuleRecord | None]) -> PublishPlan:
    """What to write so the topic holds exactly ``records`` (``current``: what it holds now)."""
    upserts, unchanged = [], []
    for record in records:
        now = current.get(record.id)
        if now is not None and now.same_as(record):
            unchanged.append(record.id)
        else:
            upserts.append(record)
    ids = {r.id for r in records}
    deletes = sorted(rule_id for rule_id in current if rule_id not in ids)
    return PublishPlan(tuple(upserts), tuple(deletes), tuple(unchanged))


def _current(settings: KafkaSettings) -> dict[str, RuleRecord | None]:
    current: dict[str, RuleRecord | None] = {}
    for key, record in read_latest(settings, settings.topics.rules).items():
        rule_id = key.decode("utf-8", "replace")
        try:
            current[rule_id] = RuleRecord.from_bytes(record.value)
        except RecordError:
            current[rule_id] = None  # unreadable: overwritten, or tombstoned if not in DIR
    return current


def publish_rules(
    directory: Path, settings: KafkaSettings, *, dry_run: bool = False, timeout: float = 30.0
) -> PublishPlan:
    """Validate ``directory`` and make the rules topic match it; returns what was done."""
    records, problems = rule_records(directory)
    ensure_topics(settings, only=[settings.topics.rules])
    plan = plan_publish(records, _current(settings))
    plan = PublishPlan(plan.upserts, plan.deletes, plan.unchanged, problems)
    if dry_run or not plan.changes:
        return plan
    producer = make_producer(settings, delivery_timeout=timeout, client_id="newswatch-publish")
    topic = settings.topics.rules
    try:
        futures = [producer.send(topic, key=r.key, value=r.to_bytes()) for r in plan.upserts]
        futures += [producer.send(topic, key=i.encode("utf-8"), value=None) for i in plan.deletes]
        producer.flush(timeout=timeout)
        for future in futures:
            future.get(timeout=timeout)
    except KafkaError as exc:
        raise PublishError(f"Kafka did not take the rules: {exc}") from exc
    finally:
        producer.close(timeout=10)
    log.info(
        "published %d rule(s), deleted %d, %d unchanged",
        len(plan.upserts),
        len(plan.deletes),
        len(plan.unchanged),
    )
    return plan
