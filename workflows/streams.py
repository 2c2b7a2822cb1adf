"""Stream names of the log and folding a request's stored events into its state (service, report, history alike)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from engine.adapters.eventstore import StoredEvent
from workflows.foi.decide import fold
from workflows.foi.state import RequestState

REQUEST_STREAM = "request/"
CALENDAR_STREAM = "calendar/"
REGISTER_STREAM = "register/"
REPORT_STREAM = "report/"
KEY_STREAM = "log/keys"  # rotations of the log's key (workflows/integrity/audit.py)
INTEGRITY_STREAM = "log/integrity"  # repairs of the read model (workflows/readmodels/guard.py)


def request_stream(request_id: str) -> str:
    return REQUEST_STREAM + request_id


def fold_stored(events: Iterable[StoredEvent]) -> RequestState:
    """Stored events fold as they are: their versions tell which ones a withdrawal names."""
    return fold(events)


def streams_of(events: Iterable[StoredEvent]) -> Iterator[list[StoredEvent]]:
    """Events ordered by stream (then version), cut into one list per stream."""
    current: str | None = None
    batch: list[StoredEvent] = []
    for event in events:
        if event.stream_id != current:
            if batch:
                yield batch
            current, batch = event.stream_id, []
        batch.append(event)
    if batch:
        yield batch
