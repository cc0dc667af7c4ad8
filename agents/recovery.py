"""Faust's table manager, with the end of table recovery made safe for the streams.

When the tables are recovered, Faust (faust-streaming 0.15.3, ``Recovery.on_recovery_completed``)
resumes the stream partitions *before* it seeks them to the committed offsets, while the
consumer is flowing (it was resumed to read the changelogs). Events fetched in that window are
cleared from the agents' queues by the flow-control resume that follows, and the read offsets
they left behind can make the consumer drop the re-fetched copies as already seen: a worker that
took partitions over skipped alerts until its next restart. Holding the consumer's flow until
Faust resumes it (after the seek) closes the window.
"""

from __future__ import annotations

from faust.tables.manager import TableManager
from faust.tables.recovery import Recovery

__all__ = ["SteadyTableManager"]


class _Recovery(Recovery):
    async def on_recovery_completed(self, generation_id: int = 0) -> None:
        # Faust resumes the flow itself once the streams are at their committed offsets; if
        # it returns early (another rebalance began), that rebalance's recovery resumes it.
        self.app.consumer.stop_flow()
        await super().on_recovery_completed(generation_id)


class SteadyTableManager(TableManager):
    """``faust.App(TableManager=...)``: Faust's manager with the recovery above."""

    @property
    def recovery(self) -> Recovery:
        if self._recovery is None:
            self._recovery = _Recovery(self.app, self, beacon=self.beacon, loop=self.loop)
        return self._recovery
