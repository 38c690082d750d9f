"""The durable workspace store: imported messages and emoji events, and the recommender's feedback.

SQLAlchemy Core over any URL (``settings().database_url``): a SQLite file in WAL mode by default, PostgreSQL
in production. Why Core and not the ORM: imports are bulk inserts of tens of thousands of rows and the readers
want DataFrames, so objects per row would only cost time.

Idempotence and safety come from the schema: every table has a natural unique key and rows are inserted with
``ON CONFLICT DO NOTHING``, so re-importing an export adds nothing and never changes a stored row. An import
writes in transactions of ``WRITE_BATCH`` rows, so it holds SQLite's single write lock for a fraction of a
second at a time and a 👍/👎 (or another import) gets its turn; a failed first import of a workspace removes
what it wrote, and a failed re-import leaves earlier rows as they were (a retry adds the rest). On SQLite a
writing transaction (schema creation included) starts with ``BEGIN IMMEDIATE`` and waits for the lock (busy
timeout) instead of failing; one that still cannot get it raises ``StoreBusyError``; readers never wait (WAL).
A page that writes inside ``lock_wait_notice(callback)`` hears when its write starts waiting for the lock (after
``LOCK_NOTICE_AFTER_S``) and when it gets it, so the person sees why nothing happens yet.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import cache
from operator import itemgetter
from pathlib import Path

import pandas as pd
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    create_engine,
    delete,
    event,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from emojiml.config import settings
from emojiml.errors import EmojimlError
from emojiml.workspace.report import EARLIEST_TS, LATEST_TS, ImportReport, ParsedExport

log = logging.getLogger(__name__)
SQLITE_BUSY_TIMEOUT_S = 120
WRITE_BATCH = 10_000
"""Rows per write transaction: about 0.1 s of SQLite's write lock, so other writers wait that long, not minutes."""
LOCK_NOTICE_AFTER_S = 0.5
"""A write that has waited this long for SQLite's write lock tells its ``lock_wait_notice`` callback."""
MAX_NAME = 300  # display names are cut here; ids are never cut (the parsers refuse absurd ones)

metadata = MetaData()

workspaces = Table(
    "workspaces",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(), nullable=False, unique=True),
    Column("format", String(), nullable=False, default=""),
    Column("source", Text, nullable=False, default=""),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("revision", Integer, nullable=False, default=0),  # bumped by every import: a cache key for readers
)

channels = Table(
    "channels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(), nullable=False),
    Column("name", String(), nullable=False),
    UniqueConstraint("workspace_id", "key"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("external_id", String(), nullable=False),
    Column("name", String(), nullable=False),
    Column("is_bot", Boolean, nullable=False, default=False),
    UniqueConstraint("workspace_id", "external_id"),
)

emoji = Table(
    "emoji",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(), nullable=False),  # catalog key without skin tone; custom emoji as ":name:"
    Column("is_custom", Boolean, nullable=False),
    UniqueConstraint("workspace_id", "key"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("channel_id", ForeignKey("channels.id", ondelete="CASCADE"), nullable=False),
    Column("message_id", String(), nullable=False),
    Column("timestamp", Float, nullable=False),  # Unix seconds, UTC: the same on every backend
    Column("author_id", ForeignKey("users.id", ondelete="CASCADE")),
    Column("text", Text, nullable=False, default=""),
    UniqueConstraint("workspace_id", "channel_id", "message_id"),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("channel_id", ForeignKey("channels.id", ondelete="CASCADE"), nullable=False),
    Column("message_id", String(), nullable=False),
    Column("timestamp", Float, nullable=False),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("author_id", ForeignKey("users.id", ondelete="CASCADE")),
    Column("kind", String(), nullable=False),
    Column("emoji_id", ForeignKey("emoji.id", ondelete="CASCADE"), nullable=False),
    Column("skin_tone", SmallInteger, nullable=False, default=0),
    UniqueConstraint("workspace_id", "channel_id", "message_id", "user_id", "emoji_id", "kind"),
    CheckConstraint("kind IN ('reaction', 'inline')", name="events_kind"),
    Index("events_by_user", "workspace_id", "user_id"),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("user", String(), nullable=False),  # the workspace's user id (free text: feedback may come first)
    Column("emoji", String(), nullable=False),
    Column("vote", SmallInteger, nullable=False),
    Column("weights", JSON, nullable=False),  # the recommender's blend weights when the suggestion was shown
    Column("sources", JSON, nullable=False),  # which recommenders proposed it, with their scores
    Column("message", Text, nullable=False, default=""),
    Column("timestamp", Float, nullable=False),
    CheckConstraint("vote IN (-1, 1)", name="feedback_vote"),
    Index("feedback_by_workspace", "workspace_id", "timestamp"),
)

# --- Studio (issue 18): generated emoji a workspace adopted, and every generation with its 👍/👎 -------------
custom_emoji_art = Table(
    "custom_emoji_art",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(), nullable=False),  # Slack-style, without colons
    Column("keywords", JSON, nullable=False),
    Column("png", LargeBinary, nullable=False),  # 128x128, at most 128 KB
    Column("prompt", Text, nullable=False, default=""),
    Column("method", String(), nullable=False, default=""),
    Column("created_at", Float, nullable=False),
    UniqueConstraint("workspace_id", "name"),
)

