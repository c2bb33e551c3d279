"""What an exception nobody expected becomes: one line naming it, its traceback in a file, and its own exit code."""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import traceback
from pathlib import Path
from typing import NoReturn

import click

from policygen import EXIT_INTERNAL, __version__, clipped

TRACEBACK_PREFIX = "policygen-error-"


def exit_on_internal_error(error: BaseException, debug: bool) -> NoReturn:
    """Report `error` as a bug in policygen and exit with EXIT_INTERNAL."""
    report_internal_error(error, debug)
    sys.exit(EXIT_INTERNAL)


def report_internal_error(error: BaseException, debug: bool) -> None:
    """Report `error` as a bug in policygen: with `debug`, its traceback on stderr; otherwise one line on stderr
    naming the file in the system's temporary folder that holds the traceback."""
    if debug:
        traceback.print_exception(error, file=sys.stderr)
        return
    summary = clipped(f"{type(error).__name__}: {error}")
    try:
        saved = save_traceback(error)
    except OSError as problem:
        click.echo(
            f"internal error: {summary}; the traceback could not be saved ({problem.strerror or problem}): run "
            "again with --debug to see it; please report it",
            err=True,
        )
    else:
        click.echo(f"internal error: {summary}; the traceback is in {saved}; please report it", err=True)


def save_traceback(error: BaseException) -> Path:
    """Write the traceback of `error`, with what a bug report needs around it, to a new file readable only by
    its owner (it may name the user's paths) in the system's temporary folder, never in the output folder, whose
    manifest and lock must stay policygen's own."""
    descriptor, name = tempfile.mkstemp(prefix=TRACEBACK_PREFIX, suffix=".txt")
    with os.fdopen(descriptor, "w", encoding="utf-8", errors="backslashreplace") as file:
        file.write(f"policygen {__version__}, Python {platform.python_version()}, {platform.platform()}\n")
        file.write(f"command: {' '.join(sys.argv)}\n\n")
        file.write("".join(traceback.format_exception(error)))
    return Path(name)
