"""The append-only event log on SQLAlchemy, with a hash chain per stream and one over the whole log.

Each row's `stream_hash` covers its content and the previous event of its stream; `log_hash` chains
every row in `seq` order, and `log_head` holds the last `seq` and `log_hash`, so a changed, inserted,
reordered or deleted event (a whole request's included) breaks a chain that `verify` recomputes.
Appends lock `log_head`, which gives one total order; a stale expected version raises a conflict,
and the (stream_id, version) uniqueness constraint stops a racing writer that slipped past the check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from engine.adapters.database import metadata
from engine.adapters.keys import Keyring, KeyringError
from engine.errors import ConcurrencyConflict
from engine.events import NewEvent

GENESIS = "0" * 64
SCHEMA_VERSION = 1

events_table = Table(
    "events",
    metadata,
    # on SQLite an INTEGER primary key is the row id itself: no second index written per event
    Column("seq", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False),
    Column("stream_id", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("type", String(64), nullable=False),
    Column("occurred_at", DateTime, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("payload", Text, nullable=False),
    Column("stream_hash", String(64), nullable=False),
    Column("log_hash", String(64), nullable=False),
    # the key both hashes were made with ("": an unkeyed row written before keys, SHA-256 only); the key is not here
    Column("key_id", String(16), nullable=False, server_default=""),
    # where the write came from, beside the actor: the operating-system user and host of a CLI process ("" unknown)
    Column("origin", String(200), nullable=False, server_default=""),
    UniqueConstraint("stream_id", "version", name="uq_events_stream_version"),
)

log_head_table = Table(
    "log_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("log_hash", String(64), nullable=False),
    # moved by every change to data that processes cache (calendar years, published reports): a transaction that
    # holds the head knows from it, without another query, whether its caches still hold
    Column("reference_version", Integer, nullable=False, server_default="0"),
)


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    stream_id: str
    version: int
    type: str
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    actor: str
    schema_version: int
    payload: dict
    stream_hash: str
    log_hash: str
    origin: str = ""


@dataclass(frozen=True)
class LogHead:
    """The log head as locked by the current transaction."""

    seq: int
    log_hash: str
    reference_version: int


@dataclass(frozen=True)
class StreamAppend:
    """Events for one stream, written only if the stream is still at `expected_version`."""

    stream_id: str
    expected_version: int
    events: Sequence[NewEvent]
    actor: str
    # the stream's last hash, when the caller read the stream in this transaction: saves reading it again
    # (a writer that slipped in between is still stopped by the (stream_id, version) uniqueness constraint)
    previous_hash: str | None = None


# Statements on the hot path, built once (building them per call costs more than running them on SQLite).
_LOCK_HEAD = select(log_head_table).where(log_head_table.c.id == 1).with_for_update()
_MOVE_HEAD = (update(log_head_table).where(log_head_table.c.id == 1)
              .values(seq=bindparam("new_seq"), log_hash=bindparam("new_hash")))
_BUMP_REFERENCE = (update(log_head_table).where(log_head_table.c.id == 1)
                   .values(reference_version=log_head_table.c.reference_version + 1))
_READ_REFERENCE = select(log_head_table.c.reference_version).where(log_head_table.c.id == 1)
_HEAD_KEY = "ogi.log_head"  # in Connection.info: (transaction, LogHead) of the transaction that locked it
_REFERENCE_KEY = "ogi.reference_version"  # (transaction, version) read without a lock
_STREAM_HEAD = (select(events_table.c.version, events_table.c.stream_hash)
                .where(events_table.c.stream_id == bindparam("stream"))
                .order_by(events_table.c.version.desc()).limit(1))
_READ_STREAM = select(events_table).where(events_table.c.stream_id == bindparam("stream")).order_by(events_table.c.version)


def canonical_json(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def event_material(previous: str, stream_id: str, version: int, type_: str, occurred_at: dt.datetime,
                   recorded_at: dt.datetime, actor: str, schema_version: int, payload_text: str,
                   origin: str = "") -> bytes:
    fields = [previous, stream_id, version, type_, occurred_at.isoformat(), recorded_at.isoformat(), actor,
              schema_version, payload_text]
    if origin:  # rows without one hash as they always did
        fields.append(origin)
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def event_hash(previous: str, stream_id: str, version: int, type_: str, occurred_at: dt.datetime,
               recorded_at: dt.datetime, actor: str, schema_version: int, payload_text: str) -> str:
    """The unkeyed hash of rows written before keys (key_id ""), and what an insider without the key can compute."""
    return hashlib.sha256(event_material(previous, stream_id, version, type_, occurred_at, recorded_at, actor,
                                         schema_version, payload_text)).hexdigest()


def chain_material(previous_log_hash: str, seq: int, stream_hash: str) -> bytes:
    return f"{previous_log_hash}|{seq}|{stream_hash}".encode()


def chain_hash(previous_log_hash: str, seq: int, stream_hash: str) -> str:
    return hashlib.sha256(chain_material(previous_log_hash, seq, stream_hash)).hexdigest()


def _digest(keyring: Keyring | None, key_id: str, material: bytes) -> str:
    if not key_id:
        return hashlib.sha256(material).hexdigest()
    if keyring is None:
        raise KeyringError(f"日志由密钥 {key_id} 签署，但未提供密钥文件：请设置 OGI_SECRET_KEY 或 OGI_KEY_FILE")
    return keyring.mac(key_id, material)


def row_to_event(row) -> StoredEvent:
    return StoredEvent(
        row.seq, row.stream_id, row.version, row.type, row.occurred_at, row.recorded_at, row.actor,
        row.schema_version, json.loads(row.payload), row.stream_hash, row.log_hash, row.origin,
    )


class EventStore:
    """Every call takes the connection of the caller's transaction; the keyring (outside the database) keys the chains.

    Without a keyring the store writes unkeyed rows, as before keys existed (tests of old schemas only).
    """

    def __init__(self, keyring: Keyring | None = None, origin: str = ""):
        self.keyring = keyring
        self.origin = origin[:200]  # stamped on every row this process writes

    def append(self, conn: Connection, batch: StreamAppend, recorded_at: dt.datetime) -> list[StoredEvent]:
        return self.append_many(conn, [batch], recorded_at)

    def append_many(self, conn: Connection, batches: Iterable[StreamAppend], recorded_at: dt.datetime,
                    check_versions: bool = True) -> list[StoredEvent]:
        """Append several streams' events in the caller's transaction under one lock of the log head.

        `check_versions=False` is for the importer, which has checked that its streams are new.
        """
        head = self.lock_head(conn)
        seq, log_hash = head.seq, head.log_hash
        rows: list[dict] = []
        stored: list[StoredEvent] = []
        key = self.keyring.current if self.keyring else ""
        written: dict[str, tuple[int, str]] = {}  # streams appended earlier in this call: not yet in the table
        for batch in batches:
            previous = GENESIS
            if batch.stream_id in written:
                current, previous = written[batch.stream_id]
            elif batch.previous_hash is not None:
                current, previous = batch.expected_version, batch.previous_hash
            elif check_versions:
                current, previous = self._stream_head(conn, batch.stream_id)
            else:
                current = batch.expected_version
            if current != batch.expected_version:
                raise ConcurrencyConflict(
                    f"“{batch.stream_id}”已被他人先行修改（版本 {current}，本次办理基于版本 {batch.expected_version}），"
                    "本次未写入：请刷新页面后重新办理"
                )
            version = batch.expected_version
            for event in batch.events:
                seq += 1
                version += 1
                actor = event.actor or batch.actor
                payload_text = canonical_json(event.payload)
                previous = _digest(self.keyring, key, event_material(
                    previous, batch.stream_id, version, event.type, event.occurred_at, recorded_at, actor, SCHEMA_VERSION,
                    payload_text, self.origin))
                log_hash = _digest(self.keyring, key, chain_material(log_hash, seq, previous))
                rows.append(dict(seq=seq, stream_id=batch.stream_id, version=version, type=event.type,
                                 occurred_at=event.occurred_at, recorded_at=recorded_at, actor=actor,
                                 schema_version=SCHEMA_VERSION, payload=payload_text, stream_hash=previous,
                                 log_hash=log_hash, key_id=key, origin=self.origin))
                stored.append(StoredEvent(seq, batch.stream_id, version, event.type, event.occurred_at, recorded_at,
                                          actor, SCHEMA_VERSION, event.payload, previous, log_hash, self.origin))
            written[batch.stream_id] = (version, previous)
        if not rows:
            return []
        try:
            conn.execute(insert(events_table), rows)
        except IntegrityError as error:
            raise ConcurrencyConflict("他人同时办理了同一申请并先行写入，本次未写入：请刷新页面后重新办理") from error
        conn.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": log_hash})
        self._remember(conn, LogHead(seq, log_hash, head.reference_version))
        return stored

    def lock_head(self, conn: Connection) -> LogHead:
        """Lock the log head until the caller's transaction ends (no other writer appends meanwhile) and return it.

        Read once per transaction: later calls in the same transaction, and its appends, reuse what was read.
        """
        cached = conn.info.get(_HEAD_KEY)
        transaction = conn.get_transaction()
        if cached is not None and cached[0] is transaction:
            return cached[1]
        row = conn.execute(_LOCK_HEAD).first()
        if row is None:
            raise RuntimeError("the log head row is missing: the database was not created by `ogi init`")
        return self._remember(conn, LogHead(row.seq, row.log_hash, row.reference_version))

    def start_write(self, conn: Connection) -> int:
        """Begin a write transaction's work; returns the reference version its caches must match.

        SQLite's BEGIN IMMEDIATE already serialises writers, so the head is read (and kept) now, for free: the
        appends reuse it and the caches need no query. PostgreSQL reads the version without a lock, so commands
        on different requests run side by side until they append; `check_reference` then catches a change.
        """
        if conn.dialect.name == "sqlite":
            return self.lock_head(conn).reference_version
        return self.reference_version(conn)

    def check_reference(self, conn: Connection, seen: int) -> None:
        """After appending (the head is locked): refuse if reference data changed since `start_write`."""
        now = self.lock_head(conn).reference_version
        if now != seen:
            raise ConcurrencyConflict("办理期间工作日历或已发布的年度报告发生了变化，本次未写入：请重新办理")

    def reference_version(self, conn: Connection) -> int:
        """The reference version without locking anything: from the head if this transaction holds it, else read
        once per transaction (a change after that is caught by `check_reference` when appending)."""
        transaction = conn.get_transaction()
        for key in (_HEAD_KEY, _REFERENCE_KEY):
            cached = conn.info.get(key)
            if cached is not None and cached[0] is transaction:
                return cached[1].reference_version if key == _HEAD_KEY else cached[1]
        version = conn.execute(_READ_REFERENCE).scalar_one()
        conn.info[_REFERENCE_KEY] = (conn.get_transaction(), version)
        return version

    def bump_reference_version(self, conn: Connection) -> None:
        """Tell every process that cached reference data (calendar years, publications) changed in this transaction."""
        head = self.lock_head(conn)
        conn.execute(_BUMP_REFERENCE)
        self._remember(conn, LogHead(head.seq, head.log_hash, head.reference_version + 1))

    @staticmethod
    def _remember(conn: Connection, head: LogHead) -> LogHead:
        conn.info[_HEAD_KEY] = (conn.get_transaction(), head)
        return head

    def _stream_head(self, conn: Connection, stream_id: str) -> tuple[int, str]:
        row = conn.execute(_STREAM_HEAD, {"stream": stream_id}).first()
        return (row.version, row.stream_hash) if row else (0, GENESIS)

    def stream_version(self, conn: Connection, stream_id: str) -> int:
        return self._stream_head(conn, stream_id)[0]

    def read_stream(self, conn: Connection, stream_id: str) -> list[StoredEvent]:
        rows = conn.execute(_READ_STREAM, {"stream": stream_id})
        return [row_to_event(r) for r in rows]

    def read_all(self, conn: Connection, prefix: str | None = None) -> Iterator[StoredEvent]:
        query = select(events_table).order_by(events_table.c.seq)
        if prefix:
            query = query.where(events_table.c.stream_id.startswith(prefix, autoescape=True))
        for row in conn.execute(query.execution_options(yield_per=2000)):
            yield row_to_event(row)

    def read_streams(self, conn: Connection, prefix: str) -> Iterator[StoredEvent]:
        """Every event of the streams starting with `prefix`, ordered by stream, then version (for folds per stream)."""
        query = (select(events_table).where(events_table.c.stream_id.startswith(prefix, autoescape=True))
                 .order_by(events_table.c.stream_id, events_table.c.version))
        for row in conn.execute(query.execution_options(yield_per=5000)):
            yield row_to_event(row)

    def stream_ids(self, conn: Connection) -> list[str]:
        return list(conn.execute(select(events_table.c.stream_id).distinct()).scalars())

    def count(self, conn: Connection) -> int:
        return conn.execute(select(func.count()).select_from(events_table)).scalar_one()

    def log_hash_at(self, conn: Connection, seq: int) -> str | None:
        """The log's chain hash after its event `seq` (None when the log holds fewer): what a checkpoint signs."""
        return conn.execute(select(events_table.c.log_hash).where(events_table.c.seq == seq)).scalar()

    def verify(self, conn: Connection) -> AuditResult:
        return verify_log(conn, self.keyring)


