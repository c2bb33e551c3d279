"""Draws the coverage matrix (institutions x policy elements) as a PNG heat map for reports."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = Path(__file__).resolve().parent.parent / "assets" / "fonts" / "LiberationSerif-Regular.ttf"
COVERED, MISSING_REQUIRED, MISSING_RECOMMENDED = "covered", "missing_required", "missing_recommended"
COLOURS = {COVERED: (46, 125, 50), MISSING_REQUIRED: (198, 40, 40), MISSING_RECOMMENDED: (249, 224, 160)}
SCALE = 3  # drawn at three times the size it is shown, for print
CELL, GAP, MARGIN = 16 * SCALE, 2 * SCALE, 8 * SCALE


@dataclass(frozen=True)
class HeatmapRow:
    """One institution: its label and, per element in column order, one of the three states."""

    label: str
    states: tuple[str, ...]


def draw_heatmap(rows: list[HeatmapRow], legend: dict[str, str]) -> bytes:
    """The PNG of the matrix: a row per institution, a numbered column per element, and a legend beneath."""
    columns = len(rows[0].states) if rows else 0
    font = ImageFont.truetype(str(FONT), 11 * SCALE)
    small = ImageFont.truetype(str(FONT), 8 * SCALE)
    label_width = max((int(font.getlength(row.label)) for row in rows), default=0) + MARGIN
    header = CELL + GAP
    legend_widths = [CELL + GAP * 4 + int(font.getlength(text)) + MARGIN * 2 for text in legend.values()]
    width = max(MARGIN + label_width + columns * (CELL + GAP) + MARGIN, MARGIN + sum(legend_widths))
    legend_top = MARGIN + header + len(rows) * (CELL + GAP) + MARGIN
    height = legend_top + CELL + MARGIN
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    left = MARGIN + label_width
    for column in range(columns):
        centre = left + column * (CELL + GAP) + CELL // 2
        draw.text((centre, MARGIN + CELL // 2), str(column + 1), fill="black", font=small, anchor="mm")
    for index, row in enumerate(rows):
        top = MARGIN + header + index * (CELL + GAP)
        draw.text((MARGIN, top + CELL // 2), row.label, fill="black", font=font, anchor="lm")
        for column, state in enumerate(row.states):
            x = left + column * (CELL + GAP)
            draw.rectangle((x, top, x + CELL - 1, top + CELL - 1), fill=COLOURS[state])
    x = MARGIN
    for (state, text), legend_width in zip(legend.items(), legend_widths, strict=False):
        draw.rectangle(
            (x, legend_top, x + CELL - 1, legend_top + CELL - 1), fill=COLOURS[state], outline=(120, 120, 120)
        )
        draw.text((x + CELL + GAP * 2, legend_top + CELL // 2), text, fill="black", font=font, anchor="lm")
        x += legend_width
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
