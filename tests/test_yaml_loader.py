"""The strict YAML loader: exact strings, locations, and a clear error for every hostile input."""

from __future__ import annotations

import codecs
import io
import os
import pathlib
import re
import sys
import tokenize
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policygen.errors import Diagnostic, ProfileError
from policygen.inputs import strict_yaml as _yaml
from policygen.inputs.strict_yaml import (
    LoadedYaml,
    Location,
    format_key_path,
    load_yaml_mapping,
    load_yaml_mapping_text,
)

FILE = "institutions/chu-nord.yaml"
FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "yaml"
PACKAGE = pathlib.Path(__file__).parent.parent / "policygen"


def load(text: str | bytes) -> LoadedYaml:
    return load_yaml_mapping_text(text, FILE)


def problems_of(text: str | bytes) -> list[Diagnostic]:
    with pytest.raises(ProfileError) as raised:
        load(text)
    return raised.value.diagnostics()


def only_problem(text: str | bytes) -> Diagnostic:
    problems = problems_of(text)
    assert len(problems) == 1, [problem.format() for problem in problems]
    return problems[0]


def assert_problem(
    problem: Diagnostic, *, line: int | None, column: int | None = None, key_path: str = "", message: str = ""
) -> None:
    assert problem.file == FILE
    assert problem.line == line, problem.format()
    if column is not None:
        assert problem.column == column, problem.format()
    assert problem.key_path == key_path, problem.format()
    assert message in problem.message, problem.format()
    assert problem.hint.strip(), problem.format()


def all_paths(value, path=()):
    """Every key path of loaded data, and those of them that are mapping entries."""
    paths, entries = {path}, set()
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        if isinstance(value, dict):
            entries.add((*path, key))
        child_paths, child_entries = all_paths(child, (*path, key))
        paths |= child_paths
        entries |= child_entries
    return paths, entries


# --- good input -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "NO",
        "no",
        "yes",
        "on",
        "off",
        "True",
        "FALSE",
        "y",
        "n",
        "12:30",
        "52:54:00:44:49:56",
        "190:20:30",
        "010",
        "01234",
        "0x1F",
        "0o17",
        "0b101",
        "+1",
        "1_000",
        "1.10",
        "1e3",
        "1.0",
        ".inf",
        "-.Inf",
        ".nan",
        "2024-02-30",
        "2024-02-03",
        "2024-02-03T10:00:00Z",
        "2001-12-14 21:59:43.10 -5",
        "=",
        "<<x",
    ],
)
def test_plain_scalars_stay_strings_exactly_as_written(written):
    assert load(f"value: {written}\n").data == {"value": written}


@pytest.mark.parametrize("written", ["", " ", " ~", " null", " Null", " NULL"])
def test_plain_null_becomes_none(written):
    assert load(f"hotline:{written}\nnext: x\n").data == {"hotline": None, "next": "x"}


@pytest.mark.parametrize(
    "written, expected",
    [
        ('"null"', "null"),
        ("'~'", "~"),
        ("!!str null", "null"),
        ("!!str ~", "~"),
        ("!!str", ""),
        ('""', ""),
        ("'NULL'", "NULL"),
        ("nul", "nul"),
        ("None", "None"),
    ],
)
def test_quoted_or_tagged_null_stays_a_string(written, expected):
    assert load(f"value: {written}\n").data == {"value": expected}


@pytest.mark.parametrize(
    "written, expected",
    [
        ("'it''s'", "it's"),
        ('"tab\\there"', "tab\there"),
        ('"line\\nbreak"', "line\nbreak"),
        ("|\n  one\n  two\n", "one\ntwo\n"),
        (">\n  one\n  two\n", "one two\n"),
        ("plain\n  continued\n", "plain continued"),
        ('«Түндүк» — "ооруканасы"', '«Түндүк» — "ооруканасы"'),
        ("x # a comment", "x"),
    ],
)
def test_string_styles_give_the_text_they_mean(written, expected):
    assert load(f"value: {written}\n").data == {"value": expected}


@pytest.mark.parametrize(
    "text",
    [
        "Ңөү ңөү Үү Өө",
        "Городская больница № 1",
        "a\u200eb",
        "a\u200fb",
        "a\u200db",
        "a\u200cb",
        "👩\u200d⚕️ 🏥",
        "no\u00a0break",
        "tab\tinside",
        "a\u2028b",
        "a\ue000b",
        "\u061c",
    ],
)
def test_ordinary_text_and_harmless_invisibles_are_accepted(text):
    escaped = text.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    assert load(f'value: "{escaped}"\n').data == {"value": text}


