"""Builds an institution's DOCX and PDF set in the background, with its progress, then zips it for download."""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from policygen import PolicygenError
from policygen.web.library import BuildFailed, Library


@dataclass
class BuildJob:
    """One build of one institution's saved profile: languages done of all, then the zip or the problems."""

    institution_id: str
    done: int = 0
    total: int = 0
    finished: bool = False
    zip_path: Path | None = None
    problems: list[str] = field(default_factory=list)


class Downloads:
    """At most one build per institution at a time; the last zip of each is kept until the next build."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._jobs: dict[str, BuildJob] = {}
        self._lock = threading.Lock()
        self._folder = tempfile.TemporaryDirectory(prefix="policygen-downloads-")

    def close(self) -> None:
        self._folder.cleanup()

    def job(self, institution_id: str) -> BuildJob | None:
        with self._lock:
            return self._jobs.get(institution_id)

    def start(self, institution_id: str) -> BuildJob:
        """Start building unless a build of the institution is running; the job either way."""
        with self._lock:
            job = self._jobs.get(institution_id)
            if job is not None and not job.finished:
                return job
            job = self._jobs[institution_id] = BuildJob(institution_id)
        threading.Thread(target=self.run, args=(job,), daemon=True, name=f"build-{institution_id}").start()
        return job

    def build_now(self, institution_id: str) -> BuildJob:
        """Build in this thread (a script's download), waiting for a build already running."""
        job = BuildJob(institution_id)
        self.run(job)
        return job

    def run(self, job: BuildJob) -> None:
        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        try:
            files = self.library.build_set(job.institution_id, progress)
            target = Path(self._folder.name) / f"{job.institution_id}.zip"
            partial = target.with_suffix(f".{threading.get_ident()}.partial")
            self.library.write_zip(files, partial)
            partial.replace(target)
            job.zip_path = target
        except BuildFailed as error:
            job.problems = [diagnostic.format() for diagnostic in error.diagnostics]
        except PolicygenError as error:
            job.problems = [error.format()]
        finally:
            job.finished = True
