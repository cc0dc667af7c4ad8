"""Embedded mode: pollers → matcher → notifier in one process, no Kafka (``newswatch run``).

``runtime``: the Monitor that wires them; ``rulebook``: the live rule set, reloaded from the
rule files as they change.
"""
