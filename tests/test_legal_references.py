"""The legal register and discipline: titles as checked, each act cited only where it applies, stale checks warned
and marked, the limitation period held against the procedure's deadlines, sanctions and the standard of proof."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from pathlib import Path

import docx
import pytest
from conftest import EXAMPLES, REPO, copy_workspace, normalized_words, pdf_text, run_cli

from policygen import DOCUMENT_IDS, TemplateRenderer, open_workspace
from policygen.builders.keys import model_set_models_key

LANGUAGES = {
    "ak-tilek-fmc": ["ky", "ru"],
    "bishkek-city-hospital": ["ky", "ru", "en"],
    "osh-medical-university": ["ky", "ru", "en"],
}
FAMILY_VIOLENCE_LAW_KY = "«Үй-бүлөлүк зомбулуктан сактоо жана коргоо жөнүндө»"
SWAPPED_TITLE_KY = "зомбулуктан коргоо жана сактоо"
APPEALS_LAW = {
    "ky": "Жарандардын кайрылууларын кароо тартиби жөнүндө",
    "ru": "О порядке рассмотрения обращений граждан",
    "en": "On the Procedure for Considering Citizens' Appeals",
}
STRINGS = {lang: TemplateRenderer(open_workspace(REPO).template_search_path()).strings(lang) for lang in APPEALS_LAW}
REFERENCE_MARK = {lang: strings.text("legal_review", "reference") for lang, strings in STRINGS.items()}
WORDING_MARK = {lang: strings.text("legal_review", "wording") for lang, strings in STRINGS.items()}
REFUSED_STANDARD = re.compile(r"balance of probabilit|наибольшей вероятност|ыктымалдуулуктун басымдуулу", re.IGNORECASE)


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [paragraph.text for paragraph in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def squeezed(text: str) -> str:
    return " ".join(normalized_words(text))


def epoch(day: dt.date) -> str:
    return str(calendar.timegm(day.timetuple()))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_kyrgyz_title_of_the_family_violence_law_is_the_official_one_in_the_built_policy_and_order(example_build):
    for institution in LANGUAGES:
        for doc_id in ("policy", "adoption-order"):
            base = example_build / institution / "ky" / doc_id
            for text in (docx_text(base.with_suffix(".docx")), squeezed(pdf_text(base.with_suffix(".pdf")))):
                assert FAMILY_VIOLENCE_LAW_KY in text, (institution, doc_id)
                assert SWAPPED_TITLE_KY not in text, (institution, doc_id)


def test_appeals_law_is_cited_in_no_institution_document_in_any_language(example_build):
    for institution, languages in LANGUAGES.items():
        for lang in languages:
            for doc_id in DOCUMENT_IDS:
                base = example_build / institution / lang / doc_id
                for text in (docx_text(base.with_suffix(".docx")), squeezed(pdf_text(base.with_suffix(".pdf")))):
                    assert APPEALS_LAW[lang] not in text, (institution, lang, doc_id)
                    assert not re.search(r"(№|No\.) 67\b", text), (institution, lang, doc_id)


def test_appeals_law_is_cited_in_the_submission_only_by_the_cover_letter(submission_package):
    citing = set()
    for path in sorted(submission_package.glob("*/*.docx")):
        lang = path.parent.name
        if APPEALS_LAW[lang] in docx_text(path):
            citing.add(path.stem.split("-", 1)[1])
    assert citing <= {"cover-letter"}


def test_documents_never_print_the_verify_marker(example_build):
    for path in example_build.rglob("*.docx"):
        assert "(verify)" not in docx_text(path), path


def test_reference_not_verified_in_a_language_is_marked_in_that_language_only(example_build):
    """The family-violence law's Kyrgyz title was read in the official database; its Russian one was not."""
    ky = docx_text(example_build / "bishkek-city-hospital" / "ky" / "policy.docx")
    ru = docx_text(example_build / "bishkek-city-hospital" / "ru" / "policy.docx")
    [ky_line] = [line for line in ky.splitlines() if FAMILY_VIOLENCE_LAW_KY in line]
    [ru_line] = [line for line in ru.splitlines() if "«Об охране и защите от семейного насилия»" in line]
    assert REFERENCE_MARK["ky"] not in ky_line
    assert REFERENCE_MARK["ru"] in ru_line


