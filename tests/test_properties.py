"""Properties of the profile pipeline, checked on generated inputs (hypothesis).

- Any single-line text the loader accepts, put in an institution's name and address, builds, and the DOCX and
  the PDF print it exactly as written: markup, quotes, Kyrgyz letters and directional marks included.
- Any edit of a valid profile (a value replaced, a line deleted, duplicated or re-indented, a key or random
  bytes inserted) either stays valid or is refused with a located message: never a traceback.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

import docx
import pytest
from conftest import EXAMPLES, normalized_words, pdf_text, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policygen.inputs.strict_yaml import load_yaml_mapping_text

PROFILE = "ak-tilek-fmc"
NAME_RU = "  ru: Центр семейной медицины села Ак-Тилек\n"
NAME_KY = "  ky: Ак-Тилек айылынын үй-бүлөлүк медицина борбору\n"
ADDRESS_RU = "  ru: 723800, Ошская область, Кара-Суйский район, с. Ак-Тилек, ул. Мектеп, 3\n"

MARKS = "\u200e\u200f"  # left-to-right and right-to-left marks: invisible, allowed, kept
SPECIAL = "ңөүҢӨҮ«»\"'*_#<>&{}[]|\\ .,;:!?()-—–@$%^~`/=+" + MARKS


def make_workspace(root: Path) -> Path:
    """A workspace holding only the example centre and its national base."""
    institutions = root / "institutions"
    institutions.mkdir(parents=True)
    for name in (f"{PROFILE}.yaml", "_national.yaml"):
        shutil.copyfile(EXAMPLES / name, institutions / name)
    return root


def yaml_string(value: str) -> str:
    """`value` as a YAML double-quoted scalar: a JSON string is one, escapes included."""
    return json.dumps(value, ensure_ascii=False)


def with_texts(source: str, name_ru: str, name_ky: str, address_ru: str) -> str:
    for old, key, value in ((NAME_RU, "ru", name_ru), (NAME_KY, "ky", name_ky), (ADDRESS_RU, "ru", address_ru)):
        assert source.count(old) == 1, f"the example no longer contains {old!r} once"
        source = source.replace(old, f"  {key}: {yaml_string(value)}\n")
    return source


def build_policy_with_texts(folder: Path, file_format: str, name_ru: str, name_ky: str, address_ru: str) -> Path:
    """Build the example's Russian policy with these texts in its profile, through the CLI; its file."""
    workspace = make_workspace(folder)
    profile = workspace / "institutions" / f"{PROFILE}.yaml"
    profile.write_text(with_texts(profile.read_text(encoding="utf-8"), name_ru, name_ky, address_ru), encoding="utf-8")
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
        "--format",
        file_format,
        "--doc",
        "policy",
        "--jobs",
        "1",
        "--quiet",
    )
    assert result.exit_code == 0, result.stderr
    return out_dir / PROFILE / "ru" / f"policy.{file_format}"


def docx_texts(path: Path) -> list[str]:
    """The text of every paragraph of a DOCX: body, table cells (nested too), headers and footers."""
    document = docx.Document(str(path))
    texts: list[str] = []

    def visit(container) -> None:
        texts.extend(paragraph.text for paragraph in container.paragraphs)
        for table in container.tables:
            for row in table.rows:
                for cell in row.cells:
                    visit(cell)

    visit(document)
    for section in document.sections:
        for part in (
            section.header,
            section.first_page_header,
            section.even_page_header,
            section.footer,
            section.first_page_footer,
            section.even_page_footer,
        ):
            visit(part)
    return texts


def _allowed_in_text(char: str) -> bool:
    """What a profile text may hold: no control, format, separator-line, surrogate or unassigned character,
    except the two directional marks."""
    return char in MARKS or unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


TEXT_CHARACTERS = st.one_of(
    st.characters(categories=("L", "N", "P", "S", "Zs")),
    st.characters(min_codepoint=0x0400, max_codepoint=0x04FF, categories=("L",)),  # Cyrillic, Kyrgyz letters
    st.sampled_from(SPECIAL),
).filter(_allowed_in_text)


def _profile_text(raw: str) -> str:
    return unicodedata.normalize("NFC", raw).strip()  # the loader reads text as NFC; the schema strips it


PROFILE_TEXTS = st.text(TEXT_CHARACTERS, min_size=1, max_size=300).map(_profile_text).filter(bool)


@settings(max_examples=200, deadline=None, database=None)
@given(value=PROFILE_TEXTS)
def test_generated_text_written_as_a_json_string_reads_back_unchanged(value):
    # the premise of the build properties below: backslashes, quotes and marks survive the YAML quoting
    loaded = load_yaml_mapping_text(f"name: {yaml_string(value)}\n", "generated.yaml")
    assert loaded.data == {"name": value}