def test_very_long_string_is_accepted():
    long_text = "Саясат " * 30_000
    assert load(f"preamble: {long_text.strip()}\n").data == {"preamble": long_text.strip()}


def test_keys_and_values_are_nfc_normalised():
    loaded = load("Cafe\u0301: e\u0301te\u0301\n")
    assert loaded.data == {"Caf\u00e9": "\u00e9t\u00e9"}
    assert ("Caf\u00e9",) in loaded.locations


@pytest.mark.parametrize(
    "written, expected",
    [
        ("!!str 12", "12"),
        ("!!str yes", "yes"),
        ("!!map {a: b}", {"a": "b"}),
        ("!!seq [a, 1]", ["a", "1"]),
    ],
)
def test_harmless_explicit_tags_are_accepted(written, expected):
    assert load(f"value: {written}\n").data == {"value": expected}


def test_quoted_keys_that_differ_as_text_are_distinct():
    assert load('"1": a\n"1.0": b\n"true": c\n').data == {"1": "a", "1.0": "b", "true": "c"}


def test_plain_keys_stay_strings():
    assert load("2: a\ntrue: b\n2024-01-01: c\n").data == {"2": "a", "true": "b", "2024-01-01": "c"}


def test_good_profile_gives_exact_values():
    loaded = load_yaml_mapping(FIXTURES / "good_profile.yaml")
    assert loaded.data == {
        "id": "chu-nord",
        "type": "hospital",
        "name": {
            "ky": "Бишкек шаардык №1 клиникалык ооруканасы",
            "ru": "Городская клиническая больница № 1 г. Бишкек",
            "en": "Bishkek City Clinical Hospital No. 1",
        },
        "languages": ["ky", "ru", "en"],
        "country": "NO",
        "hotline_24h": "yes",
        "opening_hours": "12:30",
        "postal_code": "01234",
        "clause": "1.10",
        "effective_date": "2024-02-03",
        "hotline": None,
        "commission": {
            "members": [
                {"name": {"ky": "Асел Ү. Ңоорузова", "ru": "Асель Ормонова"}, "role": "chair"},
                {"name": {"ky": "Бакыт", "ru": "Бакыт"}, "role": None},
            ]
        },
        "preamble": "Бул саясат\n«кызматкерлерди» коргойт.\n",
        "summary": "Политика защищает работников.\n",
    }


def test_every_key_path_has_a_location_and_every_entry_a_key_location():
    loaded = load_yaml_mapping(FIXTURES / "good_profile.yaml")
    paths, entries = all_paths(loaded.data)
    assert set(loaded.locations) == paths
    assert set(loaded.key_locations) == entries


@pytest.mark.parametrize(
    "path, value_at, key_at",
    [
        ((), (2, 1), None),
        (("id",), (2, 5), (2, 1)),
        (("name", "ru"), (6, 7), (6, 3)),
        (("languages", 2), (8, 21), None),
        (("hotline",), (15, 9), (15, 1)),
        (("commission", "members"), (18, 5), (17, 3)),
        (("commission", "members", 0), (18, 7), None),
        (("commission", "members", 0, "name", "ky"), (19, 13), (19, 9)),
        (("commission", "members", 1, "name", "ru"), (22, 29), (22, 25)),
        (("preamble",), (24, 11), (24, 1)),
    ],
)
def test_locations_point_at_values_and_keys(path, value_at, key_at):
    file = FIXTURES / "good_profile.yaml"
    loaded = load_yaml_mapping(file)
    assert loaded.locations[path] == Location(str(file), *value_at)
    assert loaded.key_locations.get(path) == (Location(str(file), *key_at) if key_at else None)


def test_utf8_bom_is_stripped_and_columns_stay_right():
    loaded = load(codecs.BOM_UTF8 + "id: chu-nord\nname: Түндүк\n".encode())
    assert loaded.data == {"id": "chu-nord", "name": "Түндүк"}
    assert loaded.key_locations[("id",)] == Location(FILE, 1, 1)
    assert loaded.locations[("name",)] == Location(FILE, 2, 7)


def test_bom_in_text_input_is_stripped():
    assert load("\ufeffid: x\n").data == {"id": "x"}


