"""One skeleton per document: its parts, covered elements and conditions are declared once, in skeleton.yaml, and
every language file (a workspace's overrides included) is held to it, with the file and the clause named."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import REPO, WATCHED_PATH_OPENED, copy_workspace, run_cli, run_cli_confined

from policygen import TemplateRenderer, build_documents, load_profile, open_workspace

PROFILE = "ak-tilek-fmc"  # a family medicine centre: no clause for education
POLICY_RU = (REPO / "templates" / "policy" / "ru.md.j2").read_text(encoding="utf-8")
POLICY_SKELETON = (REPO / "templates" / "policy" / "skeleton.yaml").read_text(encoding="utf-8")


def without_clause(text: str, clause_id: str) -> str:
    start = text.index(f"::: clause {clause_id}\n")
    return text[:start] + text[text.index("\n:::\n", start) + len("\n:::\n") :]


def moved_before(text: str, clause_id: str, before: str) -> str:
    start = text.index(f"::: clause {clause_id}\n")
    block = text[start : text.index("\n:::\n", start) + len("\n:::\n")]
    text = without_clause(text, clause_id)
    at = text.index(f"::: clause {before}\n")
    return text[:at] + block + "\n" + text[at:]


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def closing_line(text: str, opening: str) -> int:
    """The line of the ::: that closes the block opened by `opening`."""
    return text[: text.index("\n:::\n", text.index(opening)) + 1].count("\n") + 1


def override(workspace: Path, name: str, text: str) -> Path:
    path = workspace / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return copy_workspace(tmp_path)


DRIFTS = [
    pytest.param(
        lambda text: without_clause(text, "training"),
        lambda text: closing_line(without_clause(text, "training"), "::: clause prevention\n"),
        r"clause training: missing; the skeleton \S+skeleton\.yaml puts it after clause prevention",
        id="missing-clause",
    ),
    pytest.param(
        lambda text: text.replace("::: clause sanctions\n", "::: clause penalties\n"),
        lambda text: line_of(text, "::: clause sanctions\n"),
        r"clause penalties: not in the skeleton \S+skeleton\.yaml",
        id="extra-clause",
    ),
    pytest.param(
        lambda text: moved_before(text, "training", "general-provisions"),
        lambda text: line_of(moved_before(text, "training", "general-provisions"), "::: clause training\n"),
        r"clause training: out of order; the skeleton \S+skeleton\.yaml puts it after clause prevention",
        id="clause-out-of-order",
    ),
    pytest.param(
        lambda text: text.replace("::: clause review\n", "::: clause review policy_review_cycle,non_retaliation\n"),
        lambda text: line_of(text, "::: clause review\n"),
        r"clause review: its covered elements are declared once, in skeleton\.yaml",
        id="covers-written-in-the-language-file",
    ),
    pytest.param(
        lambda text: text.replace(
            "::: clause training\n", "{% if inst.staff_count > 10 %}\n::: clause training\n", 1
        ).replace("::: clause reporting\n", "{% endif %}\n::: clause reporting\n", 1),
        lambda text: line_of(text, "::: clause training\n") + 1,
        r"clause training: stands inside \{% if %\}, \{% for %\} or another Jinja block",
        id="clause-inside-an-if",
    ),
    pytest.param(
        lambda text: text.replace('"clauses/non-retaliation/ru.md.j2"', '"clauses/non-retaliation/ky.md.j2"'),
        lambda text: line_of(text, '{% include "clauses/non-retaliation/ru.md.j2" %}'),
        r"shared clause non-retaliation: a ru file includes its ky text",
        id="shared-clause-of-another-language",
    ),
    pytest.param(
        lambda text: text.replace('{% include "clauses/confidentiality/ru.md.j2" %}\n', ""),
        lambda text: line_of(text, '{% include "clauses/confidentiality/ru.md.j2" %}') - 2,
        r"shared clause confidentiality: missing; the skeleton \S+ puts it after clause investigation",
        id="missing-shared-clause",
    ),
]


@pytest.mark.parametrize(("edit", "expected_line", "message"), DRIFTS)
def test_structure_drift_in_one_language_is_refused_naming_file_line_and_clause(
    workspace, edit, expected_line, message
):
    template = override(workspace, "policy/ru.md.j2", edit(POLICY_RU))
    for result in (
        run_cli("validate", PROFILE, "-w", workspace),
        run_cli("build", PROFILE, "--lang", "ru", "--format", "docx", "-w", workspace),
    ):
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.stderr
        found = re.search(rf"^{re.escape(str(template))}:(\d+): {message}\n    hint: \S", result.stderr, re.MULTILINE)
        assert found, result.stderr
        assert int(found.group(1)) == expected_line(POLICY_RU)
    assert not (workspace / "output" / PROFILE).exists()


def test_every_difference_of_a_language_file_is_reported_at_once(workspace):
    template = override(
        workspace,
        "policy/ru.md.j2",
        without_clause(POLICY_RU, "training").replace("::: clause review\n", "::: clause x\n"),
    )
    result = run_cli("validate", PROFILE, "-w", workspace)
    assert result.exit_code == 1
    reported = re.findall(rf"^{re.escape(str(template))}:\d+: (clause \S+):", result.stderr, re.MULTILINE)
    assert reported == ["clause training", "clause review", "clause x"], result.stderr


def test_a_skeleton_override_holds_every_language_to_it(workspace):
    # the workspace restructures the policy (no informal resolution) but overrides only its Russian text
    skeleton = re.sub(r"  - clause: informal-resolution\n    covers: \[.*\]\n", "", POLICY_SKELETON)
    override(workspace, "policy/skeleton.yaml", skeleton)
    override(workspace, "policy/ru.md.j2", without_clause(POLICY_RU, "informal-resolution"))
    result = run_cli("validate", PROFILE, "-w", workspace)
    assert result.exit_code == 1
    packaged_ky = REPO / "templates" / "policy" / "ky.md.j2"
    assert re.search(
        rf"^{re.escape(str(packaged_ky))}:\d+: clause informal-resolution: not in the skeleton "
        rf"{re.escape(str(workspace / 'templates' / 'policy' / 'skeleton.yaml'))}$",
        result.stderr,
        re.M,
    )
    assert "/ru.md.j2" not in result.stderr


def test_a_condition_declared_once_applies_in_every_language(workspace):
    skeleton = POLICY_SKELETON.replace(
        "  - clause: informal-resolution\n    covers: [informal_resolution_option]\n",
        "  - clause: informal-resolution\n    covers: [informal_resolution_option]\n    when: inst.staff_count > 100\n",
    )
    override(workspace, "policy/skeleton.yaml", skeleton)
    opened = open_workspace(workspace)
    renderer = TemplateRenderer(opened.template_search_path())
    for profile, expected in (("ak-tilek-fmc", False), ("bishkek-city-hospital", True)):
        loaded = load_profile(opened.institutions_dir / f"{profile}.yaml", opened)
        for lang in loaded.profile.languages:
            clauses = [clause.id for clause in build_documents(renderer, loaded, lang)["policy"].clauses()]
            assert ("informal-resolution" in clauses) is expected, (profile, lang)


@pytest.mark.parametrize(
    ("edit", "key", "message"),
    [
        (
            lambda text: text.replace(
                "covers: [policy_review_cycle]", "covers: [policy_review_cycle, no_such_element]"
            ),
            "parts[24].covers[1]",
            "unknown element 'no_such_element'",
        ),
        (
            lambda text: text.replace("- clause: sanctions", "- clause: support"),
            "parts[20].clause",
            "support is a part already (item 19)",
        ),
        (
            lambda text: text.replace("when: inst.is_education", "when: inst.is_education and ("),
            "parts[6].when",
            "bad condition",
        ),
        (
            lambda text: text.replace("when: inst.is_education", "when: inst.get('is_education')"),
            "parts[6].when",
            "a condition may not use call here",
        ),
        (
            lambda text: text.replace("- shared: confidentiality", "- shared: confidentiality\n    covers: [x]"),
            "parts[16].covers",
            "only a clause covers elements, not a shared",
        ),
    ],
)
def test_a_bad_skeleton_is_refused_naming_the_skeleton_file_line_and_key(workspace, edit, key, message):
    skeleton = override(workspace, "policy/skeleton.yaml", edit(POLICY_SKELETON))
    result = run_cli("validate", PROFILE, "-w", workspace)
    assert result.exit_code == 1
    assert re.search(
        rf"^{re.escape(str(skeleton))}:\d+:\d+: {re.escape(key)}: {re.escape(message)}", result.stderr, re.MULTILINE
    ), result.stderr


def test_parts_made_some_other_way_are_refused_after_rendering(workspace):
    # a template of another folder, in order with its own skeleton, is no part of the policy's skeleton: the
    # clause it brings shows only in the rendered policy
    override(workspace, "extra/skeleton.yaml", "parts:\n  - clause: night-escort\n")
    override(workspace, "extra/ru.md.j2", "::: clause night-escort\n## Сопровождение\n\nТекст.\n:::\n")
    template = override(
        workspace,
        "policy/ru.md.j2",
        POLICY_RU.replace("::: signature\n", '{% include "extra/ru.md.j2" %}\n::: signature\n', 1),
    )
    result = run_cli("validate", PROFILE, "-w", workspace)
    assert result.exit_code == 1
    assert re.search(
        rf"^{re.escape(str(template))}: clause night-escort: the rendered document has clause night-escort where "
        r"its skeleton \S+ has no more parts\n    hint: ",
        result.stderr,
        re.MULTILINE,
    ), result.stderr


def test_every_packaged_language_file_follows_its_skeleton():
    renderer = TemplateRenderer(open_workspace(REPO).template_search_path())
    skeletons = sorted((REPO / "templates").rglob("skeleton.yaml"))
    assert len(skeletons) == 15
    for skeleton in skeletons:
        folder = skeleton.parent.relative_to(REPO / "templates").as_posix()
        for lang in renderer.languages():
            renderer.load(f"{folder}/{lang}.md.j2", lang)  # read, held to its skeleton and compiled, or it raises
            assert skeleton in renderer.dependencies(f"{folder}/{lang}.md.j2")


@pytest.mark.parametrize("name", ["policy/skeleton.yaml", "strings/ru.yaml"])
@pytest.mark.parametrize("kind", ["link-leading-out", "pipe"])
def test_a_skeleton_or_strings_file_that_links_out_or_is_a_pipe_is_refused_unread(tmp_path, name, kind):
    workspace = copy_workspace(tmp_path / "ws")
    outside = tmp_path / "outside"
    outside.mkdir()
    target = workspace / "templates" / name
    target.parent.mkdir(parents=True)
    if kind == "pipe":
        os.mkfifo(target)  # opening it for reading would block until someone writes
        watched, message = (target,), "the file is not a regular file and was not read"
    else:
        (outside / "secret.yaml").write_text("parts: []\n", encoding="utf-8")
        target.symlink_to(outside / "secret.yaml")
        watched, message = (outside,), "the file resolves outside its templates folder"
    result = run_cli_confined("validate", PROFILE, "-w", workspace, watched=watched)
    assert result.exit_code == 1, (result.exit_code, WATCHED_PATH_OPENED, result.stderr)
    assert f"{target}: {message}" in result.stderr
