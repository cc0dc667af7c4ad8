"""Scale-out runtime on Apache Kafka: the same components as ``newswatch run``, other wiring.

``newswatch poll`` runs ``feeds.poller.Poller`` with a Kafka producer as its sink; the Faust app in
``agents/`` (``newswatch worker``) dedupes, matches with ``newswatch.alerts.firing.fire`` and
sends through ``newswatch.alerts.notifier.Notifier``; ``newswatch rules publish`` puts validated
rules on a compacted topic the workers follow. Nothing here re-implements feed polling,
matching or sending.

Modules (imported one by one, so the CLI never loads Faust unless it starts a worker):
``config`` (settings, topic names), ``admin`` (creating and checking topics), ``records`` (the
wire form of hits, rules and dead letters), ``producer`` (the poller's sink), ``poll`` (the
``newswatch poll`` runtime), ``publish`` and ``rulefeed`` (publishing and following the rules
topic), ``delivery`` (the idempotent per-(rule, article) delivery steps), ``sending`` (one
delivery round through the shared notifier), ``deadletters`` (reading and replaying parked
alerts), ``reading`` (the bounded read of a topic), ``archive`` (the articles topic as the
archive), ``health`` (``kafka check``) and ``metrics`` (Prometheus). The commands are in
``newswatch.cli.kafka``.
"""
