"""The errors newswatch raises for a person to read: one base, ``NewswatchError``, and the few
kinds callers tell apart. ``str(error)`` is the whole message, on one line, naming the file,
feed, target or topic concerned (never a secret); the command line prints it as
``Error: <message>`` and exits 1 (``newswatch.cli.app``), whatever the kind.

Each module keeps its own precise class (``FeedConfigError``, ``OutboxError`` …) for the
callers that need it; each one derives from one of these.
"""

from __future__ import annotations

__all__ = [
    "BrokerError",
    "ConfigError",
    "InputError",
    "NewswatchError",
    "SourceError",
    "StateError",
]


class NewswatchError(Exception):
    """Something newswatch cannot do, said so a person can fix it."""


class ConfigError(NewswatchError, ValueError):
    """A file or setting the operator wrote is invalid: the feed list, the Apprise config, a
    Kafka setting. Fixed by editing it; retrying does not help."""


class InputError(NewswatchError, ValueError):
    """Data that is not what it claims to be: an article, a rule condition, a Kafka record, an
    alert. Skipped or reported where it was read; the rest goes on."""


class StateError(NewswatchError):
    """A state store (outbox, archive, feed state) cannot be opened, read or written."""


class SourceError(NewswatchError):
    """Something outside could not be had: a feed or page fetch, the rules at git HEAD.
    Often passing: the next poll or a retry may work."""


class BrokerError(NewswatchError):
    """Kafka did not do what was asked: topics, producing, reading, replaying."""
