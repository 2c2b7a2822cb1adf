"""The keyed seal of a `requests` row: every column the queue, the deadlines and the report read, bound to the
hash of the event the row was folded up to, with the log's key (HMAC-SHA256; the key never enters the database).

An insider who edits a row (a stage set to closed, a due date moved to 2099, a case taken out of the report)
cannot make a seal that holds, because the key is not in the database; one who puts an older, validly sealed
row back is caught by the events recorded after that row's version (workflows/readmodels/guard.py).
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
from collections.abc import Mapping

from engine.adapters.eventstore import EventStore
from engine.adapters.keys import Keyring, KeyringError

# every column but the seal itself: what a row says is all sealed, so nothing shown from it can be edited unseen
SEALED_COLUMNS = (
    "request_id", "agency", "stage", "outcome", "applicant_kind", "applicant_name", "channel", "subject",
    "received_on", "clock_start", "concluded_on", "reply_due", "reply_provisional", "next_due", "next_timer_at", "deadlines",
    "flags", "version", "cases", "procedure",
)


def _plain(value: object) -> object:
    """One form for a value whether it was just computed or read back from SQLite or PostgreSQL."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def seal_material(row: Mapping, stream_hash: str) -> bytes:
    values = [_plain(row[name]) for name in SEALED_COLUMNS]
    return json.dumps([stream_hash, *values], ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class RowSealer:
    """Seals rows with the log's current key; checks a seal with the key it names (`key id:mac`), old keys included."""

    def __init__(self, store: EventStore):
        self.store = store  # its keyring, not a copy: a key rotation takes effect for the seals at once

    @property
    def keyring(self) -> Keyring:
        if self.store.keyring is None:
            raise KeyringError("申请列表的校验印记需要日志的密钥，而本日志没有密钥")
        return self.store.keyring

    def seal(self, row: Mapping, stream_hash: str) -> str:
        return f"{self.keyring.current}:{self.keyring.mac(self.keyring.current, seal_material(row, stream_hash))}"

    def holds(self, row: Mapping, stream_hash: str | None) -> bool:
        if stream_hash is None or not row["seal"]:
            return False
        key_id, _, mac = str(row["seal"]).partition(":")
        try:
            expected = self.keyring.mac(key_id, seal_material(row, stream_hash))
        except KeyringError:  # a key this keyring never held: not a seal ogi made
            return False
        return hmac.compare_digest(expected, mac)
