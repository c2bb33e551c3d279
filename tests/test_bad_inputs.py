"""Bad and hostile profiles (reference catalogue, sections A and D, and the later reviews) through
`policygen build` and `policygen validate`.

Each case edits a copy of an example profile; the build, in a subprocess bounded in CPU time and memory, must
exit 1, name the file, line and key, and leave the output folder and the workspace exactly as they were, while
the other institutions still build; validate refuses it at the same place.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import copy_workspace, files_under, run_cli, run_cli_confined, tree_state

PROFILE = "ak-tilek-fmc"


@dataclass(frozen=True)
class BadInput:
    name: str
    edit: Callable[[str], str]
    key: str  # the key path the message must name ("" where the problem is not under a key)
    marker: str  # text of the line the message must point to ("" = any line)
    occurrence: int = 1


def replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, f"example no longer contains {old!r}"
        return text.replace(old, new, 1)

    return edit


def append(extra: str) -> Callable[[str], str]:
    return lambda text: text + extra


def added_tables(count: int, rows: int) -> str:
    """`count` clauses of the institution's own, each a table of `rows` rows in Kyrgyz and Russian."""
    lines = ["|a|b|c|d|", "|-|-|-|-|", *["|1|2|3|4|"] * rows]
    table = "".join(f"          {line}\n" for line in lines)
    clauses = "".join(
        f"    - id: table-{number}\n      after: policy/general-provisions\n"
        f"      title: {{ky: Таблица {number}, ru: Таблица {number}}}\n"
        f"      text:\n        ky: |\n{table}        ru: |\n{table}"
        for number in range(count)
    )
    return "clauses:\n  add:\n" + clauses


def added_clause(ru_text: str) -> str:
    return (
        "clauses:\n  add:\n    - id: night-escort\n      after: policy/prevention\n"
        "      title: {ky: Коштоп баруу, ru: Сопровождение}\n"
        f"      text:\n        ky: Түнкү кезмектен кийин коштоп барышат.\n        ru: После {ru_text}\n"
    )


def many_large_clauses() -> str:
    """Nearly 1 MB of added clauses, each with a large table: more clauses and longer texts than allowed."""
    table = "| a | b |\n| --- | --- |\n" + "| xxxxxxxxxx | yyyyyyyyyy |\n" * 600
    body = "".join(f"          {line}\n" for line in table.splitlines())
    clauses = "".join(
        f"    - id: extra-{index}\n      after: policy/prevention\n"
        f"      title: {{ky: Кошумча {index}, ru: Дополнительный {index}}}\n"
        f"      text:\n        ky: |\n{body}        ru: |\n{body}"
        for index in range(21)
    )
    return "clauses:\n  add:\n" + clauses


