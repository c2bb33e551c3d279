"""The typed document model: each node's rules checked when it is made, a document's rules when it is made,
one walk and one transformer over every node, and a visitor that refuses the nodes it does not know."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import FrozenInstanceError, dataclass

import pytest

from policygen.model import (
    Annex,
    Approval,
    BulletList,
    Clause,
    Document,
    Emphasis,
    Figure,
    FigurePlace,
    Form,
    FormField,
    Heading,
    LineBreak,
    Meta,
    ModelError,
    Note,
    OrderedList,
    Paragraph,
    Point,
    Ref,
    Signature,
    Strong,
    Table,
    Text,
    Transformer,
    Visitor,
    inline_runs,
    to_data,
    walk,
)

META = Meta(
    doc_id="complaint-procedure",
    title="Порядок рассмотрения жалоб",
    subject="Жалобы",
    language="ru",
    language_tag="ru-RU",
    institution="Больница",
    created=dt.date(2025, 3, 1),
    page_label="Страница {page} из {pages}",
)
PNG = b"\x89PNG\r\n\x1a\n picture"


def para(text: str) -> Paragraph:
    return Paragraph((Text(text),))


def field(field_id: str) -> FormField:
    return FormField(field_id, (Text(field_id.capitalize()),))


def document(*blocks: object) -> Document:
    return Document(META, blocks)  # type: ignore[arg-type]


def procedure() -> Document:
    """A small complaint procedure: approval, title, a clause with points and a table, an annex with forms."""
    return document(
        Approval((para("УТВЕРЖДЕНО"),)),
        Heading(1, (Text("Порядок"),)),
        Clause(
            "channels",
            ("reporting_channels",),
            (Text("Каналы"),),
            (
                Point(
                    1, (Paragraph((Text("Жалоба подаётся "), Strong((Text("любым"), LineBreak())), Text(" путём."))),)
                ),
                Point(2, (para("устно;"), BulletList(((para("координатору"),), (para("в комиссию"),))))),
                Table(((Text("Канал"),), (Text("Анонимно"),)), (((Text("Ящик"),), (Emphasis((Text("да"),)),)),)),
                Paragraph((Text("См. "), Ref("", "channels"), Text("."))),
            ),
        ),
        Annex(
            "complaint-form",
            (Text("Приложение 1"),),
            (
                Note((para("Форма не обязательна."),)),
                Form("complaint-form", 1, (field("name"), field("unit"))),
                Form("complaint-form", 6, (field("what"),)),
            ),
        ),
        FigurePlace("chart", (Text("Рисунок 1"),)),
        Signature((Text("Главный врач"),), (Text("А. Асанова"),)),
    )


# Each node's own rules, checked as it is made


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Heading(4, (Text("x"),)), "heading level 4 is not 1, 2 or 3"),
        (lambda: Point(3, (para("x"),)), "point level 3 is not 1 or 2"),
        (lambda: Point(1, (BulletList(((para("x"),),)),)), "a point starts with the paragraph"),
        (lambda: Point(1, ()), "a point starts with the paragraph"),
        (lambda: Table(((Text("a"),), (Text("b"),)), (((Text("a"),),),)), "rows of the same 2 cells"),
        (lambda: Table((), ()), "one header row"),
        (lambda: Signature((Text("Главный врач"),), ()), "a signature has a position and a name"),
        (lambda: Clause("Scope", (), (Text("x"),), ()), "clause id 'Scope' is not a slug"),
        (lambda: Annex("form", (), ()), "annex 'form' has no title"),
        (lambda: Annex("../form", (Text("x"),), ()), "annex id '../form' is not a slug"),
        (lambda: FormField("full name", (Text("x"),)), "form field id 'full name' is not a slug"),
        (lambda: FormField("name", ()), "form field 'name' has no label"),
        (lambda: Form("a", 0, (field("x"),)), "1 to 99 lines tall, not 0"),
        (lambda: Form("a", 100, (field("x"),)), "1 to 99 lines tall, not 100"),
        (lambda: Form("a", 1, ()), "a form has at least one field"),
        (lambda: FigurePlace("Heat map", ()), "figure name 'Heat map' is not a slug"),
        (lambda: Figure("chart", PNG, "image/svg+xml", 16.5, ()), "figures are PNG pictures"),
        (lambda: Figure("chart", PNG, "image/png", 0, ()), "has no width"),
    ],
)
def test_a_node_breaking_its_own_rule_cannot_be_made(make, message):
    with pytest.raises(ModelError, match=message):
        make()


def test_nodes_are_frozen_and_slotted():
    heading = Heading(1, (Text("x"),))
    with pytest.raises(FrozenInstanceError):
        heading.level = 2  # type: ignore[misc]
    assert not hasattr(heading, "__dict__")


# A document's rules, checked as it is made


@dataclass(frozen=True)
class Aside:
    """A class the model does not know."""

    text: str


INNER_CLAUSE = Clause("inner", (), (Text("x"),), ())
STRAY_POINT = Point(1, (para("x"),))
FOREIGN_FORM = Form("other", 1, (field("x"),))
TWICE = FormField("name", (Text("again"),))
DEEP_LIST = BulletList(((para("4"),),))


@pytest.mark.parametrize(
    ("blocks", "at_fault", "message"),
    [
        ((Aside("x"),), "Aside", "a Aside stands where a block belongs"),
        ((Text("stray"),), "Text", "a Text stands where a block belongs"),
        ((Paragraph((para("x"),)),), "Paragraph", "a Paragraph stands where an inline span belongs"),
        ((Paragraph((Strong((Aside("x"),)),)),), "Aside", "stands where an inline span belongs"),
        ((Table(((para("x"),),), ()),), "Paragraph", "stands where an inline span belongs"),
        ((Note((INNER_CLAUSE,)),), INNER_CLAUSE, "a clause stands at the top level of a document"),
        ((Clause("c", (), (), (Note((STRAY_POINT,)),)),), STRAY_POINT, "a numbered point stands directly in a clause"),
        ((STRAY_POINT,), STRAY_POINT, "a numbered point stands directly in a clause"),
        ((Clause("c", (), (), (Annex("a", (Text("x"),), ()),)),), "Annex", "an annex stands at the top level"),
        ((Form("a", 1, (field("x"),)),), "Form", "a form of annex 'a' stands outside that annex"),
        ((Annex("a", (Text("x"),), (FOREIGN_FORM,)),), FOREIGN_FORM, "a form of annex 'other' stands outside"),
        (
            (Annex("a", (Text("x"),), (Form("a", 1, (field("name"),)), Note((Form("a", 2, (TWICE,)),)))),),
            TWICE,
            "field id 'name' is used twice in annex 'a'",
        ),
        ((INNER_CLAUSE, Annex("inner", (Text("x"),), ())), "Annex", "id 'inner' is used twice"),
        (
            (BulletList(((BulletList(((OrderedList(((DEEP_LIST,),)),),)),),)),),
            DEEP_LIST,
            "lists nest deeper than 3 levels",
        ),
    ],
)
def test_a_document_breaking_a_rule_of_the_model_cannot_be_made_and_the_error_names_the_node(blocks, at_fault, message):
    with pytest.raises(ModelError, match=message) as raised:
        document(*blocks)
    if isinstance(at_fault, str):
        assert type(raised.value.node).__name__ == at_fault
    else:
        assert raised.value.node is at_fault


def test_the_same_form_field_id_in_two_annexes_and_three_nested_lists_are_allowed():
    three_deep = BulletList(((BulletList(((OrderedList(((para("3"),),)),),)),),))
    document(
        Annex("a", (Text("A"),), (Form("a", 1, (field("name"),)),)),
        Annex("b", (Text("B"),), (Form("b", 1, (field("name"),)), three_deep)),
    )


# One walk, one transformer, one visitor


def test_walk_yields_every_node_once_in_document_order_each_before_its_children():
    nodes = list(walk(procedure()))
    names = [type(node).__name__ for node in nodes]
    assert names[:4] == ["Document", "Approval", "Paragraph", "Text"]
    assert names.count("FormField") == 3 and names.count("Ref") == 1 and names.count("LineBreak") == 1
    texts = [node.text for node in nodes if isinstance(node, Text)]
    assert texts.index("Каналы") < texts.index("Жалоба подаётся ") < texts.index("Ящик") < texts.index("Name")
    assert len({id(node) for node in nodes}) == len(nodes)


def test_inline_runs_are_the_texts_of_every_paragraph_title_cell_label_and_caption_in_order():
    runs = [tuple(type(inline).__name__ for inline in run) for run in inline_runs(procedure())]
    texts = ["".join(inline.text for inline in run if isinstance(inline, Text)) for run in inline_runs(procedure())]
    assert texts[:4] == ["УТВЕРЖДЕНО", "Порядок", "Каналы", "Жалоба подаётся  путём."]
    assert ("Text", "Strong", "Text") in runs
    assert texts[-6:] == ["Name", "Unit", "What", "Рисунок 1", "Главный врач", "А. Асанова"]


class _Renamer(Transformer):
    def transform_Ref(self, ref: Ref) -> Text:
        return Text(f"[{ref.clause_id}]")

    def transform_FigurePlace(self, place: FigurePlace) -> Figure:
        return Figure(place.name, PNG, "image/png", 10.0, place.caption)


def test_transformer_replaces_nodes_at_any_depth_and_keeps_untouched_subtrees_as_they_are():
    before = procedure()
    after = _Renamer().transform(before)
    assert not any(isinstance(node, (Ref, FigurePlace)) for node in walk(after))
    assert [node.text for node in walk(after) if isinstance(node, Text) and node.text.startswith("[")] == ["[channels]"]
    assert any(isinstance(node, Figure) for node in walk(after))
    unchanged = [index for index, (old, new) in enumerate(zip(before.blocks, after.blocks, strict=True)) if old is new]
    assert unchanged == [0, 1, 3, 5]  # approval, title, annex, signature: the clause and the figure place changed
    assert after.meta is before.meta


class _TextCounter(Visitor):
    def __init__(self) -> None:
        self.texts = 0

    def visit_Paragraph(self, paragraph: Paragraph) -> None:
        self.visit_all(paragraph.inlines)

    def visit_Text(self, text: Text) -> None:
        self.texts += 1


def test_visitor_dispatches_by_class_and_refuses_a_node_it_has_no_method_for():
    counter = _TextCounter()
    counter.visit_all((para("a"), para("b")))
    assert counter.texts == 2
    with pytest.raises(ModelError, match="_TextCounter cannot visit a Heading"):
        counter.visit(Heading(1, (Text("x"),)))


# Plain data for snapshots


def test_to_data_gives_each_node_its_type_first_a_date_in_iso_form_and_a_picture_as_its_sha256():
    figure = Figure("chart", PNG, "image/png", 16.5, (Text("Рисунок 1"),))
    data = to_data(Document(META, (figure,)))
    assert list(data) == ["type", "meta", "blocks"]  # type: ignore[arg-type]
    assert data["meta"]["created"] == "2025-03-01"  # type: ignore[index]
    assert data["blocks"] == [  # type: ignore[index]
        {
            "type": "Figure",
            "name": "chart",
            "data": "sha256:" + hashlib.sha256(PNG).hexdigest(),
            "media_type": "image/png",
            "width_cm": 16.5,
            "caption": [{"type": "Text", "text": "Рисунок 1"}],
        }
    ]
