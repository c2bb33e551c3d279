"""The poster for patients and visitors: two languages on one page, and a QR code to the reporting channel."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Callable, Iterable

import segno

from policygen.inputs.schema import ReportingChannel
from policygen.model import Document, Figure, Heading, Text
from policygen.render.sandbox import TemplateRenderer

POSTER_ID = "poster"
POSTER_PARTNER = {"ky": "ru", "ru": "ky"}
"""The language printed below each language on its poster: Kyrgyz and Russian share the page. Any other
language (English) has its poster alone: the English set serves donors and reviewers, not waiting rooms."""
QR_WIDTH_CM = 3.5
QR_NAME = "reporting-qr"
_WEB_ADDRESS = re.compile(r"^https?://\S+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{4,}$")


def poster_languages(lang: str, languages: Iterable[str]) -> tuple[str, ...]:
    """The languages of the poster built for `lang`: `lang` first, then its partner when the set has it."""
    partner = POSTER_PARTNER.get(lang)
    return (lang, partner) if partner is not None and partner in languages else (lang,)


def reporting_link(channels: Iterable[ReportingChannel]) -> str | None:
    """What the poster's QR code opens: a reporting channel's web address, else a `tel:` URI of its phone number;
    an anonymous channel before one that asks for a name. None when no channel gives either."""
    candidates = []
    for position, channel in enumerate(channels):
        contact = (channel.contact or "").strip()
        if _WEB_ADDRESS.match(contact):
            candidates.append((not channel.anonymous, 0, position, contact))
        elif _PHONE.match(contact):
            candidates.append((not channel.anonymous, 1, position, "tel:" + re.sub(r"[^0-9+]", "", contact)))
    return min(candidates)[3] if candidates else None


def qr_png(link: str) -> bytes:
    """The QR code of `link` as a PNG picture, made here (no service is asked)."""
    buffer = io.BytesIO()
    segno.make(link, error="m", micro=False).save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()


def join_poster(
    renderer: TemplateRenderer,
    render: Callable[[str], Document],
    languages: tuple[str, ...],
    link: str | None,
    paper: str,
) -> Document:
    """The poster: the text of each of `languages` one after the other on the page of the first, with the QR
    code of `link` and its caption in every language beside the first half's first list."""
    halves = [render(lang) for lang in languages]
    first = halves[0]
    blocks = [block for half in halves for block in half.blocks]
    if link is not None:
        caption = " / ".join(renderer.strings(lang).text("poster_qr_caption") for lang in languages)
        caption += ": " + link.removeprefix("tel:")
        # beside the first list, after the title and the institution's name (the stylesheet floats it right)
        headings = [index for index, block in enumerate(blocks) if isinstance(block, Heading)]
        place = headings[1] if len(headings) > 1 else len(blocks)
        blocks.insert(place, Figure(QR_NAME, qr_png(link), "image/png", QR_WIDTH_CM, (Text(caption),)))
    unreviewed = any(half.meta.draft_mark for half in halves)  # either language's text unreviewed marks the poster
    draft = renderer.strings(languages[0]).text("draft_mark") if unreviewed else ""
    meta = dataclasses.replace(first.meta, layout="poster", paper=paper, draft_mark=draft)
    return Document(meta, tuple(blocks))
