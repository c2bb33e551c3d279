"""The one builder: units planned with a key, those up to date skipped, the rest run on bounded worker processes,
each owner's files written all or nothing, and every file recorded in the output folder's manifest."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from policygen.builders.keys import file_digest
from policygen.builders.workers import worker_pool, worker_result
from policygen.errors import Diagnostic, OutputError, PolicygenError, clipped
from policygen.limits import memory_exceeded
from policygen.output.atomic import checked_output_path, existing_output, write_files
from policygen.output.editions import edition_for, edition_path
from policygen.output.lock import output_lock
from policygen.output.manifest import ManifestEntry, previous_entries, update_manifest

FileResult = tuple[ManifestEntry, bytes | None]
"""A file a unit makes: its manifest entry, with its new bytes, or None when the file on disk is already those."""


@dataclass(frozen=True, eq=False)
class Unit:
    """A piece of work whose files are made together from the same inputs, in a worker process."""

    owner: str  # whose files these are, written all or nothing: an institution id, model, coverage, submission/<id>
    name: str  # what it makes within its owner, as progress shows it: a language, or ru/02-policy
    key: str  # SHA-256 of everything its files are made from
    paths: tuple[str, ...]  # the files it makes, relative to the output folder
    source: Path  # the file its errors are reported against (a profile, a submission, the institutions folder)
    job: Callable[[Unit, dict[str, ManifestEntry]], UnitOutput]  # picklable; given the unit and its files' entries
    edition: str = ""  # the edition its files are (output/editions.py); "": a file it changes keeps no edition


@dataclass
class UnitOutput:
    """What a unit's job returns: its files, and files kept beside them that the manifest does not list."""

    files: list[FileResult]
    kept: list[tuple[str, bytes]] = field(default_factory=list)  # the document models, for later commands


@dataclass
class UnitResult:
    """A unit's output, or the problems that stopped it."""

    output: UnitOutput = field(default_factory=lambda: UnitOutput([]))
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass(frozen=True)
class Progress:
    """One step of a long command done: `done` of `total`, what it was and how it went."""

    owner: str
    name: str
    done: int
    total: int
    state: str  # "3 files", "failed", "checked"...
    failed: bool = False


@dataclass
class OwnerOutcome:
    """What happened to one owner's files: those written and those already up to date, or what stopped them."""

    source: Path
    owner: str | None = None  # None when its profile could not even be read for its id
    files: list[ManifestEntry] = field(default_factory=list)
    unchanged: list[ManifestEntry] = field(default_factory=list)
    editions: list[ManifestEntry] = field(default_factory=list)  # previous files kept, as a build changed them
    diagnostics: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.diagnostics)


Finisher = Callable[[list[FileResult], dict[str, ManifestEntry]], list[FileResult]]
"""Run in this process once every unit of an owner is in: from the owner's files (in the order of its units) and
the previous manifest entries, the files made of all of them (a package's manifest and zip)."""


