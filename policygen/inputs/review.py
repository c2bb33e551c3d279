"""Who reviewed the text of each template and strings file, when, and which text: a templates folder's
translation-review.yaml, bound by SHA-256 to the text reviewed, so that any later change is unreviewed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from policygen.errors import Diagnostic, ProfileError, WorkspaceError
from policygen.inputs.characters import describe_all, forbidden_in_text
from policygen.inputs.strict_yaml import KeyPath, LoadedYaml, format_key_path, load_yaml_mapping
from policygen.inputs.template_files import check_template_file, read_template_file
from policygen.inputs.workspace import STRINGS_FOLDER, Workspace, packaged_templates

REVIEW_FILE = "translation-review.yaml"
MAX_REVIEWER_CHARS = 255
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_ENTRY_KEYS = ("reviewed_by", "reviewed_on", "sha256")
_HEADER = """\
# Reviews by a qualified legal translator of the text of this folder's templates and strings files: for each
# file, who reviewed it, when, and the SHA-256 of the text reviewed. A file not listed here, or whose text has
# changed since its review, is unreviewed, and every document made from it carries the DRAFT mark on every page.
# Record a review with `policygen review sign FILE --by NAME`; `policygen review status` lists every file.
# policygen never records a review by itself.
"""


@dataclass(frozen=True)
class Review:
    """A review of one file's text: by whom, on which day, and the SHA-256 of the text reviewed."""

    reviewed_by: str
    reviewed_on: dt.date
    sha256: str


@dataclass(frozen=True)
class FileStatus:
    """A template or strings file, its current text's SHA-256 and its review, if any."""

    name: str  # within its templates folder, e.g. policy/ru.md.j2
    path: Path
    sha256: str
    review: Review | None

    @property
    def reviewed(self) -> bool:
        return self.review is not None and self.review.sha256 == self.sha256

    def shown(self, workspace: Workspace) -> str:
        """The file as messages name it: by its path in the workspace, or within the packaged templates."""
        resolved = self.path.resolve()
        if resolved.is_relative_to(workspace.root):
            return resolved.relative_to(workspace.root).as_posix()
        packaged = packaged_templates().resolve()
        if resolved.is_relative_to(packaged):
            return "<packaged>/" + resolved.relative_to(packaged).as_posix()
        return str(self.path)

    def describe(self) -> str:
        if self.review is None:
            return "never reviewed"
        by = f"by {self.review.reviewed_by} on {self.review.reviewed_on.isoformat()}"
        return f"reviewed {by}" if self.reviewed else f"changed since its review {by}"


def is_reviewable(name: str) -> bool:
    """Whether a file of a templates folder holds text a translator reviews: a template or a strings file
    (a skeleton holds no text, and the review record itself is none)."""
    parts = name.split("/")
    if name.endswith(".md.j2"):
        return True
    return len(parts) == 2 and parts[0] == STRINGS_FOLDER and parts[1].endswith(".yaml")


def review_files(search_path: list[Path]) -> list[Path]:
    """The review records of the templates folders, each checked as a template file is."""
    found = []
    for folder in search_path:
        path = folder / REVIEW_FILE
        if os.path.lexists(path):
            check_template_file(path, folder)
            found.append(path)
    return found


_digests: dict[tuple[Path, int, int, int], str] = {}


def text_sha256(path: Path, folder: Path) -> str:
    """The SHA-256 of a file's text, read as a template is (inside its folder, bounded, UTF-8); read again
    whenever the file changes (every document made asks for the review status of its templates)."""
    check_template_file(path, folder)
    info = path.stat()
    key = (path.resolve(), info.st_ino, info.st_mtime_ns, info.st_size)
    if key not in _digests:
        _digests[key] = hashlib.sha256(read_template_file(path).encode("utf-8")).hexdigest()
    return _digests[key]


