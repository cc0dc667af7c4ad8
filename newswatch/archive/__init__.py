"""Recent articles kept so rule edits can be tried on what already came in (``base``: the
interface; ``sqlite``: the embedded store; the Kafka reader is ``kafka.archive``)."""
