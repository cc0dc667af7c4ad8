"""Builders shared by the alert tests: an Arabic/Russian rule, article and hit, a settable
clock and small Apprise YAML configs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from newswatch.alerts.message import Alert, build_alert
from newswatch.article import Article
from newswatch.matching.hits import Hit, Mention
from newswatch.rules.condition import Any as AnyEntity
from newswatch.rules.model import Entity, EntityKind, Rule, Severity

LAVROV_AR = "سيرغي لافروف"
SYRIA_AR = "بسوريا"
AR_TITLE = f"{LAVROV_AR} يصل إلى دمشق"
AR_SUMMARY = "وكالات"
AR_CONTENT = (
    "أعلنت وزارة الخارجية الروسية اليوم أن الوزير "
    f"{LAVROV_AR} سيعقد محادثات {SYRIA_AR} مع نظيره حول الوضع الإنساني والسياسي، "
    "وأضافت أن الزيارة تستمر يومين وتشمل لقاءات مع ممثلين عن الأمم المتحدة ومنظمات إغاثة "
    "تعمل في المنطقة منذ سنوات طويلة."
)


class Clock:
    """A clock the test moves by hand (no sleeping)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


def make_rule(
    rule_id: str = "lavrov-syria",
    *,
    title: str = "Lavrov on Syria",
    severity: Severity = Severity.HIGH,
    notify: tuple[str, ...] = (),
) -> Rule:
    return Rule(
        id=rule_id,
        version="3",
        title=title,
        condition=AnyEntity(),
        entities=(
            Entity("lavrov", EntityKind.PERSON, (LAVROV_AR, "Лавров"), canonical="Sergey Lavrov"),
            Entity("syria", EntityKind.PLACE, (SYRIA_AR, "Сирия")),
        ),
        severity=severity,
        notify=notify,
    )


def make_article(article_id: str = "a1", **changes: Any) -> Article:
    values: dict[str, Any] = {
        "id": article_id,
        "feed": "rt-arabic",
        "url": f"https://arabic.example.org/news/{article_id}",
        "title": AR_TITLE,
        "summary": AR_SUMMARY,
        "content": AR_CONTENT,
        "language": "ar",
        "published": datetime(2026, 3, 1, 14, 30, tzinfo=timezone(timedelta(hours=3))),
    }
    values.update(changes)
    return Article(**values)


def mention(article: Article, entity: str, surface: str, field: str, nth: int = 0) -> Mention:
    text = dict(article.text_fields)[field]
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Mention(entity, surface, surface, field, start, start + len(surface))


def make_hit(rule: Rule, article: Article, *mentions: Mention) -> Hit:
    if not mentions:
        mentions = (
            mention(article, "lavrov", LAVROV_AR, "title"),
            mention(article, "lavrov", LAVROV_AR, "content"),
            mention(article, "syria", SYRIA_AR, "content"),
        )
    return Hit(rule.id, rule.version, article.id, tuple(mentions))


def json_config(*entries: tuple[str, str | None]) -> str:
    """Apprise YAML with one entry per (url, tags); tags None means an untagged entry."""
    lines = ["version: 1", "urls:"]
    for url, tags in entries:
        if tags is None:
            lines.append(f'  - "{url}"')
        else:
            lines.extend([f'  - "{url}":', f"      tag: {tags}"])
    return "\n".join(lines) + "\n"


def lavrov_alert(article_id: str = "a1", *, notify: tuple[str, ...] = ()) -> Alert:
    """The alert of the Lavrov rule on article ``article_id`` (Arabic text)."""
    rule = make_rule(notify=notify)
    article = make_article(article_id)
    return build_alert(rule, article, make_hit(rule, article))