def unreviewed(files: list[Path], search_path: list[Path]) -> list[Path]:
    """The templates and strings files among `files` whose current text no legal translator has reviewed."""
    return [
        status.path
        for status in (_status(path, search_path) for path in files)
        if status is not None and not status.reviewed
    ]


def review_status(search_path: list[Path]) -> list[FileStatus]:
    """Every template and strings file in effect (a workspace's own before the packaged one), by name."""
    in_effect: dict[str, tuple[Path, Path]] = {}
    for folder in search_path:
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if is_reviewable(name) and not path.is_dir():
                in_effect.setdefault(name, (path, folder))
    return [
        FileStatus(name, path, text_sha256(path, folder), review_record(folder).get(name))
        for name, (path, folder) in sorted(in_effect.items())
    ]


def _status(path: Path, search_path: list[Path]) -> FileStatus | None:
    folder = next((folder for folder in search_path if path.resolve().is_relative_to(folder.resolve())), None)
    if folder is None:
        return None
    name = path.resolve().relative_to(folder.resolve()).as_posix()
    if not is_reviewable(name):
        return None
    return FileStatus(name, path, text_sha256(path, folder), review_record(folder).get(name))


# the record ---------------------------------------------------------------------------------------------------

_records: dict[tuple[Path, int, int, int], dict[str, Review]] = {}


def review_record(folder: Path) -> dict[str, Review]:
    """The reviews recorded in `folder`'s translation-review.yaml (none when it has no such file), read with
    the strict loader and checked; re-read whenever the file changes."""
    path = folder / REVIEW_FILE
    if not os.path.lexists(path):
        return {}
    check_template_file(path, folder)
    info = path.stat()
    key = (path.resolve(), info.st_ino, info.st_mtime_ns, info.st_size)
    if key not in _records:
        _records[key] = _parsed_record(load_yaml_mapping(path))
    return _records[key]


def _parsed_record(loaded: LoadedYaml) -> dict[str, Review]:
    problems: list[Diagnostic] = []

    def problem(key_path: KeyPath, message: str, hint: str) -> None:
        location = loaded.locations.get(key_path) or loaded.locations[()]
        problems.append(
            Diagnostic(location.file, message, location.line, location.column, format_key_path(key_path), hint)
        )

    entries = loaded.data.get("reviewed")
    if set(loaded.data) != {"reviewed"} or not isinstance(entries, dict):
        problem(
            (),
            "expected one key, `reviewed:`, mapping file names to their reviews",
            "write `reviewed: {}`, and record reviews with `policygen review sign FILE --by NAME`",
        )
        raise ProfileError(problems)
    reviews = {}
    for name, entry in entries.items():
        where: KeyPath = ("reviewed", name)
        if not is_reviewable(name) or ".." in name.split("/"):
            problem(
                where,
                f"{name!r} names no template or strings file",
                "name files by their path in the templates folder, e.g. policy/ru.md.j2 or strings/ru.yaml",
            )
            continue
        if not isinstance(entry, dict) or set(entry) != set(_ENTRY_KEYS):
            problem(
                where,
                f"expected the keys {', '.join(_ENTRY_KEYS)}",
                "record reviews with `policygen review sign FILE --by NAME`",
            )
            continue
        by, on, sha256 = (entry[key] for key in _ENTRY_KEYS)
        date = _date(on)
        if reviewer_problem(by) is not None:
            problem((*where, "reviewed_by"), str(reviewer_problem(by)), "write the reviewer's name")
        elif date is None:
            problem((*where, "reviewed_on"), f"expected a date written YYYY-MM-DD, got {on!r}", "e.g. 2026-03-01")
        elif not isinstance(sha256, str) or not _SHA256.match(sha256):
            problem(
                (*where, "sha256"),
                "expected the SHA-256 of the text reviewed, 64 hexadecimal digits",
                "record reviews with `policygen review sign FILE --by NAME`",
            )
        else:
            reviews[name] = Review(by, date, sha256)
    if problems:
        raise ProfileError(problems)
    return reviews


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def reviewer_problem(name: object) -> str | None:
    """What is wrong with a reviewer's name as a record holds it; None when it is right."""
    if not isinstance(name, str) or not name.strip():
        return "expected the reviewer's name"
    if "\n" in name or "\r" in name:
        return "the name must be a single line"
    if len(name) > MAX_REVIEWER_CHARS:
        return f"the name is {len(name)} characters long; at most {MAX_REVIEWER_CHARS} are allowed"
    forbidden = forbidden_in_text(name)
    if forbidden:
        return f"the name holds {describe_all(forbidden)}"
    return None


