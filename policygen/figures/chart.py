"""Draws the survey findings as a horizontal bar chart (PNG), each bar labelled with its share and count, and its
95 % interval drawn as a whisker across it."""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from policygen.figures.heatmap import FONT, MARGIN, SCALE

BAR_COLOUR = (46, 94, 140)
TRACK_COLOUR = (225, 230, 236)
WHISKER_COLOUR = (20, 20, 20)
LABEL_WIDTH, BAR_WIDTH, BAR_HEIGHT, ROW_GAP = 230 * SCALE, 300 * SCALE, 14 * SCALE, 12 * SCALE


@dataclass(frozen=True)
class Bar:
    """One finding: what was counted, its share from 0 to 1, the label printed beside the bar, and the share's
    95 % interval (low, high), when known."""

    caption: str
    share: float
    label: str
    interval: tuple[float, float] | None = None


def draw_bar_chart(bars: list[Bar]) -> bytes:
    """The PNG of the chart: caption on the left (wrapped), the bar on a grey track, its label to the right."""
    font = ImageFont.truetype(str(FONT), 10 * SCALE)
    line_height = 12 * SCALE
    rows = [textwrap.wrap(bar.caption, width=42) or [""] for bar in bars]
    heights = [max(BAR_HEIGHT, len(lines) * line_height) for lines in rows]
    label_space = max((int(font.getlength(bar.label)) for bar in bars), default=0) + MARGIN
    width = MARGIN + LABEL_WIDTH + BAR_WIDTH + MARGIN + label_space + MARGIN
    height = MARGIN + sum(heights) + ROW_GAP * max(len(bars) - 1, 0) + MARGIN
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    top = MARGIN
    for bar, lines, row_height in zip(bars, rows, heights, strict=False):
        for index, line in enumerate(lines):
            draw.text((MARGIN, top + index * line_height), line, fill="black", font=font)
        bar_top = top + (row_height - BAR_HEIGHT) // 2
        left = MARGIN + LABEL_WIDTH
        draw.rectangle((left, bar_top, left + BAR_WIDTH, bar_top + BAR_HEIGHT), fill=TRACK_COLOUR)
        draw.rectangle((left, bar_top, left + round(BAR_WIDTH * bar.share), bar_top + BAR_HEIGHT), fill=BAR_COLOUR)
        if bar.interval is not None:
            low, high = (left + round(BAR_WIDTH * bound) for bound in bar.interval)
            middle, tick = bar_top + BAR_HEIGHT // 2, BAR_HEIGHT // 4
            draw.line((low, middle, high, middle), fill=WHISKER_COLOUR, width=SCALE)
            for x in (low, high):
                draw.line((x, middle - tick, x, middle + tick), fill=WHISKER_COLOUR, width=SCALE)
        draw.text(
            (left + BAR_WIDTH + MARGIN, bar_top + BAR_HEIGHT // 2), bar.label, fill="black", font=font, anchor="lm"
        )
        top += row_height + ROW_GAP
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