def test_never_checked_reference_is_warned_by_check_at_its_line():
    result = run_cli("check", "ak-tilek-fmc", "-w", REPO)
    assert result.exit_code == 0, result.stderr
    national = EXAMPLES / "_national.yaml"
    line = national.read_text(encoding="utf-8").splitlines().index("  ilo-c190:") + 1
    assert f"{national}:{line}:3: legal_references.ilo-c190: warning: never checked" in result.stderr


def test_stale_reference_is_warned_by_check_and_printed_with_the_review_mark(tmp_path, monkeypatch):
    workspace = copy_workspace(tmp_path)
    national = workspace / "institutions" / "_national.yaml"
    checked = "    checked_on: 2026-12-01\n    verified: {ky: true, ru: false"
    edit(national, checked, checked.replace("2026-12-01", "2025-01-15"))
    line = national.read_text(encoding="utf-8").splitlines().index("    checked_on: 2025-01-15") + 1
    out = tmp_path / "out"
    policy = out / "ak-tilek-fmc" / "ky" / "policy"

    def check_and_build(day: dt.date) -> tuple[str, str, str]:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(day))
        checked = run_cli("check", "ak-tilek-fmc", "-w", workspace)
        built = run_cli("build", "ak-tilek-fmc", "--lang", "ky", "--doc", "policy", "-w", workspace, "--out", out)
        assert checked.exit_code == 0 and built.exit_code == 0, checked.stderr + built.stderr
        return checked.stderr, docx_text(policy.with_suffix(".docx")), squeezed(pdf_text(policy.with_suffix(".pdf")))

    fresh_warnings, fresh_docx, fresh_pdf = check_and_build(dt.date(2026, 1, 15))  # twelve months after the check
    stale_warnings, stale_docx, stale_pdf = check_and_build(dt.date(2026, 1, 16))  # and a day

    assert "family-violence-law" not in fresh_warnings
    assert (
        f"{national}:{line}:17: legal_references.family-violence-law.checked_on: warning: last checked on 2025-01-15"
        in stale_warnings
    )
    [fresh_line] = [text for text in fresh_docx.splitlines() if FAMILY_VIOLENCE_LAW_KY in text]
    [stale_line] = [text for text in stale_docx.splitlines() if FAMILY_VIOLENCE_LAW_KY in text]
    assert REFERENCE_MARK["ky"] not in fresh_line
    assert stale_line.endswith(f"№ 63 Мыйзамы {REFERENCE_MARK['ky']};")
    assert stale_pdf.count(REFERENCE_MARK["ky"]) == fresh_pdf.count(REFERENCE_MARK["ky"]) + 1


def test_deadlines_longer_than_the_limitation_period_fail_check_naming_each_key(tmp_path):
    workspace = copy_workspace(tmp_path)
    profile = workspace / "institutions" / "ak-tilek-fmc.yaml"
    edit(profile, "staff_count: 14", "staff_count: 14\ndeadlines:\n  investigation_days: 30\n  extension_days: 15")
    lines = profile.read_text(encoding="utf-8").splitlines()
    national = workspace / "institutions" / "_national.yaml"
    national_lines = national.read_text(encoding="utf-8").splitlines()

    result = run_cli("check", "ak-tilek-fmc", "-w", workspace)

    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    limitation = next(index for index, text in enumerate(national_lines, 1) if text.startswith("  limitation_days:"))
    assert f"{profile}:{_line(lines, 'deadlines:')}:1: deadlines: the longest path" in message
    assert f"longer than discipline.limitation_days = 30 ({national}:{limitation})" in message
    assert "is 53 days" in message
    for key, where in (
        ("acknowledgement_days", f"{national}:{_line(national_lines, '  acknowledgement_days:')}"),
        ("investigation_days", f"{profile}:{_line(lines, '  investigation_days: 30')}"),
        ("extension_days", f"{profile}:{_line(lines, '  extension_days: 15')}"),
        ("decision_days", f"{national}:{_line(national_lines, '  decision_days:')}"),
    ):
        assert f"deadlines.{key} = " in message and f"({where})" in message, key
    assert "0 institutions passed the check, 1 failed" in result.stdout


