"""Where a PDF's time goes, how it compares with LibreOffice per page, and a submission's full build against a rebuild.

Run by hand (`make bench` runs it after policy_times.py). Every figure is measured in this run; on a shared machine
read the ratios, and the processor (CPU) times rather than the wall-clock ones. Tests never assert on these times.

- stages: one policy PDF through our PdfWriter, split into our HTML, WeasyPrint's HTML parsing, style cascade, box
  tree, layout (pages, then running headers and footers), drawing and PDF writing (font subsetting, serialisation
  and compression), with the garbage collector's share; medians of processor seconds over --repeats renders;
- profile: one render under cProfile (processor clock), its own time grouped by where it is spent;
- css: the same policy with parts of print.css changed (justification, generated clause numbers, the running header
  and footer), interleaved renders, each against the stylesheet as shipped: what those parts cost;
- LibreOffice: our PDF build of a workspace (`build --format pdf --jobs 1`) per page against LibreOffice converting
  our DOCX of the same documents in one batch, per page (target: at most 3x);
- submission: `submission build` in a temporary copy of the workspace, then again with nothing changed.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from policygen.model import Document

REPO = Path(__file__).resolve().parents[1]
POLICYGEN = [sys.executable, "-m", "policygen"]
PAGE_TARGET = 3.0
"""Our PDF time per page may be at most this many times LibreOffice's."""


# Stages --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    label: str
    owner: str  # dotted module path, or "module:Class"
    attribute: str
    generator: bool = False  # a generator function: timed while it is drained


# WeasyPrint's stage functions, looked up where Document and write_pdf call them. They are WeasyPrint's internals,
# timed here and only here; a stage WeasyPrint no longer has is reported as such, never guessed.
STAGES = (
    Stage("our HTML (HtmlWriter)", "policygen.writers.html:HtmlWriter", "render"),
    Stage("HTML parsing", "weasyprint:HTML", "__init__"),
    Stage("style cascade (selector matching)", "weasyprint.document", "get_all_computed_styles"),
    Stage("box tree (generated content, counters)", "weasyprint.document", "build_formatting_structure"),
    Stage("layout: pages", "weasyprint.layout", "make_all_pages", generator=True),
    Stage("layout: running header and footer", "weasyprint.layout", "make_margin_boxes", generator=True),
    Stage("layout: the rest (backgrounds, bookmarks)", "weasyprint.document", "layout_document", generator=True),
    Stage("drawing", "weasyprint.document:Page", "paint"),
    Stage("font subsetting", "weasyprint.pdf", "build_fonts_dictionary"),
    Stage("serialisation and compression", "pydyf:PDF", "write"),
)
REST = "the rest (PDF structure, metadata, our checks)"
COLLECTOR = "garbage collection (within the stages above)"
NESTED = {"layout: the rest (backgrounds, bookmarks)": ("layout: pages", "layout: running header and footer")}
"""Stages timed around others: their own time is what remains after those."""


def _owner(path: str) -> object | None:
    import importlib

    module_name, _, class_name = path.partition(":")
    try:
        owner = importlib.import_module(module_name)
    except ImportError:
        return None
    return getattr(owner, class_name, None) if class_name else owner


@contextmanager
def _timed(stage: Stage, totals: dict[str, float]) -> Iterator[bool]:
    owner = _owner(stage.owner)
    original = getattr(owner, stage.attribute, None) if owner is not None else None
    if original is None:
        yield False
        return

    def timed(*args, **kwargs):
        started = time.process_time()
        try:
            return list(original(*args, **kwargs)) if stage.generator else original(*args, **kwargs)
        finally:
            totals[stage.label] = totals.get(stage.label, 0.0) + time.process_time() - started

    setattr(owner, stage.attribute, timed)
    try:
        yield True
    finally:
        setattr(owner, stage.attribute, original)