generations = Table(
    "generations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("prompt", Text, nullable=False),
    Column("method", String(), nullable=False),
    Column("style", String(), nullable=False),
    Column("seed", Integer, nullable=False),
    Column("position", Integer, nullable=False),  # which of the batch's images
    Column("model_version", String(), nullable=False),
    Column("name", String(), nullable=False),
    Column("png", LargeBinary, nullable=False),
    Column("recipe", Text, nullable=False, default=""),
    Column("prompt_score", Float),
    Column("uncertainty", Float, nullable=False),  # 0 sure .. 1 unsure: the review queue's order
    Column("nearest", String(), nullable=False, default=""),  # nearest real emoji (catalog key)
    Column("rating", SmallInteger),  # +1, -1 or NULL (not rated yet)
    Column("created_at", Float, nullable=False),
    Column("rated_at", Float),
    CheckConstraint("rating IS NULL OR rating IN (-1, 1)", name="generations_rating"),
    Index("generations_by_workspace", "workspace_id", "rating", "uncertainty"),
)
GENERATION_COLUMNS = [
    "id",
    "prompt",
    "method",
    "style",
    "seed",
    "position",
    "model_version",
    "name",
    "png",
    "recipe",
    "prompt_score",
    "uncertainty",
    "nearest",
    "rating",
    "created_at",
    "rated_at",
]


@dataclass(frozen=True)
class CustomEmojiArt:
    """A generated emoji a workspace added to its custom emoji."""

    name: str
    keywords: tuple[str, ...]
    png: bytes
    prompt: str
    method: str


# Where each piece of feedback came from, one row per feedback row. A table of its own rather than new columns
# on ``feedback``: ``create_all`` adds a missing table to an existing database but never a missing column, so
# stores written before it open unchanged and their rows simply have no origin (read back as None).
feedback_origin = Table(
    "feedback_origin",
    metadata,
    Column("feedback_id", ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True),
    Column("source", String(), nullable=False),  # the source that contributed most to the voted suggestion
    Column("mix", String(), nullable=False),  # the blend's name ("default", "auto", ...) or its weights
    Column("model_version", String(), nullable=False),  # which fitted recommender produced it
)

# Every import of a workspace, started and (once all its rows are written) finished: an import that stopped
# part-way (the process died, the database failed) leaves ``finished_at`` empty, so the next import of the
# workspace can say it completed it. Bookkeeping, not the person's data: removal does not count it.
imports = Table(
    "imports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("source", Text, nullable=False, default=""),
    Column("started_at", Float, nullable=False),
    Column("finished_at", Float),  # NULL: stopped part-way (or still running)
)

RETRY_IMPORT = "What was stored stays, once: importing the same export again completes it."

EVENT_COLUMNS = [
    "workspace",
    "channel",
    "message_id",
    "timestamp",
    "user",
    "user_name",
    "author",
    "kind",
    "emoji",
    "is_custom",
    "skin_tone",
    "text",
]
FEEDBACK_COLUMNS = ["workspace", "user", "emoji", "vote", "weights", "sources", "message", "timestamp"]
ORIGIN_COLUMNS = ["source", "mix", "model_version"]  # None on rows stored before origins were recorded


def leading_source(sources: object) -> str:
    """The source with the largest contribution in a stored ``sources`` dict; "unknown" when there is none."""
    if isinstance(sources, dict) and sources:
        try:
            return max(sources, key=lambda name: float(sources[name] or 0))
        except (TypeError, ValueError):
            return "unknown"
    if isinstance(sources, list) and len(sources) == 1:  # one source named without scores
        return str(sources[0])
    return "unknown"


def mix_label(weights: object) -> str:
    """A stable name for a blend of weights: ``collaborative 0.40 · content 0.10 · popularity 0.50``."""
    if not isinstance(weights, dict) or not weights:
        return "unknown"
    try:
        return " · ".join(f"{name} {float(value):.2f}" for name, value in sorted(weights.items()))
    except (TypeError, ValueError):
        return "unknown"


@dataclass(frozen=True)
class WorkspaceInfo:
    name: str
    format: str
    source: str
    revision: int
    updated_at: float


@dataclass(frozen=True)
class WorkspaceCounts:
    """The headline numbers of a workspace (or one of its channels)."""

    messages: int
    people: int  # wrote a message or used an emoji
    reactors: int  # reacted at least once
    reactions: int
    inline: int
    emoji: int
    custom_emoji: int


