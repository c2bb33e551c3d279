"""Honest tags: a clause claims a policy element only if its own text expresses what the element requires.

The notions each element demands, per language, are in policygen/data/element-notions.yaml; the completeness
checker counts on these claims, so every claim of every built document is checked against them.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
import yaml

from policygen import TemplateRenderer, build_documents, load_profile, open_workspace
from policygen.check.notions import element_notions, missing_notions
from policygen.inputs.elements import element_ids
from policygen.model import Clause, Document, Paragraph, Text
from policygen.sets.model_set import build_model_documents

REPO = Path(__file__).resolve().parents[1]
LANGS = ("ky", "ru", "en")
MODEL = "model-set"

WORKSPACE = open_workspace(REPO)
PROFILES = {path.stem: path for path in WORKSPACE.institution_files()}
SETS = [(MODEL, lang) for lang in LANGS] + [
    (owner, lang) for owner, path in PROFILES.items() for lang in load_profile(path, WORKSPACE).profile.languages
]

UNRELATED = (
    ("policy", "review"),
    ("policy", "final-provisions"),
    ("policy", "informal-resolution"),
    ("policy", "external-remedies"),
    ("training-programme", "methods"),
)
"""Clauses whose subject is narrow: none of them may satisfy the notions of an element it does not claim."""


def dishonest_claims(clause: Clause, lang: str, where: str) -> list[str]:
    """One message per notion that the clause's text lacks for an element it claims."""
    return [
        f"{where}, clause {clause.id!r} claims {element} but its text lacks the notion {notion.describe()!r}"
        for element in clause.covers
        for notion in missing_notions(clause, element, lang)
    ]


def _build(renderer: TemplateRenderer, owner: str, lang: str) -> dict[str, Document]:
    if owner == MODEL:
        return build_model_documents(renderer, WORKSPACE, lang)
    return build_documents(renderer, load_profile(PROFILES[owner], WORKSPACE), lang)


@pytest.fixture(scope="module")
def document_sets() -> dict[tuple[str, str], dict[str, Document]]:
    """Every document set the tests read, built once: the model set and each example in each of its languages."""
    renderer = TemplateRenderer(WORKSPACE.template_search_path())
    return {(owner, lang): _build(renderer, owner, lang) for owner, lang in SETS}


@pytest.fixture(scope="module")
def blank_model_sets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Document]]:
    """The model set of a workspace without the national base: every profile value is a blank."""
    root = tmp_path_factory.mktemp("blank-workspace")
    (root / "institutions").mkdir()
    workspace = open_workspace(root)
    renderer = TemplateRenderer(workspace.template_search_path())
    return {lang: build_model_documents(renderer, workspace, lang) for lang in LANGS}


def _clause(documents: dict[str, Document], doc_id: str, clause_id: str) -> Clause:
    return next(clause for clause in documents[doc_id].clauses() if clause.id == clause_id)


def _hand_clause(covers: tuple[str, ...], title: str, *paragraphs: str) -> Clause:
    return Clause("hand-made", covers, (Text(title),), tuple(Paragraph((Text(text),)) for text in paragraphs))


# 1. every claim of every built document is honest ---------------------------------------------------------


