"""Terminology and form: the glossary's terms, dates in the official forms, initials in signatures, the adoption
order's form, and no duration typed into a template."""

import datetime as dt
import re
from pathlib import Path

import docx
import pytest

from policygen import TemplateRenderer, glossary, refused_terms, typed_durations
from policygen.inputs.workspace import packaged_templates
from policygen.model import plain_text
from policygen.parse.markdown import parse_markdown
from tests.conftest import REPO, copy_workspace, pdf_text, run_cli

TEMPLATES = REPO / "templates"
LANGUAGES = ("ky", "ru", "en")


def template_files() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.md.j2"))


def template_language(path: Path) -> str:
    return path.name.split(".")[0]


def docx_lines(path: Path) -> list[str]:
    """The text of a DOCX as python-docx reads it: body paragraphs, then every table cell's paragraphs."""
    document = docx.Document(str(path))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines += [paragraph.text for paragraph in cell.paragraphs]
    return lines


def rendered(source: str, lang: str, tmp_path: Path, **context: object) -> str:
    (tmp_path / "doc").mkdir(parents=True, exist_ok=True)
    (tmp_path / "doc" / f"{lang}.md.j2").write_text(source, encoding="utf-8")
    markdown = TemplateRenderer([tmp_path, packaged_templates()]).render(f"doc/{lang}.md.j2", lang, context)
    return plain_text(parse_markdown(markdown, "doc", frozenset()).blocks[0].inlines)


# --- the glossary -------------------------------------------------------------------------------------------


def test_glossary_gives_every_concept_one_term_in_each_language():
    terms = glossary()
    for concept in ("night_duty", "hostile_environment", "c190_title", "sexual_harassment", "complainant"):
        assert concept in terms
    for concept in ("respondent", "commission", "focal_point", "retaliation"):
        assert concept in terms
    for concept, languages in terms.items():
        assert set(languages) == set(LANGUAGES), concept
        for rule in languages.values():
            assert rule.use.strip(), concept
            assert not refused_terms(rule.use, rule.lang), f"{concept}: the term used is itself refused"
    assert terms["night_duty"]["ky"].use == "нөөмөт"
    assert "кезмет" in terms["night_duty"]["ky"].refuse
    assert terms["hostile_environment"]["ky"].use == "кастыктуу чөйрө"


def test_no_template_uses_a_refused_variant():
    found = [
        f"{path.relative_to(REPO)}:{problem.line}: {problem.found!r}: {problem.message}"
        for path in template_files()
        for problem in refused_terms(path.read_text(encoding="utf-8"), template_language(path))
    ]
    assert not found, "\n".join(found)


def test_no_built_example_document_uses_a_refused_variant(example_build):
    found = []
    for path in sorted(example_build.rglob("*.docx")):
        lang = path.parent.name
        for number, line in enumerate(docx_lines(path), start=1):
            found += [
                f"{path.relative_to(example_build)}: paragraph {number}: {problem.found!r}: {problem.message}"
                for problem in refused_terms(line, lang)
            ]
    assert not found, "\n".join(found)


def test_a_refused_variant_is_found_at_any_inflection_and_case_with_its_line():
    text = "Биринчи сап.\nТүнкү КЕЗМЕТТЕРДЕ жана кастык чөйрөнү түзгөн жүрүм-турум.\nкастыктуу чөйрө"
    problems = refused_terms(text, "ky")
    assert [(problem.line, problem.found) for problem in problems] == [(2, "КЕЗМЕТТЕРДЕ"), (2, "кастык чөйрөнү")]
    assert "night_duty: write «нөөмөт», not «кезмет»" in problems[0].message
    russian = refused_terms("образовать комиссии по рассмотрению жалоб", "ru")
    assert [problem.found for problem in russian] == ["комиссии по рассмотрению жалоб"]


