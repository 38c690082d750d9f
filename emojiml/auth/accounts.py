"""Local accounts (argon2-hashed passwords), roles and per-workspace membership, in the workspace database.

Why in the same database: several app processes share one PostgreSQL (or one SQLite file), so a person added by
``emojiml users add`` on any machine can sign in on every process, and the sign-in throttle counts failures across
processes. The tables have their own ``MetaData`` so the store's schema stays the store's.

Members see only the workspaces shared with them; admins see all. Wrong name and wrong password give the same
message and take the same time (a dummy hash is verified for unknown names); after ``MAX_FAILURES`` failures in a
row an account is locked for a delay that doubles with each further failure, up to ``MAX_LOCK_S``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    delete,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from emojiml.errors import EmojimlError
from emojiml.workspace.store import WorkspaceStore

ROLES = ("admin", "member")
MIN_PASSWORD_CHARS = 10
MAX_FAILURES = 5
FIRST_LOCK_S = 15.0
MAX_LOCK_S = 900.0
NAME_PATTERN = re.compile(r"^[A-Za-z0-9._@+-]{2,120}$")

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(), nullable=False, unique=True),  # a login name, or the e-mail an OIDC provider returns
    Column("password_hash", String(), nullable=True),  # None: signs in through the OIDC provider only
    Column("role", String(), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("failures", Integer, nullable=False, default=0),  # failed sign-ins in a row
    Column("locked_until", Float, nullable=False, default=0.0),
)

memberships = Table(
    "memberships",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("workspace", String(), nullable=False),  # the workspace's name in the store
    UniqueConstraint("account_id", "workspace"),
)


imports_by = Table(
    "imports_by",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace", String(), nullable=False),
    Column("account", String(), nullable=False),  # the signed-in name ("single user" in single-user mode)
    Column("source", String(), nullable=False, default=""),  # the uploaded file's name
    Column("timestamp", Float, nullable=False),
)


class AccountError(EmojimlError):
    """An account request that cannot be done as asked (unknown name, weak password, duplicate)."""


class SignInError(EmojimlError):
    """A sign-in that failed; the message never says whether the name or the password was wrong."""


@dataclass(frozen=True)
class Account:
    """A signed-in person: what the pages need to decide what to show."""

    name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class AccountInfo:
    """One row of ``emojiml users list``."""

    name: str
    role: str
    sign_in: str  # "password" or "oidc"
    workspaces: tuple[str, ...]


class AccountStore:
    """Accounts and memberships over an SQLAlchemy engine (the workspace store's)."""

    def __init__(self, store: WorkspaceStore) -> None:
        self.engine = store.engine
        self._hasher = PasswordHasher()
        self._dummy_hash = self._hasher.hash("not a real password, only for timing")
        store.create_tables(metadata)  # under the store's write lock: concurrent first opens take turns

    # ------------------------------------------------------------------ accounts
    def add(self, name: str, password: str | None, role: str = "member") -> Account:
        """A new account; ``password=None`` makes one that signs in through the OIDC provider only."""
        name = _checked_name(name)
        if role not in ROLES:
            raise AccountError(f"Unknown role {role!r}; choose one of: {', '.join(ROLES)}.")
        password_hash = None if password is None else self._hasher.hash(_checked_password(password))
        row = {"name": name, "password_hash": password_hash, "role": role, "created_at": time.time()}
        try:
            with self.engine.begin() as connection:
                connection.execute(accounts.insert().values(**row, failures=0, locked_until=0.0))
        except IntegrityError as error:
            raise AccountError(f"An account named {name!r} exists already.") from error
        return Account(name=name, role=role)

    def remove(self, name: str) -> None:
        name = _normal(name)
        with self.engine.begin() as connection:
            ids = select(accounts.c.id).where(accounts.c.name == name).scalar_subquery()
            connection.execute(delete(memberships).where(memberships.c.account_id == ids))  # whatever the FK pragma
            removed = connection.execute(delete(accounts).where(accounts.c.name == name)).rowcount
        if not removed:
            raise AccountError(f"No account named {name!r}.")

    def set_password(self, name: str, password: str) -> None:
        name = _normal(name)
        password_hash = self._hasher.hash(_checked_password(password))
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(accounts)
                .where(accounts.c.name == name)
                .values(password_hash=password_hash, failures=0, locked_until=0.0)
            ).rowcount
        if not changed:
            raise AccountError(f"No account named {name!r}.")

    def get(self, name: str) -> Account | None:
        name = _normal(name)
        with self.engine.connect() as connection:
            row = connection.execute(select(accounts.c.name, accounts.c.role).where(accounts.c.name == name)).first()
        return Account(name=row.name, role=row.role) if row else None

    def list(self) -> list[AccountInfo]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(accounts.c.id, accounts.c.name, accounts.c.role, accounts.c.password_hash).order_by(
                    accounts.c.name
                )
            ).all()
            shared = connection.execute(select(memberships.c.account_id, memberships.c.workspace)).all()
        by_account: dict[int, list[str]] = {}
        for account_id, workspace in shared:
            by_account.setdefault(account_id, []).append(workspace)
        return [
            AccountInfo(
                name=row.name,
                role=row.role,
                sign_in="password" if row.password_hash else "oidc",
                workspaces=tuple(sorted(by_account.get(row.id, []))),
            )
            for row in rows
        ]

    def is_empty(self) -> bool:
        with self.engine.connect() as connection:
            return connection.execute(select(accounts.c.id).limit(1)).first() is None

    # ------------------------------------------------------------------ signing in
    def authenticate(self, name: str, password: str, now: float | None = None) -> Account:
        """The account if ``password`` is right; :class:`SignInError` otherwise, with no hint which part was wrong."""
        now = time.time() if now is None else now
        with self.engine.connect() as connection:
            row = connection.execute(select(accounts).where(accounts.c.name == _normal(name))).first()
        if row is None or row.password_hash is None:
            self._verify(self._dummy_hash, password)  # same work as a real check: no timing hint
            raise SignInError("Wrong name or password.")
        if row.locked_until > now:
            wait = int(row.locked_until - now) + 1
            raise SignInError(f"Too many failed sign-ins: try again in {wait} s.")
        if not self._verify(row.password_hash, password):
            failures = row.failures + 1
            lock = 0.0
            if failures >= MAX_FAILURES:
                lock = now + min(FIRST_LOCK_S * 2 ** (failures - MAX_FAILURES), MAX_LOCK_S)
            with self.engine.begin() as connection:
                connection.execute(
                    update(accounts).where(accounts.c.id == row.id).values(failures=failures, locked_until=lock)
                )
            raise SignInError("Wrong name or password.")
        if row.failures:
            with self.engine.begin() as connection:
                connection.execute(update(accounts).where(accounts.c.id == row.id).values(failures=0, locked_until=0.0))
        return Account(name=row.name, role=row.role)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password or "")
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def oidc_account(self, email: str | None) -> Account:
        """The account for an e-mail the OIDC provider vouched for; only people an admin added may enter."""
        account = self.get(email or "")
        if account is None:
            raise SignInError(
                f"{email or 'This identity'} has no emojiml account here: ask an admin to run "
                f"`emojiml users add {email or 'EMAIL'} --oidc`."
            )
        return account

    # ------------------------------------------------------------------ membership
    def share(self, name: str, workspace: str) -> None:
        """Let account ``name`` see ``workspace`` (idempotent)."""
        with self.engine.begin() as connection:
            account_id = self._account_id(connection, name)
            exists = connection.execute(
                select(memberships.c.id).where(
                    (memberships.c.account_id == account_id) & (memberships.c.workspace == workspace)
                )
            ).first()
            if exists is None:
                connection.execute(memberships.insert().values(account_id=account_id, workspace=workspace))

    def unshare(self, name: str, workspace: str) -> None:
        with self.engine.begin() as connection:
            account_id = self._account_id(connection, name)
            connection.execute(
                delete(memberships).where(
                    (memberships.c.account_id == account_id) & (memberships.c.workspace == workspace)
                )
            )

    def forget_workspace(self, workspace: str) -> int:
        """Drop every membership and import record of a deleted workspace; returns how many went."""
        with self.engine.begin() as connection:
            connection.execute(delete(imports_by).where(imports_by.c.workspace == workspace))
            return connection.execute(delete(memberships).where(memberships.c.workspace == workspace)).rowcount

    def record_import(self, workspace: str, account: str, source: str = "") -> None:
        """Remember who imported what into ``workspace`` (shown to admins; kept until the workspace goes)."""
        row = {"workspace": workspace, "account": account, "source": source[:300], "timestamp": time.time()}
        with self.engine.begin() as connection:
            connection.execute(imports_by.insert().values(**row))

    def imports(self, workspace: str) -> list[tuple[str, str, float]]:
        """(account, source, unix time) of every import into ``workspace``, oldest first."""
        query = (
            select(imports_by.c.account, imports_by.c.source, imports_by.c.timestamp)
            .where(imports_by.c.workspace == workspace)
            .order_by(imports_by.c.timestamp)
        )
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(query)]

    def visible(self, account: Account | None, workspaces: Iterable[str]) -> list[str]:
        """The workspaces ``account`` may open, in the given order. ``None`` is single-user mode: all of them."""
        workspaces = list(workspaces)
        if account is None or account.is_admin:
            return workspaces
        with self.engine.connect() as connection:
            shared = {
                row.workspace
                for row in connection.execute(
                    select(memberships.c.workspace)
                    .join(accounts, accounts.c.id == memberships.c.account_id)
                    .where(accounts.c.name == _normal(account.name))
                )
            }
        return [name for name in workspaces if name in shared]

    @staticmethod
    def _account_id(connection, name: str) -> int:
        account_id = connection.execute(select(accounts.c.id).where(accounts.c.name == _normal(name))).scalar()
        if account_id is None:
            raise AccountError(f"No account named {name!r}.")
        return account_id


def _normal(name: str | None) -> str:
    """Names compare case-blind: e-mail addresses from an OIDC provider come in any case."""
    return (name or "").strip().lower()


def _checked_name(name: str) -> str:
    name = _normal(name)
    if not NAME_PATTERN.match(name):
        raise AccountError(
            f"An account name is 2-120 letters, digits or . _ @ + - (an e-mail address works), not {name[:40]!r}."
        )
    return name


def _checked_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_CHARS:
        raise AccountError(f"Use a password of at least {MIN_PASSWORD_CHARS} characters.")
    return password


_lock = threading.Lock()


@cache
def _accounts_for(url: str) -> AccountStore:
    from emojiml.workspace.store import open_store

    return AccountStore(open_store(url))


def account_store(url: str | None = None) -> AccountStore:
    """The account store on the workspace database at ``url`` (default: the configured one), once per process."""
    from emojiml.config import settings

    with _lock:
        return _accounts_for(url or settings().database_url)