def test_crlf_line_endings_keep_line_numbers():
    loaded = load(b"id: x\r\nname: |\r\n  a\r\n  b\r\ntype: y\r\n")
    assert loaded.data == {"id": "x", "name": "a\nb\n", "type": "y"}
    assert loaded.locations[("type",)] == Location(FILE, 5, 7)


def test_bytes_and_text_give_the_same_result():
    text = (FIXTURES / "good_profile.yaml").read_text(encoding="utf-8")
    assert load(text) == load(text.encode("utf-8"))


def test_file_is_named_as_given(tmp_path):
    path = tmp_path / "chu-nord.yaml"
    path.write_text("id: chu-nord\n", encoding="utf-8")
    loaded = load_yaml_mapping(path)
    assert loaded.locations[("id",)] == Location(str(path), 1, 5)


def test_nesting_of_the_maximum_depth_is_accepted():
    depth = _yaml.MAX_DEPTH
    text = "".join("  " * level + f"k{level}:\n" for level in range(depth - 1)) + "  " * (depth - 1) + "leaf: x\n"
    data = load(text).data
    for level in range(depth - 1):
        data = data[f"k{level}"]
    assert data == {"leaf": "x"}


@pytest.mark.parametrize(
    "path, expected",
    [
        ((), ""),
        (("id",), "id"),
        (("commission", "members", 1, "name", "ru"), "commission.members[1].name.ru"),
        (("languages", 0), "languages[0]"),
        (("имя", "ky"), "имя.ky"),
        (("1.0",), '"1.0"'),
        (("name\u00a0",), '"name\\u00a0"'),
        (("a b", 'c"d'), '"a b"."c\\"d"'),
        (("x\ud800",), '"x\\ud800"'),
        (("",), '""'),
    ],
)
def test_format_key_path(path, expected):
    assert format_key_path(path) == expected


# --- A1, A2: duplicate keys --------------------------------------------------------------------------------


def test_duplicate_key_names_both_lines():
    problem = only_problem("id: chu-nord\nname: CHU Nord\ntype: hospital\nname: CHU Sud\n")
    assert_problem(
        problem, line=4, column=1, key_path="name", message="duplicate key 'name': first at line 2, again at line 4"
    )


@pytest.mark.parametrize(
    "text, line, key_path, message",
    [
        ("contacts:\n  email: a\n  email: b\n", 3, "contacts.email", "first at line 2, again at line 3"),
        (
            "contacts: {email: a, email: b}\n",
            1,
            "contacts.email",
            "first at line 1 column 12, again at line 1 column 22",
        ),
        ("members:\n  - name: a\n    role: b\n    name: c\n", 4, "members[0].name", "first at line 2, again at line 4"),
        ("members:\n  - {name: a}\n  - name: b\n    x: {y: 1, y: 2}\n", 4, "members[1].x.y", "again at line 4"),
        ("Caf\u00e9: a\nCafe\u0301: b\n", 2, "Caf\u00e9", "first at line 1, again at line 2"),
        ("a: 1\n'a': 2\n", 2, "a", "first at line 1, again at line 2"),
    ],
)
def test_duplicate_nested_key_names_both_lines(text, line, key_path, message):
    assert_problem(only_problem(text), line=line, key_path=key_path, message=message)


@pytest.mark.parametrize(
    "first, again, key_path",
    [
        ("1", "1.0", '"1.0"'),
        ("1", "true", "true"),
        ("1", "0x1", "0x1"),
        ("1", "01", "01"),
        ("1", "+1", '"+1"'),
        ("10", "1_0", "1_0"),
        ("0", "false", "false"),
        ("0", "off", "off"),
        ("yes", "on", "on"),
        ("no", "NO", "NO"),
        ("1.5", "1.50", '"1.50"'),
        ("2024-01-01T00:00:00Z", "2024-1-1t0:00:00Z", '"2024-1-1t0:00:00Z"'),
        ("1", '"1"', "1"),
        ("1", "!!str 1", "1"),
    ],
)
def test_keys_that_collide_once_typed_are_duplicates(first, again, key_path):
    problem = only_problem(f"{first}: a\n{again}: b\n")
    assert_problem(problem, line=2, column=1, key_path=key_path, message="first at line 1, again at line 2")
    assert problem.message.startswith("duplicate key")


def test_three_keys_folding_into_one_number_give_two_errors():
    problems = problems_of("1: a\n1.0: b\ntrue: c\n")
    assert [(problem.line, problem.key_path) for problem in problems] == [(2, '"1.0"'), (3, "true")]
    assert all("same key as '1'" in problem.message for problem in problems)