@dataclass(frozen=True)
class AuditResult:
    ok: bool
    events_checked: int
    problem: str | None = None  # names the first bad event
    head_hash: str | None = None


def verify_log(conn: Connection, keyring: Keyring | None = None) -> AuditResult:
    """Recompute both chains from the stored rows, each with the key it names; the first row that does not match is reported.

    Unkeyed rows are accepted only before the first keyed one (a log written before keys existed): an unkeyed row
    after it is a row someone rewrote without the key.
    """
    stream_heads: dict[str, tuple[int, str]] = {}
    log_hash, expected_seq, checked, keyed = GENESIS, 0, 0, False
    query = select(events_table).order_by(events_table.c.seq)
    for row in conn.execute(query.execution_options(yield_per=5000)):
        expected_seq += 1
        where = f"event seq {row.seq} ({row.stream_id} v{row.version}, {row.type})"
        if row.seq != expected_seq:
            return AuditResult(False, checked, f"{where}: expected seq {expected_seq}: events before it were deleted or inserted")
        version, previous = stream_heads.get(row.stream_id, (0, GENESIS))
        if row.version != version + 1:
            return AuditResult(False, checked, f"{where}: expected version {version + 1} of {row.stream_id}: events are missing or out of order")
        if keyed and not row.key_id:
            return AuditResult(False, checked, f"{where}: unkeyed after keyed events: rewritten without the key")
        if row.key_id and (keyring is None or row.key_id not in keyring.keys):
            return AuditResult(False, checked, f"{where}: made with key {row.key_id}, which this verifier does not hold "
                                               "(a rewrite with a key of its own, or a retired key missing from the keyring)")
        keyed = keyed or bool(row.key_id)
        recomputed = _digest(keyring, row.key_id, event_material(
            previous, row.stream_id, row.version, row.type, row.occurred_at, row.recorded_at, row.actor,
            row.schema_version, row.payload, row.origin))
        if recomputed != row.stream_hash:
            return AuditResult(False, checked, f"{where}: content does not match its hash (changed after it was written)")
        log_hash = _digest(keyring, row.key_id, chain_material(log_hash, row.seq, row.stream_hash))
        if log_hash != row.log_hash:
            return AuditResult(False, checked, f"{where}: the whole-log chain breaks here (rows reordered or replaced)")
        stream_heads[row.stream_id] = (row.version, row.stream_hash)
        checked += 1
    head = conn.execute(select(log_head_table).where(log_head_table.c.id == 1)).first()
    head_seq, head_hash = (head.seq, head.log_hash) if head else (0, GENESIS)
    if head_seq != expected_seq or head_hash != log_hash:
        return AuditResult(False, checked, f"the log head says {head_seq} events ending in {head_hash[:12]}…, "
                                           f"the rows give {expected_seq} ending in {log_hash[:12]}…: events at the end were deleted or added")
    return AuditResult(True, checked, None, log_hash)
