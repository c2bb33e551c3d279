"""The bounds that keep one document finite: the size of its model, its pages, the time and memory it takes."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from policygen.errors import RenderError
from policygen.model import BLOCK_TYPES, Node, Table, Text, walk

# The largest real documents are the policy (about 450 blocks, 56,000 characters, 22 pages) and the coverage
# report, which grows by about 160 table cells, 12,000 characters and 6 pages per institution; each bound
# leaves room for many times that, and refuses the runaway documents that once took minutes and gigabytes.
MAX_BLOCKS = 20_000
MAX_TABLE_CELLS = 25_000
MAX_TEXT_CHARS = 1_500_000
MAX_PAGES = 1000
"""Pages of one PDF document, counted after layout and before writing."""
MAX_WRITE_SECONDS = 120
"""Time to write one document in one format (for a PDF: layout and writing); a policy takes about 1 s."""
WORKER_MEMORY_BYTES = 2 * 1024**3
"""Data memory a rendering process may use: a normal unit needs a few hundred MiB; a runaway render stops here."""
MAX_SURVEY_BYTES = 50 * 1024**2
"""Size of a survey export (CSV or XLSX): 1,150 answers of twenty columns take about 200 KiB."""
MAX_SURVEY_UNPACKED_BYTES = 256 * 1024**2
"""What an XLSX export may unpack to: its sheets are XML, some ten times the size of the same data as CSV."""
MAX_SURVEY_ROWS = 200_000
"""Respondents of one survey export."""
MAX_SURVEY_COLUMNS = 2000
"""Columns of a survey export's header."""

try:
    import resource
except ImportError:  # not on every platform; there the memory bound is off
    resource = None  # type: ignore[assignment]

_BOUND_NAMES = {"blocks": "blocks", "cells": "table cells", "chars": "characters of text"}


@dataclass(frozen=True)
class ModelSize:
    """How much a document model (or a part of it) holds."""

    blocks: int = 0
    cells: int = 0
    chars: int = 0

    def __add__(self, other: ModelSize) -> ModelSize:
        return ModelSize(self.blocks + other.blocks, self.cells + other.cells, self.chars + other.chars)

    def excess(self) -> tuple[str, int, int] | None:
        """The first bound this size passes, as (what, size, bound), or None when within every bound."""
        for name, size, bound in (
            ("blocks", self.blocks, MAX_BLOCKS),
            ("cells", self.cells, MAX_TABLE_CELLS),
            ("chars", self.chars, MAX_TEXT_CHARS),
        ):
            if size > bound:
                return name, size, bound
        return None


def model_size(blocks: Iterable[Node]) -> ModelSize:
    """The blocks (nested ones included), table cells and characters of text in `blocks`."""
    block_count = cells = chars = 0
    for node in walk(blocks):
        if isinstance(node, Text):
            chars += len(node.text)
        elif isinstance(node, BLOCK_TYPES):
            block_count += 1
            if isinstance(node, Table):
                cells += sum(len(row) for row in (node.header, *node.rows))
    return ModelSize(block_count, cells, chars)


def describe_excess(excess: tuple[str, int, int]) -> str:
    """'61,234 table cells, more than the 25,000 a document may hold'."""
    name, size, bound = excess
    return f"{size:,} {_BOUND_NAMES[name]}, more than the {bound:,} a document may hold"


def check_page_count(pages: int, target: str) -> None:
    """Refuse a laid-out document of more than MAX_PAGES pages before it is written."""
    if pages > MAX_PAGES:
        raise RenderError(
            target,
            f"the PDF would have {pages:,} pages, more than the {MAX_PAGES:,} a document may have, and was not written",
            hint="shorten the document's clauses and tables",
        )


class TimeBoundExceeded(BaseException):
    """Work ran past its time bound. A BaseException, so that no `except Exception` on the way swallows it."""


def alarm_available() -> bool:
    """Whether this platform can stop work after a time (SIGALRM with an interval timer)."""
    return hasattr(signal, "SIGALRM") and hasattr(signal, "setitimer")


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeBoundExceeded in the block after `seconds`. Unbounded off the main thread (signals reach only
    that one) and where the platform has no alarm (see `say_once`)."""
    if not alarm_available() or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TimeBoundExceeded()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def bounded_writing(name: str) -> Iterator[None]:
    """Stop writing one document (`name` names it in errors) after MAX_WRITE_SECONDS, or when it needs more
    memory than a rendering process may use."""
    try:
        with time_limit(MAX_WRITE_SECONDS):
            yield
    except TimeBoundExceeded:
        raise RenderError(
            name,
            f"writing took longer than {MAX_WRITE_SECONDS} s and was stopped",
            hint="shorten the document's clauses and tables",
        ) from None
    except MemoryError:
        raise RenderError(name, memory_exceeded(), hint="shorten the document's clauses and tables") from None


def memory_bound_available() -> bool:
    """Whether this platform can bound a process's data memory (RLIMIT_DATA)."""
    return resource is not None and hasattr(resource, "RLIMIT_DATA")


def bound_memory() -> None:
    """Bound this process's data memory to WORKER_MEMORY_BYTES (or lower, if its hard limit is lower)."""
    if not memory_bound_available():
        return
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    limit = WORKER_MEMORY_BYTES if hard == resource.RLIM_INFINITY else min(WORKER_MEMORY_BYTES, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def memory_exceeded() -> str:
    """What a render stopped by the memory bound says."""
    return f"rendering needed more than {WORKER_MEMORY_BYTES // 1024**2} MiB of memory and was stopped"


_said: set[str] = set()


def say_once(note: str) -> None:
    """Tell the user once per process that a bound is off on this platform."""
    if note not in _said:
        _said.add(note)
        print(f"policygen: note: {note}", file=sys.stderr)