# --- A3: keys that look alike, and keys that are not names -------------------------------------------------


@pytest.mark.parametrize(
    "key, shown",
    [
        ('"name\\u00a0"', '"name\\u00a0"'),
        ('"name "', '"name "'),
        ('"na me"', '"na me"'),
        ('"\\u200bname"', '"\\u200bname"'),
        ('"na\\u200dme"', '"na\\u200dme"'),
        ('"a\\tb"', '"a\\u0009b"'),
        ('"a\\u2028b"', '"a\\u2028b"'),
        ('"a\\u2029b"', '"a\\u2029b"'),
        ('"x\\ud800"', '"x\\ud800"'),
        ('"x\\u202e"', '"x\\u202e"'),
        ('"x\\ufeff"', '"x\\ufeff"'),
        ('"name\\u3000"', '"name\\u3000"'),
    ],
)
def test_key_with_invisible_control_or_space_character_is_refused(key, shown):
    problem = only_problem(f"id: x\n{key}: value\n")
    assert_problem(problem, line=2, column=1, key_path=shown, message="contains U+")


def test_lookalike_key_with_nbsp_is_refused_beside_the_real_one():
    problem = only_problem('"name\\u00a0": X\nname: Y\n')
    assert_problem(problem, line=1, key_path='"name\\u00a0"', message="U+00A0 (NO-BREAK SPACE)")


@pytest.mark.parametrize(
    "text, line, key_path",
    [
        ('id: x\n"": value\n', 2, ""),
        ("id: x\n~: value\n", 2, ""),
        ("id: x\nnull: value\n", 2, ""),
        ("id: x\nname:\n  ? \n  : value\n", 3, "name"),
    ],
)
def test_empty_or_null_key_is_refused(text, line, key_path):
    assert_problem(only_problem(text), line=line, key_path=key_path, message="key is empty")


@pytest.mark.parametrize(
    "text, line, column, key_path",
    [
        ("id: x\n? [a, b]\n: value\n", 2, 3, ""),
        ("id: x\n{a: 1}: value\n", 2, 1, ""),
        ("id: x\nname: {? {b: c}: d}\n", 2, 10, "name"),
    ],
)
def test_key_that_is_a_list_or_mapping_is_refused(text, line, column, key_path):
    assert_problem(only_problem(text), line=line, column=column, key_path=key_path, message="a key must be a name")


# --- A10: tags -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tagged, shown",
    [
        ('!!python/object/apply:os.system ["id"]', "!!python/object/apply:os.system"),
        ("!!python/name:os.system ''", "!!python/name:os.system"),
        ("!!python/object/new:os.system [id]", "!!python/object/new:os.system"),
        ("!!python/object:collections.OrderedDict {}", "!!python/object:collections.OrderedDict"),
        ("!!python/module:os ''", "!!python/module:os"),
        ('!!int "3"', "!!int"),
        ("!!float 1", "!!float"),
        ("!!bool yes", "!!bool"),
        ("!!null ''", "!!null"),
        ("!!timestamp 2024-01-01", "!!timestamp"),
        ("!!binary aGVsbG8=", "!!binary"),
        ("!!set {a: null}", "!!set"),
        ("!!omap [a: 1]", "!!omap"),
        ("!custom x", "!custom"),
        ("! 12", "!"),
        ("!<tag:example.com,2024:x> y", "tag:example.com,2024:x"),
        ("!!str {a: b}", "!!str"),
        ("!!map [a]", "!!map"),
        ("!!seq x", "!!seq"),
    ],
)
def test_explicit_tag_is_refused_with_its_line(tagged, shown):
    problem = only_problem(f"id: x\nvalue: {tagged}\n")
    assert_problem(problem, line=2, column=8, message=f"the tag '{shown}'")


def test_tag_on_a_key_is_refused():
    assert_problem(only_problem("id: x\n!!int 1: a\n"), line=2, column=1, message="the tag '!!int'")


# --- A11, A12: anchors, aliases, merge keys, depth and size -------------------------------------------------


def test_anchor_and_alias_are_refused_with_a_hint_to_use_extends():
    problems = problems_of("id: x\nbase: &shared Бишкек\nother: *shared\n")
    assert [(problem.line, problem.column) for problem in problems] == [(2, 7), (3, 8)]
    assert "anchor '&shared'" in problems[0].message
    assert "alias '*shared'" in problems[1].message
    for problem in problems:
        assert_problem(problem, line=problem.line, message="is not allowed")
        assert "extends:" in problem.hint


