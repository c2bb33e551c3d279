"""Markdown to document model: fixture files of input and expected model, and the constructs refused."""

from pathlib import Path

import pytest
from golden import assert_golden, snapshot_text

from policygen.errors import TemplateError
from policygen.inputs.elements import element_ids
from policygen.model import to_data
from policygen.parse.markdown import parse_markdown

FIXTURES = Path(__file__).parent / "fixtures" / "parse"


def parsed_as_data(text: str) -> dict:
    parsed = parse_markdown(text, "fixture", element_ids())
    return {"front_matter": parsed.front_matter, "blocks": to_data(parsed.blocks)}


@pytest.mark.parametrize("source", sorted(FIXTURES.glob("*.md")), ids=lambda path: path.stem)
def test_markdown_parses_to_the_expected_model(source, update_snapshots):
    built = snapshot_text(parsed_as_data(source.read_text(encoding="utf-8")))
    assert_golden({source.with_suffix(".json"): built}, update_snapshots)


@pytest.mark.parametrize(
    "text, message",
    [
        ("```\ncode\n```\n", "unsupported Markdown construct 'fence'"),
        ("> quote\n", "unsupported Markdown construct 'blockquote_open'"),
        ("---\n\ntext\n", "unsupported Markdown construct 'hr'"),
        ("::: clause bad_id\n## T\n:::\n", "is not a slug"),
        ("::: clause a no_such_element\n## T\n:::\n", "unknown elements no_such_element"),
        ("::: clause a\ntext\n:::\n", "must start with its ## title"),
        ("::: clause a\n## T\n:::\n\n::: clause a\n## U\n:::\n", "used twice"),
        ("::: clause a\n## T\n\n::: clause b\n## U\n:::\n:::\n", "a clause stands at the top level of a document, not"),
        ("::: clause a\n## T\n:::\n\n:::: annex a\n## A\n::::\n", "id 'a' is used twice (line 5 of"),
        (":::: annex a\n## A\n\n:::: annex b\n## B\n::::\n::::\n", "an annex stands at the top level of a document"),
        ("- a\n  - b\n    - c\n      - d\n", "lists nest deeper than 3 levels (line 4 of"),
        ("::: figure Heat\ncaption\n:::\n", "figure name 'Heat' is not a slug"),
        ("::: signature\nonly one paragraph\n:::\n", "exactly two paragraphs"),
        ("#### deep\n", "heading level 4"),
        ("---\ntitle: T\n---\n", "front matter lacks subject"),
        ("::: form\n- {name} Name\n:::\n", "a form stands inside an annex"),
        (":::: annex a\n## A\n\n::: form\n- Name\n:::\n::::\n", "form field 'Name' does not start with its id"),
        (":::: annex a\n## A\n\n::: form\n- \\{name\\} Name\n:::\n::::\n", "does not start with its id"),
        (":::: annex a\n## A\n\n::: form\n- {name}\n:::\n::::\n", "form field 'name' has no label"),
        (
            ":::: annex a\n## A\n\n::: form\n- {name} Name\n:::\n\n::: form\n- {name} Again\n:::\n::::\n",
            "field id 'name' is used twice in annex 'a' (line 9 of the rendered Markdown)",
        ),
        (":::: annex a\n## A\n\n::: form\ntext\n:::\n::::\n", "a form holds one bullet list"),
    ],
)
def test_constructs_outside_the_model_are_errors(text, message):
    with pytest.raises(TemplateError) as raised:
        parse_markdown(text, "fixture", element_ids())
    assert message in raised.value.message


def test_links_images_and_html_stay_literal_text():
    data = parsed_as_data('[a](http://x) ![i](file:///etc/passwd) <img src="x">\n')
    assert data["blocks"] == [
        {
            "type": "Paragraph",
            "inlines": [{"type": "Text", "text": '[a](http://x) ![i](file:///etc/passwd) <img src="x">'}],
        }
    ]