def _line(lines: list[str], start: str) -> int:
    return next(index for index, text in enumerate(lines, 1) if text.startswith(start))


def test_examples_keep_their_complaint_path_within_the_limitation_period():
    result = run_cli("check", "--json", "-w", REPO)
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    checked_on: 2026-12-01\n    verified: {ky: true, ru: false",
            "    checked_on: 2026-02-30\n    verified: {ky: true, ru: false",
            ":17: legal_references.family-violence-law.checked_on: '2026-02-30' is not a calendar date",
        ),
        (
            "    verified: {ky: true, ru: false, en: false}\n    applies_to: [institution]\n  # The confidentiality",
            "    verifed: {ky: true, ru: false, en: false}\n    applies_to: [institution]\n  # The confidentiality",
            ":5: legal_references.family-violence-law.verifed: unknown key 'verifed'",
        ),
        (
            "    verified: {ky: true, ru: false, en: false}\n    applies_to: [institution]\n  # The confidentiality",
            "    verified: {ky: true, ru: false}\n    applies_to: [institution]\n  # The confidentiality",
            ":5: legal_references.family-violence-law.verified: no en text, but languages lists en",
        ),
        (
            "    applies_to: [appeal]",
            "    applies_to: [appeals]",
            ":18: legal_references.appeals-law.applies_to[0]: Input should be 'institution', 'ministry' or 'appeal'",
        ),
        (
            "  limitation_verified: false",
            "  limitation_verified: no",
            ":24: discipline.limitation_verified: expected true or false, got 'no'",
        ),
    ],
    ids=["impossible-date", "unknown-key", "missing-language", "unknown-place", "yes-no-flag"],
)
def test_bad_register_entries_are_errors_at_their_line_with_a_hint(tmp_path, old, new, expected):
    workspace = copy_workspace(tmp_path)
    national = workspace / "institutions" / "_national.yaml"
    edit(national, old, new)

    result = run_cli("validate", "bishkek-city-hospital", "-w", workspace)

    assert result.exit_code == 1
    [located] = [line for line in result.stderr.splitlines() if expected in line]
    assert re.match(rf"{re.escape(str(national))}:\d+{re.escape(expected)}", located)
    following = result.stderr.splitlines()[result.stderr.splitlines().index(located) + 1]
    assert following.startswith("    hint: ")


def test_verified_title_without_a_recorded_check_is_refused(tmp_path):
    workspace = copy_workspace(tmp_path)
    national = workspace / "institutions" / "_national.yaml"
    edit(
        national,
        "    verified: {ky: false, ru: false, en: false}\n    applies_to: [institution, ministry]\n  # The ratification",
        "    verified: {ky: true, ru: false, en: false}\n    applies_to: [institution, ministry]\n  # The ratification",
    )

    result = run_cli("validate", "ak-tilek-fmc", "-w", workspace)

    assert result.exit_code == 1
    assert "legal_references.ilo-c190: a title marked verified needs checked_on and source" in result.stderr