def test_merge_key_is_refused():
    problems = problems_of("base: &b {a: 1}\nchild:\n  <<: *b\n  c: 2\n")
    assert [problem.line for problem in problems] == [1, 3, 3]
    merge = next(problem for problem in problems if "merge" in problem.message)
    assert_problem(merge, line=3, column=3, key_path="child", message="merge keys ('<<') are not allowed")


def test_merge_key_without_alias_is_refused():
    assert_problem(only_problem("<<: {a: 1}\n"), line=1, column=1, message="merge keys")


def test_recursive_alias_is_refused():
    problems = problems_of("a: &a [*a]\n")
    assert [problem.message for problem in problems] == ["anchor '&a' is not allowed", "alias '*a' is not allowed"]


def test_alias_used_as_key_or_root_is_refused():
    assert [p.message for p in problems_of("a: &k x\n*k : y\n")] == [
        "anchor '&k' is not allowed",
        "alias '*k' is not allowed",
    ]
    assert "alias '*a' is not allowed" in [p.message for p in problems_of("*a\n")]


def test_undefined_alias_is_refused_as_an_alias():
    assert_problem(only_problem("a: *nowhere\n"), line=1, column=4, key_path="", message="alias '*nowhere'")


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_billion_laughs_is_refused_without_expanding():
    problems = problems_of(BILLION_LAUGHS)
    assert len(problems) == 9 + 8 * 9
    assert {problem.message.split(" '")[0] for problem in problems} == {"anchor", "alias"}
    assert problems[0].line == 1 and problems[-1].line == 9


def test_deep_flow_nesting_is_refused_without_recursion_error():
    problem = only_problem("[" * 100_000 + "]" * 100_000)
    assert_problem(problem, line=1, column=_yaml.MAX_DEPTH + 1, message="nesting is deeper than 40 levels")


def test_deep_flow_nesting_in_a_value_is_refused():
    problem = only_problem("id: x\nvalue: " + "[" * 10_000 + "]" * 10_000 + "\n")
    assert_problem(problem, line=2, column=8 + _yaml.MAX_DEPTH - 1, message="nesting is deeper")


def test_deep_block_nesting_is_refused_at_the_first_level_too_deep():
    depth = _yaml.MAX_DEPTH
    text = "".join("  " * level + f"k{level}:\n" for level in range(depth)) + "  " * depth + "leaf: x\n"
    assert_problem(only_problem(text), line=depth + 1, column=2 * depth + 1, message="nesting is deeper")


def test_too_many_values_are_refused(monkeypatch):
    monkeypatch.setattr(_yaml, "MAX_NODES", 50)
    problem = only_problem("id: x\nlist: [" + ", ".join(["item"] * 60) + "]\n")
    assert_problem(problem, line=2, message="more than 50 values")


def test_limits_are_one_mib_forty_levels_and_one_hundred_thousand_values():
    assert _yaml.MAX_NODES == 100_000
    assert _yaml.MAX_DEPTH == 40
    assert _yaml.MAX_FILE_BYTES == 1024 * 1024


@pytest.mark.parametrize("error", [RecursionError, MemoryError])
def test_recursion_and_memory_errors_are_wrapped(monkeypatch, error):
    def explode(self):
        raise error()

    monkeypatch.setattr(_yaml._StrictLoader, "compose_document", explode)
    problem = only_problem("id: x\n")
    assert problem.file == FILE and problem.hint and "too large or too deeply nested" in problem.message


def test_oversized_bytes_are_refused_before_parsing():
    problem = only_problem(b"a: " + b"x" * _yaml.MAX_FILE_BYTES)
    assert_problem(problem, line=None, message="larger than")