@contextmanager
def _collector_time(totals: dict[str, float]) -> Iterator[None]:
    started = [0.0]

    def record(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.process_time()
        else:
            totals[COLLECTOR] = totals.get(COLLECTOR, 0.0) + time.process_time() - started[0]

    gc.callbacks.append(record)
    try:
        yield
    finally:
        gc.callbacks.remove(record)


def stage_times(render: Callable[[], object], repeats: int) -> tuple[dict[str, float], list[str]]:
    """Median processor seconds per stage over `repeats` calls of `render`, and the stages that could not be timed."""
    runs: list[dict[str, float]] = []
    missing: list[str] = []
    for _ in range(repeats):
        totals: dict[str, float] = {}
        with ExitStack() as stack:
            found = [stack.enter_context(_timed(stage, totals)) for stage in STAGES]
            missing = [stage.label for stage, present in zip(STAGES, found, strict=True) if not present]
            stack.enter_context(_collector_time(totals))
            started = time.process_time()
            render()
            totals["total"] = time.process_time() - started
        for outer, inner in NESTED.items():
            if outer in totals:
                totals[outer] -= sum(totals.get(label, 0.0) for label in inner)
        totals[REST] = totals["total"] - sum(totals.get(stage.label, 0.0) for stage in STAGES)
        runs.append(totals)
    labels = [stage.label for stage in STAGES if stage.label not in missing] + [REST, COLLECTOR, "total"]
    return {label: statistics.median(run.get(label, 0.0) for run in runs) for label in labels}, missing


PROFILE_GROUPS = (
    ("text shaping and line breaking (Pango, HarfBuzz)", ("weasyprint/text/", "cffi", "_cffi")),
    ("layout", ("weasyprint/layout/",)),
    ("styles (computed values, cascade)", ("weasyprint/css/", "cssselect2", "tinycss2")),
    ("box objects (building, copying, queries)", ("weasyprint/formatting_structure/",)),
    ("drawing", ("weasyprint/draw/", "weasyprint/stacking", "weasyprint/matrix")),
    ("PDF objects and compression (pydyf, zlib)", ("weasyprint/pdf/", "pydyf")),
    ("HTML parsing (tinyhtml5)", ("tinyhtml5",)),
)


def profile_groups(render: Callable[[], object]) -> list[tuple[str, float]]:
    """Shares of one profiled render's own time by where it is spent (the profiler slows pure Python the most).

    A built-in (a Pango call through cffi, isinstance, zlib) counts where it was called from.
    """
    profiler = cProfile.Profile(time.process_time)
    profiler.runcall(render)
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    shares: dict[str, float] = {}
    for (filename, _, function), (_, _, own, _, callers) in stats.items():
        if filename == "~" and callers:
            spent = [(caller, timing[2]) for caller, timing in callers.items()]
        else:
            spent = [((filename, 0, function), own)]
        for (where_file, _, where_function), seconds in spent:
            where = f"{where_file}:{where_function}"
            group = next((label for label, keys in PROFILE_GROUPS if any(key in where for key in keys)), "other")
            shares[group] = shares.get(group, 0.0) + seconds
    total = sum(shares.values())
    return sorted(((label, own / total) for label, own in shares.items()), key=lambda item: -item[1])


def policy_document(institution: int, lang: str) -> tuple[str, Document]:
    """The example institution's policy in a language, with its name for the output."""
    from policygen import TemplateRenderer, build_documents, load_profile, open_workspace

    workspace = open_workspace(REPO)
    loaded = load_profile(workspace.institution_files()[institution], workspace)
    document = build_documents(TemplateRenderer(workspace.template_search_path()), loaded, lang)["policy"]
    return f"{loaded.profile.id}/{lang}", document


def bench_stages(name: str, document: Document, repeats: int) -> None:
    from policygen.writers.pdf import PdfWriter

    writer = PdfWriter()
    pages = len(writer.layout(document).pages)  # also the warm-up: stylesheet and fonts are set up once per process
    times, missing = stage_times(lambda: writer.render(document), repeats)
    total = times["total"]
    print(f"policy PDF of {name}, {pages} pages; median processor seconds of {repeats} renders:")
    for label, seconds in times.items():
        print(f"  {label:50} {seconds:7.3f} s {100 * seconds / total:5.1f} %")
    print(f"  {'per page':50} {total / pages:7.3f} s")
    if missing:
        print(f"  (not timed, this WeasyPrint has no such stage: {', '.join(missing)})")
    print("one render under cProfile, own time by where it is spent:")
    for label, share in profile_groups(lambda: writer.render(document)):
        print(f"  {label:52} {100 * share:5.1f} %")


# What parts of the print CSS cost ---------------------------------------------------------------------------


def _left_out(pattern: str, replacement: str = "") -> Callable[[str], str]:
    def edit(css: str) -> str:
        edited = re.sub(pattern, replacement, css, flags=re.DOTALL)
        if edited == css:
            raise SystemExit(f"print.css no longer has {pattern!r}: update bench/pdf_path.py")
        return edited

    return edit


_NUMBER_RULES = r"\n[^\n]*::before \{\n  content: [^\n]*\n\}"
_MARGIN_BOXES = r"\n  @(top-left|top-right|bottom-center) \{.*?\n  \}"


def typed_numbers(html: str) -> str:
    """The HTML with the clause and point numbers typed into the text, as the print CSS's counters would show them."""
    typed, clause, point, subpoint = [], 0, 0, 0
    pieces = re.split(
        r'(<section class="clause"|<h2 class="clause-title">|<div class="point point-[12]">\n<p[^>]*>)', html
    )
    for piece in pieces:
        if piece == '<section class="clause"':
            clause, point, subpoint = clause + 1, 0, 0
        elif piece == '<h2 class="clause-title">':
            piece += f"{clause}. "
        elif piece.startswith('<div class="point point-1">'):
            point, subpoint = point + 1, 0
            piece += f"{clause}.{point}. "
        elif piece.startswith('<div class="point point-2">'):
            subpoint += 1
            piece += f"{clause}.{point}.{subpoint}. "
        typed.append(piece)
    if not clause:
        raise SystemExit('HtmlWriter no longer writes clauses as <section class="clause">: update bench/pdf_path.py')
    return "".join(typed)


CSS_VARIANTS: tuple[tuple[str, Callable[[str], str], Callable[[str], str]], ...] = (
    ("as shipped", lambda css: css, lambda html: html),
    ("text-align: left instead of justify", _left_out("text-align: justify;", "text-align: left;"), lambda html: html),
    ("numbers typed into the HTML, no ::before counters", _left_out(_NUMBER_RULES), typed_numbers),
    ("no running header and footer", _left_out(_MARGIN_BOXES), lambda html: html),
)


def _stylesheet_render(css: str, html: str) -> Callable[[], int]:
    """A render of `html` with `css` as the print stylesheet, as PdfWriter makes it; it returns the page count."""
    import weasyprint
    from weasyprint.css.counters import CounterStyle
    from weasyprint.text.fonts import FontConfiguration

    from policygen.writers.html import STYLESHEET_HREF
    from policygen.writers.pdf import ASSETS_DIR, AssetFetcher

    font_config, counter_style = FontConfiguration(), CounterStyle()
    stylesheet = weasyprint.CSS(
        string=css,
        base_url=(ASSETS_DIR / STYLESHEET_HREF).as_uri(),
        url_fetcher=AssetFetcher(),
        font_config=font_config,
        counter_style=counter_style,
    )

    def render() -> int:
        page = weasyprint.HTML(string=html, base_url=ASSETS_DIR.as_uri() + "/", url_fetcher=AssetFetcher())
        laid_out = page.render(stylesheets=[stylesheet], font_config=font_config, counter_style=counter_style)
        laid_out.write_pdf()
        return len(laid_out.pages)

    return render


def bench_css(document: Document, repeats: int) -> None:
    """The policy rendered with parts of print.css changed, interleaved, each against the stylesheet as shipped."""
    from policygen.writers.html import STYLESHEET_HREF, HtmlWriter
    from policygen.writers.pdf import ASSETS_DIR

    shipped = (ASSETS_DIR / STYLESHEET_HREF).read_text(encoding="utf-8")
    html = HtmlWriter(link_stylesheet=False).render(document)
    renders = [_stylesheet_render(edit_css(shipped), edit_html(html)) for _, edit_css, edit_html in CSS_VARIANTS]
    pages = [render() for render in renders]
    timings: list[list[float]] = [[] for _ in renders]
    for _ in range(repeats):
        for render, spent in zip(renders, timings, strict=True):
            started = time.process_time()
            render()
            spent.append(time.process_time() - started)
    shipped_seconds = statistics.median(timings[0])
    print(f"the same policy with parts of print.css changed, interleaved; median processor seconds of {repeats}:")
    for (label, _, _), spent, count in zip(CSS_VARIANTS, timings, pages, strict=True):
        seconds = statistics.median(spent)
        print(f"  {label:50} {seconds:7.3f} s {seconds / shipped_seconds:6.2f}x  {count} pages")


# LibreOffice ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float  # user and system time of the command and every process it waited for


def timed_command(command: list[str], cwd: Path | None = None) -> Timing:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Timing(wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)


def pdf_pages(paths: list[Path]) -> int:
    from pypdf import PdfReader

    return sum(len(PdfReader(path).pages) for path in paths)


def copy_workspace(source: Path, target: Path) -> Path:
    """The workspace's profiles and submissions, without its output."""
    for folder in ("institutions", "submissions"):
        if (source / folder).is_dir():
            shutil.copytree(source / folder, target / folder)
    return target


def compare_with_libreoffice(workspace: Path, rounds: int = 3) -> None:
    """Our PDF build per page against LibreOffice converting our DOCX of the same documents in one batch, the two
    alternated `rounds` times; medians per page and of the rounds' ratios."""
    out = workspace / "output"
    base = [*POLICYGEN, "build", "-w", str(workspace), "--out", str(out), "-q", "--jobs", "1"]
    subprocess.run([*base, "--format", "docx"], check=True, stdout=subprocess.DEVNULL)
    documents = sorted(out.rglob("*.docx"))
    ours: list[Timing] = []
    office: list[Timing] = []
    with tempfile.TemporaryDirectory() as scratch:
        copies = []
        for index, path in enumerate(documents):
            copy = Path(scratch) / f"{index:04d}.docx"
            shutil.copy(path, copy)
            copies.append(str(copy))
        convert = ["soffice", f"-env:UserInstallation=file://{scratch}/profile", "--headless", "--convert-to", "pdf"]
        for _ in range(rounds):
            ours.append(timed_command([*base, "--format", "pdf", "--force"]))
            office.append(timed_command([*convert, "--outdir", scratch, *copies]))
        office_pages = pdf_pages(sorted(Path(scratch).glob("*.pdf")))
    our_pages = pdf_pages(sorted(out.rglob("*.pdf")))
    print(
        f"{len(documents)} documents; our PDF build ({our_pages} pages, `build --format pdf --jobs 1`, templates "
        f"included) against LibreOffice converting our DOCX in one batch ({office_pages} pages), per page, "
        f"medians of {rounds} alternated rounds:"
    )
    for name, clock in (("processor time", "cpu"), ("wall clock", "wall")):
        mine = statistics.median(getattr(timing, clock) / our_pages for timing in ours)
        theirs = statistics.median(getattr(timing, clock) / office_pages for timing in office)
        ratio = statistics.median(
            (getattr(a, clock) / our_pages) / (getattr(b, clock) / office_pages)
            for a, b in zip(ours, office, strict=True)
        )
        print(
            f"  {name:15} ours {1000 * mine:6.1f} ms, LibreOffice {1000 * theirs:6.1f} ms; "
            f"ratio {ratio:.2f}x (target at most {PAGE_TARGET:.0f}x: {'met' if ratio <= PAGE_TARGET else 'missed'})"
        )


# Submission ----------------------------------------------------------------------------------------------------


def bench_submission(workspace: Path, submission: str) -> None:
    command = [*POLICYGEN, "submission", "build", submission, "-w", str(workspace), "-q"]
    full = timed_command(command)
    again = timed_command(command)
    print(
        f"submission build {submission}: full {full.wall:.1f} s ({full.cpu:.1f} s processor), "
        f"rebuild with nothing changed {again.wall:.1f} s ({again.cpu:.1f} s processor) = "
        f"{100 * again.cpu / full.cpu:.0f} % of the full build's processor time"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="renders of the policy for the stage medians")
    parser.add_argument("--institution", type=int, default=0, help="which example institution's policy to profile")
    parser.add_argument("--lang", default="ru")
    parser.add_argument("--rounds", type=int, default=3, help="alternated builds of ours and LibreOffice's")
    parser.add_argument("--submission", default="union-2026")
    parser.add_argument("--skip", nargs="*", default=[], choices=["stages", "css", "libreoffice", "submission"])
    arguments = parser.parse_args()
    name, document = policy_document(arguments.institution, arguments.lang)
    if "stages" not in arguments.skip:
        bench_stages(name, document, arguments.repeats)
    if "css" not in arguments.skip:
        bench_css(document, arguments.repeats)
    with tempfile.TemporaryDirectory() as scratch:
        if "libreoffice" not in arguments.skip:
            compare_with_libreoffice(copy_workspace(REPO, Path(scratch) / "office"), arguments.rounds)
        if "submission" not in arguments.skip:
            bench_submission(copy_workspace(REPO, Path(scratch) / "submission"), arguments.submission)
    return 0


if __name__ == "__main__":
    sys.exit(main())