@pytest.mark.parametrize(("owner", "lang"), SETS, ids=[f"{owner}-{lang}" for owner, lang in SETS])
def test_every_clause_expresses_every_element_it_claims(document_sets, owner, lang):
    problems = [
        message
        for doc_id, document in document_sets[owner, lang].items()
        for clause in document.clauses()
        for message in dishonest_claims(clause, lang, f"{owner} ({lang}), {doc_id}")
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_claims_rest_on_the_templates_wording_not_on_profile_values(blank_model_sets, lang):
    problems = [
        message
        for doc_id, document in blank_model_sets[lang].items()
        for clause in document.clauses()
        for message in dishonest_claims(clause, lang, f"model set without profile values ({lang}), {doc_id}")
    ]
    assert not problems, "\n".join(problems)


def test_the_document_sets_claim_elements_at_all(document_sets):
    # guards the tests above against passing on documents that claim nothing
    for key, documents in document_sets.items():
        claimed = {
            element for document in documents.values() for clause in document.clauses() for element in clause.covers
        }
        assert len(claimed) >= 30, f"{key} claims only {sorted(claimed)}"


# 2. the notions file ------------------------------------------------------------------------------------


def _raw_notions() -> dict:
    text = resources.files("policygen").joinpath("data/element-notions.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)["notions"]


def test_notions_name_exactly_the_policy_elements():
    raw = _raw_notions()
    assert set(raw) - element_ids() == set(), "notions for elements that policy-elements.yaml does not define"
    assert element_ids() - set(raw) == set(), "elements of policy-elements.yaml without notions"
    assert set(element_notions()) == element_ids()


@pytest.mark.parametrize("element", sorted(element_ids()))
def test_each_element_has_one_to_three_notions_in_every_language_and_every_pattern_compiles(element):
    languages = _raw_notions()[element]
    assert set(languages) == set(LANGS), f"{element}: languages {sorted(languages)}"
    for lang, notions in languages.items():
        assert isinstance(notions, list) and 1 <= len(notions) <= 3, f"{element}/{lang}: {notions!r}"
        for notion in notions:
            assert isinstance(notion, list) and notion, f"{element}/{lang}: empty notion"
            for pattern in notion:
                assert isinstance(pattern, str) and pattern.strip(), f"{element}/{lang}: {pattern!r}"
                re.compile(pattern, re.IGNORECASE)


# 3. a claim without the notion in the text fails ----------------------------------------------------------

TRAINING_TEXT = {
    "en": (
        "Training",
        "Every worker completes induction training within 30 calendar days of starting work, "
        "and focal points receive specialist training.",
    ),
    "ru": (
        "Обучение",
        "Каждый работник проходит вводное обучение в течение 30 календарных дней с начала работы, "
        "а координаторы проходят специальное обучение.",
    ),
    "ky": (
        "Окутуу",
        "Ар бир кызматкер ишке киришкенден тартып 30 календардык күндүн ичинде баштапкы окутуудан өтөт, "
        "ал эми координаторлор атайын окутуудан өтүшөт.",
    ),
}
RETALIATION_TEXT = {
    "en": "Retaliation against a person who reports harassment is prohibited and is a disciplinary offence.",
    "ru": "Применение ответных мер к лицу, сообщившему о домогательстве, запрещается и является дисциплинарным "
    "проступком.",
    "ky": "Асылуу жөнүндө кабарлаган адамга карата өч алууга тыюу салынат; өч алуу тартиптик жорук болуп саналат.",
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_clause_about_training_tagged_non_retaliation_fails(lang):
    title, body = TRAINING_TEXT[lang]
    clause = _hand_clause(("training_awareness", "non_retaliation"), title, body)
    problems = dishonest_claims(clause, lang, f"hand-made clause ({lang})")
    assert problems, "a training clause passed as covering non_retaliation"
    assert all("claims non_retaliation" in problem for problem in problems), problems
    assert missing_notions(clause, "training_awareness", lang) == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_same_clause_passes_once_its_text_says_it(lang):
    title, body = TRAINING_TEXT[lang]
    clause = _hand_clause(("training_awareness", "non_retaliation"), title, body, RETALIATION_TEXT[lang])
    assert dishonest_claims(clause, lang, f"hand-made clause ({lang})") == []


# 4. the notions discriminate ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_unrelated_clauses_do_not_satisfy_the_notions_of_elements_they_do_not_claim(document_sets, lang):
    documents = document_sets[MODEL, lang]
    satisfied = [
        f"{doc_id}#{clause_id} ({lang}) satisfies the notions of {element}"
        for doc_id, clause_id in UNRELATED
        for clause in [_clause(documents, doc_id, clause_id)]
        for element in sorted(element_ids() - set(clause.covers))
        if not missing_notions(clause, element, lang)
    ]
    assert not satisfied, "\n".join(satisfied)


@pytest.mark.parametrize("lang", LANGS)
def test_the_review_clause_speaks_neither_of_retaliation_nor_confidentiality_nor_support(document_sets, lang):
    review = _clause(document_sets[MODEL, lang], "policy", "review")
    for element in ("non_retaliation", "confidentiality_privacy", "survivor_support"):
        assert missing_notions(review, element, lang), f"policy#review ({lang}) satisfies {element}"