def test_a_refused_variant_written_into_a_profile_clause_is_found_in_the_built_docx(tmp_path):
    workspace = copy_workspace(tmp_path)
    profile = workspace / "institutions" / "ak-tilek-fmc.yaml"
    profile.write_text(
        profile.read_text(encoding="utf-8")
        + "clauses:\n  add:\n    - id: night-escort\n      after: policy/prevention\n"
        + "      title: {ky: Коштоп баруу, ru: Сопровождение}\n"
        + "      text: {ky: Түнкү кезметтен кийин кызматкерди коштоп барышат., ru: После ночной смены провожают.}\n",
        encoding="utf-8",
    )
    result = run_cli("build", "ak-tilek-fmc", "-w", workspace, "--format", "docx", "--quiet")
    assert result.exit_code == 0, result.stderr
    lines = docx_lines(workspace / "output" / "ak-tilek-fmc" / "ky" / "policy.docx")
    found = [(number, problem.found) for number, line in enumerate(lines, 1) for problem in refused_terms(line, "ky")]
    assert [word for _, word in found] == ["кезметтен"]


# --- facts as data: no duration typed into a template ----------------------------------------------------------


def test_no_template_types_a_number_of_days_or_hours():
    found = [
        f"{path.relative_to(REPO)}:{problem.line}: {problem.found!r}"
        for path in template_files()
        for problem in typed_durations(path.read_text(encoding="utf-8"))
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("prose", "typed"),
    [
        ("в течение 30 календарных дней со дня", "30 календарных дней"),
        ("не позднее 3 рабочих дней", "3 рабочих дней"),
        ("длится 6 академических часов", "6 академических часов"),
        ("ушул буйрукка кол коюлган күндөн тартып 30 календардык күндүн ичинде", "30 календардык күндүн"),
        ("2 академиялык сааттан кем эмес", "2 академиялык сааттан"),
        ("within 14 days of the decision", "14 days"),
        ("at least 2 academic hours", "2 academic hours"),
    ],
)
def test_a_typed_duration_is_found_in_any_template_language(prose, typed):
    template = "1. Заголовок {{ inst.name }}\n" + prose + " {{ inst.deadlines.appeal_days|plural(other='дней') }}\n"
    problems = typed_durations(template)
    assert [(problem.line, problem.found) for problem in problems] == [(2, typed)]


def test_numbers_printed_from_data_and_other_numbers_are_not_typed_durations():
    template = (
        "в течение {{ t.induction_within_days|plural(one='дня', few='дней', many='дней') }} с начала работы;\n"
        "Конвенция 2019 года (№ 190), статья 9; 2024-жылы; приложения 1–4; модули 1–5.\n"
    )
    assert typed_durations(template) == []


# --- dates, initials -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "running", "attributive"),
    [
        ("ky", "2025-жылдын 13-октябры", "2025-жылдын 13-октябрындагы"),
        ("ru", "13 октября 2025 года", "от 13 октября 2025 года"),
        ("en", "13 October 2025", "of 13 October 2025"),
    ],
)
def test_date_filters_write_the_official_running_and_attributive_forms(tmp_path, lang, running, attributive):
    text = rendered("{{ day|date }} / {{ day|date_of }} / {{ day }}", lang, tmp_path, day=dt.date(2025, 10, 13))
    assert text == f"{running} / {attributive} / {running}"


def test_kyrgyz_month_forms_cover_the_whole_year(tmp_path):
    days = {f"d{month}": dt.date(2025, month, 1) for month in range(1, 13)}
    source = " / ".join(f"{{{{ d{month}|date_of }}}}" for month in range(1, 13))
    assert rendered(source, "ky", tmp_path, **days).split(" / ") == [
        f"2025-жылдын 1-{form}"
        for form in [
            "январындагы",
            "февралындагы",
            "мартындагы",
            "апрелиндеги",
            "майындагы",
            "июнундагы",
            "июлундагы",
            "августундагы",
            "сентябрындагы",
            "октябрындагы",
            "ноябрындагы",
            "декабрындагы",
        ]
    ]


@pytest.mark.parametrize(
    ("full", "short"),
    [
        ("Маматова Гульнара Токтогуловна", "Г. Т. Маматова"),
        ("Маматова Гүлнара Токтогуловна", "Г. Т. Маматова"),
        ("Mamatova Gulnara Toktogulovna", "G. T. Mamatova"),
        ("Nazira Zhumabaeva", "N. Zhumabaeva"),
        ("Асан уулу Бакыт", "Б. Асан уулу"),
        ("Ким", "Ким"),
    ],
)
def test_initials_filter_prints_initials_and_surname(tmp_path, full, short):
    assert rendered("{{ name|initials }}", "ru", tmp_path, name=full) == short