class UnknownWorkspaceError(EmojimlError, LookupError):
    """A workspace name that is not in the store."""


class StoreError(EmojimlError):
    """The database failed (unreachable, full, constraint violated); the message names it, without a password."""


class StoreBusyError(StoreError):
    """Another writer held the database past the busy timeout; trying again later works."""


def _plausible(column) -> object:
    """Rows whose time an export could hold: rows stored before imports refused other times are left out, since
    pandas cannot represent year 1 or 9999 and one such row would break every page and evaluation."""
    return column.between(EARLIEST_TS, LATEST_TS)


def _utc(seconds: pd.Series) -> pd.Series:
    """Unix seconds -> UTC datetimes, rounded to the microsecond (what the exports carry; floats add noise)."""
    return pd.to_datetime((seconds.astype(float) * 1e6).round().astype("int64"), unit="us", utc=True)


def _clean_text(text: str) -> str:
    return text.replace("\x00", "") if "\x00" in text else text  # PostgreSQL refuses NUL; Slack never means one


LockWaitCallback = Callable[[bool], None]
"""Called with True when a write starts waiting for another writer's lock, with False when it has the lock."""
_lock_wait_callback: ContextVar[LockWaitCallback | None] = ContextVar("store_lock_wait", default=None)


@contextmanager
def lock_wait_notice(callback: LockWaitCallback) -> Iterator[None]:
    """Within this block, every write of this thread that waits over ``LOCK_NOTICE_AFTER_S`` for another
    writer (an import holding SQLite's write lock) calls ``callback(True)``, then ``callback(False)`` once it
    has the lock. Per thread (a context variable), because one store serves every browser session."""
    token = _lock_wait_callback.set(callback)
    try:
        yield
    finally:
        _lock_wait_callback.reset(token)


def _begin_immediate(connection: Connection, busy_timeout_s: float) -> None:
    """``BEGIN IMMEDIATE``: take the write lock, waiting up to ``busy_timeout_s``; if a ``lock_wait_notice``
    callback is set, wait ``LOCK_NOTICE_AFTER_S`` first, then tell it, then wait the rest."""
    callback = _lock_wait_callback.get()
    if callback is None or busy_timeout_s <= LOCK_NOTICE_AFTER_S:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    try:
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(LOCK_NOTICE_AFTER_S * 1000)}")
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as error:
            if "locked" not in str(error.orig) and "busy" not in str(error.orig):
                raise
        callback(True)
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {int((busy_timeout_s - LOCK_NOTICE_AFTER_S) * 1000)}")
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        finally:
            callback(False)
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")


