"""How an institution departs from the model: `redline PROFILE --against model` and `check --deviations`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import EXAMPLES, REPO, copy_workspace, run_cli
from test_redline import W, body, resolved_texts

from policygen import load_profile, open_workspace

CUSTOMISED = "bishkek-city-hospital"
CUSTOMISATION = """clauses:
  disable: [policy/informal-resolution]
  add:
    - id: night-escort
      after: policy/prevention
      title: {ky: Түнкү коштоо, ru: Сопровождение после ночных смен, en: Escort after night shifts}
      text:
        ky: Түнкү кезмектен кийин кызматкерди коштоп барышат.
        ru: После ночной смены работника провожают до остановки.
        en: After a night shift an employee is escorted to the bus stop.
  replace:
    - clause: code-of-conduct/conflicts-of-interest
      text:
        ky: Кызматтык байланыш урматтоо менен жүргүзүлөт.
        ru: Служебная переписка ведётся уважительно.
        en: Work messages are respectful.
"""
EXPECTED = {
    ("policy/night-escort", "added"),
    ("policy/informal-resolution", "removed"),
    ("code-of-conduct/conflicts-of-interest", "changed"),
}


@pytest.fixture(scope="module")
def customised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace whose hospital switches off a clause, adds one and replaces another's text; and a copy of it
    without the customisation, whose documents are the model's text with the hospital's values."""
    workspace = copy_workspace(tmp_path_factory.mktemp("departures"))
    profile = workspace / "institutions" / f"{CUSTOMISED}.yaml"
    assert "\nclauses:" not in profile.read_text(encoding="utf-8")
    profile.write_text(profile.read_text(encoding="utf-8") + CUSTOMISATION, encoding="utf-8")
    return workspace


def listed(output: str) -> dict[str, set[tuple[str, str]]]:
    """`check --deviations` output as institution -> {(document/clause, kind)}."""
    found: dict[str, set[tuple[str, str]]] = {}
    institution = ""
    for line in output.splitlines():
        heading = re.fullmatch(r"(\S+): (\d+) clauses depart from the model", line)
        if heading:
            institution = heading.group(1)
            found[institution] = set()
            continue
        item = re.fullmatch(r"  (\S+) \(\d+\. .+\): (added|removed|changed)", line)
        assert item, line
        found[institution].add((item.group(1), item.group(2)))
    return found


def customised_clauses(workspace: Path, institution: str) -> set[tuple[str, str]]:
    """What the profile's `clauses:` section customises, read through the public API."""
    clauses = load_profile(
        workspace / "institutions" / f"{institution}.yaml", open_workspace(workspace)
    ).profile.clauses
    return (
        {(str(place), "removed") for place in clauses.disable}
        | {(f"{str(added.after).split('/')[0]}/{added.id}", "added") for added in clauses.add}
        | {(str(replaced.clause), "changed") for replaced in clauses.replace}
    )


def test_check_deviations_lists_exactly_the_customised_clauses_of_each_example():
    result = run_cli("check", "--deviations", "-w", REPO)
    assert result.exit_code == 0, result.stderr
    examples = {path.stem for path in EXAMPLES.glob("*.yaml") if not path.stem.startswith("_")}
    found = listed(result.stdout)
    assert set(found) == examples
    for institution in examples:
        assert found[institution] == customised_clauses(REPO, institution)


def test_check_deviations_lists_a_clause_switched_off_added_and_replaced(customised):
    result = run_cli("check", "--deviations", "-w", customised, "-q")
    assert result.exit_code == 0, result.stderr
    found = listed(result.stdout)
    assert found[CUSTOMISED] == EXPECTED == customised_clauses(customised, CUSTOMISED)
    assert found["ak-tilek-fmc"] == set()


