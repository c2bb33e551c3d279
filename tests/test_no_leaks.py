"""Hostile values in a profile never fetch, embed or link anything: they are printed as text.

Local paths, a cloud metadata URL, HTML that WeasyPrint would follow (`<link rel=attachment>`, `<img>`) and a
Jinja expression are put in a field (the name and the address) and in an institution's own clause (its title
and its Markdown text). One build writes the policy in DOCX and PDF; both must print every payload literally,
and neither file may hold an attachment, an image, a link or an external relationship.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import copy_workspace, normalized_words, pdf_text, run_cli
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

PROFILE = "ak-tilek-fmc"
PAYLOADS = [
    "file:///etc/passwd",
    "../../secret.txt",
    "http://169.254.169.254/latest/meta-data/",
    '<link rel="attachment" href="file:///etc/passwd">',
    '<img src="file:///etc/hostname">',
    "{{ cycler.__init__.__globals__ }}",
]
# What the fetched files would have put into a document, had they been read.
LEAK_MARKERS = ["root:x:0:0", "/bin/sh", "/bin/bash", "ami-id", "instance-id", "<function", "__builtins__"]


def markdown_escaped(text: str) -> str:
    """`text` written as Markdown that prints it unchanged (clause texts are Markdown: `__x__` is bold)."""
    return re.sub(r"([\\`*_{}\[\]<>()#+!|~&@-])", r"\\\1", text)


def hostile_profile(source: str) -> str:
    name = " ".join(PAYLOADS[:3])
    address = " ".join(PAYLOADS[3:])
    for old, new in (
        ("  ru: Центр семейной медицины села Ак-Тилек\n", f"  ru: {json.dumps(name, ensure_ascii=False)}\n"),
        (
            "  ru: 723800, Ошская область, Кара-Суйский район, с. Ак-Тилек, ул. Мектеп, 3\n",
            f"  ru: {json.dumps(address, ensure_ascii=False)}\n",
        ),
    ):
        assert source.count(old) == 1, f"the example no longer contains {old!r} once"
        source = source.replace(old, new)
    raw_paragraphs = "\n\n".join(PAYLOADS)  # raw: Markdown with HTML off must still print most of it as text
    escaped_paragraphs = "\n\n".join(markdown_escaped(payload) for payload in PAYLOADS)
    clause = {
        "id": "hostile-text",
        "after": "policy/prevention",
        "title": {"ky": "Ак-Тилек", "ru": " ".join(PAYLOADS[3:])},
        "text": {
            "ky": "Текст.\n",
            "ru": f"Сырой текст:\n\n{raw_paragraphs}\n\nЭкранированный:\n\n{escaped_paragraphs}\n",
        },
    }
    return source + "\nclauses:\n  add:\n    - " + json.dumps(clause, ensure_ascii=False) + "\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ru policy of a profile full of hostile values, as DOCX and PDF."""
    workspace = copy_workspace(tmp_path_factory.mktemp("no-leaks"))
    for other in workspace.glob("institutions/*.yaml"):
        if other.stem not in (PROFILE, "_national"):
            other.unlink()
    profile = workspace / "institutions" / f"{PROFILE}.yaml"
    profile.write_text(hostile_profile(profile.read_text(encoding="utf-8")), encoding="utf-8")
    out_dir = workspace / "output"
    result = run_cli(
        "build",
        PROFILE,
        "--workspace",
        workspace,
        "--out",
        out_dir,
        "--lang",
        "ru",
        "--doc",
        "policy",
        "--format",
        "docx",
        "--format",
        "pdf",
        "--jobs",
        "1",
        "--quiet",
    )
    assert result.exit_code == 0, result.stderr
    return out_dir / PROFILE / "ru"


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def squeezed(text: str) -> str:
    """Whitespace normalised and a line broken after a hyphen or slash joined, as pdftotext may break it."""
    return re.sub(r"(?<=[-/]) ", "", " ".join(normalized_words(text)))


def test_every_payload_is_printed_literally_in_the_docx(built: Path):
    text = docx_text(built / "policy.docx")
    for payload in PAYLOADS:
        # the name or the address, the escaped clause text, and the name's other mentions or the clause title
        assert text.count(payload) >= 3, payload
    for payload in PAYLOADS[:-1]:
        assert text.count(payload) >= 4, f"the raw Markdown clause text lost {payload!r}"
    # in raw Markdown, __init__ is bold; what matters is that the expression is text, never evaluated
    assert "{{ cycler.init.globals }}" in text


def test_every_payload_is_printed_literally_in_the_pdf(built: Path):
    text = squeezed(pdf_text(built / "policy.pdf"))
    for payload in PAYLOADS:
        assert text.count(squeezed(payload)) >= 3, payload


def test_nothing_fetched_leaks_into_either_file(built: Path):
    texts = {"docx": docx_text(built / "policy.docx"), "pdf": pdf_text(built / "policy.pdf")}
    with zipfile.ZipFile(built / "policy.docx") as archive:
        texts["docx-xml"] = "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    for where, text in texts.items():
        for marker in LEAK_MARKERS:
            assert marker not in text, f"{marker!r} found in the {where}"


def _objects(reader: PdfReader):
    """Every dictionary reachable from the PDF's trailer, each once."""
    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, DictionaryObject):  # streams are dictionaries too
            yield item
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def test_the_pdf_has_no_attachment_image_or_link(built: Path):
    reader = PdfReader(built / "policy.pdf")
    names = reader.trailer["/Root"].get("/Names")
    assert names is None or "/EmbeddedFiles" not in names.get_object()
    for obj in _objects(reader):
        assert obj.get("/Type") != NameObject("/EmbeddedFile"), "an embedded file"
        assert obj.get("/Type") != NameObject("/Filespec"), "a file specification"
        assert obj.get("/Subtype") not in (NameObject("/FileAttachment"), NameObject("/Link")), obj.get("/Subtype")
        assert obj.get("/Subtype") != NameObject("/Image"), "an image XObject"
        assert obj.get("/S") not in (NameObject("/URI"), NameObject("/Launch"), NameObject("/GoToR")), obj.get("/S")
        assert "/URI" not in obj and "/EF" not in obj


def test_the_docx_has_no_media_and_no_external_relationship(built: Path):
    with zipfile.ZipFile(built / "policy.docx") as archive:
        names = archive.namelist()
        assert not [name for name in names if name.startswith("word/media/")]
        for name in names:
            if name.endswith(".rels"):
                relationships = archive.read(name).decode("utf-8")
                assert 'TargetMode="External"' not in relationships, name
                assert "file:" not in relationships and "http://169.254" not in relationships, name
