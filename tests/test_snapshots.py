"""Golden snapshots of every example's document models, so that a change to a template or to the model shows in
review as a readable diff of tests/snapshots/. `make snapshots` refreshes them."""

from __future__ import annotations

import calendar
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLE_SUBMISSION, EXAMPLES, REPO, copy_workspace
from golden import assert_golden, snapshot_text

from policygen import LANGUAGES, TemplateRenderer, build_documents, load_profile, open_workspace, submission_file
from policygen.model import Document, to_data
from policygen.sets.institution import check_institution
from policygen.sets.model_set import MODEL_CREATED, MODEL_OWNER, build_model_documents
from policygen.sets.submission import (
    MODEL_ANNEXES,
    SUBMISSIONS_OUTPUT,
    load_submission,
    submission_documents,
    submitted_institutions,
)

SNAPSHOTS = Path(__file__).parent / "snapshots"
INSTITUTIONS = sorted(path.stem for path in EXAMPLES.glob("[!_]*.yaml"))


@pytest.fixture(autouse=True)
def fixed_build_day(monkeypatch):
    """Every snapshot is made on the model set's fixed date, so that a legal reference's check does not age into
    a review mark a year after the snapshots were taken."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(calendar.timegm(MODEL_CREATED.timetuple())))


@pytest.fixture(scope="module")
def workspace():
    return open_workspace(REPO)


@pytest.fixture(scope="module")
def renderer(workspace) -> TemplateRenderer:
    return TemplateRenderer(workspace.template_search_path())


def snapshots(folder: Path, lang: str, documents: dict[str, Document]) -> dict[Path, str]:
    return {
        folder / lang / f"{doc_id}.json": snapshot_text(to_data(document)) for doc_id, document in documents.items()
    }


@pytest.mark.parametrize("institution", INSTITUTIONS)
def test_document_models_of_each_example_institution_match_their_snapshots(
    institution, workspace, renderer, update_snapshots
):
    loaded = load_profile(EXAMPLES / f"{institution}.yaml", workspace)
    built: dict[Path, str] = {}
    for lang in loaded.profile.languages:
        built |= snapshots(SNAPSHOTS / institution, lang, build_documents(renderer, loaded, lang))
    assert_golden(built, update_snapshots, SNAPSHOTS / institution)


def test_document_models_of_the_model_set_match_their_snapshots(workspace, renderer, update_snapshots):
    built: dict[Path, str] = {}
    for lang in LANGUAGES:
        built |= snapshots(SNAPSHOTS / MODEL_OWNER, lang, build_model_documents(renderer, workspace, lang))
    assert_golden(built, update_snapshots, SNAPSHOTS / MODEL_OWNER)


def test_document_models_of_the_example_submission_match_their_snapshots(workspace, renderer, update_snapshots):
    """The letter, the register, the draft order, the note with its chart and the coverage report with its heat
    map (a picture as its SHA-256); the model documents it binds are the model set's snapshots."""
    submission = load_submission(submission_file(workspace, EXAMPLE_SUBMISSION))
    checks = [check_institution(workspace, path, renderer) for path in workspace.institution_files()]
    adopted = submitted_institutions(checks, include_examples=False)
    folder = SNAPSHOTS / SUBMISSIONS_OUTPUT / EXAMPLE_SUBMISSION
    built: dict[Path, str] = {}
    for lang in submission.languages:
        model = build_model_documents(renderer, workspace, lang)
        documents = submission_documents(renderer, workspace, submission, adopted, model, lang)
        own = {doc_id: document for doc_id, document in documents.items() if doc_id not in MODEL_ANNEXES}
        built |= snapshots(folder, lang, own)
    assert_golden(built, update_snapshots, folder)


def test_every_snapshot_folder_belongs_to_an_example(update_snapshots):
    expected = {*INSTITUTIONS, MODEL_OWNER, SUBMISSIONS_OUTPUT}
    stale = sorted(path for path in SNAPSHOTS.iterdir() if path.name not in expected) if SNAPSHOTS.is_dir() else []
    if update_snapshots:
        for folder in stale:
            shutil.rmtree(folder)
    else:
        assert not stale, f"snapshots of no example: {[path.name for path in stale]}; run `make snapshots`"


def test_a_changed_text_fails_its_snapshot_with_a_diff_of_the_changed_line(tmp_path):
    workspace = open_workspace(copy_workspace(tmp_path))
    profile = workspace.root / "institutions" / "bishkek-city-hospital.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("order_number: 187-п", "order_number: 188-п"))
    documents = build_documents(
        TemplateRenderer(workspace.template_search_path()), load_profile(profile, workspace), "ru"
    )
    snapshot = SNAPSHOTS / "bishkek-city-hospital" / "ru" / "policy.json"
    with pytest.raises(pytest.fail.Exception) as failed:
        assert_golden({snapshot: snapshot_text(to_data(documents["policy"]))}, update=False)
    removed = [line for line in str(failed.value).splitlines() if line.startswith("-") and "187-п" in line]
    added = [line for line in str(failed.value).splitlines() if line.startswith("+") and "188-п" in line]
    assert removed and [line.replace("187-п", "188-п")[1:] for line in removed] == [line[1:] for line in added]
    assert "run `make snapshots`" in str(failed.value)
