"""What `check` and the build summary say about reading: sentence lengths against their targets, pages per
document counted in the built PDFs, and the body type and margins of every example PDF."""

from __future__ import annotations

import json
import math
import re
import subprocess
from pathlib import Path

import pypdf
import pytest
from conftest import REPO, copy_workspace, run_cli

from policygen import DOCUMENT_IDS, PAGE_BUDGETS, SET_PAGE_BUDGET

A4_WIDTH, A4_HEIGHT = 595.28, 841.89
MARGIN = 20 / 25.4 * 72  # 20 mm in points
SMALLEST_BODY_TYPE = 11.0
EPSILON = 2.0  # points (0.7 mm): a word box may end past a justified line (1.3 pt in the English order's list)

PLAIN_LEAFLET = """---
title: Памятка
subject: Памятка для проверки
---

::: clause what-it-is
## Что это

Это первое предложение из шести слов. Второе короче. Третье предложение, в котором ровно семь слов!

:::

::: clause what-to-do
## Что делать

- Один пункт списка без точки

:::

::: clause what-happens-next
## Что дальше

{{ long }}

:::

::: clause your-protection
## Защита

Обратитесь в каб. 4 к Г. Т. Маматовой.

:::

::: clause support
## Поддержка

Звоните.

:::
"""
LONG_SENTENCE = " ".join(["Слово"] + ["слово"] * 44) + "."


def workspace_with_leaflet(tmp_path: Path, long: str) -> Path:
    workspace = copy_workspace(tmp_path / "ws")
    target = workspace / "templates" / "leaflet" / "ru.md.j2"
    target.parent.mkdir(parents=True)
    target.write_text(PLAIN_LEAFLET.replace("{{ long }}", long), encoding="utf-8")
    return workspace


def language_json(output: str, institution: str, lang: str) -> dict:
    data = json.loads(output)
    entry = next(entry for entry in data["institutions"] if entry["id"] == institution)
    return entry["languages"][lang]


def test_check_reports_sentences_words_and_long_sentences_of_each_document(tmp_path):
    workspace = workspace_with_leaflet(tmp_path, LONG_SENTENCE)
    result = run_cli("check", "ak-tilek-fmc", "-w", workspace, "--json", "-q")
    figures = {entry["document"]: entry for entry in language_json(result.output, "ak-tilek-fmc", "ru")["readability"]}
    assert list(figures) == list(DOCUMENT_IDS)
    # 6 + 2 + 7 words, a list item of 5, 45 words, 8 words (an abbreviation and initials end no sentence), 1 word
    assert figures["leaflet"] == {
        "document": "leaflet",
        "sentences": 7,
        "words": 74,
        "mean_sentence_words": 10.6,
        "share_over_40_words": 0.143,
        "target": 15,
        "meets_target": True,
        "binding": True,
    }
    assert figures["policy"]["target"] == 22 and figures["policy"]["binding"] is True
    assert figures["code-of-conduct"]["target"] is None and figures["code-of-conduct"]["binding"] is False


def test_check_prints_readability_of_every_document_in_every_language():
    result = run_cli("check", "bishkek-city-hospital", "-w", REPO)
    assert result.exit_code == 0, result.stderr
    for lang in ("ky", "ru", "en"):
        line = next(
            line for line in result.output.splitlines() if line.startswith(f"    {lang} ") and "leaflet" in line
        )
        for doc_id in DOCUMENT_IDS:
            assert re.search(rf"\b{doc_id} \d+\.\d, \d+%", line), (lang, doc_id)
        assert re.search(r"leaflet \d+\.\d, 0% \(15\); poster \d+\.\d, 0% \(15\)", line), line


def test_a_leaflet_over_its_target_fails_the_check_naming_it(tmp_path):
    workspace = workspace_with_leaflet(tmp_path, " ".join([LONG_SENTENCE] * 3))
    result = run_cli("check", "ak-tilek-fmc", "-w", workspace)
    assert result.exit_code == 1
    assert "ru: leaflet: sentences of 18.2 words on average, over its target of 15" in result.stderr
    assert re.search(r"leaflet 18\.2, 33% \(15 OVER\)", result.output)


def test_check_counts_pages_in_the_built_pdfs_and_says_when_none_was_built(tmp_path):
    out = tmp_path / "out"
    before = run_cli("check", "ak-tilek-fmc", "-w", REPO, "--out", out)
    assert "pages: no PDF of this institution built yet (run `policygen build`, then check again)" in before.output
    assert language_json(
        run_cli("check", "ak-tilek-fmc", "-w", REPO, "--out", out, "--json").stdout, "ak-tilek-fmc", "ru"
    )["pages"] == dict.fromkeys(DOCUMENT_IDS)

    built = run_cli(
        "build", "ak-tilek-fmc", "-w", REPO, "--out", out, "--lang", "ru", "--doc", "leaflet", "--doc", "poster"
    )
    assert built.exit_code == 0, built.stderr
    assert re.search(
        r"pages per document \(budget: at most\)\n  ak-tilek-fmc ru: leaflet [12], poster 1\n", built.output
    )

    after = run_cli("check", "ak-tilek-fmc", "-w", REPO, "--out", out, "--json")
    pages = language_json(after.stdout, "ak-tilek-fmc", "ru")["pages"]
    leaflet = len(pypdf.PdfReader(out / "ak-tilek-fmc" / "ru" / "leaflet.pdf").pages)
    assert pages == {**dict.fromkeys(DOCUMENT_IDS), "leaflet": leaflet, "poster": 1}
    assert set(language_json(after.stdout, "ak-tilek-fmc", "ky")["pages"].values()) == {None}
    table = run_cli("check", "ak-tilek-fmc", "-w", REPO, "--out", out).output
    assert (
        f"    ru  policy -, code-of-conduct -, complaint-procedure -, training-programme -, adoption-order -, leaflet {leaflet}, poster 1\n"
        in table
    )


