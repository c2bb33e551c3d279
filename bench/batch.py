"""Benchmarks of the batch engine, each printing ratios measured in the same run on a generated workspace.

Run by hand: `.venv/bin/python bench/batch.py [--institutions N] [--repeats R]`. Tests never assert on times.

- parallel: `build --jobs 2` against `--jobs 1` (target at least 1.8x on two cores);
- no-op: a rebuild with nothing changed against the full build (target under 2 %);
- LibreOffice: our PDF per page against LibreOffice converting our own DOCX in one batch (target at most 3x);
- docxtpl: our DOCX per document against docxtpl rendering an equivalent template (target at most 1.5x; needs
  `pip install docxtpl`, otherwise skipped and said so);
- memory: peak memory of a --jobs 1 build over N and 4N institutions (target: flat).
"""

from __future__ import annotations

import argparse
import io
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pdf_path import compare_with_libreoffice  # run as a script: bench/ is on the path
from policy_times import median_seconds

REPO = Path(__file__).resolve().parents[1]
POLICYGEN = [sys.executable, "-m", "policygen"]
CITIES = ["Бишкек", "Ош", "Каракол", "Нарын", "Талас", "Жалал-Абад", "Баткен", "Токмок", "Балыкчы", "Кара-Балта"]


def generate_workspace(target: Path, count: int, seed: int = 7) -> Path:
    """A workspace of `count` institutions made from the examples, with varied names, counts and deadlines."""
    random.seed(seed)
    institutions = target / "institutions"
    institutions.mkdir(parents=True)
    shutil.copy(REPO / "institutions" / "_national.yaml", institutions)
    examples = sorted(path for path in (REPO / "institutions").glob("*.yaml") if not path.name.startswith("_"))
    for number in range(count):
        source = examples[number % len(examples)]
        text = source.read_text(encoding="utf-8")
        new_id = f"{source.stem}-{number:03d}"
        text = text.replace(f"id: {source.stem}", f"id: {new_id}", 1)
        text = re.sub(r"staff_count: \d+", f"staff_count: {random.randint(10, 2000)}", text, count=1)
        suffix = f" ({CITIES[number % len(CITIES)]} {number})"
        text = re.sub(r"(\n  ru: )([^\n]*)", lambda match, suffix=suffix: match.group(0) + suffix, text, count=1)
        (institutions / f"{new_id}.yaml").write_text(text, encoding="utf-8")
    return target


def timed(command: list[str], cwd: Path | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def bench_parallel_and_noop(workspace: Path, repeats: int) -> None:
    out = workspace / "output"
    one, two, noop = [], [], []
    for _ in range(repeats):
        one.append(
            timed([*POLICYGEN, "build", "-w", str(workspace), "--out", str(out), "--force", "-q", "--jobs", "1"])
        )
        two.append(
            timed([*POLICYGEN, "build", "-w", str(workspace), "--out", str(out), "--force", "-q", "--jobs", "2"])
        )
        noop.append(timed([*POLICYGEN, "build", "-w", str(workspace), "--out", str(out), "-q", "--jobs", "2"]))
    print(
        f"full build --jobs 1: median {statistics.median(one):.1f} s; --jobs 2: {statistics.median(two):.1f} s; "
        f"speed-up {statistics.median(one) / statistics.median(two):.2f}x (target >= 1.8x)"
    )
    print(
        f"no-op rebuild: median {statistics.median(noop):.2f} s = "
        f"{100 * statistics.median(noop) / statistics.median(two):.1f} % of the full build (target < 2 %)"
    )


def bench_docxtpl(workspace: Path, repeats: int) -> None:
    try:
        from docxtpl import DocxTemplate
    except ImportError:
        print("docxtpl comparison skipped: `pip install docxtpl` to run it")
        return
    from policygen import TemplateRenderer, build_documents, load_profile, open_workspace
    from policygen.writers.docx import DocxWriter

    opened = open_workspace(workspace)
    loaded = load_profile(opened.institution_files()[0], opened)
    document = build_documents(TemplateRenderer(opened.template_search_path()), loaded, "ru")["policy"]
    writer = DocxWriter()
    data = writer.render(document)
    name = loaded.profile.name["ru"]
    template_bytes = _as_docxtpl_template(data, name)
    ours = median_seconds(lambda: writer.render(document), repeats)
    theirs = median_seconds(lambda: DocxTemplate(io.BytesIO(template_bytes)).render({"name": name}), repeats)
    print(
        f"DOCX per document: ours {ours:.3f} s, docxtpl rendering the same document as a template "
        f"{theirs:.3f} s; ratio {ours / theirs:.2f}x (target <= 1.5x)"
    )


def _as_docxtpl_template(data: bytes, name: str) -> bytes:
    """Our DOCX with the institution's name turned into a docxtpl variable: an equivalent template."""
    import zipfile

    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "word/document.xml":
                content = content.decode("utf-8").replace(name, "{{ name }}").encode("utf-8")
            archive.writestr(item, content)
    return target.getvalue()


def bench_memory(count: int) -> None:
    peaks = []
    for size in (count, 4 * count):
        with tempfile.TemporaryDirectory() as scratch:
            workspace = generate_workspace(Path(scratch) / "ws", size)
            code = (
                "import resource, sys\nfrom click.testing import CliRunner\nfrom policygen.cli.commands import main\n"
                f"CliRunner().invoke(main, ['build', '-w', {str(workspace)!r}, '-q', '--jobs', '1'])\n"
                "print(max(resource.getrusage(who).ru_maxrss for who in "
                "(resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))"
            )  # --jobs 1 renders in one worker
            measured = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
            peaks.append(int(measured.stdout.strip().splitlines()[-1]))
    print(
        f"peak memory of a --jobs 1 build (main or worker process): {count} institutions {peaks[0] / 1024:.0f} MiB, "
        f"{4 * count} institutions {peaks[1] / 1024:.0f} MiB; ratio {peaks[1] / peaks[0]:.2f} (target: flat, ~1.0)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=12, help="institutions in the generated workspace")
    parser.add_argument("--repeats", type=int, default=2)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        workspace = generate_workspace(Path(scratch) / "ws", arguments.institutions)
        print(f"generated workspace: {arguments.institutions} institutions")
        bench_parallel_and_noop(workspace, arguments.repeats)
        compare_with_libreoffice(workspace, arguments.repeats)
        bench_docxtpl(workspace, arguments.repeats * 5)
    bench_memory(max(arguments.institutions // 2, 3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