def test_oversized_text_is_refused_counting_utf8_bytes():
    problem = only_problem("a: " + "ң" * (_yaml.MAX_FILE_BYTES // 2))
    assert_problem(problem, line=None, message="larger than")


def test_oversized_file_is_refused(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * _yaml.MAX_FILE_BYTES + b"\nid: x\n")
    with pytest.raises(ProfileError) as raised:
        load_yaml_mapping(path)
    [problem] = raised.value.diagnostics()
    assert problem.file == str(path) and "larger than" in problem.message and problem.hint


def _fifo(tmp: pathlib.Path) -> pathlib.Path:
    os.mkfifo(tmp / "pipe.yaml")
    return tmp / "pipe.yaml"


@pytest.mark.parametrize(
    "make_path, message",
    [
        (lambda tmp: tmp / "missing.yaml", "cannot read the file"),
        (lambda tmp: tmp, "is not a regular file"),
        (_fifo, "is not a regular file"),  # opening it for reading would wait for a writer forever
    ],
)
def test_unreadable_or_irregular_path_is_reported(tmp_path, make_path, message):
    path = make_path(tmp_path)
    with pytest.raises(ProfileError) as raised:
        load_yaml_mapping(path)
    [problem] = raised.value.diagnostics()
    assert problem.file == str(path) and message in problem.message and problem.hint


# --- A13: document shape and encoding ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, line",
    [
        ("", None),
        ("\n\n", None),
        ("# only a comment\n", None),
        ("---\n", 2),
        ("~\n", 1),
        ("- a\n- b\n", 1),
        ("just text\n", 1),
        ("# c\n'quoted'\n", 2),
        ("--- |\n  text\n", 1),
        ("[a, b]\n", 1),
    ],
)
def test_top_level_that_is_not_a_mapping_is_refused(text, line):
    assert_problem(only_problem(text), line=line, message="the top level must be a mapping of keys to values")


@pytest.mark.parametrize(
    "text, line",
    [
        ("a: 1\n---\nb: 2\n", 2),
        ("---\na: 1\n--- \nb: 2\n", 3),
        ("a: 1\n--- # another\n", 2),
        ("a: 1\n---\n", 2),
    ],
)
def test_second_document_is_refused_naming_its_line(text, line):
    problem = only_problem(text)
    assert_problem(problem, line=line, message=f"a second YAML document starts at line {line}")


def test_single_document_with_markers_is_accepted():
    assert load("%YAML 1.1\n---\nid: x\n...\n").data == {"id": "x"}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_files_are_refused(encoding):
    problem = only_problem("id: chu-nord\nname: Түндүк\n".encode(encoding))
    assert problem.file == FILE
    assert "UTF-16" in problem.message and "save the file as UTF-8" in problem.hint


def test_nul_byte_is_refused_with_its_line():
    problem = only_problem(b"id: x\nname: a\x00b\n")
    assert_problem(problem, line=2, column=8, message="NUL bytes")


@pytest.mark.parametrize(
    "data, line, column",
    [
        ("id: x\nname: café\n".encode("latin-1"), 2, 10),
        ("id: x\nname: Бишкек\n".encode("cp1251"), 2, 7),
        (b"id: x\nname: \xed\xa0\x80\n", 2, 7),
        (b"id: \xd2\xa3 \xff\n", 1, 7),
    ],
)
def test_invalid_utf8_names_the_line_of_the_bad_byte(data, line, column):
    problem = only_problem(data)
    assert_problem(problem, line=line, column=column, message="not valid UTF-8")
    assert "UTF-8" in problem.hint


@pytest.mark.parametrize(
    "text, line, column",
    [
        ("id: x\nname:\n\tky: a\n", 3, 1),
        ("id: x\n\tname: a\n", 2, 1),
        ("name:\n  ky: a\n  \tru: b\n", 3, 3),
    ],
)
def test_tab_indentation_is_refused_with_a_hint_to_use_spaces(text, line, column):
    problem = only_problem(text)
    assert_problem(problem, line=line, column=column, message="invalid YAML")
    assert "spaces" in problem.hint


@pytest.mark.parametrize(
    "text, line, column, hint_word",
    [
        ("id: x\nname: a: b\n", 2, 8, "quotes"),
        ("id: x\nname: 'open\n", 3, 1, "close the quote"),
        ('id: x\nname: "C:\\q"\n', 2, 11, "backslash"),
        ("id: x\nlanguages: [ky, ru\n", 3, 1, "']'"),
        ("id: x\nname: @chu\n", 2, 7, "quotes"),
        ("id: x\nname:\n  ky: a\n ru: b\n", 4, 2, "indentation"),
    ],
)
def test_syntax_error_is_wrapped_with_line_and_hint(text, line, column, hint_word):
    problem = only_problem(text)
    assert_problem(problem, line=line, column=column, message="invalid YAML")
    assert hint_word in problem.hint


# --- A14: control and invisible characters ----------------------------------------------------------------


@pytest.mark.parametrize(
    "escape, code",
    [
        ("\\v", "U+000B"),
        ("\\0", "U+0000"),
        ("\\x1b", "U+001B"),
        ("\\f", "U+000C"),
        ("\\r", "U+000D"),
        ("\\x7f", "U+007F"),
        ("\\x85", "U+0085"),
        ("\\N", "U+0085"),
        ("\\x9b", "U+009B"),
        ("\\ud800", "U+D800"),
        ("\\udfff", "U+DFFF"),
        ("\\ufffe", "U+FFFE"),
        ("\\uffff", "U+FFFF"),
        ("\\ufdd0", "U+FDD0"),
        ("\\ufdef", "U+FDEF"),
        ("\\U0001FFFE", "U+1FFFE"),
        ("\\ufeff", "U+FEFF"),
        ("\\u200b", "U+200B"),
        ("\\u202a", "U+202A"),
        ("\\u202e", "U+202E"),
        ("\\u2066", "U+2066"),
        ("\\u2069", "U+2069"),
        ("\\u00ad", "U+00AD"),
        ("\\u180e", "U+180E"),
        ("\\u2060", "U+2060"),
        ("\\u2061", "U+2061"),
        ("\\u2064", "U+2064"),
        ("\\u206a", "U+206A"),
        ("\\ufff9", "U+FFF9"),
        ("\\U000e0001", "U+E0001"),
        ("\\U000e0041", "U+E0041"),
        ("\\U000e007f", "U+E007F"),
    ],
)
def test_control_or_invisible_character_in_value_is_refused(escape, code):
    problem = only_problem(f'id: x\nname: "CHU{escape}Nord"\n')
    assert_problem(problem, line=2, column=7, key_path="name", message=f"the value contains {code}")


ALLOWED_FORMAT_CHARACTERS = {
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u061c",  # joiners (emoji) and directional marks
    *map(chr, range(0x600, 0x606)),
    "\u06dd",
    "\u070f",
    "\u0890",
    "\u0891",
    "\u08e2",  # visible Arabic, Syriac signs
    "\U000110bd",
    "\U000110cd",  # visible Kaithi number signs
}


def test_every_invisible_format_character_is_refused_but_the_marks_and_joiners():
    format_characters = [chr(code) for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cf"]
    accepted = [
        f"U+{ord(char):04X}"
        for char in format_characters
        if char not in ALLOWED_FORMAT_CHARACTERS and not _refused(f'value: "x\\U{ord(char):08x}y"\n')
    ]
    assert accepted == []
    assert not any(_refused(f'value: "x\\U{ord(char):08x}y"\n') for char in ALLOWED_FORMAT_CHARACTERS)


def _refused(text: str) -> bool:
    try:
        load(text)
    except ProfileError:
        return True
    return False


def test_forbidden_character_deep_in_a_profile_names_the_key_path():
    text = 'commission:\n  members:\n    - name: {ru: a}\n    - name:\n        ru: "x\\u202ey"\n'
    assert_problem(
        only_problem(text),
        line=5,
        column=13,
        key_path="commission.members[1].name.ru",
        message="U+202E (RIGHT-TO-LEFT OVERRIDE)",
    )


def test_forbidden_characters_in_list_items_name_their_index():
    assert_problem(
        only_problem('languages: [ky, "r\\vu"]\n'), line=1, column=17, key_path="languages[1]", message="U+000B"
    )


def test_raw_bidi_override_in_a_plain_value_is_refused():
    assert_problem(
        only_problem("id: x\nname: evil\u202egnp.exe\n"), line=2, column=7, key_path="name", message="U+202E"
    )


@pytest.mark.parametrize(
    "raw, code",
    [
        ("\x0b", "U+000B"),
        ("\x1b", "U+001B"),
        ("\x7f", "U+007F"),
        ("\x85", "U+0085"),
        ("\x9b", "U+009B"),
        ("\u2028", "U+2028"),
        ("\u2029", "U+2029"),
        ("\ufffe", "U+FFFE"),
    ],
)
def test_raw_control_character_in_the_file_is_refused_with_its_line(raw, code):
    problem = only_problem(f"id: x\n# note{raw}\nname: a\n")
    assert_problem(problem, line=2, column=7, message=f"the file contains {code}")


def test_raw_lone_surrogate_in_text_input_is_refused():
    assert_problem(only_problem("id: x\nname: a\ud800\n"), line=2, column=8, message="U+D800 (lone surrogate)")


def test_each_forbidden_character_of_a_value_is_named_once():
    problem = only_problem('name: "a\\vb\\vc\\u202e"\n')
    assert problem.message == ("the value contains U+000B (control character), U+202E (RIGHT-TO-LEFT OVERRIDE)")


# --- reporting ----------------------------------------------------------------------------------------------


def test_all_problems_of_a_file_are_reported_together_in_line_order():
    text = (
        'id: x\nname: "a\\0b"\nbase: &b x\ntype: !!int 3\nname: again\n'
        "commission:\n  members:\n    - {role: a, role: b}\n"
    )
    problems = problems_of(text)
    assert [(problem.line, problem.key_path) for problem in problems] == [
        (2, "name"),
        (3, ""),
        (4, ""),
        (5, "name"),
        (8, "commission.members[0].role"),
    ]
    assert all(problem.file == FILE and problem.hint for problem in problems)


def test_problems_are_also_found_inside_a_duplicate_value():
    problems = problems_of('a: 1\na:\n  b: "\\v"\n')
    assert [(problem.line, problem.key_path) for problem in problems] == [(2, "a"), (3, "a.b")]


def test_problems_before_a_syntax_error_are_kept():
    problems = problems_of("a: &x 1\nb: [\n")
    assert [problem.line for problem in problems] == [1, 3]
    assert "invalid YAML" in problems[1].message


def test_many_problems_are_capped_with_a_count_of_the_rest():
    text = "".join(f"k: {index}\n" for index in range(_yaml.MAX_REPORTED_PROBLEMS + 20))
    problems = problems_of(text)
    assert len(problems) == _yaml.MAX_REPORTED_PROBLEMS + 1
    assert problems[-1].message == "19 more problems not shown" and problems[-1].hint


def test_many_raw_control_characters_are_capped_with_a_count_of_the_rest():
    problems = problems_of("id: x\n" + "\x01" * (_yaml.MAX_REPORTED_PROBLEMS + 50))
    assert len(problems) == _yaml.MAX_REPORTED_PROBLEMS + 1
    assert (problems[0].line, problems[0].column, problems[99].column) == (2, 1, 100)
    assert problems[-1].message == "50 more problems not shown"


def test_diagnostic_formats_as_file_line_column_key_path():
    problem = only_problem("name: a\nname: b\n")
    assert problem.format().startswith(f"{FILE}:2:1: name: duplicate key 'name'")


_YAMLISH = st.text(
    alphabet=st.sampled_from(list("ab1:- \n\t\"'[]{},&*!|>#?%@`~.\\\x00\x85\u202e\ud800ңé")), max_size=60
)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        _YAMLISH,
        st.text(max_size=40),
        st.binary(max_size=40),
        _YAMLISH.map(lambda text: text.encode("utf-8", "surrogatepass")),
    )
)
def test_nothing_but_profile_error_escapes(text):
    try:
        loaded = load(text)
    except ProfileError as error:
        for problem in error.diagnostics():
            assert problem.file == FILE and problem.hint
            problem.format().encode("utf-8")  # printable: no lone surrogate leaks into a message
    else:
        assert isinstance(loaded.data, dict)


