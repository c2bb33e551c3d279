"""Turn a Document into PDF bytes: HtmlWriter's HTML laid out by weasyprint, fetching only packaged assets."""

from __future__ import annotations

import functools
import gc
import hashlib
import logging
import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from weasyprint.css.counters import CounterStyle
from weasyprint.document import Document as LaidOutDocument
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from policygen.errors import RenderError, clipped
from policygen.limits import check_page_count
from policygen.model import Document, Meta
from policygen.writers.html import STYLESHEET_HREF, HtmlWriter, document_figures, document_target

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"
PDF_VARIANTS = ("pdf/a-1b", "pdf/a-2b", "pdf/a-3b", "pdf/ua-1")
"""The variants a PdfWriter accepts, each passed to weasyprint's public `write_pdf(pdf_variant=...)`."""
WEASYPRINT_LOGGER = logging.getLogger("weasyprint")


class AssetFetcher(URLFetcher):
    """Serves files inside the packaged assets folder, and the document's own figures from memory; any other
    URL stops the rendering."""

    def __init__(self, root: Path = ASSETS_DIR, figures: dict[str, bytes] | None = None) -> None:
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=True)
        self.root = root.resolve()
        self.figures = {(self.root / relative).as_uri(): data for relative, data in (figures or {}).items()}

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url in self.figures:
            content_type = mimetypes.guess_type(url)[0] or "application/octet-stream"
            return URLFetcherResponse(url, self.figures[url], {"Content-Type": content_type})
        path = self.asset_path(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    def asset_path(self, url: str) -> Path:
        """The file a URL names, if it is a regular file inside the assets folder (symlinks resolved)."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc or parts.query or parts.fragment:
            raise FatalURLFetchingError(f"refused to fetch {url!r}: only packaged assets may be loaded")
        path = Path(url2pathname(parts.path))
        if ".." in path.parts:
            raise FatalURLFetchingError(f"refused to fetch {url!r}: the path climbs out with '..'")
        resolved = path.resolve()
        if not resolved.is_relative_to(self.root) or not resolved.is_file():
            raise FatalURLFetchingError(f"refused to fetch {url!r}: not a file of the packaged assets")
        return resolved


class PdfWriter:
    """Writes a Document as a printable PDF with embedded fonts; a Document always gives the same bytes."""

    name = "pdf"
    suffix = ".pdf"

    def __init__(self, *, pdf_variant: str | None = None) -> None:
        """pdf_variant: a weasyprint variant name such as "pdf/a-2b"; None writes a plain PDF."""
        if pdf_variant is not None and pdf_variant not in PDF_VARIANTS:
            raise ValueError(f"unknown PDF variant {pdf_variant!r}; known: {', '.join(sorted(PDF_VARIANTS))}")
        self.pdf_variant = pdf_variant

    def render(self, document: Document) -> bytes:
        return self.write(self.layout(document), document.meta)

    def layout(self, document: Document) -> LaidOutDocument:
        """The document's pages laid out, to write alone or to combine with others."""
        return layout_html(
            HtmlWriter(link_stylesheet=False).render(document),
            target=document_target(document.meta),
            figures=document_figures(document),
        )

    def write(self, pages: LaidOutDocument, meta: Meta) -> bytes:
        """The PDF of laid-out pages."""
        with _weasyprint_failures_as_render_errors(document_target(meta)):
            return pages.write_pdf(pdf_identifier=_pdf_identifier(meta), pdf_variant=self.pdf_variant, pdf_forms=True)

    def combine(
        self, sections: list[tuple[str, list[tuple[str, LaidOutDocument]]]], *, target: str, identifier: str
    ) -> bytes:
        """One PDF of several laid-out documents, bookmarked section by section, then by language.

        sections: (section label, [(language label, pages)]) in the order they are bound.
        """
        pages = []
        for section_label, versions in sections:
            for index, (language_label, laid_out) in enumerate(versions):
                for number, page in enumerate(laid_out.pages):
                    shifted = [(level + 2, label, position, state) for level, label, position, state in page.bookmarks]
                    heads = [(2, language_label, (0, 0), "closed")] if number == 0 else []
                    if number == 0 and index == 0:
                        heads.insert(0, (1, section_label, (0, 0), "open"))
                    page.bookmarks = heads + shifted
                    pages.append(page)
        first = sections[0][1][0][1]
        with _weasyprint_failures_as_render_errors(target):
            return first.copy(pages).write_pdf(
                pdf_identifier=hashlib.sha256(identifier.encode()).hexdigest()[:32].encode(),
                pdf_variant=self.pdf_variant,
                pdf_forms=True,
            )


def layout_html(html: str, *, target: str, figures: dict[str, bytes] | None = None) -> LaidOutDocument:
    """HTML laid out with the print stylesheet, in at most MAX_PAGES pages; any fetch outside the assets, error
    or warning is a RenderError."""
    font_config, counter_style, stylesheet = _print_stylesheet()
    with _weasyprint_failures_as_render_errors(target):
        page = weasyprint.HTML(
            string=html, base_url=ASSETS_DIR.as_uri() + "/", url_fetcher=AssetFetcher(figures=figures)
        )
        laid_out = page.render(
            stylesheets=[stylesheet], font_config=font_config, counter_style=counter_style, pdf_forms=True
        )
    check_page_count(len(laid_out.pages), target)
    return laid_out


def html_to_pdf(
    html: str,
    *,
    target: str,
    identifier: bytes | None = None,
    pdf_variant: str | None = None,
    figures: dict[str, bytes] | None = None,
) -> bytes:
    """The PDF of HTML laid out with the print stylesheet, restricted to the packaged assets."""
    laid_out = layout_html(html, target=target, figures=figures)
    with _weasyprint_failures_as_render_errors(target):
        return laid_out.write_pdf(pdf_identifier=identifier, pdf_variant=pdf_variant, pdf_forms=True)


@functools.cache
def _print_stylesheet() -> tuple[FontConfiguration, CounterStyle, weasyprint.CSS]:
    """The parsed print CSS with the fonts and counter styles it declares, made once per process."""
    font_config = FontConfiguration()
    counter_style = CounterStyle()
    with _weasyprint_failures_as_render_errors(STYLESHEET_HREF):
        stylesheet = weasyprint.CSS(
            filename=ASSETS_DIR / STYLESHEET_HREF,
            url_fetcher=AssetFetcher(),
            font_config=font_config,
            counter_style=counter_style,
        )
    _freeze_long_lived_objects()
    return font_config, counter_style, stylesheet


def _freeze_long_lived_objects() -> None:
    """Takes every object alive now (the modules, this stylesheet, its fonts) out of the garbage collector's walks.

    They live as long as the process, yet each full collection during a layout walked them all again: about a
    tenth of a PDF's time went to the collector, and freezing them halves that. Garbage is collected first, so
    nothing unreachable is kept for good.
    """
    gc.collect()
    gc.freeze()


def _pdf_identifier(meta: Meta) -> bytes:
    """The permanent half of the PDF /ID: stable for a document across builds instead of drawn at random."""
    key = "\n".join((meta.institution, meta.doc_id, meta.language_tag))
    return hashlib.sha256(key.encode()).hexdigest()[:32].encode()


_HINT = "no PDF was written; the message names what weasyprint could not load or lay out"


class _WarningCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _weasyprint_failures_as_render_errors(target: str) -> Iterator[None]:
    """Any weasyprint exception, refused fetch or logged warning becomes a RenderError."""
    collector = _WarningCollector()
    saved_level = WEASYPRINT_LOGGER.level
    if WEASYPRINT_LOGGER.getEffectiveLevel() > logging.WARNING:
        WEASYPRINT_LOGGER.setLevel(logging.WARNING)
    WEASYPRINT_LOGGER.addHandler(collector)
    try:
        yield
    except (Exception, FatalURLFetchingError) as error:
        raise RenderError(target, f"weasyprint failed: {clipped(str(error))}", hint=_HINT) from error
    finally:
        WEASYPRINT_LOGGER.removeHandler(collector)
        WEASYPRINT_LOGGER.setLevel(saved_level)
    if collector.messages:
        raise RenderError(target, "weasyprint reported: " + clipped("; ".join(collector.messages)), hint=_HINT)
