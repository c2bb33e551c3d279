"""Every error policygen raises: one root class, diagnostics with a location and a hint, and the exit codes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

EXIT_OK = 0
EXIT_FAILED = 1  # some institutions or checks failed; the others were still done
EXIT_UNUSABLE = 2  # the command line or the workspace itself is unusable
EXIT_INTERNAL = 70  # a bug in policygen: an exception nobody expected (EX_SOFTWARE of the BSD sysexits)

MAX_QUOTED_CHARS = 80
"""How much of a value an error message quotes: enough to recognise it, never a whole file's content."""
MAX_FOREIGN_MESSAGE_CHARS = 200
"""How much of a library's message (which may quote values a template computed) an error passes on."""


def quoted(value: object) -> str:
    """A value as a message quotes it: its repr, cut to MAX_QUOTED_CHARS characters with an ellipsis."""
    text = str(value)
    if len(text) > MAX_QUOTED_CHARS:
        text = text[:MAX_QUOTED_CHARS] + "…"
    return repr(text)


def clipped(message: str) -> str:
    """A library's message on one line, cut to MAX_FOREIGN_MESSAGE_CHARS characters with an ellipsis."""
    head = message[: MAX_FOREIGN_MESSAGE_CHARS + 1]  # a huge message is cut before it is even escaped
    one_line = "".join(char if char.isprintable() else repr(char)[1:-1] for char in head)
    return one_line if len(one_line) <= MAX_FOREIGN_MESSAGE_CHARS else one_line[:MAX_FOREIGN_MESSAGE_CHARS] + "…"


@dataclass(frozen=True)
class Diagnostic:
    """One problem at one place: FILE:LINE:COL: key.path: message, then the hint that fixes it."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None
    key_path: str = ""
    hint: str = ""
    warning: bool = False  # accepted, but probably not what was meant; --strict makes it an error

    def format(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: "
        if self.key_path:
            text += f"{self.key_path}: "
        if self.warning:
            text += "warning: "
        text += self.message
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def as_error(self) -> Diagnostic:
        """This warning as the error that --strict makes of it."""
        return replace(self, warning=False, message=f"{self.message} (a warning, an error under --strict)")


class PolicygenError(Exception):
    """Root of every error policygen raises on purpose; carries a hint that tells the user the fix."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def diagnostics(self) -> list[Diagnostic]:
        return [Diagnostic(file="policygen", message=self.message, hint=self.hint)]

    def __reduce__(self):
        # every subclass crosses from a worker process to the main one whole, whatever its constructor takes
        return _rebuilt_error, (type(self), self.args, self.__dict__)

    def format(self) -> str:
        return "\n".join(diagnostic.format() for diagnostic in self.diagnostics())


def _rebuilt_error(kind: type[PolicygenError], args: tuple, state: dict) -> PolicygenError:
    error = Exception.__new__(kind, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class ProfileError(PolicygenError):
    """A profile (or one of its bases) cannot be loaded or validated; holds every problem found in it."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        if not diagnostics:
            raise ValueError("ProfileError needs at least one diagnostic")
        super().__init__(diagnostics[0].message, diagnostics[0].hint)
        self._diagnostics = list(diagnostics)

    def diagnostics(self) -> list[Diagnostic]:
        return list(self._diagnostics)

    @classmethod
    def single(
        cls,
        file: Path | str,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        key_path: str = "",
        hint: str = "",
    ) -> ProfileError:
        return cls([Diagnostic(str(file), message, line, column, key_path, hint)])


class WorkspaceError(PolicygenError):
    """The workspace itself is unusable: no institutions folder, an unknown profile, a bad option."""

    exit_code = EXIT_UNUSABLE


class TemplateError(PolicygenError):
    """A template cannot be found, rendered or parsed into the document model."""

    def __init__(self, template: str, message: str, hint: str = "", line: int | None = None) -> None:
        super().__init__(message, hint)
        self.template = template
        self.line = line

    def diagnostics(self) -> list[Diagnostic]:
        return [Diagnostic(self.template, self.message, self.line, None, "", self.hint)]


class TemplateStructureError(TemplateError):
    """A template whose parts differ from its skeleton; holds every difference found, each at its line."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        if not diagnostics:
            raise ValueError("TemplateStructureError needs at least one diagnostic")
        first = diagnostics[0]
        super().__init__(first.file, first.message, first.hint, first.line)
        self._diagnostics = list(diagnostics)

    def diagnostics(self) -> list[Diagnostic]:
        return list(self._diagnostics)


class _TargetError(PolicygenError):
    """An error about one file to be written, named by `target`."""

    def __init__(self, target: str, message: str, hint: str = "") -> None:
        super().__init__(message, hint)
        self.target = target

    def diagnostics(self) -> list[Diagnostic]:
        return [Diagnostic(self.target, self.message, hint=self.hint)]


class RenderError(_TargetError):
    """A writer could not produce its file (DOCX or PDF) from a document."""


class OutputError(_TargetError):
    """The output folder cannot be written: read-only, full, or a path that escapes it."""


class OutputBusyError(_TargetError):
    """Another policygen process holds the lock on the output folder."""

    exit_code = EXIT_UNUSABLE


class WordFileError(_TargetError):
    """A Word file given to redline or import-edits cannot be used: not a DOCX, hostile, or without anchors."""

    exit_code = EXIT_UNUSABLE