# signing ------------------------------------------------------------------------------------------------------


def review_file_argument(workspace: Workspace, argument: str) -> Path:
    """The file a command-line argument names: a path from the workspace (or the current folder), or a name
    within its templates folders such as policy/ru.md.j2 (the workspace's own first)."""
    search_path = workspace.template_search_path()
    candidates = [workspace.root / argument, Path(argument), *(folder / argument for folder in search_path)]
    path = next((candidate for candidate in candidates if os.path.lexists(candidate)), None)
    if path is None:
        raise WorkspaceError(
            f"{argument}: no such file",
            hint="name a template or strings file, e.g. templates/policy/ru.md.j2 or policy/ru.md.j2",
        )
    return path


def sign_reviews(workspace: Workspace, files: list[Path], reviewed_by: str, reviewed_on: dt.date) -> list[FileStatus]:
    """Record that `reviewed_by` reviewed the text of `files` as it is now, in the workspace's own review record
    (templates/translation-review.yaml), written atomically. Only files of the workspace's templates folder
    can be signed, so that a review is recorded beside the text it is of."""
    problem = reviewer_problem(reviewed_by)
    if problem is not None:
        raise WorkspaceError(f"--by: {problem}", hint="give the reviewer's full name, e.g. --by 'Aigul Asanova'")
    folder = workspace.templates_dir
    signed = [_signable(path, workspace) for path in files]
    record = review_record(folder)
    for status in signed:
        record = {**record, status.name: Review(reviewed_by.strip(), reviewed_on, status.sha256)}
    _write_record(folder / REVIEW_FILE, record)
    return [FileStatus(status.name, status.path, status.sha256, record[status.name]) for status in signed]


def _signable(path: Path, workspace: Workspace) -> FileStatus:
    folder = workspace.templates_dir
    if not path.resolve().is_relative_to(folder.resolve()):
        in_search_path = any(
            path.resolve().is_relative_to(other.resolve()) for other in workspace.template_search_path()
        )
        raise WorkspaceError(
            f"{path}: "
            + ("a packaged file of policygen" if in_search_path else "not a file of the workspace's templates"),
            hint=f"only files of {folder} can be signed here; copy a packaged file there to override it, "
            "or sign it in the policygen repository itself",
        )
    name = path.resolve().relative_to(folder.resolve()).as_posix()
    if not is_reviewable(name):
        raise WorkspaceError(
            f"{path}: not a template or strings file",
            hint="sign templates (<folder>/<language>.md.j2) and strings files (strings/<language>.yaml)",
        )
    return FileStatus(name, path, text_sha256(path, folder), None)


def _write_record(path: Path, record: dict[str, Review]) -> None:
    """Write the record to a temporary file beside it, then rename it over the old one."""
    if os.path.lexists(path):
        check_template_file(path, path.parent)
    lines = [_HEADER.rstrip("\n"), "reviewed:" if record else "reviewed: {}"]
    for name in sorted(record):
        review = record[name]
        lines += [
            f"  {json.dumps(name, ensure_ascii=False)}:",
            f"    reviewed_by: {json.dumps(review.reviewed_by, ensure_ascii=False)}",
            f"    reviewed_on: {review.reviewed_on.isoformat()}",
            f"    sha256: {review.sha256}",
        ]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
