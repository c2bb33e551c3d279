"""`policygen validate` refuses what `build` refuses, reports every problem of a file at once, warns about
typographic quotes, and reads only regular files that stay inside their folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, copy_workspace, edit, line_of, run_cli

PROFILE = "ak-tilek-fmc"
LOCATED = re.compile(
    r"^(?P<file>[^\n]+?):(?P<line>\d+):(?P<column>\d+): (?P<key>[^:\n]+): (?P<message>[^\n]+)\n"
    r"    hint: \S",
    re.MULTILINE,
)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return copy_workspace(tmp_path / "ws")


def profile_of(workspace: Path, name: str = PROFILE) -> Path:
    return workspace / "institutions" / f"{name}.yaml"


def located(stderr: str) -> dict[str, tuple[str, int, str]]:
    """key path -> (file, line, message) of every located message with a hint."""
    return {match["key"]: (match["file"], int(match["line"]), match["message"]) for match in LOCATED.finditer(stderr)}


def assert_refused_cleanly(result, workspace: Path) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output + result.stderr
    assert not (workspace / "output").exists()


# Issue 10, item 4: all errors at once -------------------------------------------------------------------------


def test_five_kinds_of_error_are_reported_in_one_run_each_at_its_own_line(workspace):
    profile = profile_of(workspace)
    text = edit(
        profile,
        ("staff_count: 14", "staf_count: 14"),  # an unknown key
        ("    anonymous: false\n", "    anonymous: maybe\n"),  # a wrong type
        ("effective_date: 2025-10-15", "effective_date: 2025-02-30"),  # an impossible date
        ("  consulted_on: 2025-10-06\n", ""),  # a required key missing in a nested mapping
        ("  ru: ЦСМ с. Ак-Тилек\n", ""),
    )  # a missing translation

    result = run_cli("validate", PROFILE, "--workspace", workspace)

    assert_refused_cleanly(result, workspace)
    found = located(result.stderr)
    expected = {
        "staf_count": (line_of(text, "staf_count: 14"), "unknown key"),
        "reporting_channels[0].anonymous": (line_of(text, "anonymous: maybe"), "expected true or false"),
        "effective_date": (line_of(text, "effective_date: 2025-02-30"), "is not a calendar date"),
        "union.consulted_on": (line_of(text, "union:"), "required key is missing"),
        "short_name": (line_of(text, "short_name:"), "no ru text"),
    }
    for key, (line, message) in expected.items():
        assert key in found, result.stderr
        assert found[key][0] == str(profile) and found[key][1] == line and message in found[key][2], found[key]


# Issue 10, item 5: typographic quotes -------------------------------------------------------------------------


def test_typographic_quotes_around_a_value_with_a_colon_are_named_as_not_yaml_quotes(workspace):
    profile = profile_of(workspace)
    text = edit(profile, ('  order_number: "12"', "  order_number: “Приказ: 12”"))

    result = run_cli("validate", PROFILE, "--workspace", workspace)

    assert_refused_cleanly(result, workspace)
    match = re.search(
        rf"^{re.escape(str(profile))}:{line_of(text, 'Приказ: 12')}:\d+: (.+)\n    hint: (.+)$",
        result.stderr,
        re.MULTILINE,
    )
    assert match, result.stderr
    assert "“ and ” are typographic quotes" in match.group(1) and "not YAML quotes" in match.group(1)
    assert "straight" in match.group(2)


def quoted_order_number(workspace: Path) -> tuple[Path, str]:
    profile = profile_of(workspace)
    return profile, edit(profile, ('  order_number: "12"', "  order_number: “45-п”"))


def test_typographic_quotes_in_an_order_number_are_a_located_warning(workspace):
    profile, text = quoted_order_number(workspace)

    result = run_cli("validate", PROFILE, "--workspace", workspace)

    assert result.exit_code == 0, result.stderr
    line = line_of(text, "“45-п”")
    assert re.search(
        rf"^{re.escape(str(profile))}:{line}:17: approval\.order_number: warning: '“45-п”' holds the "
        r"typographic quotes “ ”.*\n    hint: write it without them: order_number: 45-п",
        result.stderr,
        re.MULTILINE,
    ), result.stderr
    assert f"ok  {PROFILE}" in result.output


def test_typographic_quotes_in_an_identifier_fail_validate_and_build_under_strict(workspace):
    profile, text = quoted_order_number(workspace)

    validated = run_cli("validate", PROFILE, "--strict", "--workspace", workspace)
    built = run_cli("build", PROFILE, "--strict", "--lang", "ru", "--format", "docx", "--workspace", workspace)

    assert_refused_cleanly(validated, workspace)
    for result in (validated, built):
        assert result.exit_code == 1
        assert re.search(
            rf"^{re.escape(str(profile))}:{line_of(text, '“45-п”')}:17: approval\.order_number: '“45-п”'"
            r".*an error under --strict\)\n    hint: ",
            result.stderr,
            re.MULTILINE,
        ), result.stderr
    assert not list((workspace / "output").rglob("*.docx"))


def test_build_prints_the_typographic_quotes_warning_and_builds(workspace):
    profile, text = quoted_order_number(workspace)

    result = run_cli("build", PROFILE, "--lang", "ru", "--format", "docx", "--doc", "policy", "--workspace", workspace)

    assert result.exit_code == 0, result.stderr
    assert f"{profile}:{line_of(text, '“45-п”')}:17: approval.order_number: warning: " in result.stderr


# "One house": validate refuses what build refuses --------------------------------------------------------------


@pytest.mark.parametrize(
    "clauses, key, message",
    [
        ("clauses:\n  disable: [policy/non-retaliation]\n", "clauses.disable[0]", "cannot be switched off"),
        (
            "clauses:\n  replace:\n    - clause: policy/scope\n      text: {ky: Жаңы., ru: Новый.}\n",
            "clauses.replace[0].clause",
            "cannot be replaced",
        ),
        ("clauses:\n  disable: [policy/no-such-clause]\n", "clauses.disable[0]", "has no clause 'no-such-clause'"),
        (
            "clauses:\n  add:\n    - id: extra\n      after: policy/prevention\n      title: {ky: Кошумча, ru: Доп}\n"
            "      text: {ky: Караңыз @ref(policy#prevention)., ru: См. @ref(policy#nowhere).}\n",
            "clauses.add[0].text.ru",
            "policy has no clause 'nowhere'",
        ),
    ],
)
def test_validate_refuses_clause_changes_that_build_refuses(workspace, clauses, key, message):
    profile = profile_of(workspace)
    profile.write_text(profile.read_text(encoding="utf-8") + clauses, encoding="utf-8")

    validated = run_cli("validate", PROFILE, "--workspace", workspace)
    assert_refused_cleanly(validated, workspace)
    built = run_cli("build", PROFILE, "--format", "docx", "--workspace", workspace)

    assert built.exit_code == 1
    for result in (validated, built):
        found = located(result.stderr)
        assert key in found and message in found[key][2] and found[key][0] == str(profile), result.stderr


def test_validate_fails_the_completeness_check_under_strict_only(workspace):
    templates = workspace / "templates" / "policy"
    templates.mkdir(parents=True)
    source = (REPO / "templates" / "policy" / "skeleton.yaml").read_text(encoding="utf-8")
    # the policy claims no element any more: required ones go uncovered
    (templates / "skeleton.yaml").write_text(
        re.sub(r"^ +covers: .*\n", "", source, flags=re.MULTILINE), encoding="utf-8"
    )

    assert run_cli("validate", PROFILE, "--workspace", workspace).exit_code == 0
    result = run_cli("validate", PROFILE, "--strict", "--workspace", workspace)

    assert_refused_cleanly(result, workspace)
    assert re.search(
        r"^\S+ak-tilek-fmc\.yaml: ru: required element \S+ is not covered .*\n    hint: ", result.stderr, re.MULTILINE
    ), result.stderr


# Issue 17, item 5: character references in clause texts --------------------------------------------------------


def test_character_references_allowed_as_typed_characters_build(workspace):
    profile = profile_of(workspace)
    profile.write_text(
        profile.read_text(encoding="utf-8")
        + (
            "clauses:\n  add:\n    - id: marks\n      after: policy/prevention\n      title: {ky: Белгилер, ru: Знаки}\n"
            "      text: {ky: 'a&lrm;b &zwj; &amp;#x202E;', ru: 'a&rlm;b &nbsp;c &laquo;x&raquo; &amp;#x202E;'}\n"
        ),
        encoding="utf-8",
    )

    result = run_cli("validate", PROFILE, "--workspace", workspace)

    assert result.exit_code == 0, result.stderr


# Issue 17, items 7, 8 and 12: what the loader reads ------------------------------------------------------------


def run_in_subprocess(*args: str) -> subprocess.CompletedProcess:
    """The CLI in a child process with a time bound, so that a read that blocks fails the test, not the suite."""
    return subprocess.run([sys.executable, "-m", "policygen", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", [["validate"], ["list"], ["build", "--format", "docx", "--lang", "ru"]])
def test_a_pipe_named_like_a_profile_is_refused_without_blocking(workspace, command):
    fifo = profile_of(workspace, "x")
    os.mkfifo(fifo)

    result = run_in_subprocess(*command, "--workspace", str(workspace))

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert re.search(rf"^{re.escape(str(fifo))}: is not a regular file.*\n    hint: ", result.stderr, re.MULTILINE)
    assert not (workspace / "output" / "x").exists()


def test_a_pipe_as_base_profile_is_refused_without_blocking(workspace):
    national = workspace / "institutions" / "_national.yaml"
    national.unlink()
    os.mkfifo(national)

    result = run_in_subprocess("validate", PROFILE, "--workspace", str(workspace))

    assert result.returncode == 1
    assert re.search(rf"^{re.escape(str(national))}: is not a regular file.*\n    hint: ", result.stderr, re.MULTILINE)


def test_a_pipe_as_submission_is_refused_without_blocking(workspace):
    submission = workspace / "submissions" / "s.yaml"
    submission.parent.mkdir()
    os.mkfifo(submission)

    result = run_in_subprocess("submission", "build", "s", "--workspace", str(workspace))

    assert result.returncode == 1
    assert re.search(
        rf"^{re.escape(str(submission))}: is not a regular file.*\n    hint: ", result.stderr, re.MULTILINE
    ), result.stderr
    assert not (workspace / "output").exists()


def with_review_file(workspace: Path, text: str) -> Path:
    """A workspace override of the Russian policy, whose review status the workspace's own file then gives."""
    templates = workspace / "templates"
    (templates / "policy").mkdir(parents=True)
    (templates / "policy" / "ru.md.j2").write_bytes((REPO / "templates" / "policy" / "ru.md.j2").read_bytes())
    review = templates / "translation-review.yaml"
    review.write_text(text, encoding="utf-8")
    return review


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("reviewed:\n  policy/ru.md.j2: " + "[" * 5000 + "]" * 5000 + "\n", 2, "nesting is deeper than"),
        ("reviewed:\n  policy/ru.md.j2: &a yes\n", 2, "anchor '&a' is not allowed"),
        ("reviewed:\n  policy/ru.md.j2: true\n", 2, "expected the keys reviewed_by, reviewed_on, sha256"),
        (
            "reviewed:\n  policy/ru.md.j2:\n    reviewed_by: A\n    reviewed_on: 2026-02-30\n    sha256: " + "0" * 64,
            4,
            "expected a date written YYYY-MM-DD, got '2026-02-30'",
        ),
        (
            "reviewed:\n  policy/ru.md.j2:\n    reviewed_by: A\n    reviewed_on: 2026-02-03\n    sha256: abc",
            5,
            "expected the SHA-256 of the text reviewed",
        ),
    ],
)
def test_translation_review_file_is_read_with_the_strict_loader(workspace, text, line, message):
    review = with_review_file(workspace, text)

    for result in (
        run_cli("validate", PROFILE, "--workspace", workspace),
        run_cli("build", PROFILE, "--lang", "ru", "--format", "docx", "--workspace", workspace),
    ):
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
        assert re.search(
            rf"^{re.escape(str(review))}:{line}:\d+: .*{re.escape(message)}.*\n    hint: ", result.stderr, re.MULTILINE
        ), result.stderr
    assert not list((workspace / "output").rglob("*.docx"))