CASES = [
    # A1 duplicate keys, top level and nested
    BadInput("duplicate-key", append("staff_count: 15\n"), "staff_count", "staff_count:", 2),
    BadInput(
        "duplicate-nested-key",
        replace('  phone: "+996 3232 00401"\n', '  phone: "+996 3232 00401"\n  phone: "+996 3232 00409"\n'),
        "contacts.phone",
        "+996 3232 00409",
    ),
    # A2 keys that collide once typed
    BadInput("keys-colliding-once-typed", append("1: a\n1.0: b\ntrue: c\n"), "", "1.0: b"),
    # A3 lookalike key with a no-break space
    BadInput("lookalike-key", append('"staff_count\u00a0": 15\n'), "", "staff_count\u00a0"),
    # A4 YAML 1.1 booleans are not true/false
    BadInput(
        "norway-boolean",
        replace("    anonymous: false\n", "    anonymous: no\n"),
        "reporting_channels[0].anonymous",
        "anonymous: no",
    ),
    # A5 sexagesimal number
    BadInput("sexagesimal", replace("staff_count: 14", "staff_count: 12:30"), "staff_count", "staff_count: 12:30"),
    # A6 leading zero
    BadInput("leading-zero", replace("staff_count: 14", "staff_count: 014"), "staff_count", "staff_count: 014"),
    # A7 number written as a float
    BadInput("float-for-count", replace("staff_count: 14", "staff_count: 1.10"), "staff_count", "staff_count: 1.10"),
    # A8 impossible date
    BadInput(
        "impossible-date",
        replace("effective_date: 2025-10-15", "effective_date: 2025-02-30"),
        "effective_date",
        "effective_date: 2025-02-30",
    ),
    # A9 empty value of a required key
    BadInput("empty-required-value", replace("staff_count: 14", "staff_count:"), "staff_count", "staff_count:"),
    # A10 python tags
    BadInput(
        "python-tag", replace("staff_count: 14", 'staff_count: !!python/object/apply:os.system ["id"]'), "", "!!python"
    ),
    BadInput("python-name-tag", replace("staff_count: 14", "staff_count: !!python/name:os.system ''"), "", "!!python"),
    # A11 billion laughs
    BadInput("billion-laughs", append('lol: &a ["x", "x"]\nlol2: &b [*a, *a]\nlol3: [*b, *b]\n'), "", "lol: &a"),
    # A12 recursive alias and deep nesting
    BadInput("recursive-alias", append("loop: &a [*a]\n"), "", "loop:"),
    BadInput("deep-nesting", append("deep: " + "[" * 5000 + "]" * 5000 + "\n"), "", ""),
    # A13 wrong document shapes
    BadInput("empty-file", lambda text: "", "", ""),
    BadInput("list-document", lambda text: "- a\n- b\n", "", ""),
    BadInput("scalar-document", lambda text: "just text\n", "", ""),
    BadInput("two-documents", append("---\nother: 1\n"), "", "---", 1),
    BadInput("tab-indent", replace('  phone: "+996 3232 00401"', '\tphone: "+996 3232 00401"'), "", "\tphone"),
    BadInput("utf16-file", lambda text: text, "", ""),  # written as UTF-16 below
    # A14 control and invisible characters
    BadInput(
        "vertical-tab",
        replace("  ru: Центр семейной медицины села Ак-Тилек\n", '  ru: "Центр\\vсемейной медицины"\n'),
        "name.ru",
        "Центр\\v",
    ),
    BadInput(
        "nul-escape", replace("  ru: Центр семейной медицины села Ак-Тилек\n", '  ru: "x\\0y"\n'), "name.ru", "x\\0y"
    ),
    BadInput(
        "lone-surrogate",
        replace("  ru: Центр семейной медицины села Ак-Тилек\n", '  ru: "x\\ud800y"\n'),
        "name.ru",
        "ud800",
    ),
    BadInput(
        "right-to-left-override",
        replace("  ru: Центр семейной медицины села Ак-Тилек\n", '  ru: "x\\u202ey"\n'),
        "name.ru",
        "u202e",
    ),
    # A (schema) unknown key, missing translation, wrong id
    BadInput("unknown-key", replace("staff_count: 14", "staf_count: 14"), "staf_count", "staf_count"),
    BadInput("missing-translation", replace("  ru: ЦСМ с. Ак-Тилек\n", ""), "short_name", "short_name:"),
    # invisible characters that are no control codes (issue 17, item 10)
    *[
        BadInput(
            f"invisible-{name}",
            replace("  ru: Центр семейной медицины села Ак-Тилек\n", f"  ru: Центр{char}семейной медицины\n"),
            "name.ru",
            "Центр",
        )
        for name, char in (
            ("soft-hyphen", "\u00ad"),
            ("word-joiner", "\u2060"),
            ("invisible-plus", "\u2064"),
            ("mongolian-vowel-separator", "\u180e"),
            ("tag-character", "\U000e0041"),
        )
    ],
    # character references in a profile's clause text decode to the characters typed text may not hold (item 5)
    *[
        BadInput(f"clause-text-{name}", append(added_clause(text)), "clauses.add[0].text.ru", "ru: После")
        for name, text in (
            ("bidi-override-reference", "&#x202E;005&#x202C;"),
            ("zero-width-reference", "x&#8203;y"),
            ("byte-order-mark-reference", "&#xFEFF;x"),
            ("isolate-reference", "&#x2066;x&#x2069;"),
            ("form-feed-reference", "x&#12;y"),
            ("soft-hyphen-entity", "x&shy;y"),
            ("tag-reference", "&#xE0041;x"),
            ("delete-reference", "&#x7F;x"),
        )
    ],
    # names and clause texts bounded by the schema (item 11): Word cannot store a 2,000-character name
    BadInput(
        "name-longer-than-word-allows",
        replace("  ru: Центр семейной медицины села Ак-Тилек\n", "  ru: " + "Ц" * 2000 + "\n"),
        "name.ru",
        "ЦЦЦ",
    ),
    BadInput("clause-text-too-long", append(added_clause("x" * 9000)), "clauses.add[0].text.ru", "ru: После"),
    BadInput("megabyte-of-added-clauses", append(many_large_clauses()), "clauses.add", "  add:"),
    # validate refuses what build refuses: a core clause switched off ("One house")
    BadInput(
        "core-clause-switched-off",
        append("clauses:\n  disable: [policy/non-retaliation]\n"),
        "clauses.disable[0]",
        "disable: [policy/non-retaliation]",
    ),
    # typographic quotes around a value with a colon (issue 10, item 5)
    BadInput(
        "word-quotes-around-a-colon",
        replace('  order_number: "12"', "  order_number: “Приказ: 12”"),
        "",
        "order_number: “",
    ),
    # D24 names used in paths
    BadInput("id-with-path", replace("id: ak-tilek-fmc", "id: ../../etc/cron.d/x"), "id", "id: ../"),
    BadInput("id-absolute-path", replace("id: ak-tilek-fmc", "id: /abs/path"), "id", "id: /abs"),
    BadInput("id-other-than-file-name", replace("id: ak-tilek-fmc", "id: other-centre"), "id", "id: other"),
    BadInput("id-with-nul", replace("id: ak-tilek-fmc", 'id: "x\\0y"'), "id", 'id: "x'),
    # as many clauses as the schema allows, each a table as long as it allows: a document too large to lay
    # out (63,000 table cells), which only the bound on a document's model sees
    BadInput(
        "largest-allowed-clauses-make-too-large-a-document",
        append(added_tables(20, 790)),
        "clauses.add[0].text.ky",
        "ky: |",
    ),
]


