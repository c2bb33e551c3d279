"""Shared fixtures: the repository workspace, a build of every example, and readers of the files we produce."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from policygen.cli.commands import main

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "institutions"
EXAMPLE_SUBMISSION = "union-2026"
BOUNDED_MEMORY_BYTES = 384 * 1024 * 1024  # address space of a bounded run: a package verified takes under 150 MiB
BOUNDED_CPU_SECONDS = 120  # processor time of a bounded run: the kernel stops it past this
# Runs the command line with an audit hook that reports every file operation on a path, links resolved, that lies
# inside the sandbox (the test's own folder) but outside the folders the command may use.
_AUDITED_CLI = """
import os, sys
sandbox, allowed = os.path.realpath(sys.argv[1]), [os.path.realpath(path) for path in sys.argv[2].split(os.pathsep)]
del sys.argv[1:3]
PATH_ARGUMENTS = {"open": 1, "os.listdir": 1, "os.scandir": 1, "os.remove": 1, "os.rmdir": 1, "os.mkdir": 1,
                  "os.chmod": 1, "os.truncate": 1, "os.utime": 1, "glob.glob": 1, "shutil.rmtree": 1,
                  "os.rename": 2, "os.link": 2, "os.symlink": 2, "shutil.copyfile": 2, "shutil.move": 2}

def inside(path, folder):
    return path == folder or path.startswith(folder + os.sep)

def audit(event, args):
    for argument in args[:PATH_ARGUMENTS.get(event, 0)]:
        if isinstance(argument, (str, bytes, os.PathLike)):
            path = os.path.realpath(os.fsdecode(argument))
            if inside(path, sandbox) and not any(inside(path, folder) for folder in allowed):
                os.write(2, f"OUTSIDE: {event} {path}\\n".encode())

sys.addaudithook(audit)
from policygen.cli.commands import main
sys.argv[0] = "policygen"
main()
"""


def run_cli(*args: str) -> Result:
    """Run the policygen command line in-process, as a user would type it."""
    return CliRunner().invoke(main, [str(arg) for arg in args], catch_exceptions=False)


@dataclass(frozen=True)
class BoundedRun:
    """A command line run in its own process with bounded memory and processor time."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def messages(self) -> list[str]:
        """The lines of stderr without the hints that follow a message."""
        return [line for line in self.stderr.splitlines() if not line.startswith("    hint: ")]

    @property
    def outside_access(self) -> list[str]:
        """File operations the process made in the sandbox outside the folders it was allowed."""
        return [line for line in self.stderr.splitlines() if line.startswith("OUTSIDE: ")]


def run_bounded_cli(*args: str | Path, sandbox: Path, allowed: list[Path]) -> BoundedRun:
    """Run the policygen command line in a child process whose address space and processor time are bounded
    (it fails with a MemoryError, or is stopped, beyond them), and that reports any file it touches in `sandbox`
    outside the `allowed` folders."""

    def bound() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (BOUNDED_MEMORY_BYTES, BOUNDED_MEMORY_BYTES))
        resource.setrlimit(resource.RLIMIT_CPU, (BOUNDED_CPU_SECONDS, BOUNDED_CPU_SECONDS))

    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    completed = subprocess.run(
        [sys.executable, "-c", _AUDITED_CLI, str(sandbox), os.pathsep.join(map(str, allowed)), *map(str, args)],
        cwd=REPO,
        env=environment,
        preexec_fn=bound,
        capture_output=True,
        text=True,
        timeout=30 * BOUNDED_CPU_SECONDS,
    )  # only against a hang that uses no processor time, such as a blocked read
    return BoundedRun(completed.returncode, completed.stdout, completed.stderr)


# Runs the command line in a fresh Python with the test's bounds; patches lower policygen's own bounds (module,
# name, value), and any open() of a watched path (a folder outside the workspace, a pipe) stops the process with
# exit code 97 before the file is touched, so "nothing outside was read" is checked, not assumed.
_CONFINED_CLI = """
import json, os, sys
from importlib import import_module
config = json.loads(sys.argv[1])
watched = [os.path.abspath(path) for path in config["watched"]]

def refuse_watched_paths(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.abspath(os.fsdecode(args[0]))
        if any(path == root or path.startswith(root + os.sep) for root in watched):
            os.write(2, ("opened a watched path: " + path + "\\n").encode())
            os._exit(97)

for module, name, value in config["patches"]:
    setattr(import_module(module), name, value)
sys.addaudithook(refuse_watched_paths)
from policygen.cli.commands import main
main(sys.argv[2:], prog_name="policygen")
"""
WATCHED_PATH_OPENED = 97
CONFINED_CPU_SECONDS = 60  # each process: a failing run needs a few seconds, a full one-unit build about ten
CONFINED_DATA_BYTES = 1536 * 1024**2  # each process; rendering one unit needs a few hundred MiB


@dataclass(frozen=True)
class ConfinedResult:
    """What a confined run of the command line printed, and its exit code (negative: killed by that signal)."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout


def run_cli_confined(
    *args: object,
    watched: tuple[Path, ...] = (),
    patches: tuple[tuple[str, str, object], ...] = (),
    cpu_seconds: int = CONFINED_CPU_SECONDS,
    data_bytes: int = CONFINED_DATA_BYTES,
) -> ConfinedResult:
    """Run the command line in a subprocess bounded in CPU time and data memory (so a runaway input fails the
    test instead of slowing it), refusing any open() of a `watched` path, with policygen's bounds `patches`."""

    def bound() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
        resource.setrlimit(resource.RLIMIT_DATA, (data_bytes, data_bytes))

    config = json.dumps({"watched": [str(path) for path in watched], "patches": [list(patch) for patch in patches]})
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    # the timeout only keeps a hung run from hanging the suite; the bounds under test are CPU time and memory
    completed = subprocess.run(
        [sys.executable, "-c", _CONFINED_CLI, config, *map(str, args)],
        capture_output=True,
        text=True,
        env=environment,
        preexec_fn=bound,
        stdin=subprocess.DEVNULL,
        timeout=900,
    )
    return ConfinedResult(completed.returncode, completed.stdout, completed.stderr)


