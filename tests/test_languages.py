"""A language is prose and strings only: a workspace adds one with a strings file and a text per template.

The pseudo-language xx is English in capitals, made here from the packaged English files without touching any
code: its strings file, a xx.md.j2 beside every skeleton, and xx texts in a copy of an example profile.
"""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
import yaml
from conftest import REPO, copy_workspace, pdf_text, run_cli

from policygen import DOCUMENT_IDS

PSEUDO = "xx"
PSEUDO_TAG = "en-XA"
PROFILE = "osh-medical-university"  # a university: its policy has the clause only education gets
KEPT = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|@ref\([^)]*\)|\{[a-z0-9_-]+\})")
"""What capitals must not touch: Jinja, cross-references, form field ids and format placeholders."""


def capitals(text: str) -> str:
    return "".join(part if KEPT.fullmatch(part) else part.upper() for part in KEPT.split(text))


def pseudo_template(english: str) -> str:
    """An English language file with its prose in capitals; its part lines and front matter keys as they are, and
    its shared clauses included in the pseudo-language."""
    lines, in_front_matter = [], False
    for number, line in enumerate(english.split("\n")):
        if line == "---":
            in_front_matter = number == 0
        elif in_front_matter:
            key, _, value = line.partition(": ")
            line = f"{key}: {capitals(value)}"
        elif line.startswith("{% include "):
            line = line.replace("/en.md.j2", f"/{PSEUDO}.md.j2")  # a shared clause, in the same language
        elif not line.startswith(":::"):
            line = capitals(line)
        lines.append(line)
    return "\n".join(lines)


def pseudo_strings(english: dict) -> dict:
    def convert(value):
        return {key: convert(item) for key, item in value.items()} if isinstance(value, dict) else capitals(value)

    strings = convert(english)
    strings["language"] = {"name": "PSEUDO", "tag": PSEUDO_TAG, "babel_locale": "en"}
    strings["language_names"][PSEUDO] = "PSEUDO"
    return strings


def with_pseudo_texts(value):
    """Profile data with an xx text, the English one in capitals, beside every English text (and an xx flag beside
    every English flag, such as a legal reference's `verified`)."""
    if isinstance(value, dict):
        converted = {key: with_pseudo_texts(item) for key, item in value.items()}
        if "en" in value and set(value) <= {"ky", "ru", "en"}:
            english = value["en"]
            converted[PSEUDO] = english.upper() if isinstance(english, str) else english
        return converted
    if isinstance(value, list):
        return [with_pseudo_texts(item) for item in value]
    return value


def add_pseudo_language(workspace: Path) -> None:
    templates = workspace / "templates"
    for skeleton in (REPO / "templates").rglob("skeleton.yaml"):
        target = templates / skeleton.parent.relative_to(REPO / "templates") / f"{PSEUDO}.md.j2"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(pseudo_template((skeleton.parent / "en.md.j2").read_text(encoding="utf-8")), "utf-8")
    english = yaml.safe_load((REPO / "templates" / "strings" / "en.yaml").read_text(encoding="utf-8"))
    (templates / "strings").mkdir()
    (templates / "strings" / f"{PSEUDO}.yaml").write_text(
        yaml.safe_dump(pseudo_strings(english), allow_unicode=True, sort_keys=False, width=1000), "utf-8"
    )
    for name in ("_national.yaml", f"{PROFILE}.yaml"):
        path = workspace / "institutions" / name
        data = with_pseudo_texts(yaml.safe_load(path.read_text(encoding="utf-8")))
        if "languages" in data:
            data["languages"].append(PSEUDO)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), "utf-8")


@pytest.fixture(scope="module")
def pseudo_workspace(tmp_path_factory) -> Path:
    workspace = copy_workspace(tmp_path_factory.mktemp("pseudo"))
    add_pseudo_language(workspace)
    return workspace


@pytest.fixture(scope="module")
def pseudo_build(pseudo_workspace) -> Path:
    result = run_cli("build", PROFILE, "--lang", PSEUDO, "-w", pseudo_workspace)
    assert result.exit_code == 0, result.stderr
    return pseudo_workspace / "output" / PROFILE / PSEUDO


def test_a_language_added_with_prose_and_strings_only_builds_the_whole_set(pseudo_workspace, pseudo_build):
    templates = pseudo_workspace / "templates"
    added = sorted(path.relative_to(templates).as_posix() for path in templates.rglob("*") if path.is_file())
    folders = [path.parent.relative_to(REPO / "templates") for path in (REPO / "templates").rglob("skeleton.yaml")]
    assert added == sorted([f"strings/{PSEUDO}.yaml", *(f"{folder.as_posix()}/{PSEUDO}.md.j2" for folder in folders)])
    assert sorted(path.name for path in pseudo_build.iterdir()) == sorted(
        f"{doc_id}{suffix}" for doc_id in DOCUMENT_IDS for suffix in (".docx", ".pdf")
    )