@pytest.mark.parametrize("institution", ["ak-tilek-fmc", "bishkek-city-hospital", "osh-medical-university"])
def test_redline_against_the_model_of_an_uncustomised_example_changes_nothing(institution, tmp_path):
    out = tmp_path / "policy.docx"
    result = run_cli(
        "redline", institution, "-w", REPO, "--doc", "policy", "--lang", "ru", "--against", "model", "-o", out
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [f"wrote {out}: {len(customised_clauses(REPO, institution))} clauses changed"]
    assert next(body(out).iter(f"{W}ins", f"{W}del"), None) is None


def test_redline_against_the_model_shows_the_customised_clauses_and_rejects_into_the_model_text(customised, tmp_path):
    out = tmp_path / "policy.docx"
    arguments = ("--doc", "policy", "--lang", "ru", "--against", "model", "-o", out)
    result = run_cli("redline", CUSTOMISED, "-w", customised, *arguments)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"wrote {out}: 2 clauses changed"
    assert sorted(line.rsplit(": ", 1)[1] for line in lines[1:]) == ["added", "removed"]
    assert any("Сопровождение после ночных смен: added" in line for line in lines)
    build = lambda workspace, folder: run_cli(  # noqa: E731
        "build", CUSTOMISED, "-w", workspace, "--out", folder, "--doc", "policy", "--lang", "ru", "--format", "docx"
    )
    assert build(customised, tmp_path / "own").exit_code == 0
    model_workspace = copy_workspace(tmp_path / "model-workspace")  # the same hospital without its customisation
    assert build(model_workspace, tmp_path / "model").exit_code == 0
    own = tmp_path / "own" / CUSTOMISED / "ru" / "policy.docx"
    model = tmp_path / "model" / CUSTOMISED / "ru" / "policy.docx"
    assert resolved_texts(out, accept=True) == resolved_texts(own, accept=True)
    assert resolved_texts(out, accept=False) == resolved_texts(model, accept=True)


def test_redline_against_the_model_as_pdf_opens_with_the_customised_clauses(customised, tmp_path):
    out = tmp_path / "conduct.pdf"
    arguments = ("--doc", "code-of-conduct", "--lang", "en", "--against", "model", "-o", out)
    result = run_cli("redline", CUSTOMISED, "-w", customised, *arguments)
    assert result.exit_code == 0, result.stderr
    from test_redline import pdf_text_of_page

    first_page = re.sub(r"\s+", " ", pdf_text_of_page(out, 1))
    assert "Changes between two versions" in first_page and "changed" in first_page
    assert f"New version: {CUSTOMISED}/en/code-of-conduct" in first_page


@pytest.mark.parametrize(
    "arguments, message",
    [
        (("--doc", "policy", "--lang", "ru"), "give --doc DOC, --lang LANG and --against model"),
        (("--lang", "ru", "--against", "model"), "give --doc DOC, --lang LANG and --against model"),
        (("--doc", "policy", "--lang", "de", "--against", "model"), "has no documents in 'de'"),
    ],
)
def test_redline_of_a_profile_without_what_to_compare_is_refused(arguments, message, tmp_path):
    result = run_cli("redline", CUSTOMISED, "-w", REPO, *arguments, "-o", tmp_path / "out.docx")
    assert result.exit_code == 2 and message in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_redline_of_an_unknown_profile_is_refused_with_a_hint(tmp_path):
    arguments = ("--doc", "policy", "--lang", "ru", "--against", "model", "-o", tmp_path / "out.docx")
    result = run_cli("redline", "no-such-hospital", "-w", REPO, *arguments)
    assert result.exit_code == 2 and "hint:" in result.stderr


def customisation_in(languages: list[str]) -> str:
    """The customisation of CUSTOMISATION with a text in each of the profile's languages (and no other)."""
    texts = {"ky": "Кызматкерди коштоп барышат.", "ru": "Работника провожают.", "en": "An employee is escorted."}
    text = "{" + ", ".join(f"{lang}: {texts[lang]}" for lang in languages) + "}"
    return (
        "clauses:\n  disable: [policy/informal-resolution]\n  add:\n    - id: night-escort\n"
        f"      after: policy/prevention\n      title: {text}\n      text: {text}\n  replace:\n"
        f"    - clause: code-of-conduct/conflicts-of-interest\n      text: {text}\n"
    )


@pytest.mark.parametrize("institution", ["ak-tilek-fmc", "bishkek-city-hospital", "osh-medical-university"])
def test_redline_against_the_model_lists_exactly_the_customised_clauses_of_each_example(institution, tmp_path):
    workspace = copy_workspace(tmp_path / "workspace")
    profile = workspace / "institutions" / f"{institution}.yaml"
    languages = load_profile(profile, open_workspace(workspace)).profile.languages
    profile.write_text(profile.read_text(encoding="utf-8") + customisation_in(list(languages)), encoding="utf-8")
    customised_now = customised_clauses(workspace, institution)
    assert customised_now == EXPECTED
    deviations = run_cli("check", "--deviations", institution, "-w", workspace, "-q")
    assert deviations.exit_code == 0, deviations.stderr
    assert listed(deviations.stdout) == {institution: customised_now}
    for doc in ("policy", "code-of-conduct"):
        out = tmp_path / f"{doc}.docx"
        arguments = ("--doc", doc, "--lang", "ru", "--against", "model", "-o", out)
        result = run_cli("redline", institution, "-w", workspace, *arguments)
        assert result.exit_code == 0, result.stderr
        lines = result.stdout.splitlines()
        expected = {(place, kind) for place, kind in customised_now if place.startswith(f"{doc}/")}
        assert lines[0] == f"wrote {out}: {len(expected)} clauses changed"
        kinds = sorted(line.rsplit(": ", 1)[1] for line in lines[1:])
        assert kinds == sorted(kind for _, kind in expected)
        if doc == "policy":
            assert "Работника провожают.: added" in result.stdout
