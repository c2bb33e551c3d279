"""Bad and hostile templates (reference catalogue, section B) in a workspace's overrides, through `policygen build`.

Each case puts one line into the workspace's copy of the Russian policy template; the build must exit 1, name
the template file and the line, and leave the output folder exactly as it was.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO, copy_workspace, files_under, run_cli

MARKER_LINE = "# "  # the template's title line: the payload goes on the line after it

CASES = {
    "misspelled-variable": "{{ inst.nmae }}",
    "get-returning-none": "{{ inst.get('nmae') }}",
    "list-of-undefined": "{{ [missing] }}",
    "conditional-without-else": "{{ 'x' if false }}",
    "macro-without-argument": "{% macro m(a) %}{{ [a] }}{% endmacro %}{{ m() }}",
    "ssti-globals": "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "ssti-subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "ssti-attr-format": "{{ ('{0.__class__}'|attr('format'))(1) }}",
    "ssti-format": "{{ 'a{0.__class__}'.format(1) }}",
    "include-outside": "{% include '../institutions/_national.yaml' %}",
    "huge-repetition": "{{ 'a' * 50000000 }}",
    "huge-power": "{{ 10 ** 100000 }}",
    "huge-range": "{% for i in range(10**7) %}x{% endfor %}",
    "recursive-macro": "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
}


@pytest.mark.parametrize("payload", CASES.values(), ids=CASES.keys())
def test_bad_template_fails_naming_template_and_line_and_writes_nothing(tmp_path: Path, payload: str):
    workspace = copy_workspace(tmp_path / "ws")
    template = workspace / "templates" / "policy" / "ru.md.j2"
    template.parent.mkdir(parents=True)
    lines = (REPO / "templates" / "policy" / "ru.md.j2").read_text(encoding="utf-8").splitlines()
    title = next(index for index, line in enumerate(lines) if line.startswith(MARKER_LINE))
    lines.insert(title + 1, payload)
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out_dir = workspace / "output"
    (out_dir / "ak-tilek-fmc" / "ru").mkdir(parents=True)
    (out_dir / "ak-tilek-fmc" / "ru" / "policy.docx").write_bytes(b"previous build")
    before = files_under(out_dir)

    result = run_cli("build", "ak-tilek-fmc", "--lang", "ru", "--format", "docx", "-w", workspace, "--jobs", "1")

    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert re.search(rf"{re.escape(str(template))}:{title + 2}: ", result.stderr), result.stderr
    assert "hint: " in result.stderr
    assert files_under(out_dir) == before
    assert "uid=" not in result.output + result.stderr


def test_render_needing_more_memory_than_a_worker_may_use_is_stopped(tmp_path: Path):
    workspace = copy_workspace(tmp_path / "ws")
    template = workspace / "templates" / "policy" / "ru.md.j2"
    template.parent.mkdir(parents=True)
    source = (REPO / "templates" / "policy" / "ru.md.j2").read_text(encoding="utf-8")
    template.write_text(source + "\n{{ '{:>3000000000}'.format('') }}\n", encoding="utf-8")

    # two institutions, so that the units run in worker processes, which carry the memory bound
    result = run_cli("build", "ak-tilek-fmc", "bishkek-city-hospital", "--lang", "ru", "--format", "docx",
                     "-w", workspace, "--jobs", "2")

    assert result.exit_code == 1
    line = source.count("\n") + 2
    assert re.search(rf"{re.escape(str(template))}:{line}: rendering needed more memory than a document may use",
                     result.stderr), result.stderr
    assert not (workspace / "output").exists()