def channel_labels(procedure) -> set[str]:
    """The bold labels that open the items of the complaint procedure's list of reporting channels."""
    return {
        paragraph.runs[0].text
        for paragraph in procedure.paragraphs
        if paragraph.style.name == "List Bullet" and paragraph.runs and paragraph.runs[0].bold
    }


def test_the_added_language_prints_its_prose_labels_and_tag(pseudo_build):
    policy = docx.Document(str(pseudo_build / "policy.docx"))
    text = "\n".join(paragraph.text for paragraph in policy.paragraphs)
    cells = {cell.text for table in policy.tables for row in table.rows for cell in row.cells}
    assert "THIS POLICY SETS OUT HOW" in text
    assert "RELATIONS IN TEACHING AND CLINICAL TRAINING" in text  # the clause the skeleton gives universities
    assert "CRISIS SUPPORT" in cells  # a support label of xx.yaml
    procedure = docx.Document(str(pseudo_build / "complaint-procedure.docx"))
    channels = channel_labels(procedure)
    assert "BOX FOR WRITTEN REPORTS" in channels  # a channel label of xx.yaml, in the procedure's channel list
    header = [paragraph.text for paragraph in policy.sections[0].header.paragraphs]
    assert "DRAFT: TEXT NOT YET REVIEWED BY A LEGAL TRANSLATOR" in header
    assert policy.core_properties.language == PSEUDO_TAG
    assert f'w:val="{PSEUDO_TAG}"' in policy.styles.element.xml
    pdf = pdf_text(pseudo_build / "policy.pdf")
    assert "THIS POLICY SETS OUT HOW" in pdf and "PAGE 1 OF " in pdf
    order = docx.Document(str(pseudo_build / "adoption-order.docx"))
    assert any("ALL STAFF" in paragraph.text for paragraph in order.paragraphs)  # audience_in_sentence


def test_the_completeness_check_says_it_cannot_check_a_language_without_notions(pseudo_workspace):
    result = run_cli("check", PROFILE, "-w", pseudo_workspace)
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert "the completeness check cannot verify clauses in xx" in result.stderr


def test_a_language_without_a_strings_file_is_refused_where_it_is_named(tmp_path):
    workspace = copy_workspace(tmp_path)
    profile = workspace / "institutions" / "ak-tilek-fmc.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("languages: [ky, ru]", "languages: [ky, ru, de]"))
    result = run_cli("validate", "ak-tilek-fmc", "-w", workspace)
    assert result.exit_code == 1
    assert re.search(
        rf"^{re.escape(str(profile))}:\d+:\d+: languages\[2\]: 'de' is not a language of this workspace$",
        result.stderr,
        re.MULTILINE,
    ), result.stderr
    assert "no de text" not in result.stderr
    built = run_cli("build", "ak-tilek-fmc", "--lang", "de", "-w", workspace)
    assert built.exit_code == 2
    assert "--lang de: not a language of this workspace" in built.stderr


def test_a_strings_file_missing_a_key_is_refused_naming_file_and_key(tmp_path):
    workspace = copy_workspace(tmp_path)
    strings = workspace / "templates" / "strings" / "ru.yaml"
    strings.parent.mkdir(parents=True)
    text = (REPO / "templates" / "strings" / "ru.yaml").read_text(encoding="utf-8")
    strings.write_text(re.sub(r"^  hotline: .*\n", "", text, flags=re.MULTILINE).replace("draft_mark:", "draft_mrak:"))
    result = run_cli("validate", "ak-tilek-fmc", "-w", workspace)
    assert result.exit_code == 1
    assert re.search(rf"^{re.escape(str(strings))}:\d+:\d+: channel.hotline: missing", result.stderr, re.M), (
        result.stderr
    )
    assert re.search(
        rf"^{re.escape(str(strings))}:\d+:\d+: draft_mrak: unknown key\n    hint: did you mean 'draft_mark'",
        result.stderr,
        re.M,
    ), result.stderr


def test_a_workspace_strings_file_overrides_the_packaged_one(tmp_path):
    workspace = copy_workspace(tmp_path)
    strings = workspace / "templates" / "strings" / "ru.yaml"
    strings.parent.mkdir(parents=True)
    text = (REPO / "templates" / "strings" / "ru.yaml").read_text(encoding="utf-8")
    strings.write_text(text.replace('in_person: "Личный приём"', 'in_person: "Приём у координатора"'), "utf-8")
    built = run_cli(
        "build", "ak-tilek-fmc", "--lang", "ru", "--doc", "complaint-procedure", "--format", "docx", "-w", workspace
    )
    assert built.exit_code == 0, built.stderr
    procedure = docx.Document(str(workspace / "output" / "ak-tilek-fmc" / "ru" / "complaint-procedure.docx"))
    labels = channel_labels(procedure)
    assert "Приём у координатора" in labels and "Личный приём" not in labels  # the channel list's label