def run_cli_with_sitecustomize(site_code: str, *args: object, site: Path, cwd: Path = REPO) -> ConfinedResult:
    """Run the command line in a fresh Python that first runs `site_code` as its sitecustomize (written into the
    folder `site`, which is also the process's temporary folder): a platform or a bug simulated before policygen
    is imported."""
    (site / "sitecustomize.py").write_text(site_code, encoding="utf-8")
    python_path = [str(site), str(REPO), os.environ.get("PYTHONPATH")]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, python_path)), "TMPDIR": str(site)}
    completed = subprocess.run(
        [sys.executable, "-m", "policygen", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        stdin=subprocess.DEVNULL,
        timeout=900,
    )  # only against a hang: a run takes seconds
    return ConfinedResult(completed.returncode, completed.stdout, completed.stderr)


def tree_state(folder: Path, skip: str | None = None) -> dict[str, tuple[int, int, int]]:
    """Every entry below `folder` (but the `skip` subfolder) with its type, size and modification time, taken
    without reading or following anything: a 1 GiB sparse file or a pipe is as cheap as any other entry."""
    state = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if skip is not None and (relative == skip or relative.startswith(skip + "/")):
            continue
        info = path.lstat()
        state[relative] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return state


def copy_workspace(target: Path) -> Path:
    """A fresh workspace in `target` with the example institutions (templates stay the packaged ones)."""
    shutil.copytree(EXAMPLES, target / "institutions")
    return target


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` (relative path -> bytes), to compare a folder before and after a run."""
    if not folder.exists():
        return {}
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()
    }


def pdf_text(path: Path, body_only: bool = False) -> str:
    """The text of a PDF as pdftotext extracts it; with body_only, the running header and footer cropped off."""
    command = ["pdftotext", "-enc", "UTF-8"]
    if body_only:
        # A4 at 72 dpi is 595 x 842 points; the header and footer live in the top and bottom 2 cm margins.
        command += ["-x", "0", "-y", "60", "-W", "595", "-H", "725"]
    output = subprocess.run([*command, str(path), "-"], check=True, capture_output=True, text=True)
    return output.stdout


def soffice_convert(paths: list[Path], target_format: str, out_dir: Path) -> list[Path]:
    """Convert files with LibreOffice headless in one call; fails (never skips) when LibreOffice is missing."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is required by these tests: run scripts/system-deps.sh --test"
    profile = out_dir / f"lo-profile-{uuid.uuid4().hex}"
    completed = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target_format,
            "--outdir",
            str(out_dir),
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    extension = target_format.split(":")[0]
    converted = [out_dir / f"{path.stem}.{extension}" for path in paths]
    missing = [str(path) for path in converted if not path.is_file()]
    assert not missing, f"LibreOffice did not convert: {missing}\n{completed.stdout}\n{completed.stderr}"
    return converted


def edit(path: Path, *replacements: tuple[str, str]) -> str:
    """Replace each `old` text of a file once by `new`, asserting each is there; returns the new text."""
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text


def line_of(text: str, marker: str) -> int:
    """The number of the first line of `text` that holds `marker`."""
    return next(number for number, line in enumerate(text.splitlines(), start=1) if marker in line)


def normalized_words(text: str) -> list[str]:
    """Words of a text with whitespace, soft hyphens and typographic spaces normalised."""
    text = text.replace("\u00ad", "").replace("\u202f", " ").replace("\xa0", " ")
    return re.sub(r"\s+", " ", text).strip().split(" ")


@pytest.fixture(autouse=True)
def no_policygen_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs as if the user had set none of policygen's environment variables."""
    for name in ("POLICYGEN_WORKSPACE", "POLICYGEN_DEBUG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of `policygen build` run on the repository's examples."""
    out_dir = tmp_path_factory.mktemp("example-build") / "output"
    result = run_cli("build", "--workspace", REPO, "--out", out_dir)
    assert result.exit_code == 0, result.stderr
    return out_dir


@pytest.fixture(scope="session")
def submission_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace of the examples and the example submission, whose package is built once per session (about
    40 s) into its output/; copy it before changing anything."""
    workspace = copy_workspace(tmp_path_factory.mktemp("submission"))
    shutil.copytree(REPO / "submissions", workspace / "submissions")
    result = run_cli("submission", "build", EXAMPLE_SUBMISSION, "-w", workspace, "--quiet", "--summary")
    assert result.exit_code == 0, result.stderr
    assert re.fullmatch(rf"built submission {EXAMPLE_SUBMISSION}: \d+ files, manifest and zip in .*\n", result.stdout)
    return workspace


@pytest.fixture(scope="session")
def submission_package(submission_workspace: Path) -> Path:
    """The example submission package (of `submission_workspace`); copy it before changing it."""
    return submission_workspace / "output" / "submission" / EXAMPLE_SUBMISSION


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        help="rewrite the golden files of document models (tests/snapshots/, tests/fixtures/parse/) instead of "
        "comparing with them; `make snapshots` runs this",
    )


@pytest.fixture
def update_snapshots(request: pytest.FixtureRequest) -> bool:
    """Whether the run rewrites golden files instead of comparing with them."""
    return bool(request.config.getoption("--update-snapshots"))