# --- the adoption order ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_centre_order(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ak-tilek-fmc (its head keeps control of the order) built as DOCX and PDF."""
    out = tmp_path_factory.mktemp("order") / "output"
    result = run_cli("build", "ak-tilek-fmc", "-w", REPO, "--out", out, "--quiet")
    assert result.exit_code == 0, result.stderr
    return out / "ak-tilek-fmc"


def test_kyrgyz_order_header_gives_the_date_in_the_official_attributive_form(small_centre_order):
    lines = [line for line in docx_lines(small_centre_order / "ky" / "adoption-order.docx") if line.strip()]
    assert lines[:3] == ["Ак-Тилек айылынын үй-бүлөлүк медицина борбору", "БУЙРУК", "2025-жылдын 13-октябрындагы № 12"]
    pdf = pdf_text(small_centre_order / "ky" / "adoption-order.pdf", body_only=True)
    assert "2025-жылдын 13-октябрындагы № 12" in pdf
    assert "2025-ж." not in pdf
    policy = " ".join(docx_lines(small_centre_order / "ky" / "policy.docx"))
    assert "2025-жылдын 13-октябрындагы № 12 буйругу менен" in policy


def test_russian_order_has_the_official_form_and_the_head_keeps_control(small_centre_order):
    lines = [line for line in docx_lines(small_centre_order / "ru" / "adoption-order.docx") if line.strip()]
    assert "от 13 октября 2025 года № 12" in lines
    preamble = next(line for line in lines if line.startswith("В целях "))
    assert ", в соответствии с " in preamble
    assert lines[lines.index(preamble) + 1] == "ПРИКАЗЫВАЮ:"
    assert "Контроль за исполнением настоящего приказа оставляю за собой." in lines
    assert not any("возложить на" in line for line in lines)
    assert any(re.fullmatch(r"Заведующая Центром семейной медицины\s+Г\. Т\. Маматова", line) for line in lines)
    assert not any("Маматова Гульнара" in line for line in lines)
    kyrgyz = docx_lines(small_centre_order / "ky" / "adoption-order.docx")
    assert "Ушул буйруктун аткарылышын көзөмөлдөөнү өзүмө калтырам." in kyrgyz


def test_order_assigns_control_to_the_officer_in_the_form_the_profile_gives(example_build):
    lines = docx_lines(example_build / "bishkek-city-hospital" / "ru" / "adoption-order.docx")
    assert (
        "Контроль за исполнением настоящего приказа возложить на заместителя главного врача по медицинской части А. Б. Садыкову."
        in lines
    )
    kyrgyz = docx_lines(example_build / "bishkek-city-hospital" / "ky" / "adoption-order.docx")
    assert any(line.endswith("А. Б. Садыковага жүктөлсүн.") for line in kyrgyz)
    signature = [line for line in lines if "Токтосунов" in line]
    assert len(signature) == 1 and re.fullmatch(r"Главный врач\s+Э\. Ж\. Токтосунов", signature[0])


# --- stated once ---------------------------------------------------------------------------------------------------


def test_definitions_confidentiality_and_non_retaliation_are_stated_once_in_the_policy(example_build):
    folder = example_build / "bishkek-city-hospital" / "ru"
    headings = {
        "Термины и определения",
        "Конфиденциальность и персональные данные",
        "Защита от ответных мер. Заведомо ложные сообщения",
    }
    for document in ("policy", "code-of-conduct", "complaint-procedure", "training-programme", "adoption-order"):
        lines = docx_lines(folder / f"{document}.docx")
        stated = {line.strip() for line in lines} & headings
        assert stated == (headings if document == "policy" else set()), document
    procedure = " ".join(docx_lines(folder / "complaint-procedure.docx"))
    assert (
        "«Положение о предупреждении сексуальных домогательств и реагировании на них», раздел 3 «Термины и определения»"
        in procedure
    )


def test_english_quid_pro_quo_definition_reads_as_a_sentence(example_build):
    policy = docx_lines(example_build / "bishkek-city-hospital" / "en" / "policy.docx")
    definition = next(line for line in policy if line.startswith("quid pro quo:"))
    assert (
        "makes a decision about that person conditional on the acceptance of conduct of a sexual nature" in definition
    )
    assert "depend on acceptance" not in definition