def line_of(text: str, marker: str, occurrence: int) -> int:
    lines = [number for number, line in enumerate(text.splitlines(), start=1) if marker in line]
    assert len(lines) >= occurrence, f"{marker!r} not found {occurrence} times"
    return lines[occurrence - 1]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return copy_workspace(tmp_path / "ws")


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_bad_profile_fails_with_location_and_writes_nothing(workspace: Path, case: BadInput):
    profile = workspace / "institutions" / f"{PROFILE}.yaml"
    text = case.edit(profile.read_text(encoding="utf-8"))
    if case.name == "utf16-file":
        profile.write_bytes(text.encode("utf-16"))
    else:
        profile.write_text(text, encoding="utf-8", newline="\n")
    out_dir = workspace / "output"
    (out_dir / PROFILE / "ru").mkdir(parents=True)
    (out_dir / PROFILE / "ru" / "policy.docx").write_bytes(b"previous build")
    before = files_under(out_dir)

    elsewhere = tree_state(workspace, skip="output")

    result = run_cli_confined("build", PROFILE, "--workspace", workspace, "--out", out_dir, "--format", "docx")

    assert result.exit_code == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert files_under(out_dir) == before
    assert tree_state(workspace, skip="output") == elsewhere
    lines = [
        int(line) for line in re.findall(rf"^{re.escape(str(profile))}:(\d+)(?::\d+)?: ", result.stderr, re.MULTILINE)
    ]
    if case.name not in ("empty-file", "utf16-file"):
        assert lines, result.stderr
    if case.marker:
        assert line_of(text, case.marker, case.occurrence) in lines, result.stderr
    if case.key:
        assert f": {case.key}: " in result.stderr, result.stderr
    assert "hint: " in result.stderr