def test_translation_review_pipe_is_refused_without_blocking(workspace):
    review = with_review_file(workspace, "")
    review.unlink()
    os.mkfifo(review)

    result = run_in_subprocess("validate", PROFILE, "--workspace", str(workspace))

    assert result.returncode == 1
    assert f"{review}: the file is not a regular file" in result.stderr


def test_a_profile_linking_out_of_institutions_is_refused_by_its_workspace_path(workspace, tmp_path):
    outside = tmp_path / "elsewhere" / f"{PROFILE}.yaml"
    outside.parent.mkdir()
    profile = profile_of(workspace)
    profile.rename(outside)
    profile.symlink_to(outside)

    result = run_cli("validate", PROFILE, "--workspace", workspace)

    assert_refused_cleanly(result, workspace)
    assert re.search(
        rf"^{re.escape(str(profile))}: is a link to {re.escape(str(outside))}, outside its folder"
        r".*\n    hint: ",
        result.stderr,
        re.MULTILINE,
    ), result.stderr


def test_a_base_linking_out_of_institutions_is_refused(workspace, tmp_path):
    national = workspace / "institutions" / "_national.yaml"
    outside = tmp_path / "_national.yaml"
    national.rename(outside)
    national.symlink_to(outside)

    result = run_cli("build", PROFILE, "--format", "docx", "--workspace", workspace)

    assert result.exit_code == 1
    assert f"{national}: is a link to {outside}, outside its folder" in result.stderr
    assert not (workspace / "output" / PROFILE).exists()


