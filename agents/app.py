"""The worker app for ``faust -A agents.app worker``; settings come from the environment.

``newswatch worker`` builds the same app from its options (``agents.factory.create_app``).
Importing this module reaches Kafka (it creates missing topics and reads their partition count).
"""

from __future__ import annotations

from agents.factory import create_app
from agents.settings import WorkerSettings

worker = create_app(WorkerSettings.from_env())
app = worker.app

__all__ = ["app", "worker"]