@pytest.mark.slow
@settings(max_examples=15, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(name_ru=PROFILE_TEXTS, name_ky=PROFILE_TEXTS, address_ru=PROFILE_TEXTS)
def test_any_accepted_text_in_name_and_address_is_printed_literally_in_docx(name_ru, name_ky, address_ru):
    with tempfile.TemporaryDirectory() as folder:
        policy = build_policy_with_texts(Path(folder), "docx", name_ru, name_ky, address_ru)
        texts = docx_texts(policy)
        for value in (name_ru, address_ru):
            assert any(value in text for text in texts), (value, texts[:8])


def _pdf_comparable(text: str) -> str:
    """Text as pdftotext gives it back: directional marks dropped, a line broken after a hyphen joined,
    whitespace normalised."""
    text = text.translate({ord(mark): None for mark in MARKS})
    return re.sub(r"(?<=[-—–]) ", "", " ".join(normalized_words(text)))


def test_hostile_but_valid_text_in_name_and_address_is_printed_literally_in_pdf():
    name_ru = (
        "«Ак-Тилек» ңөү ҢӨҮ \u200fЦентр\u200e *жирный* _курсив_ # <b>&amp;</b> {{ 7*7 }} [x](y) "
        "| a | b | \\ \"кавычки\" 'апостроф' @ref(policy#scope)"
    )
    name_ky = "Ак-Тилек ҮМБ «ңөү» <i>&</i> {% raw %}"
    address_ru = '723800, с. Ак-Тилек, ул. "Мектеп", 3 — <script>alert(1)</script> ~~x~~ `код` ![i](file:x)'
    with tempfile.TemporaryDirectory() as folder:
        policy = build_policy_with_texts(Path(folder), "pdf", name_ru, name_ky, address_ru)
        text = _pdf_comparable(pdf_text(policy))
        for value in (name_ru, address_ru):
            assert _pdf_comparable(value) in text, value


# Random invalid edits ---------------------------------------------------------------------------------------

SOURCE = (EXAMPLES / f"{PROFILE}.yaml").read_text(encoding="utf-8")
LINES = SOURCE.splitlines(keepends=True)
VALUE_LINES = [index for index, line in enumerate(LINES) if re.match(r"^\s*(- )?[a-z_]+: \S", line)]

YAML_SPECIALS = [
    "yes",
    "no",
    "on",
    "off",
    "null",
    "~",
    "",
    "12:30",
    "014",
    "0x1F",
    "1.10",
    "1e3",
    ".inf",
    "2025-02-30",
    "2025-10-15",
    "[a, b",
    "{a: 1",
    "&anchor x",
    "*alias",
    "!!python/name:os.system ''",
    "!!str x",
    "'unterminated",
    '"bad \\q escape"',
    '"x\\0y"',
    '"\\u202e"',
    "- item",
    "|",
    ">-",
    "a: b",
    "a #comment",
    "@at",
    "`tick",
    "%percent",
    "? key",
    "---",
    "...",
    "\t",
    "“45-п”",
    "“Приказ: 45-п”",
    '"x\\u00ady"',
    '"\\u2060"',
    '"\\U000e0041"',
]
SCALARS = st.one_of(
    st.sampled_from(YAML_SPECIALS),
    st.integers(-(10**30), 10**30).map(str),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
)


@st.composite
def edited_profiles(draw) -> bytes:
    """The example profile with one to three random edits."""
    lines = list(LINES)
    inserted: list[tuple[float, bytes]] = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(
                ["replace-value", "delete-line", "duplicate-line", "insert-key", "reindent-line", "insert-bytes"]
            )
        )
        if kind == "replace-value":
            candidates = [index for index in VALUE_LINES if index < len(lines)]
            if not candidates:
                continue
            index = draw(st.sampled_from(candidates))
            head = re.match(r"^\s*(- )?[a-z_]+: ", lines[index])
            if head is None:
                continue
            lines[index] = head.group() + draw(SCALARS).replace("\n", " ") + "\n"
        elif kind == "delete-line" and lines:
            del lines[draw(st.integers(0, len(lines) - 1))]
        elif kind == "duplicate-line" and lines:
            index = draw(st.integers(0, len(lines) - 1))
            lines.insert(index, lines[index])
        elif kind == "insert-key":
            indent = " " * draw(st.sampled_from([0, 2, 4, 6, 1, 3]))
            key = draw(
                st.one_of(
                    st.from_regex(r"[a-z_]{1,12}", fullmatch=True),
                    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=10).map(json.dumps),
                )
            )
            value = draw(SCALARS).replace("\n", " ")
            lines.insert(draw(st.integers(0, len(lines))), f"{indent}{key}: {value}\n")
        elif kind == "reindent-line" and lines:
            index = draw(st.integers(0, len(lines) - 1))
            change = draw(st.sampled_from(["add", "remove", "tab"]))
            width = draw(st.integers(1, 4))
            if change == "add":
                lines[index] = " " * width + lines[index]
            elif change == "remove":
                lines[index] = lines[index][min(width, len(lines[index]) - len(lines[index].lstrip(" "))) :]
            else:
                lines[index] = "\t" + lines[index].lstrip(" ")
        elif kind == "insert-bytes":
            inserted.append((draw(st.floats(0, 1)), draw(st.binary(min_size=1, max_size=8))))
    data = "".join(lines).encode("utf-8")
    for where, extra in inserted:
        position = int(where * len(data))
        data = data[:position] + extra + data[position:]
    return data


@pytest.mark.slow
@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=edited_profiles())
def test_random_edits_of_a_valid_profile_give_a_located_error_never_a_traceback(data):
    with tempfile.TemporaryDirectory() as folder:
        workspace = make_workspace(Path(folder))
        profile = workspace / "institutions" / f"{PROFILE}.yaml"
        profile.write_bytes(data)

        result = run_cli("validate", PROFILE, "--workspace", workspace)

        assert result.exit_code in (0, 1), (result.exit_code, result.output, result.stderr)
        assert "Traceback" not in result.output + result.stderr
        if result.exit_code == 1:
            located = re.compile(
                rf"^(?:{re.escape(str(profile))}|{re.escape(str(profile.parent / '_national.yaml'))})"
                r":\d+(?::\d+)?: ",
                re.MULTILINE,
            )
            assert located.search(result.stderr), result.stderr