def test_institution_adds_its_own_reference_to_the_register(tmp_path):
    workspace = copy_workspace(tmp_path)
    profile = workspace / "institutions" / "ak-tilek-fmc.yaml"
    edit(
        profile,
        "staff_count: 14",
        "staff_count: 14\nlegal_references:\n  collective-agreement:\n    title:\n"
        "      ky: Жамааттык келишим\n      ru: Коллективный договор Кара-Суу\n"
        "    checked_on: 2026-11-30\n    source: {ky: архив, ru: архив}\n"
        "    verified: {ky: true, ru: true}\n    applies_to: [institution]",
    )
    out = tmp_path / "out"
    result = run_cli(
        "build", "ak-tilek-fmc", "--lang", "ru", "--doc", "policy", "--format", "docx", "-w", workspace, "--out", out
    )
    assert result.exit_code == 0, result.stderr
    text = docx_text(out / "ak-tilek-fmc" / "ru" / "policy.docx")
    assert "Коллективный договор Кара-Суу." in text.splitlines()
    assert "Трудовой кодекс Кыргызской Республики от 23 января 2025 года № 23" in text


def test_policy_names_the_sanctions_and_the_standard_of_proof_marked_for_review(example_build):
    expected = {
        "ru": (
            ["замечание;", "выговор;", "увольнение."],
            "Работодатель устанавливает факты на основании собранных доказательств.",
        ),
        "ky": (
            ["эскертүү;", "сөгүш;", "жумуштан бошотуу."],
            "Иш берүүчү фактыларды чогултулган далилдердин негизинде аныктайт.",
        ),
        "en": (
            ["reprimand;", "severe reprimand;", "dismissal."],
            "The employer establishes the facts on the evidence gathered.",
        ),
    }
    for lang, (sanctions, standard) in expected.items():
        lines = docx_text(example_build / "bishkek-city-hospital" / lang / "policy.docx").splitlines()
        for sanction in sanctions:
            assert sanction in lines, (lang, sanction)
        [paragraph] = [line for line in lines if line.startswith(standard)]
        assert paragraph.endswith(f"{WORDING_MARK[lang]}."), lang
        assert lines[lines.index(sanctions[0]) - 1].endswith(f"{WORDING_MARK[lang]}:"), lang


def test_balance_of_probabilities_appears_in_no_template_and_no_document(example_build):
    for path in (REPO / "templates").rglob("*"):
        if path.is_file():
            assert not REFUSED_STANDARD.search(path.read_text(encoding="utf-8")), path
    for path in example_build.rglob("*.docx"):
        assert not REFUSED_STANDARD.search(docx_text(path)), path


def test_adoption_order_instructs_amending_the_labour_rules_job_descriptions_and_collective_agreement(example_build):
    expected = {
        "ru": (
            "изменения в правила внутреннего трудового распорядка",
            "изменения в должностные инструкции",
            "совместно с профсоюзной организацией — проект изменений в коллективный договор",
        ),
        "ky": (
            "Ички эмгек тартибинин эрежелерине өзгөртүүлөр",
            "кызматтык нускамаларга өзгөртүүлөр",
            "кесиптик бирлик уюму менен бирге — социалдык өнөктөштүк",
        ),
        "en": (
            "amendments to the internal labour regulations",
            "amendments to the job descriptions",
            "together with the trade union branch, draft amendments to the collective agreement",
        ),
    }
    for lang, phrases in expected.items():
        text = squeezed(docx_text(example_build / "osh-medical-university" / lang / "adoption-order.docx"))
        for phrase in phrases:
            assert phrase in text, (lang, phrase)


def test_the_model_set_is_made_again_when_a_national_reference_ages_past_its_recheck(tmp_path, monkeypatch):
    workspace = copy_workspace(tmp_path)
    national = workspace / "institutions" / "_national.yaml"
    checked = "    checked_on: 2026-12-01\n    verified: {ky: true, ru: false"
    edit(national, checked, checked.replace("2026-12-01", "2025-01-15"))
    opened = open_workspace(workspace)
    renderer = TemplateRenderer(opened.template_search_path())

    def model_key_on(day: dt.date) -> str:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(day))
        return model_set_models_key(opened, renderer, "ky", environment="the same")

    fresh, stale, later = (model_key_on(dt.date(2026, 1, day)) for day in (15, 16, 17))
    assert fresh != stale == later