@pytest.mark.slow
def test_page_counts_over_budget_are_marked_with_the_budget(tmp_path):
    out = tmp_path / "out"
    built = run_cli("build", "ak-tilek-fmc", "-w", REPO, "--out", out, "--lang", "ru", "--format", "pdf")
    assert built.exit_code == 0, built.stderr
    line = next(line for line in built.output.splitlines() if line.startswith("  ak-tilek-fmc ru: "))
    counts = dict(part.split(" ")[:2] for part in line.removeprefix("  ak-tilek-fmc ru: ").split(";")[0].split(", "))
    assert list(counts) == list(DOCUMENT_IDS)
    assert f"policy {counts['policy']}" + (" (over 12)" if int(counts["policy"]) > 12 else "") in line
    assert line.endswith(
        f"; set {sum(map(int, counts.values()))}" + (" (over 45)" if sum(map(int, counts.values())) > 45 else "")
    )


def text_fragments(path: Path) -> list[tuple[int, float, float, float, str]]:
    """Every piece of text of a PDF: (page index, type size in points, x and y of its baseline start, text)."""
    found = []
    for index, page in enumerate(pypdf.PdfReader(path).pages):

        def visit(text, cm, tm, font, size, index=index):
            if text.strip():
                a, b, c, d, e, f = cm
                x, y = a * tm[4] + c * tm[5] + e, b * tm[4] + d * tm[5] + f
                scale = math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3])
                found.append((index, size * scale, x, y, text.strip()))

        page.extract_text(visitor_text=visit)
    return found


def word_boxes(path: Path) -> list[tuple[float, float, float, float, str]]:
    """Every word of a PDF with its box (x0, y0 from the top, x1, y1), as pdftotext -bbox gives them."""
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return [
        (float(x0), float(y0), float(x1), float(y1), word)
        for x0, y0, x1, y1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html
        )
    ]


def example_pdfs(out: Path) -> list[Path]:
    return sorted(path for path in out.glob("*/*/*.pdf"))


@pytest.mark.slow
def test_body_text_of_every_example_pdf_is_at_least_11_points(example_build):
    pdfs = example_pdfs(example_build)
    assert len(pdfs) == 8 * len(DOCUMENT_IDS)
    for path in pdfs:
        body = [fragment for fragment in text_fragments(path) if MARGIN < fragment[3] < A4_HEIGHT - MARGIN]
        assert body, path
        small = [fragment for fragment in body if fragment[1] < SMALLEST_BODY_TYPE - 0.01]
        assert not small, (path.relative_to(example_build), small[:3])


@pytest.mark.slow
def test_every_example_pdf_keeps_margins_of_at_least_20_mm(example_build):
    for path in example_pdfs(example_build):
        for page in pypdf.PdfReader(path).pages:
            assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == (
                A4_WIDTH,
                A4_HEIGHT,
            )
        for x0, y0, x1, y1, word in word_boxes(path):
            in_running_header_or_footer = y1 <= MARGIN or y0 >= A4_HEIGHT - MARGIN
            if not in_running_header_or_footer:
                where = (path.relative_to(example_build), word, x0, y0, x1, y1)
                assert x0 >= MARGIN - EPSILON and x1 <= A4_WIDTH - MARGIN + EPSILON, where
                assert y0 >= MARGIN - EPSILON and y1 <= A4_HEIGHT - MARGIN + EPSILON, where


@pytest.mark.slow
def test_every_example_document_and_whole_set_fits_its_page_budget_in_every_language(example_build):
    assert (PAGE_BUDGETS["policy"], PAGE_BUDGETS["leaflet"], PAGE_BUDGETS["poster"], SET_PAGE_BUDGET) == (12, 2, 1, 45)
    sets = {}
    for path in example_pdfs(example_build):
        institution, lang = path.parent.parent.name, path.parent.name
        sets.setdefault((institution, lang), {})[path.stem] = len(pypdf.PdfReader(path).pages)
    assert len(sets) == 8
    for (institution, lang), pages in sets.items():
        assert set(pages) == set(DOCUMENT_IDS), (institution, lang)
        over = {doc_id: count for doc_id, count in pages.items() if count > PAGE_BUDGETS[doc_id]}
        assert not over, (institution, lang, over)
        assert sum(pages.values()) <= SET_PAGE_BUDGET, (institution, lang, pages)


@pytest.mark.slow
def test_check_shows_every_example_within_its_page_and_sentence_targets(example_build):
    result = run_cli("check", "-w", REPO, "--out", example_build, "--json", "-q")
    assert result.exit_code == 0, result.stderr
    for entry in json.loads(result.stdout)["institutions"]:
        for lang, figures in entry["languages"].items():
            assert None not in figures["pages"].values(), (entry["id"], lang)
            assert sum(figures["pages"].values()) <= SET_PAGE_BUDGET, (entry["id"], lang)
            missed = [found for found in figures["readability"] if not found["meets_target"]]
            assert not missed, (entry["id"], lang, missed)
    table = run_cli("check", "-w", REPO, "--out", example_build).output
    assert "pages in the built PDFs" in table
    over_target = re.compile(r"\(over \d+\)|\(\d+ OVER\)")
    assert not [line for line in table.splitlines() if over_target.search(line)]
