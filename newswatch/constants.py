"""The names and defaults of everything newswatch stores or reads by name: state files, the
state directory, topics, the default locations of rules, feeds and the Apprise config.

One module, imported by every layer and importing nothing of newswatch, so the runtime, the
Kafka pollers and the command line agree on where a thing is without importing one another.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

__all__ = [
    "ARCHIVE_FILENAME",
    "ARTICLES_TOPIC",
    "DEAD_LETTERS_TOPIC",
    "DEFAULT_APPRISE",
    "DEFAULT_ARCHIVE_MAX_AGE",
    "DEFAULT_ARCHIVE_MAX_ARTICLES",
    "DEFAULT_FEEDS",
    "DEFAULT_PARTITIONS",
    "DEFAULT_ROUTES",
    "DEFAULT_RULES",
    "DEFAULT_STATE_DIR",
    "DEFAULT_TAG",
    "DEFAULT_TOPIC_PREFIX",
    "DEFAULT_WORKER_DATA",
    "FEED_STATE_FILENAME",
    "HITS_TOPIC",
    "INBOX_TOPIC",
    "MATCHED_TOPIC",
    "OPS_RULE_ID",
    "OUTBOX_FILENAME",
    "RULES_TOPIC",
    "STORIES_FILENAME",
]

# --- the state directory (embedded monitor and pollers) ------------------------------------

DEFAULT_STATE_DIR = Path("var/state")
# Seen entries and feed health: the same name for ``run`` and ``poll``, so a desk moving from
# one to the other keeps its history.
FEED_STATE_FILENAME = "feeds.sqlite3"
OUTBOX_FILENAME = "outbox.sqlite3"  # alerts queued, sent and held for retry
ARCHIVE_FILENAME = "archive.sqlite3"  # recent articles, for rules test / diff / explain
STORIES_FILENAME = "stories.sqlite3"  # which story each recent article joined, and why
DEFAULT_ARCHIVE_MAX_ARTICLES = 200_000
DEFAULT_ARCHIVE_MAX_AGE = timedelta(days=30)

# --- what an operator points newswatch at ----------------------------------------------------

DEFAULT_RULES = Path("rules")
DEFAULT_FEEDS = Path(__file__).resolve().parent.parent / "feeds" / "feeds.yaml"  # shipped list
DEFAULT_APPRISE = Path("apprise.yaml")
DEFAULT_ROUTES = Path("routes.yaml")  # the inbox's routing tree (docs/alerts.md); optional
DEFAULT_TAG = "default"  # the Apprise tag of alerts whose rule has no ``notify``
OPS_RULE_ID = "newswatch-ops"  # the rule id of newswatch's own notices (rejected edits)

# --- Kafka (scale-out mode) ----------------------------------------------------------------

DEFAULT_TOPIC_PREFIX = "newswatch."
# Each topic's name is the prefix plus one of these.
ARTICLES_TOPIC = "articles"  # articles from the pollers, keyed by article id
HITS_TOPIC = "hits"  # matches on their way to delivery
MATCHED_TOPIC = "matched"  # one partition: every matched article on its way to story grouping
RULES_TOPIC = "rules"  # compacted: one record per rule id, from ``rules publish``
DEAD_LETTERS_TOPIC = "dead-letters"  # compacted: alerts that kept failing
INBOX_TOPIC = "inbox"  # compacted: the routes file and each silence, for every worker
# Eight partitions of articles and hits: room for eight workers sharing the load, cheap on a
# single broker. The count of an existing topic wins over this (see kafka.admin.ensure_topics).
DEFAULT_PARTITIONS = 8
DEFAULT_WORKER_DATA = Path("var/worker")  # Faust's data directory