def _switch_to_wal(cursor: sqlite3.Cursor, busy_timeout_s: float) -> None:
    """Put a database in WAL mode, waiting as long as any other write would.

    Switching a new database's journal mode needs a moment of exclusive access, and SQLite answers "database is
    locked" at once, without its busy handler, when another process holds the file at that moment (seen once in 40
    rounds of 12 processes opening a new database together). WAL persists in the file, so a database already in WAL
    mode needs no switch.
    """
    deadline = time.monotonic() + busy_timeout_s
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if ("locked" not in str(error) and "busy" not in str(error)) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class WorkspaceStore:
    """One database: import parsed exports, read events as DataFrames, record feedback. Thread-safe."""

    def __init__(self, url: str, busy_timeout_s: float = SQLITE_BUSY_TIMEOUT_S) -> None:
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        self.busy_timeout_s = busy_timeout_s
        if self.dialect == "sqlite":
            self.engine = self._sqlite_engine(url, parsed.database, busy_timeout_s)
        else:
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
        self._writer = self.engine.execution_options(emojiml_write=True)
        self._shown_url = parsed.render_as_string(hide_password=True)
        with self._write() as connection:  # in a write transaction, so concurrent first opens take turns
            metadata.create_all(connection)

    def create_tables(self, other: MetaData) -> None:
        """Create another module's tables (accounts) the way the store creates its own: under the write lock, so
        several processes opening a new database at once take turns instead of failing."""
        with self._write() as connection:
            other.create_all(connection)

    @staticmethod
    def _sqlite_engine(url: str, database: str | None, busy_timeout_s: float) -> Engine:
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": busy_timeout_s, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
            cursor = dbapi_connection.cursor()
            _switch_to_wal(cursor, busy_timeout_s)
            for pragma in ("synchronous=NORMAL", "foreign_keys=ON"):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Connection) -> None:
            if connection.get_execution_options().get("emojiml_write", False):
                _begin_immediate(connection, busy_timeout_s)
            else:
                connection.exec_driver_sql("BEGIN")

        return engine

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction; a database failure becomes a ``StoreError`` that names the store."""
        try:
            with self._writer.begin() as connection:
                yield connection
        except OperationalError as error:
            if "locked" in str(error.orig) or "busy" in str(error.orig):
                raise StoreBusyError(
                    f"The workspace store ({self._shown_url}) stayed busy for {self.busy_timeout_s:g} s (another "
                    "import is writing); nothing was lost: try again when it has finished."
                ) from error
            raise StoreError(f"The workspace store ({self._shown_url}) failed: {error.orig}") from error
        except SQLAlchemyError as error:
            detail = str(getattr(error, "orig", None) or error).splitlines()[0]
            raise StoreError(f"The workspace store ({self._shown_url}) refused a write: {detail}") from error

    # ---------------------------------------------------------------- inserting
    def _insert_new(
        self, connection: Connection, table: Table, rows: list[dict], keys: Sequence[str], *, count: bool = False
    ) -> int:
        """Insert rows whose unique ``keys`` are not stored yet; return how many were new (when ``count``).

        SQLite: one ``executemany`` through the driver (SQLAlchemy's per-row parameter processing was half the
        import time); its row count is exactly the rows added (sqlite3 sums the changes of each row's statement,
        and a row that ``DO NOTHING`` skips changes nothing), where a ``count(*)`` before and after each batch cost
        time that grew with the workspace.
        PostgreSQL: rows go in key order (concurrent imports then lock in the same order: no deadlocks) and
        ``RETURNING`` counts exactly what this transaction added, whatever other imports do meanwhile.
        """
        if not rows:
            return 0
        workspace_id = rows[0].get("workspace_id")
        if self.dialect == "sqlite":
            statement = sqlite_insert(table).on_conflict_do_nothing(index_elements=list(keys))
            compiled = statement.compile(dialect=connection.dialect, column_keys=list(rows[0]))
            values = itemgetter(*(compiled.positiontup or []))
            return connection.exec_driver_sql(str(compiled), [values(row) for row in rows]).rowcount
        if self.dialect == "postgresql":
            rows = sorted(rows, key=itemgetter(*keys))
            statement = postgresql_insert(table).on_conflict_do_nothing(index_elements=list(keys))
            if count:
                return len(connection.execute(statement.returning(table.c.id), rows).all())
            connection.execute(statement, rows)
            return 0
        # Other backends: skip the keys already stored (correct for one writer per workspace at a time).
        query = select(*[table.c[k] for k in keys])
        if workspace_id is not None:
            query = query.where(table.c.workspace_id == workspace_id)
        stored = {tuple(row) for row in connection.execute(query)}
        new = [row for row in rows if tuple(row[k] for k in keys) not in stored]
        if new:
            connection.execute(table.insert(), new)
        return len(new)

    @staticmethod
    def _ids(connection: Connection, table: Table, key: str, workspace_id: int) -> dict[str, int]:
        query = select(table.c[key], table.c.id).where(table.c.workspace_id == workspace_id)
        return {k: i for k, i in connection.execute(query)}

    def _workspace_id(self, connection: Connection, name: str, fmt: str = "", source: str = "") -> int:
        now = time.time()
        # The revision starts at the creation second, so a workspace deleted and imported again under the same
        # name never reuses a cache key that another app process may still hold.
        row = {"name": name, "format": fmt, "source": source, "created_at": now, "updated_at": now}
        row["revision"] = int(now)
        self._insert_new(connection, workspaces, [row], ["name"])
        return connection.execute(select(workspaces.c.id).where(workspaces.c.name == name)).scalar_one()

    def _insert_batches(self, table: Table, rows: Iterator[dict], keys: Sequence[str], count: bool = False) -> int:
        """``_insert_new`` in transactions of ``WRITE_BATCH`` rows (rows are built batch by batch, too)."""
        added = 0
        while batch := list(itertools.islice(rows, WRITE_BATCH)):
            with self._write() as connection:
                added += self._insert_new(connection, table, batch, keys, count=count)
        return added

    def import_parsed(self, workspace: str, parsed: ParsedExport, source: str = "") -> ImportReport:
        """Store a parsed export under ``workspace`` in batches and report what was new.

        A first import that fails removes the workspace again, so a retry starts clean; the revision (the cache
        key readers follow) changes only once everything is written."""
        started = time.perf_counter()
        created = self.workspace(workspace) is None
        try:
            report = self._import_parsed(workspace, parsed, source)
        except BaseException as error:
            removed = created and self._remove_partial(workspace)
            if isinstance(error, StoreError):  # say what became of the rows written before the failure
                kept = "Nothing of this first import was kept." if removed else RETRY_IMPORT
                raise type(error)(f"{error} {kept}") from error
            raise
        return replace(report, seconds=time.perf_counter() - started)

    def _remove_partial(self, workspace: str) -> bool:
        """Delete a workspace a failed first import created (ON DELETE CASCADE removes its rows); if even that
        fails, the half workspace stays, a retry completes it (re-imports are idempotent), and the log says so."""
        try:
            with self._write() as connection:
                connection.execute(workspaces.delete().where(workspaces.c.name == workspace))
        except StoreError as error:
            log.warning("Could not remove the partly imported workspace %r: %s", workspace, error)
            return False
        return True

    def _import_parsed(self, workspace: str, parsed: ParsedExport, source: str) -> ImportReport:
        if not settings().store_message_text:
            parsed = replace(parsed, messages=tuple(m._replace(text="") for m in parsed.messages))
        with self._write() as connection:
            ws = self._workspace_id(connection, workspace, parsed.format, source)
            unfinished = connection.execute(
                select(imports.c.id, imports.c.started_at).where(
                    imports.c.workspace_id == ws, imports.c.finished_at.is_(None)
                )
            ).all()
            this_import = connection.execute(
                imports.insert().values(workspace_id=ws, source=source, started_at=time.time())
            ).inserted_primary_key[0]
        names = {m.channel: m.channel for m in parsed.messages} | {e.channel: e.channel for e in parsed.events}
        names |= parsed.channels
        channel_rows = ({"workspace_id": ws, "key": key, "name": name} for key, name in names.items())
        self._insert_batches(channels, channel_rows, ["workspace_id", "key"])

        people = dict(parsed.users)
        for e in parsed.events:
            people.setdefault(e.user, (e.user, False))
        for m in parsed.messages:
            if m.author:
                people.setdefault(m.author, (m.author, False))
        user_rows = (
            {"workspace_id": ws, "external_id": uid, "name": _clean_text(name)[:MAX_NAME], "is_bot": bot}
            for uid, (name, bot) in people.items()
        )
        self._insert_batches(users, user_rows, ["workspace_id", "external_id"])
        emoji_rows = {e.emoji: {"workspace_id": ws, "key": e.emoji, "is_custom": e.is_custom} for e in parsed.events}
        self._insert_batches(emoji, iter(emoji_rows.values()), ["workspace_id", "key"])
        with self.engine.connect() as connection:
            channel_ids = self._ids(connection, channels, "key", ws)
            user_ids = self._ids(connection, users, "external_id", ws)
            emoji_ids = self._ids(connection, emoji, "key", ws)

        keep_nul = self.dialect == "sqlite"
        message_rows = (
            {
                "workspace_id": ws,
                "channel_id": channel_ids[m.channel],
                "message_id": m.message_id,
                "timestamp": m.timestamp,
                "author_id": user_ids.get(m.author) if m.author else None,
                "text": m.text if keep_nul else _clean_text(m.text),
            }
            for m in parsed.messages
        )
        messages_added = self._insert_batches(
            messages, message_rows, ["workspace_id", "channel_id", "message_id"], count=True
        )
        added = {"reaction": 0, "inline": 0}
        for kind in added:
            event_rows = (
                {
                    "workspace_id": ws,
                    "channel_id": channel_ids[e.channel],
                    "message_id": e.message_id,
                    "timestamp": e.timestamp,
                    "user_id": user_ids[e.user],
                    "author_id": user_ids.get(e.author) if e.author else None,
                    "kind": e.kind,
                    "emoji_id": emoji_ids[e.emoji],
                    "skin_tone": e.skin_tone,
                }
                for e in parsed.events
                if e.kind == kind
            )
            added[kind] = self._insert_batches(
                events,
                event_rows,
                ["workspace_id", "channel_id", "message_id", "user_id", "emoji_id", "kind"],
                count=True,
            )
        with self._write() as connection:
            connection.execute(
                update(workspaces)
                .where(workspaces.c.id == ws)
                .values(revision=workspaces.c.revision + 1, updated_at=time.time(), format=parsed.format, source=source)
            )
            finished = [this_import, *(row.id for row in unfinished)]  # this one completed the stopped ones
            connection.execute(update(imports).where(imports.c.id.in_(finished)).values(finished_at=time.time()))
        customs = sorted({e.emoji for e in parsed.events if e.is_custom})
        return ImportReport(
            workspace=workspace,
            format=parsed.format,
            messages_read=len(parsed.messages),
            messages_added=messages_added,
            events_read=len(parsed.events),
            events_added=added["reaction"] + added["inline"],
            reactions_added=added["reaction"],
            inline_added=added["inline"],
            users=len(people),
            channels=len(names),
            custom_emoji=tuple(customs),
            skipped_files=parsed.skipped_files,
            invalid=parsed.invalid,
            seconds=0.0,
            completed_unfinished_since=min((row.started_at for row in unfinished), default=None),
        )

    # ---------------------------------------------------------------- feedback
    def record_feedback(
        self,
        workspace: str,
        user: str,
        emoji_key: str,
        vote: int,
        *,
        weights: dict | None = None,
        sources: dict | list | None = None,
        message: str = "",
        timestamp: float | None = None,
        source: str | None = None,
        mix: str | None = None,
        model_version: str = "",
    ) -> None:
        """Store one 👍/👎 on a suggestion (``vote`` +1 or -1) with the blend that produced it.

        ``source`` defaults to the leading one in ``sources`` and ``mix`` to ``mix_label(weights)``, so every
        row says where it came from; ``model_version`` names the fitted recommender (empty: not known).
        """
        if vote not in (1, -1):
            raise ValueError(f"vote must be +1 or -1, not {vote!r}")
        with self._write() as connection:
            ws = self._workspace_id(connection, workspace)
            inserted = connection.execute(
                feedback.insert(),
                {
                    "workspace_id": ws,
                    "user": user,
                    "emoji": emoji_key,
                    "vote": vote,
                    "weights": weights or {},
                    "sources": sources or {},
                    "message": _clean_text(message),
                    "timestamp": time.time() if timestamp is None else timestamp,
                },
            )
            connection.execute(
                feedback_origin.insert(),
                {
                    "feedback_id": inserted.inserted_primary_key[0],
                    "source": source or leading_source(sources),
                    "mix": mix or mix_label(weights),
                    "model_version": model_version,
                },
            )

    def feedback_frame(self, workspace: str) -> pd.DataFrame:
        """Every vote of ``workspace``, oldest first: ``FEEDBACK_COLUMNS`` then ``ORIGIN_COLUMNS``."""
        query = (
            select(
                workspaces.c.name,
                feedback.c.user,
                feedback.c.emoji,
                feedback.c.vote,
                feedback.c.weights,
                feedback.c.sources,
                feedback.c.message,
                feedback.c.timestamp,
                feedback_origin.c.source,
                feedback_origin.c.mix,
                feedback_origin.c.model_version,
            )
            .join(workspaces, workspaces.c.id == feedback.c.workspace_id)
            .outerjoin(feedback_origin, feedback_origin.c.feedback_id == feedback.c.id)
            .where(workspaces.c.name == workspace, _plausible(feedback.c.timestamp))
            .order_by(feedback.c.timestamp, feedback.c.id)
        )
        with self.engine.connect() as connection:
            frame = pd.DataFrame(connection.execute(query).all(), columns=FEEDBACK_COLUMNS + ORIGIN_COLUMNS)
        frame["timestamp"] = _utc(frame["timestamp"])
        return frame

    # ---------------------------------------------------------------- reading
    def workspaces(self) -> list[WorkspaceInfo]:
        query = select(
            workspaces.c.name, workspaces.c.format, workspaces.c.source, workspaces.c.revision, workspaces.c.updated_at
        ).order_by(workspaces.c.name)
        with self.engine.connect() as connection:
            return [WorkspaceInfo(*row) for row in connection.execute(query)]

    def workspace(self, name: str) -> WorkspaceInfo | None:
        return next((info for info in self.workspaces() if info.name == name), None)

    def _require(self, connection: Connection, workspace: str) -> int:
        ws = connection.execute(select(workspaces.c.id).where(workspaces.c.name == workspace)).scalar_one_or_none()
        if ws is None:
            raise UnknownWorkspaceError(f"No workspace named {workspace!r}; import one with `emojiml import PATH`.")
        return ws

    def channels(self, workspace: str) -> list[str]:
        with self.engine.connect() as connection:
            ws = self._require(connection, workspace)
            query = select(channels.c.name).where(channels.c.workspace_id == ws).order_by(channels.c.name)
            return list(connection.execute(query).scalars())

    def custom_emoji(self, workspace: str) -> list[str]:
        """The workspace's own emoji keys (``:partyr:``), for ``Catalog.with_custom``."""
        with self.engine.connect() as connection:
            ws = self._require(connection, workspace)
            query = select(emoji.c.key).where(emoji.c.workspace_id == ws, emoji.c.is_custom).order_by(emoji.c.key)
            return list(connection.execute(query).scalars())

    def users(self, workspace: str) -> pd.DataFrame:
        """Everyone who wrote or reacted: ``user`` (external id), ``name``, ``is_bot``."""
        with self.engine.connect() as connection:
            ws = self._require(connection, workspace)
            query = select(users.c.external_id, users.c.name, users.c.is_bot).where(users.c.workspace_id == ws)
            rows = connection.execute(query.order_by(users.c.name)).all()
        return pd.DataFrame(rows, columns=["user", "name", "is_bot"])

    def _channel_filter(self, ws: int, channel: str | None, table: Table):
        if channel is None:
            return table.c.workspace_id == ws
        ids = select(channels.c.id).where(
            channels.c.workspace_id == ws, or_(channels.c.key == channel, channels.c.name == channel)
        )
        return and_(table.c.workspace_id == ws, table.c.channel_id.in_(ids))

    def events_frame(self, workspace: str, channel: str | None = None) -> pd.DataFrame:
        """One row per emoji event (columns ``EVENT_COLUMNS``), oldest first; ``timestamp`` is UTC."""
        author = users.alias("author")
        query = (
            select(
                channels.c.name,
                events.c.message_id,
                events.c.timestamp,
                users.c.external_id,
                users.c.name,
                author.c.external_id,
                events.c.kind,
                emoji.c.key,
                emoji.c.is_custom,
                events.c.skin_tone,
                messages.c.text,
            )
            .select_from(events)
            .join(channels, channels.c.id == events.c.channel_id)
            .join(users, users.c.id == events.c.user_id)
            .outerjoin(author, author.c.id == events.c.author_id)
            .join(emoji, emoji.c.id == events.c.emoji_id)
            .outerjoin(
                messages,
                and_(
                    messages.c.workspace_id == events.c.workspace_id,
                    messages.c.channel_id == events.c.channel_id,
                    messages.c.message_id == events.c.message_id,
                ),
            )
            .order_by(events.c.timestamp, events.c.id)
        )
        with self.engine.connect() as connection:
            ws = self._require(connection, workspace)
            in_scope = and_(self._channel_filter(ws, channel, events), _plausible(events.c.timestamp))
            rows = connection.execute(query.where(in_scope)).all()
        frame = pd.DataFrame(rows, columns=EVENT_COLUMNS[1:])
        frame.insert(0, "workspace", workspace)
        frame["timestamp"] = _utc(frame["timestamp"])
        frame["is_custom"] = frame["is_custom"].astype(bool)
        frame["text"] = frame["text"].fillna("")
        return frame

    def messages_per_channel(self, workspace: str) -> dict[str, int]:
        """Stored messages per channel name (reacted to or not): the denominator of reactions per message."""
        with self.engine.connect() as connection:
            ws = self._require(connection, workspace)
            rows = connection.execute(
                select(channels.c.name, func.count())
                .select_from(messages.join(channels, channels.c.id == messages.c.channel_id))
                .where(messages.c.workspace_id == ws)
                .group_by(channels.c.name)
            )
            return {name: int(n) for name, n in rows}

    def counts(self, workspace: str, channel: str | None = None) -> WorkspaceCounts:
        with self.engine.connect() as connection:
            ws = self._require(connection, workspace)
            n_messages = connection.execute(
                select(func.count()).select_from(messages).where(self._channel_filter(ws, channel, messages))
            ).scalar_one()
            in_scope = self._channel_filter(ws, channel, events)
            by_kind = {
                k: n
                for k, n in connection.execute(
                    select(events.c.kind, func.count()).where(in_scope).group_by(events.c.kind)
                )
            }
            reactors = connection.execute(
                select(func.count(func.distinct(events.c.user_id))).where(in_scope, events.c.kind == "reaction")
            ).scalar_one()
            everyone = (
                select(events.c.user_id.label("uid"))
                .where(in_scope)
                .union(
                    select(messages.c.author_id).where(
                        self._channel_filter(ws, channel, messages), messages.c.author_id.is_not(None)
                    )
                )
                .subquery()
            )
            people = connection.execute(select(func.count()).select_from(everyone)).scalar_one()
            used = select(events.c.emoji_id).where(in_scope).distinct().subquery()
            n_emoji, n_custom = connection.execute(
                select(func.count(), func.count().filter(emoji.c.is_custom)).select_from(
                    used.join(emoji, emoji.c.id == used.c.emoji_id)
                )
            ).one()
        return WorkspaceCounts(
            messages=n_messages,
            people=people,
            reactors=reactors,
            reactions=by_kind.get("reaction", 0),
            inline=by_kind.get("inline", 0),
            emoji=n_emoji,
            custom_emoji=n_custom,
        )

    # ---------------------------------------------------------------- studio (issue 18)
    def add_custom_emoji(
        self, workspace: str, name: str, keywords: Sequence[str], png: bytes, *, prompt: str = "", method: str = ""
    ) -> None:
        """Adopt a generated emoji as ``:name:``: it joins the workspace's custom emoji (``custom_emoji``) and the
        revision moves on, so cached recommenders refit with it. The caller checks the name is free."""
        with self._write() as connection:
            ws = self._workspace_id(connection, workspace)
            connection.execute(
                custom_emoji_art.insert(),
                {
                    "workspace_id": ws,
                    "name": name,
                    "keywords": list(keywords),
                    "png": png,
                    "prompt": _clean_text(prompt),
                    "method": method,
                    "created_at": time.time(),
                },
            )
            self._insert_new(
                connection,
                emoji,
                [{"workspace_id": ws, "key": f":{name}:", "is_custom": True}],
                ["workspace_id", "key"],
            )
            connection.execute(
                update(workspaces)
                .where(workspaces.c.id == ws)
                .values(revision=workspaces.c.revision + 1, updated_at=time.time())
            )

    def custom_emoji_art(self, workspace: str) -> list[CustomEmojiArt]:
        """The generated emoji the workspace adopted, oldest first (none for an unknown workspace)."""
        query = (
            select(
                custom_emoji_art.c.name,
                custom_emoji_art.c.keywords,
                custom_emoji_art.c.png,
                custom_emoji_art.c.prompt,
                custom_emoji_art.c.method,
            )
            .join(workspaces, workspaces.c.id == custom_emoji_art.c.workspace_id)
            .where(workspaces.c.name == workspace)
            .order_by(custom_emoji_art.c.id)
        )
        with self.engine.connect() as connection:
            return [
                CustomEmojiArt(name, tuple(keywords), bytes(png), prompt, method)
                for name, keywords, png, prompt, method in connection.execute(query)
            ]

    def custom_emoji_art_names(self, workspace: str) -> set[str]:
        return {art.name for art in self.custom_emoji_art(workspace)}

    def record_generations(self, workspace: str, rows: Sequence[dict], keep_unrated: int = 2000) -> list[int]:
        """Store a batch of generations (keys: the ``generations`` columns but id/rating/times); their ids.

        Only the newest ``keep_unrated`` unrated generations of a workspace are kept (each holds a PNG of
        ~20 KB, and a page click adds up to 16); rated ones are the training set and are never dropped."""
        now = time.time()
        with self._write() as connection:
            ws = self._workspace_id(connection, workspace)
            ids = []
            for row in rows:
                values = {**row, "workspace_id": ws, "prompt": _clean_text(row["prompt"]), "created_at": now}
                ids.append(connection.execute(generations.insert().values(values)).inserted_primary_key[0])
            unrated = (generations.c.workspace_id == ws) & generations.c.rating.is_(None)
            newest = select(generations.c.id).where(unrated).order_by(generations.c.id.desc()).limit(keep_unrated)
            connection.execute(generations.delete().where(unrated, generations.c.id.not_in(newest.scalar_subquery())))
        return ids

    def rate_generation(self, generation_id: int, rating: int | None) -> None:
        """Record a 👍 (+1) or 👎 (-1) on a stored generation, or clear it (``None``)."""
        if rating not in (1, -1, None):
            raise ValueError(f"rating must be +1, -1 or None, not {rating!r}")
        with self._write() as connection:
            done = connection.execute(
                update(generations)
                .where(generations.c.id == generation_id)
                .values(rating=rating, rated_at=None if rating is None else time.time())
            )
            if done.rowcount != 1:
                raise LookupError(f"No stored generation {generation_id}.")

    def generations_frame(
        self, workspace: str | None = None, *, rated: bool | None = None, limit: int | None = None
    ) -> pd.DataFrame:
        """Stored generations (columns ``workspace`` + ``GENERATION_COLUMNS``): all, only rated (``rated=True``)
        or only unrated ones, least certain first when unrated, else oldest first."""
        query = select(workspaces.c.name, *[generations.c[c] for c in GENERATION_COLUMNS]).join(
            workspaces, workspaces.c.id == generations.c.workspace_id
        )
        if workspace is not None:
            query = query.where(workspaces.c.name == workspace)
        if rated is True:
            query = query.where(generations.c.rating.is_not(None)).order_by(generations.c.rated_at, generations.c.id)
        elif rated is False:
            query = query.where(generations.c.rating.is_(None)).order_by(
                generations.c.uncertainty.desc(), generations.c.id.desc()
            )
        else:
            query = query.order_by(generations.c.id)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as connection:
            return pd.DataFrame(connection.execute(query).all(), columns=["workspace", *GENERATION_COLUMNS])

    def delete_workspace(self, name: str) -> dict[str, int]:
        """Remove a workspace and everything stored for it; returns the rows removed per table.

        Every table with a ``workspace_id`` column is emptied for it (children before parents), so tables added
        later (feedback, generated emoji) go too without a change here.
        """
        removed: dict[str, int] = {}
        with self._write() as connection:
            ws = self._require(connection, name)
            for table in reversed(metadata.sorted_tables):
                if "workspace_id" in table.c:
                    count = connection.execute(delete(table).where(table.c.workspace_id == ws)).rowcount
                    if table is not imports:
                        removed[table.name] = count
            removed["workspaces"] = connection.execute(delete(workspaces).where(workspaces.c.id == ws)).rowcount
        return removed

    def dispose(self) -> None:
        self.engine.dispose()


_store_lock = threading.Lock()


@cache
def _store_for(url: str) -> WorkspaceStore:
    return WorkspaceStore(url)


def open_store(url: str | None = None) -> WorkspaceStore:
    """The store at ``url`` (default: ``settings().database_url``), one per URL per process."""
    with _store_lock:
        return _store_for(url or settings().database_url)
