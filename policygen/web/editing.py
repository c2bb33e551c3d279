"""Saving a profile from the form: the typed values written into the file as the lawyer wrote it, judged by
the CLI's own loader, written atomically only when valid, and never over a version the editor had not seen."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import difflib
import os
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: saves are serialised within one server only
    fcntl = None  # type: ignore[assignment]

from policygen import PolicygenError, write_atomically
from policygen.web.fields import Field
from policygen.web.library import Checked, Library
from policygen.web.roundtrip import UnreadableFile, apply_form, as_form_value, dump_document, load_document
from policygen.web.store import Store, Version, text_digest

MAX_PROFILE_BYTES = 1024 * 1024
NEW_FILE_VERSION = "new"  # the base version of a form for an institution that has no file yet
DEFAULT_BASE = "national"
EDITED_OUTSIDE = "(edited outside the browser)"
PARSED_FILES_KEPT = 32


class ProfileUnavailable(Exception):
    """The file on disk cannot be edited in the browser (a link, not a regular file, not YAML)."""


@dataclass
class SaveOutcome:
    """What a save did: saved, refused as invalid, or refused because the file changed since the form was opened."""

    status: str  # "saved", "unchanged", "invalid" or "conflict"
    text: str = ""
    checked: Checked | None = None
    conflict_by: Version | None = None
    conflict_diff: str = ""
    problems: list[tuple[str, str]] = field(default_factory=list)


class Editor:
    """Reads and saves the profiles of a workspace for the web form."""

    def __init__(self, library: Library, store: Store, root: Field) -> None:
        self.library = library
        self.store = store
        self.root = root
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self._parsed: dict[str, Any] = {}  # text digest -> its round-trip document, parsed once (it is slow)

    def _lock(self, institution_id: str) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(institution_id, threading.Lock())

    @contextlib.contextmanager
    def _locked(self, institution_id: str) -> Iterator[None]:
        """One save of an institution at a time: among this server's threads, and among servers on the same
        workspace through a file lock (where the platform has one)."""
        with self._lock(institution_id):
            folder = self.store.path.parent / "locks"
            folder.mkdir(mode=0o700, exist_ok=True)
            with open(folder / f"{institution_id}.lock", "a") as lock_file:
                if fcntl is not None:
                    fcntl.flock(lock_file, fcntl.LOCK_EX)
                yield

    def read(self, institution_id: str) -> str | None:
        """The profile's text as on disk, None when it has no file yet. Refuses a link, a pipe or a folder
        named like it, a file over 1 MiB and one that is not UTF-8."""
        path = self.library.profile_path(institution_id)
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return None
        if stat.S_ISLNK(info.st_mode):
            raise ProfileUnavailable(f"{path.name} is a symbolic link; edit the file it points to with a text editor")
        if not stat.S_ISREG(info.st_mode):
            raise ProfileUnavailable(f"{path.name} is not a regular file")
        with open(path, "rb") as stream:
            data = stream.read(MAX_PROFILE_BYTES + 1)
        if len(data) > MAX_PROFILE_BYTES:
            raise ProfileUnavailable(f"{path.name} is larger than 1 MiB")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise ProfileUnavailable(f"{path.name} is not UTF-8 text") from None

    def form_values(self, text: str) -> dict[str, Any]:
        """The file's values as the form shows them."""
        try:
            return as_form_value(load_document(text))
        except UnreadableFile as error:
            raise ProfileUnavailable(str(error)) from None

    def remember(self, institution_id: str, text: str | None) -> str:
        """The version token of `text`, kept in the history so that a later conflict can show what changed."""
        if text is None:
            return NEW_FILE_VERSION
        if self.store.version_by_digest(institution_id, text_digest(text)) is None:
            self.store.record_version(institution_id, text, EDITED_OUTSIDE)
        return text_digest(text)

    def candidate(self, institution_id: str, current: str | None, values: dict[str, Any], user: str) -> str:
        """The profile text the form's values make of the current file (or of a new file)."""
        original = current if current is not None else self._new_file_header(institution_id, user)
        document = self._document(original)
        if current is None:
            document["id"] = institution_id
            if self.library.has_base(DEFAULT_BASE):
                document["extends"] = DEFAULT_BASE
        apply_form(document, self.root, values)
        return dump_document(document, original)

    def _document(self, text: str) -> Any:
        """A fresh copy of the round-trip document of `text` (parsed once per text)."""
        digest = text_digest(text)
        with self._locks_lock:
            parsed = self._parsed.get(digest)
        if parsed is None:
            try:
                parsed = load_document(text)
            except UnreadableFile as error:
                raise ProfileUnavailable(str(error)) from None
            with self._locks_lock:
                self._parsed[digest] = parsed
                while len(self._parsed) > PARSED_FILES_KEPT:
                    self._parsed.pop(next(iter(self._parsed)))
        with self._locks_lock:
            return copy.deepcopy(parsed)

    def _new_file_header(self, institution_id: str, user: str) -> str:
        today = dt.date.today().isoformat()
        lines = [
            "# yaml-language-server: $schema=../schema/profile.schema.json",
            "#",
            f"# {institution_id}: started in the browser by {user} on {today}.",
        ]
        if self.library.has_base(DEFAULT_BASE):
            lines.append(f"# Everything not written here comes from _{DEFAULT_BASE}.yaml.")
        return "\n".join(lines) + "\n"

    def check(
        self, institution_id: str, values: dict[str, Any], user: str, language: str | None = None
    ) -> tuple[str, Checked]:
        """The text the values make and its check (while typing: its documents in one `language` only)."""
        current = self.read(institution_id)
        text = self.candidate(institution_id, current, values, user)
        return text, self.library.check_text(institution_id, text, language)

    def save(self, institution_id: str, base_version: str, values: dict[str, Any], user: str) -> SaveOutcome:
        """Write the form's values if the file is still the version the form was made from and the result
        is valid; keep the version replaced and the new one in the history."""
        with self._locked(institution_id):
            current = self.read(institution_id)
            current_version = NEW_FILE_VERSION if current is None else text_digest(current)
            if base_version != current_version:
                return self._conflict(institution_id, base_version, current)
            text = self.candidate(institution_id, current, values, user)
            checked = self.library.check_text(institution_id, text)
            if not checked.valid:
                return SaveOutcome("invalid", text, checked)
            if text == current:
                return SaveOutcome("unchanged", text, checked)
            if current is not None:
                self.remember(institution_id, current)
            try:
                write_atomically(self.library.workspace.institutions_dir, f"{institution_id}.yaml", text.encode())
            except PolicygenError as error:
                raise ProfileUnavailable(error.message) from None
            self.store.record_version(institution_id, text, user)
            return SaveOutcome("saved", text, checked)

    def _conflict(self, institution_id: str, base_version: str, current: str | None) -> SaveOutcome:
        base = self.store.version_by_digest(institution_id, base_version)
        latest = self.store.latest_version(institution_id)
        before = base.text if base is not None else ""
        after = current or ""
        diff = "".join(
            difflib.unified_diff(
                before.splitlines(keepends=True),
                after.splitlines(keepends=True),
                "the version you opened",
                "the version saved since",
            )
        )
        by = latest if latest is not None and latest.digest == text_digest(after) else None
        return SaveOutcome("conflict", conflict_by=by, conflict_diff=diff)


def version_diff(older: Version | None, newer: Version) -> str:
    """What a version changed from the one before it, as a unified diff of the file."""
    before = older.text if older is not None else ""
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            newer.text.splitlines(keepends=True),
            f"{older.saved_at} {older.saved_by}" if older else "(none)",
            f"{newer.saved_at} {newer.saved_by}",
        )
    )
