"""Rendering in the sandbox: escaping of printed values, refusal of none and of runaway templates."""

import datetime as dt
from pathlib import Path

import pytest

from policygen.errors import TemplateError
from policygen.inputs.workspace import packaged_templates
from policygen.model import Paragraph, Text, plain_text
from policygen.parse.markdown import parse_markdown
from policygen.render.sandbox import TemplateRenderer, escape_markdown

HOSTILE = "{{ 7*7 }} <b>&</b> *x* «Ңөү» # [a](b) \\ | `c` _u_"


def renderer_with(tmp_path: Path, source: str) -> TemplateRenderer:
    (tmp_path / "doc").mkdir(parents=True)
    (tmp_path / "doc" / "ru.md.j2").write_text(source, encoding="utf-8")
    return TemplateRenderer([tmp_path, packaged_templates()])  # the packaged strings files


def render(tmp_path: Path, source: str, **context) -> str:
    return renderer_with(tmp_path, source).render("doc/ru.md.j2", "ru", context)


def test_printed_value_stays_literal_text_after_markdown_parsing(tmp_path):
    markdown = render(tmp_path, "{{ name }}\n", name=HOSTILE)
    parsed = parse_markdown(markdown, "doc", frozenset())
    assert parsed.blocks == (Paragraph((Text(HOSTILE),)),)


def test_value_at_line_start_cannot_become_heading_or_list(tmp_path):
    for value in ("# Title", "1. item", "- item", "::: clause x", "| a | b |"):
        markdown = render(tmp_path / value.replace(" ", "_").replace("|", "p").replace(":", "c"), "{{ v }}\n", v=value)
        parsed = parse_markdown(markdown, "doc", frozenset())
        assert [plain_text(block.inlines) for block in parsed.blocks] == [value]


def test_jinja_in_a_value_is_never_evaluated(tmp_path):
    assert "49" not in render(tmp_path, "{{ v }}", v="{{ 7*7 }}")


def test_printing_none_is_an_error_naming_template_and_line(tmp_path):
    with pytest.raises(TemplateError) as raised:
        render(tmp_path, "first line\n{{ value }}\n", value=None)
    assert raised.value.line == 2
    assert "none" in raised.value.message


def test_undefined_name_is_an_error_with_its_line(tmp_path):
    with pytest.raises(TemplateError) as raised:
        render(tmp_path, "a\nb\n{{ inst.nmae }}\n", inst={"name": "x"})
    assert raised.value.line == 3
    assert "nmae" in raised.value.message


@pytest.mark.parametrize(
    "source",
    [
        "{{ inst.get('nmae') }}",
        "{{ [missing] }}",
        "{{ 'x' if false }}",
        "{% macro m(a) %}{{ [a] }}{% endmacro %}{{ m() }}",
        "{{ flag }}",
        "{{ items }}",
    ],
)
def test_holes_that_strict_undefined_misses_are_errors(tmp_path, source):
    with pytest.raises(TemplateError):
        render(tmp_path, source, inst={"name": "x"}, flag=True, items=["a"])


@pytest.mark.parametrize(
    "source",
    [
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ ('{0.__class__}'|attr('format'))(1) }}",
        "{{ 'a{0.__class__}'.format(1) }}",
    ],
)
def test_sandbox_escapes_are_refused(tmp_path, source):
    with pytest.raises(TemplateError) as raised:
        render(tmp_path, source)
    assert "sandbox" in raised.value.message or "undefined" in raised.value.message


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'a' * 50000000 }}",
        "{{ 10 ** 100000 }}",
        "{% for i in range(10**7) %}x{% endfor %}",
        "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
        "{% for i in range(100000) %}{% for j in range(100) %}xxxxxxxxxx{% endfor %}{% endfor %}",
    ],
)
def test_runaway_templates_are_stopped_with_an_error(tmp_path, source):
    with pytest.raises(TemplateError):
        render(tmp_path, source)


def test_template_cannot_include_files_outside_the_template_folders(tmp_path):
    (tmp_path / "secret.yaml").write_text("password: x")
    inner = tmp_path / "templates"
    inner.mkdir()
    with pytest.raises(TemplateError):
        render(inner, "{% include '../secret.yaml' %}")


def test_dates_numbers_and_plurals_follow_the_language(tmp_path):
    source = "{{ day|date }} / {{ big|number }} / {{ n|plural(one='день', few='дня', many='дней') }}"
    text = render(tmp_path, source, day=dt.date(2025, 3, 1), big=12345, n=5)
    parsed = parse_markdown(text, "doc", frozenset())
    assert plain_text(parsed.blocks[0].inlines) == "1 марта 2025 года / 12\xa0345 / 5 дней"


def test_escape_markdown_escapes_every_ascii_punctuation():
    assert escape_markdown("a*b_c") == "a\\*b\\_c"
    assert escape_markdown("Ңөү") == "Ңөү"


def test_rendering_past_its_time_bound_is_stopped_with_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr("policygen.render.sandbox.MAX_RENDER_SECONDS", 1)
    with pytest.raises(TemplateError) as raised:
        render(tmp_path, "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
    assert "longer than 1 s" in raised.value.message


def test_output_growing_past_the_bound_is_stopped_while_rendering(tmp_path, monkeypatch):
    monkeypatch.setattr("policygen.render.sandbox.MAX_OUTPUT_CHARS", 1000)
    with pytest.raises(TemplateError) as raised:
        render(tmp_path, "{% for i in range(100000) %}xxxxxxxxxx{% endfor %}")
    assert "larger than 1000 characters" in raised.value.message
