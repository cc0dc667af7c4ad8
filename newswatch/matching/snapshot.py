"""One consistent rule set and its matcher: what both runtimes and the dry run match with.

A live rule set (the embedded ``RuleBook``, the workers' ``RulesFollower``) replaces its
snapshot whole when the rules change and never mutates one, so an article matched while a
reload runs sees either the old rules or the new ones, never a mix.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from newswatch.matching.matcher import Matcher
from newswatch.rules.model import Rule

__all__ = ["RuleSnapshot"]


@dataclass(frozen=True, slots=True)
class RuleSnapshot:
    matcher: Matcher
    rules: dict[str, Rule] = field(default_factory=dict)

    @classmethod
    def of(cls, rules: Iterable[Rule]) -> RuleSnapshot:
        by_id = {rule.id: rule for rule in rules}
        return cls(Matcher(by_id.values()), by_id)

    @classmethod
    def empty(cls) -> RuleSnapshot:
        return cls(Matcher(()), {})
