"""Times the policy's DOCX and PDF per document, and our PDF path against bare weasyprint on the same HTML.

Run by hand (`make bench`); prints medians over repeated renders of every example and language, and ratios
measured in the same run. Tests never assert on these times.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from functools import partial
from pathlib import Path

import weasyprint

from policygen import DOCUMENT_IDS, TemplateRenderer, build_documents, load_profile, open_workspace
from policygen.writers.docx import DocxWriter
from policygen.writers.html import HtmlWriter
from policygen.writers.pdf import ASSETS_DIR, PdfWriter

REPO = Path(__file__).resolve().parents[1]


def median_seconds(action, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def bare_weasyprint(html: str) -> bytes:
    """What a caller of weasyprint would write without our setup: default fetcher, stylesheet linked."""
    return weasyprint.HTML(string=html, base_url=ASSETS_DIR.as_uri() + "/").write_pdf()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="renders per document and path (median taken)")
    parser.add_argument("--doc", default="policy", choices=DOCUMENT_IDS)
    arguments = parser.parse_args()

    workspace = open_workspace(REPO)
    renderer = TemplateRenderer(workspace.template_search_path())
    docx_writer, pdf_writer, html_writer = DocxWriter(), PdfWriter(), HtmlWriter()
    first = load_profile(workspace.institution_files()[0], workspace)
    pdf_writer.render(build_documents(renderer, first, "ru")[arguments.doc])  # warm-up: fonts and CSS set up once

    print(f"{'document':42} {'docx s':>8} {'pdf s':>8} {'bare s':>8} {'pdf/bare':>9} {'pages':>6}")
    ratios, docx_times, pdf_times, page_times = [], [], [], []
    for path in workspace.institution_files():
        loaded = load_profile(path, workspace)
        profile = loaded.profile
        for lang in profile.languages:
            document = build_documents(renderer, loaded, lang)[arguments.doc]
            html = html_writer.render(document)
            docx_time = median_seconds(partial(docx_writer.render, document), arguments.repeats)
            pdf_time = median_seconds(partial(pdf_writer.render, document), arguments.repeats)
            bare_time = median_seconds(partial(bare_weasyprint, html), arguments.repeats)
            pages = len(weasyprint.HTML(string=html, base_url=ASSETS_DIR.as_uri() + "/").render().pages)
            ratios.append(pdf_time / bare_time)
            docx_times.append(docx_time)
            pdf_times.append(pdf_time)
            page_times.append(pdf_time / pages)
            print(
                f"{profile.id + '/' + lang + '/' + arguments.doc:42} {docx_time:8.3f} {pdf_time:8.3f} "
                f"{bare_time:8.3f} {pdf_time / bare_time:9.2f} {pages:6d}"
            )
    print(
        f"\nmedian per document: docx {statistics.median(docx_times):.3f} s, pdf {statistics.median(pdf_times):.3f} s "
        f"({1000 * statistics.median(page_times):.0f} ms per page); "
        f"our pdf / bare weasyprint: median {statistics.median(ratios):.2f}x (target at most 1.10x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
