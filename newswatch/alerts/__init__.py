"""Alerts: the message for a hit, Apprise targets, the durable outbox and the notifier.

Modules (imported one by one so that e.g. the Kafka runtime can build alerts without loading
Apprise): ``message`` (``Alert``, ``build_alert``), ``targets`` (``Targets``), ``outbox``
(``Outbox``), ``notifier`` (``Notifier``) and ``cli`` (the ``newswatch alerts`` commands).
"""
