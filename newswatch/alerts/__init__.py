"""Alerts: the message for a hit, firing, Apprise targets, the durable outbox and the notifier.

Modules (imported one by one so that e.g. the Kafka runtime can build alerts without loading
Apprise): ``message`` (``Alert``, ``build_alert``), ``firing`` (``fire``: an article's alerts),
``targets`` (``Targets``), ``outbox`` (``Outbox``) and ``notifier`` (``Notifier``). The
``newswatch alerts`` commands are in ``newswatch.cli.alerts``.
"""