@pytest.mark.parametrize("case", [case for case in CASES if case.name != "utf16-file"], ids=lambda case: case.name)
def test_validate_refuses_every_bad_profile_that_build_refuses_at_the_same_place(workspace: Path, case: BadInput):
    profile = workspace / "institutions" / f"{PROFILE}.yaml"
    text = case.edit(profile.read_text(encoding="utf-8"))
    profile.write_text(text, encoding="utf-8", newline="\n")

    result = run_cli("validate", PROFILE, "--workspace", workspace)

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.stderr and "hint: " in result.stderr
    assert not (workspace / "output").exists()
    if case.marker:
        located = rf"^{re.escape(str(profile))}:{line_of(text, case.marker, case.occurrence)}:\d+: "
        assert re.search(located + (re.escape(case.key) + ": " if case.key else ""), result.stderr, re.MULTILINE), (
            result.stderr
        )


def test_one_bad_profile_does_not_stop_the_others(workspace: Path):
    profile = workspace / "institutions" / f"{PROFILE}.yaml"
    profile.write_text(profile.read_text(encoding="utf-8") + "staff_count: 15\n", encoding="utf-8")
    out_dir = workspace / "output"

    result = run_cli("build", "--workspace", workspace, "--out", out_dir, "--format", "docx")

    assert result.exit_code == 1
    assert re.search(rf"^{PROFILE}\.yaml +0 +0  FAILED: duplicate key 'staff_count'", result.output, re.MULTILINE)
    built = sorted({path.parent.relative_to(out_dir).as_posix() for path in out_dir.rglob("*.docx")})
    assert built == [
        f"{institution}/{lang}"
        for institution in ("bishkek-city-hospital", "osh-medical-university")
        for lang in ("en", "ky", "ru")
    ]


def test_reserved_device_name_is_refused_as_id(workspace: Path):
    institutions = workspace / "institutions"
    source = (institutions / f"{PROFILE}.yaml").read_text(encoding="utf-8")
    (institutions / "con.yaml").write_text(source.replace(f"id: {PROFILE}", "id: con"), encoding="utf-8")

    result = run_cli("validate", "con", "--workspace", workspace)

    assert result.exit_code == 1
    assert re.search(r"con\.yaml:\d+:\d+: id: .*reserved", result.stderr), result.stderr


def test_output_folder_inside_a_file_gives_a_clear_error(workspace: Path):
    out_file = workspace / "output"
    out_file.write_text("not a folder")

    result = run_cli("build", PROFILE, "--workspace", workspace, "--out", out_file / "inside", "--format", "docx")

    assert result.exit_code == 1
    assert "cannot write" in result.stderr and "hint:" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_base_profile_names_the_chain(workspace: Path):
    profile = workspace / "institutions" / f"{PROFILE}.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("extends: national", "extends: regional"))

    result = run_cli("validate", PROFILE, "--workspace", workspace)

    assert result.exit_code == 1
    assert "base profile 'regional' not found" in result.stderr and f"{PROFILE}.yaml" in result.stderr
    assert f"{PROFILE}.yaml:{line_of(profile.read_text(), 'extends: regional', 1)}:" in result.stderr


def test_extends_cycle_is_an_error_naming_the_chain(workspace: Path):
    institutions = workspace / "institutions"
    national = institutions / "_national.yaml"
    national.write_text("extends: regional\n" + national.read_text(encoding="utf-8"), encoding="utf-8")
    (institutions / "_regional.yaml").write_text("extends: national\n", encoding="utf-8")

    result = run_cli("validate", PROFILE, "--workspace", workspace)

    assert result.exit_code == 1
    assert "cycle" in result.stderr
    assert "_national.yaml -> _regional.yaml -> _national.yaml" in result.stderr


def test_not_a_workspace_exits_2(tmp_path: Path):
    result = run_cli("build", "--workspace", tmp_path)
    assert result.exit_code == 2
    assert "no institutions/ folder" in result.stderr


def test_unknown_institution_exits_2_listing_the_known_ones(workspace: Path):
    result = run_cli("build", "no-such-place", "--workspace", workspace)
    assert result.exit_code == 2
    assert "known institutions: ak-tilek-fmc, bishkek-city-hospital" in result.stderr
