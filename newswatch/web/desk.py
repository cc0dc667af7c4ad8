"""What the page shows, as frozen types, and ``Desk``: the one interface a runtime gives the
page (``embedded.desk.EmbeddedDesk`` over the running monitor, ``kafka.desk.KafkaDesk``
over the topics). Handlers only call a ``Desk``
method and render its answer, so every page is the same Python API the CLI uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from feeds.config import FeedSpec
from newswatch.alerts.message import Alert
from newswatch.article import Article
from newswatch.inbox.silences import Silence
from newswatch.matching.hits import Hit
from newswatch.web.highlight import Segment
from newswatch.workflow.explain import RuleExplanation

if TYPE_CHECKING:  # types of the adapters' answers only: the page's core imports no adapter
    from feeds.state import FeedHealth
    from newswatch.alerts.outbox import Delivery, OutboxCounts
    from newswatch.workflow.edit import EditCheck, Trial

__all__ = [
    "ArticleCard",
    "ArticlePage",
    "Desk",
    "FeedRow",
    "Filters",
    "OutboxView",
    "Parked",
    "RuleRow",
    "SilencePreview",
    "StoryCard",
]


@dataclass(frozen=True, slots=True)
class Filters:
    rule: str = ""
    language: str = ""
    feed: str = ""
    since: str = ""  # a duration (12h, 7d) or a date; "" for any time
    fired_only: bool = True
    limit: int = 50


@dataclass(frozen=True, slots=True)
class ArticleCard:
    article: Article
    added_at: datetime
    rules: tuple[str, ...]
    title: tuple[Segment, ...]
    summary: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class StoryCard:
    story_id: str
    title: str
    last_added: datetime
    articles: tuple[ArticleCard, ...]
    rules: tuple[str, ...]
    languages: tuple[str, ...]
    feeds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ArticlePage:
    article: Article
    story_id: str
    hits: tuple[Hit, ...]
    title: tuple[Segment, ...]
    summary: tuple[Segment, ...]
    content: tuple[Segment, ...]
    explanations: tuple[RuleExplanation, ...]  # the rules that fired, and one asked about
    rules: tuple[str, ...] = ()  # every live rule, to ask about one


@dataclass(frozen=True, slots=True)
class RuleRow:
    rule_id: str
    title: str
    file: str  # relative to the rules directory
    line: int
    status: str  # active | experimental | disabled
    severity: str
    last_fired: datetime | None
    day: int
    week: int
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedRow:
    spec: FeedSpec
    health: FeedHealth | None


@dataclass(frozen=True, slots=True)
class Parked:
    """An alert the Kafka workers gave up on for one target (a dead letter)."""

    alert: Alert
    target_id: str
    reason: str
    attempts: int
    in_doubt: bool
    parked_at: str


@dataclass(frozen=True, slots=True)
class OutboxView:
    counts: OutboxCounts | None  # None in Kafka mode: the workers keep the delivery records
    held: tuple[Delivery, ...]  # pending or failed, oldest first
    parked: tuple[Parked, ...] = ()  # Kafka's dead letters; none in embedded mode


@dataclass(frozen=True, slots=True)
class SilencePreview:
    silence: Silence
    held: tuple[tuple[Article, tuple[str, ...]], ...]  # articles it would have held, by rule
    scanned: int


class Desk(Protocol):
    saved_note: str  # what a saved rule file does next, shown after Save

    def health(self) -> tuple[bool, dict[str, Any]]: ...

    def metrics(self) -> bytes: ...

    def choices(self) -> dict[str, list[str]]: ...  # rules, languages, feeds for the filters

    def stories(self, filters: Filters) -> list[StoryCard]: ...

    def article(self, article_id: str, rule_id: str = "") -> ArticlePage | None: ...

    def rules(self) -> list[RuleRow]: ...

    def rule_files(self) -> list[str]: ...

    def read_rule_file(self, name: str) -> str: ...

    def check_rule_file(self, name: str, text: str) -> EditCheck: ...

    def try_rule_file(self, name: str, text: str, since: str) -> Trial: ...

    async def save_rule_file(self, name: str, text: str, *, new: bool = False) -> EditCheck: ...

    def feeds(self) -> list[FeedRow]: ...

    async def add_feed(self, url: str, feed_id: str, language: str) -> str: ...

    def outbox(self) -> OutboxView: ...

    async def retry(self) -> str: ...  # what was done, in a sentence

    def silences(self) -> list[Silence]: ...

    def preview_silence(
        self, matchers: list[str], duration: str, author: str, comment: str
    ) -> SilencePreview: ...

    async def add_silence(
        self, matchers: list[str], duration: str, author: str, comment: str
    ) -> Silence: ...

    async def expire_silence(self, silence_id: str) -> Silence | None: ...
