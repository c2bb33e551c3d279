"""Bad and hostile templates (reference catalogue, section B) in a workspace's overrides, through `policygen build`.

Each case puts one payload into the workspace's copy of the Russian policy template, some with files beside it
(a symlink leading out of the workspace, a 1 GiB sparse file, a pipe). The build runs in a subprocess bounded in
CPU time and memory; it must exit 1 with a one-line message naming the template file (and the line, where there
is one) and a hint, read nothing outside the workspace, and leave the output folder and everything else exactly
as it was.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO, WATCHED_PATH_OPENED, copy_workspace, files_under, run_cli_confined, tree_state

MARKER_LINE = "# "  # the template's title line: the payload goes on the line after it
SECRET = "TOP-SECRET-LINE-OF-A-FILE-OUTSIDE"
MAX_LINE_CHARS = 500  # a message quotes at most a clipped excerpt of any value; paths add the rest


@dataclass(frozen=True)
class BadTemplate:
    name: str
    payload: str
    message: str = ""  # a regular expression the located message must match
    at_line: bool = True  # whether the message names the payload's line (a whole-document bound names none)
    # puts files beside the template: (templates folder, folder outside the workspace) -> paths never to open
    setup: Callable[[Path, Path], tuple[Path, ...]] = lambda templates, outside: ()


def secret_file_outside(templates: Path, outside: Path) -> tuple[Path, ...]:
    (outside / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    (templates / "leak.txt").symlink_to(outside / "secret.txt")
    return ()


def folder_outside(templates: Path, outside: Path) -> tuple[Path, ...]:
    (outside / "clauses").mkdir()
    (outside / "clauses" / "extra.md.j2").write_text(SECRET + "\n", encoding="utf-8")
    (templates / "shared").symlink_to(outside / "clauses", target_is_directory=True)
    return ()


def sparse_gigabyte(templates: Path, outside: Path) -> tuple[Path, ...]:
    with open(templates / "big.txt", "wb") as stream:
        stream.truncate(1024**3)
    return ()


def pipe(templates: Path, outside: Path) -> tuple[Path, ...]:
    os.mkfifo(templates / "pipe.md.j2")
    return (templates / "pipe.md.j2",)  # opening it for reading would block until someone writes


def long_value(templates: Path, outside: Path) -> tuple[Path, ...]:
    (templates / "long.txt").write_text("A" * 100_000, encoding="utf-8")
    return ()


CASES = [
    BadTemplate("misspelled-variable", "{{ inst.nmae }}"),
    BadTemplate("get-returning-none", "{{ inst.get('nmae') }}"),
    BadTemplate("list-of-undefined", "{{ [missing] }}"),
    BadTemplate("conditional-without-else", "{{ 'x' if false }}"),
    BadTemplate("macro-without-argument", "{% macro m(a) %}{{ [a] }}{% endmacro %}{{ m() }}"),
    BadTemplate("ssti-globals", "{{ cycler.__init__.__globals__.os.popen('id').read() }}"),
    BadTemplate("ssti-subclasses", "{{ ''.__class__.__mro__[1].__subclasses__() }}"),
    BadTemplate("ssti-attr-format", "{{ ('{0.__class__}'|attr('format'))(1) }}"),
    BadTemplate("ssti-format", "{{ 'a{0.__class__}'.format(1) }}"),
    BadTemplate("include-outside", "{% include '../institutions/_national.yaml' %}"),
    BadTemplate("huge-repetition", "{{ 'a' * 50000000 }}"),
    BadTemplate("huge-power", "{{ 10 ** 100000 }}"),
    BadTemplate("huge-range", "{% for i in range(10**7) %}x{% endfor %}"),
    BadTemplate("recursive-macro", "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}"),
    # a file outside the workspace, reached through a symlinked file or folder, used as a key to echo it
    BadTemplate(
        "symlinked-file-leading-out",
        "{% set x %}{% include 'leak.txt' %}{% endset %}{{ inst[x] }}",
        r"included template .*leak\.txt: the file resolves outside its templates folder",
        setup=secret_file_outside,
    ),
    BadTemplate(
        "symlinked-folder-leading-out",
        "{% include 'shared/extra.md.j2' %}",
        r"included template .*extra\.md\.j2: the file resolves outside its templates folder",
        setup=folder_outside,
    ),
    # a computed value echoed in an error is clipped, however long
    BadTemplate(
        "long-computed-value-in-a-message",
        "{% set x %}{% include 'long.txt' %}{% endset %}{{ inst[x] }}",
        r"undefined value: .*A…$",
        setup=long_value,
    ),
    BadTemplate(
        "long-computed-attribute-in-a-message",
        "{{ ''|attr('_' * 100000) }}",
        r"undefined value: 'str object' has no attribute '_+…$",
    ),
    # files that must not be read whole, or at all
    BadTemplate(
        "sparse-gigabyte-include",
        "{% include 'big.txt' %}",
        r"big\.txt: the file is 1,073,741,824 bytes, more than the 1,048,576 a template file may be",
        setup=sparse_gigabyte,
    ),
    BadTemplate(
        "pipe-named-like-a-template",
        "{% include 'pipe.md.j2' %}",
        r"pipe\.md\.j2: the file is not a regular file and was not read",
        setup=pipe,
    ),
    # a table too large for a document, which no profile schema can see
    BadTemplate(
        "huge-table",
        "| a | b |\n| --- | --- |\n{% for i in range(15000) %}| x | y |\n{% endfor %}",
        r"document policy \(ru\) would hold 30,\d{3} table cells, more than the 25,000 a document may hold",
        at_line=False,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_bad_template_fails_naming_template_and_line_and_touches_nothing(tmp_path: Path, case: BadTemplate):
    workspace = copy_workspace(tmp_path / "ws")
    outside = tmp_path / "outside"
    outside.mkdir()
    template = workspace / "templates" / "policy" / "ru.md.j2"
    template.parent.mkdir(parents=True)
    watched = (outside, *case.setup(workspace / "templates", outside))
    lines = (REPO / "templates" / "policy" / "ru.md.j2").read_text(encoding="utf-8").splitlines()
    title = next(index for index, line in enumerate(lines) if line.startswith(MARKER_LINE))
    lines.insert(title + 1, case.payload)
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out_dir = workspace / "output"
    (out_dir / "ak-tilek-fmc" / "ru").mkdir(parents=True)
    (out_dir / "ak-tilek-fmc" / "ru" / "policy.docx").write_bytes(b"previous build")
    before = files_under(out_dir), tree_state(workspace, skip="output"), tree_state(outside)

    result = run_cli_confined(
        "build", "ak-tilek-fmc", "--lang", "ru", "--format", "docx", "-w", workspace, "--jobs", "1", watched=watched
    )

    assert result.exit_code == 1, (result.exit_code, WATCHED_PATH_OPENED, result.stderr)
    assert "Traceback" not in result.stderr
    location = rf"{re.escape(str(template))}:{title + 2}: " if case.at_line else rf"{re.escape(str(template))}: "
    message = re.search(rf"^{location}(.*)$", result.stderr, re.MULTILINE)
    assert message, result.stderr
    assert re.search(case.message, message.group(1)), message.group(1)
    assert "\n    hint: " in result.stderr
    assert all(len(line) < MAX_LINE_CHARS for line in (result.stdout + result.stderr).splitlines()), result.stderr
    assert (files_under(out_dir), tree_state(workspace, skip="output"), tree_state(outside)) == before
    assert "uid=" not in result.stdout + result.stderr
    assert SECRET not in result.stdout + result.stderr


def test_render_needing_more_memory_than_a_worker_may_use_is_stopped_in_a_one_unit_build(tmp_path: Path):
    workspace = copy_workspace(tmp_path / "ws")
    template = workspace / "templates" / "policy" / "ru.md.j2"
    template.parent.mkdir(parents=True)
    source = (REPO / "templates" / "policy" / "ru.md.j2").read_text(encoding="utf-8")
    template.write_text(source + "\n{{ '{:>1000000000}'.format('') }}\n", encoding="utf-8")

    # one unit, --jobs 1: it still renders in a worker process, which carries the (here lowered) memory bound;
    # without it the 1 GB string would fit in the test's own, higher bound, and the output bound would stop it
    result = run_cli_confined(
        "build",
        "ak-tilek-fmc",
        "--lang",
        "ru",
        "--format",
        "docx",
        "-w",
        workspace,
        "--jobs",
        "1",
        patches=(("policygen.limits", "WORKER_MEMORY_BYTES", 512 * 1024**2),),
        data_bytes=4 * 1024**3,
    )

    assert result.exit_code == 1, result.stderr
    line = source.count("\n") + 2
    assert re.search(
        rf"{re.escape(str(template))}:{line}: rendering needed more memory than a document may use", result.stderr
    ), result.stderr
    assert not (workspace / "output").exists()
