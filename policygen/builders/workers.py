"""Rendering runs in worker processes whose data memory is bounded; the main process, and what it starts, never is."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from policygen.errors import PolicygenError
from policygen.limits import alarm_available, bound_memory, memory_bound_available, memory_exceeded, say_once
from policygen.output.lock import forget_inherited_locks

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

Result = TypeVar("Result")


@contextmanager
def worker_pool(
    jobs: int, initializer: Callable[..., None] | None = None, initargs: tuple = ()
) -> Iterator[ProcessPoolExecutor]:
    """A pool of `jobs` worker processes, each bounding its memory and then running `initializer(*initargs)`."""
    if not memory_bound_available():
        say_once("this platform cannot bound a process's memory: rendering runs without a memory bound")
    if not alarm_available():
        say_once("this platform has no SIGALRM: templates and writers run without a time bound")
    import multiprocessing  # here: a build with nothing to do starts no process
    from concurrent.futures import ProcessPoolExecutor

    # on Linux a forked worker starts at once with everything this process imported (spawning one would import
    # it all again, about a second per pool); elsewhere the platform's default start method is kept
    context = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_start_worker, initargs=(initializer, initargs)
    ) as pool:
        yield pool


def _start_worker(initializer: Callable[..., None] | None, initargs: tuple) -> None:
    forget_inherited_locks()
    bound_memory()
    if initializer is not None:
        initializer(*initargs)


def run_bounded(function: Callable[..., Result], *args: Any) -> Result:
    """`function(*args)` run in a bounded worker process: its result, or the PolicygenError it raised."""
    with worker_pool(1) as pool:
        return worker_result(pool.submit(_guarded, function, args))


def map_bounded(
    function: Callable[[Any], Result],
    items: Sequence[Any],
    jobs: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple = (),
) -> list[Result]:
    """`function(item)` for each item, on up to `jobs` bounded worker processes, in the order of `items`."""
    if not items:
        return []
    with worker_pool(min(jobs, len(items)), initializer, initargs) as pool:
        futures = [pool.submit(_guarded, function, (item,)) for item in items]
        return [worker_result(future) for future in futures]


def _guarded(function: Callable[..., Result], args: tuple) -> Result:
    try:
        return function(*args)
    except MemoryError:
        raise PolicygenError(memory_exceeded(), hint="a template or clause must not build text without bound") from None


def worker_result(future: Future) -> Any:
    """A worker's result; a worker that died (killed, or out of memory outside Python) is a PolicygenError."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool:
        raise PolicygenError(
            "a rendering process stopped unexpectedly (killed, or out of memory)",
            hint="run again; if it stops again, the input needs more memory than a rendering process may use",
        ) from None


def default_jobs() -> int:
    """One process per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
