"""Users, sessions and the history of saves, in one SQLite file under the workspace (nothing to install)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from policygen.web.passwords import hash_password, password_matches

STORE_FOLDER = ".policygen"
STORE_FILE = "web.sqlite3"
SESSION_DAYS = 7
LAWYER = "lawyer"
ADMINISTRATOR = "administrator"
LOCAL_USER = "local"  # who works when no user is defined: the person at this computer

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    password TEXT NOT NULL,
    role TEXT NOT NULL,
    institutions TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    expires TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    institution TEXT NOT NULL,
    digest TEXT NOT NULL,
    text TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    saved_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS versions_by_institution ON versions (institution, id);
"""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    institutions: tuple[str, ...]

    def may_edit(self, institution_id: str) -> bool:
        return self.role == LAWYER or institution_id in self.institutions


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str


@dataclass(frozen=True)
class Version:
    id: int
    institution: str
    digest: str
    text: str
    saved_by: str
    saved_at: str


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class Store:
    """The workspace's web data: `<workspace>/.policygen/web.sqlite3`."""

    def __init__(self, workspace_root: Path) -> None:
        folder = workspace_root / STORE_FOLDER
        folder.mkdir(mode=0o700, exist_ok=True)
        self.path = folder / STORE_FILE
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA busy_timeout=5000")
        self._connection.executescript(_SCHEMA)
        self.path.chmod(0o600)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def close(self) -> None:
        self._connection.close()

    # users ----------------------------------------------------------------------------------------------

    def add_user(self, name: str, password: str, role: str, institutions: tuple[str, ...]) -> None:
        """Add the user, or replace their password, role and institutions."""
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO users (name, password, role, institutions) VALUES (?, ?, ?, ?)",
                (name, hash_password(password), role, json.dumps(list(institutions))),
            )
            db.execute("DELETE FROM sessions WHERE user = ?", (name,))

    def has_users(self) -> bool:
        with self._lock:
            return self._connection.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None

    def authenticate(self, name: str, password: str) -> User | None:
        with self._lock:
            row = self._connection.execute(
                "SELECT password, role, institutions FROM users WHERE name = ?", (name,)
            ).fetchone()
        if row is None:
            password_matches(password, hash_password("not a user"))  # the same time whether the user exists or not
            return None
        if not password_matches(password, row[0]):
            return None
        return User(name, row[1], tuple(json.loads(row[2])))

    def _user(self, name: str) -> User | None:
        if name == LOCAL_USER and not self.has_users():
            return User(LOCAL_USER, LAWYER, ())
        with self._lock:
            row = self._connection.execute("SELECT role, institutions FROM users WHERE name = ?", (name,)).fetchone()
        return None if row is None else User(name, row[0], tuple(json.loads(row[1])))

    # sessions -------------------------------------------------------------------------------------------

    def start_session(self, user: User) -> str:
        """A new session's token (for the cookie); only its hash is stored."""
        token = secrets.token_urlsafe(32)
        expires = (_now() + dt.timedelta(days=SESSION_DAYS)).isoformat()
        with self._transaction() as db:
            db.execute("DELETE FROM sessions WHERE expires < ?", (_now().isoformat(),))
            db.execute(
                "INSERT INTO sessions (token_hash, user, csrf_token, expires) VALUES (?, ?, ?, ?)",
                (text_digest(token), user.name, secrets.token_urlsafe(32), expires),
            )
        return token

    def session(self, token: str | None) -> Session | None:
        if not token or len(token) > 100:
            return None
        with self._lock:
            row = self._connection.execute(
                "SELECT user, csrf_token, expires FROM sessions WHERE token_hash = ?", (text_digest(token),)
            ).fetchone()
        if row is None or row[2] < _now().isoformat():
            return None
        user = self._user(row[0])
        return None if user is None else Session(user, row[1])

    def end_session(self, token: str | None) -> None:
        if token:
            with self._transaction() as db:
                db.execute("DELETE FROM sessions WHERE token_hash = ?", (text_digest(token),))

    # history --------------------------------------------------------------------------------------------

    def record_version(self, institution: str, text: str, saved_by: str) -> Version:
        """Keep `text` as a version of the institution's profile (once per content in a row)."""
        digest = text_digest(text)
        latest = self.latest_version(institution)
        if latest is not None and latest.digest == digest:
            return latest
        saved_at = _now().isoformat()
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO versions (institution, digest, text, saved_by, saved_at) VALUES (?, ?, ?, ?, ?)",
                (institution, digest, text, saved_by, saved_at),
            )
        return Version(int(cursor.lastrowid or 0), institution, digest, text, saved_by, saved_at)

    def latest_version(self, institution: str) -> Version | None:
        return self._one("SELECT * FROM versions WHERE institution = ? ORDER BY id DESC LIMIT 1", (institution,))

    def version_by_digest(self, institution: str, digest: str) -> Version | None:
        return self._one(
            "SELECT * FROM versions WHERE institution = ? AND digest = ? ORDER BY id DESC LIMIT 1",
            (institution, digest),
        )

    def version(self, institution: str, version_id: int) -> Version | None:
        return self._one("SELECT * FROM versions WHERE institution = ? AND id = ?", (institution, version_id))

    def versions(self, institution: str) -> list[Version]:
        with self._lock:
            rows = self._connection.execute(
                "SELECT * FROM versions WHERE institution = ? ORDER BY id DESC", (institution,)
            ).fetchall()
        return [Version(*row) for row in rows]

    def _one(self, query: str, parameters: tuple) -> Version | None:
        with self._lock:
            row = self._connection.execute(query, parameters).fetchone()
        return None if row is None else Version(*row)