# --- only the safe loader ----------------------------------------------------------------------------------

_UNSAFE_YAML = re.compile(r"yaml\.load\(|FullLoader|UnsafeLoader|yaml\.Loader\b|unsafe_load|full_load|\bCLoader\b")


def _code_without_comments(source: str) -> str:
    lines = source.splitlines(keepends=True)
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                row, start = token.start
                lines[row - 1] = lines[row - 1][:start] + " " * (token.end[1] - start) + lines[row - 1][token.end[1] :]
    except (tokenize.TokenError, SyntaxError):
        pass  # an unfinished file is searched whole, which is stricter
    return "".join(lines)


def test_package_uses_only_the_safe_yaml_loader():
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{code[: match.start()].count(chr(10)) + 1}: {match.group()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for code in [_code_without_comments(path.read_text(encoding="utf-8"))]
        for match in _UNSAFE_YAML.finditer(code)
    ]
    assert found == []


def test_every_yaml_the_package_reads_goes_through_the_strict_loader():
    readers = [
        path.relative_to(PACKAGE.parent).as_posix()
        for path in sorted(PACKAGE.rglob("*.py"))
        if re.search(r"^\s*(import yaml|from yaml)\b", path.read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert readers == ["policygen/inputs/strict_yaml.py"]


def test_unsafe_loader_search_ignores_comments_only():
    assert not _UNSAFE_YAML.search(_code_without_comments("x = 1  # never yaml.load(text)\n"))
    assert _UNSAFE_YAML.search(_code_without_comments("data = yaml.load(text)  # oops\n"))