def test_a_profile_linked_inside_institutions_is_reported_by_its_workspace_path(workspace):
    profile = profile_of(workspace)
    real = workspace / "institutions" / "kept" / f"{PROFILE}.yaml"
    real.parent.mkdir()
    profile.rename(real)
    profile.symlink_to(real)
    text = edit(real, ("staff_count: 14", "staff_count: many"))

    result = run_cli("validate", PROFILE, "--workspace", workspace)

    assert_refused_cleanly(result, workspace)
    assert located(result.stderr)["staff_count"][:2] == (str(profile), line_of(text, "staff_count: many"))
    assert str(real) not in result.stderr


# Issue 13, item 4: the knowledge check's figures are data ------------------------------------------------------


def test_a_pass_mark_above_the_number_of_questions_is_refused_at_its_line(workspace):
    profile = profile_of(workspace)
    text = edit(profile, ("training:\n", "training:\n  knowledge_check_questions: 6\n  pass_mark: 7\n"))

    result = run_cli("validate", PROFILE, "--workspace", workspace)

    assert_refused_cleanly(result, workspace)
    found = located(result.stderr)
    assert found["training.pass_mark"][:2] == (str(profile), line_of(text, "pass_mark: 7")), result.stderr
    assert "must not exceed knowledge_check_questions (6)" in found["training.pass_mark"][2]
    assert "training.knowledge_check_questions" not in found