@dataclass
class Builder:
    """Builds units into an output folder, holding its lock throughout."""

    out_dir: Path
    jobs: int = 1
    force: bool = False  # rebuild units that are up to date
    on_progress: Callable[[Progress], None] | None = None

    def run(
        self,
        units: list[Unit],
        setup: Callable[..., None] | None = None,
        setup_args: tuple = (),
        finishers: dict[str, Finisher] | None = None,
    ) -> dict[str, OwnerOutcome]:
        """Run the units that are not up to date on up to `jobs` worker processes, each set up with
        `setup(*setup_args)`; write each owner's files once all its units succeeded (none of them otherwise) and
        record them in the manifest. A build with nothing to do starts no process."""
        finishers = finishers or {}
        with output_lock(self.out_dir) as lock:
            recorded = previous_entries(self.out_dir)
            previous = {} if self.force else recorded
            outcomes: dict[str, OwnerOutcome] = {}
            made: dict[str, dict[Unit, list[FileResult]]] = {}
            kept: dict[str, list[tuple[str, bytes]]] = {}
            pending = []
            for unit in units:
                outcome = outcomes.setdefault(unit.owner, OwnerOutcome(unit.source, unit.owner))
                made.setdefault(unit.owner, {})
                try:
                    for path in unit.paths:
                        checked_output_path(self.out_dir, path)  # a link is refused before rendering, not after
                except OutputError as error:
                    outcome.diagnostics = outcome.diagnostics or error.diagnostics()
                if outcome.failed:
                    continue
                current = self.up_to_date(unit, previous)
                if current is None:
                    pending.append(unit)
                else:
                    made[unit.owner][unit] = [(entry, None) for entry in current]
            order = {owner: [unit for unit in units if unit.owner == owner] for owner in outcomes}
            remaining = Counter(unit.owner for unit in pending)

            def finish(owner: str) -> None:
                results = [result for unit in order[owner] for result in made[owner].get(unit, [])]
                self._write(outcomes[owner], results, kept.get(owner, []), finishers.get(owner), previous, recorded)

            def unit_done(unit: Unit, result: UnitResult, done: int) -> None:
                owner = unit.owner
                outcomes[owner].diagnostics += result.diagnostics
                made[owner][unit] = result.output.files
                kept.setdefault(owner, []).extend(result.output.kept)
                remaining[owner] -= 1
                if remaining[owner] == 0:  # written as soon as complete, so that no owner's bytes pile up
                    finish(owner)
                if self.on_progress is not None:
                    written = sum(data is not None for _, data in result.output.files)
                    state = "failed" if result.diagnostics else f"{written} files"
                    self.on_progress(Progress(owner, unit.name, done, len(pending), state, bool(result.diagnostics)))

            for owner in outcomes:
                if remaining[owner] == 0:
                    finish(owner)
            self._run(pending, previous, setup, setup_args, unit_done)
            for owner, outcome in outcomes.items():
                if not outcome.failed:  # also when all was up to date: a killed build's leftovers go on the next run
                    paths = [entry.path for entry in (*outcome.files, *outcome.unchanged, *outcome.editions)]
                    paths += [path for path, _ in kept.get(owner, [])]
                    for folder in sorted({PurePosixPath(path).parent.as_posix() for path in paths}):
                        lock.remove_stale_temporaries(folder)
            written = [
                entry
                for outcome in outcomes.values()
                for entry in (*outcome.files, *outcome.unchanged, *outcome.editions)
            ]
            if written:
                update_manifest(self.out_dir, written)
        return outcomes

    def up_to_date(self, unit: Unit, previous: dict[str, ManifestEntry]) -> list[ManifestEntry] | None:
        """The unit's entries when every file it makes exists, unchanged, from the same key; else None."""
        if self.force:
            return None
        entries = []
        for path in unit.paths:
            entry = previous.get(path)
            if entry is None or entry.unit_sha256 != unit.key or not intact(self.out_dir, entry):
                return None
            entries.append(entry)
        return entries

    def _run(
        self,
        units: list[Unit],
        previous: dict[str, ManifestEntry],
        setup: Callable[..., None] | None,
        setup_args: tuple,
        on_done: Callable[[Unit, UnitResult, int], None],
    ) -> None:
        if not units:
            return
        from concurrent.futures import as_completed

        with worker_pool(min(self.jobs, len(units)), setup, setup_args) as pool:
            futures = {pool.submit(run_unit, unit, _entries_of(unit, previous)): unit for unit in units}
            for done, future in enumerate(as_completed(futures), start=1):
                unit = futures[future]
                try:
                    result = worker_result(future)
                except PolicygenError as error:  # its worker process died
                    result = UnitResult(diagnostics=_located(unit, error.message, error.hint))
                on_done(unit, result, done)

    def _write(
        self,
        outcome: OwnerOutcome,
        results: list[FileResult],
        kept: list[tuple[str, bytes]],
        finisher: Finisher | None,
        previous: dict[str, ManifestEntry],
        recorded: dict[str, ManifestEntry],
    ) -> None:
        """Write an owner's new files if every unit of it succeeded; otherwise leave them all as they were. A
        file with an edition whose bytes change keeps its previous bytes as an edition, written with the others."""
        if outcome.failed:
            return
        try:
            if finisher is not None:
                results = results + finisher(results, previous)
            editions = [
                kept_edition
                for entry, data in results
                if data is not None and entry.edition
                for kept_edition in self._edition(entry, data, recorded.get(entry.path))
            ]
            new = [(entry.path, data) for entry, data in results if data is not None]
            write_files(self.out_dir, [(entry.path, data) for entry, data in editions] + new + kept)
        except PolicygenError as error:
            outcome.diagnostics = error.diagnostics()
            return
        outcome.files = [entry for entry, data in results if data is not None]
        outcome.unchanged = [entry for entry, data in results if data is None]
        outcome.editions = [entry for entry, _ in editions]

    def _edition(
        self, entry: ManifestEntry, data: bytes, earlier: ManifestEntry | None
    ) -> list[tuple[ManifestEntry, bytes]]:
        """The file on disk at `entry`'s path as an edition to write, when the new bytes `data` differ from it and
        it is the file the manifest records (one damaged or changed by hand is replaced, not kept): named by the
        edition recorded for it (the order it was built under), else by the new file's; none when an edition holds
        its bytes already."""
        path = existing_output(self.out_dir, entry.path)
        if earlier is None or path is None:
            return []
        try:
            before = path.read_bytes()
        except OSError:
            return []  # unreadable: it is replaced as before, there is nothing to keep
        sha256 = hashlib.sha256(before).hexdigest()
        if sha256 != earlier.sha256 or sha256 == hashlib.sha256(data).hexdigest():
            return []
        name, to_write = edition_for(self.out_dir, entry.path, earlier.edition or entry.edition, before)
        kept = replace(earlier, path=edition_path(entry.path, name), unit_sha256="", document_sha256="", edition=name)
        return [(kept, before)] if to_write else []


def intact(out_dir: Path, entry: ManifestEntry) -> bool:
    """Whether the file of a manifest entry is in the output folder, reached without a link, with its bytes."""
    path = existing_output(out_dir, entry.path)
    try:
        return path is not None and file_digest(path) == entry.sha256
    except OSError:
        return False


def run_unit(unit: Unit, previous: dict[str, ManifestEntry]) -> UnitResult:
    """Run a unit's job in a worker; write nothing, so that its owner's files change all together or not."""
    try:
        return UnitResult(unit.job(unit, previous))
    except PolicygenError as error:
        return UnitResult(diagnostics=error.diagnostics())
    except MemoryError:
        return UnitResult(
            diagnostics=_located(unit, memory_exceeded(), "a template or clause must not build text without bound"),
        )
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # also weasyprint's BaseException-derived errors: they fail this unit only
        return UnitResult(
            diagnostics=_located(
                unit,
                "internal error: " + clipped(f"{type(error).__name__}: {error}"),
                "this is a bug in policygen; please report it with the profile",
            ),
        )


def _located(unit: Unit, message: str, hint: str) -> list[Diagnostic]:
    return [Diagnostic(str(unit.source), f"{unit.name}: {message}", hint=hint)]


def _entries_of(unit: Unit, previous: dict[str, ManifestEntry]) -> dict[str, ManifestEntry]:
    return {path: previous[path] for path in unit.paths if path in previous}
