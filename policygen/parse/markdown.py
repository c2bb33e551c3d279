"""Parses rendered Markdown into the document model; any construct the model does not know is an error."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TypeVar

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from policygen.errors import TemplateError, clipped, quoted
from policygen.model import (
    INLINE_TYPES,
    Annex,
    Approval,
    Block,
    BulletList,
    Clause,
    Emphasis,
    FigurePlace,
    Form,
    FormField,
    Heading,
    Inline,
    LineBreak,
    ModelError,
    Node,
    Note,
    OrderedList,
    Paragraph,
    Point,
    Ref,
    Signature,
    Strong,
    Table,
    Text,
    check_blocks,
    walk,
)

CROSS_REFERENCE = re.compile(r"@ref\(([a-z0-9][a-z0-9-]*)?(?:#([a-z0-9][a-z0-9-]*))?\)")
FORM_LINES = re.compile(r"^lines=([0-9]{1,4})$")
FORM_FIELD_ID = re.compile(r"^\{([a-z0-9][a-z0-9-]{0,63})\}(?:[ \t]+|$)")
FRONT_MATTER_KEYS = ("title", "subject")
CONTAINERS = ("clause", "approval", "note", "signature", "annex", "form", "figure")
"""The `::: <name>` blocks a template may hold."""
CLAUSE_TEXT_BLOCKS = (Paragraph, Point, BulletList, OrderedList, Table)
"""What a clause text written in a profile may hold."""
N = TypeVar("N", bound=Node)


@dataclass(frozen=True)
class ParsedMarkdown:
    """The body blocks of a rendered template and its front matter."""

    front_matter: dict[str, str]
    blocks: tuple[Block, ...]


def _cross_reference_rule(state, silent: bool) -> bool:
    if state.src[state.pos] != "@":
        return False
    match = CROSS_REFERENCE.match(state.src, state.pos)
    if match is None or not (match.group(1) or match.group(2)):
        return False
    if not silent:
        token = state.push("cross_reference", "", 0)
        token.meta = {"doc_id": match.group(1) or "", "clause_id": match.group(2) or ""}
    state.pos = match.end()
    return True


def _markdown() -> MarkdownIt:
    markdown = MarkdownIt("commonmark", {"html": False, "typographer": False})
    markdown.enable("table").disable(["link", "image", "autolink"])
    markdown.use(front_matter_plugin)
    # after "escape", so that a backslash-escaped \@ (as in every printed profile value) is never a reference
    markdown.inline.ruler.after("escape", "cross_reference", _cross_reference_rule)
    for kind in CONTAINERS:
        markdown.use(container_plugin, name=kind)
    return markdown


_MARKDOWN = _markdown()


PARSES_KEPT = 64
"""Rendered texts whose parse is kept: an edit in the web form changes a few documents of a set, and the others,
rendered again to the same text, are not parsed again (the nodes are frozen, so a parse can be shared)."""


def parse_markdown(text: str, source: str, known_elements: frozenset[str]) -> ParsedMarkdown:
    """The document blocks of `text`; `source` names the template in errors."""
    parsed = _parse_kept(text, source, known_elements)
    return ParsedMarkdown(dict(parsed.front_matter), parsed.blocks)


@functools.lru_cache(maxsize=PARSES_KEPT)
def _parse_kept(text: str, source: str, known_elements: frozenset[str]) -> ParsedMarkdown:
    tokens = _MARKDOWN.parse(text)
    return _Parser(tokens, source, known_elements).parse()


class _Parser:
    def __init__(self, tokens: list[Token], source: str, known_elements: frozenset[str]) -> None:
        self.tokens = tokens
        self.position = 0
        self.source = source
        self.known_elements = known_elements
        self.annex_id: str | None = None  # the id of the annex being parsed
        self.made_at: dict[int, tuple[Node, Token]] = {}  # nodes the model's rules may find fault with

    # cursor ---------------------------------------------------------------------------------------------

    def _peek(self) -> Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _next(self) -> Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def _expect(self, token_type: str) -> Token:
        token = self._peek()
        if token is None or token.type != token_type:
            found = token.type if token else "end of document"
            raise self._error(f"expected {token_type}, found {found}", token)
        return self._next()

    def _error(self, message: str, token: Token | None, hint: str = "") -> TemplateError:
        line = token.map[0] + 1 if token is not None and token.map else None
        where = f" (line {line} of the rendered Markdown)" if line else ""
        return TemplateError(self.source, message + where, hint=hint or "see docs/templates.md for the syntax")

    def _make(self, token: Token, node_class: type[N], *fields: object) -> N:
        """A node made of `fields`, remembered with its token; a rule of the node broken is an error at its line."""
        try:
            node = node_class(*fields)
        except ModelError as error:
            raise self._error(clipped(error.message), token) from None
        self.made_at[id(node)] = (node, token)
        return node

    def _check(self, blocks: tuple[Block, ...], *, clause_body: bool = False) -> None:
        """The model's rules of a whole tree, a breach reported at the line of the node at fault."""
        try:
            check_blocks(blocks, clause_body=clause_body)
        except ModelError as error:
            node, token = self.made_at.get(id(error.node), (None, None))
            raise self._error(clipped(error.message), token if node is error.node else None) from None

    # document -------------------------------------------------------------------------------------------

    def parse(self) -> ParsedMarkdown:
        front_matter: dict[str, str] = {}
        if (token := self._peek()) is not None and token.type == "front_matter":
            front_matter = self._front_matter(self._next())
        blocks = tuple(self._blocks(until=None))
        self._check(blocks)
        return ParsedMarkdown(front_matter, blocks)

    def _front_matter(self, token: Token) -> dict[str, str]:
        values: dict[str, str] = {}
        for line in token.content.splitlines():
            if not line.strip():
                continue
            key, separator, value = line.partition(":")
            key = key.strip()
            if not separator or key not in FRONT_MATTER_KEYS or key in values or not value.strip():
                raise self._error(
                    f"bad front matter line {quoted(line)}",
                    token,
                    hint="front matter holds exactly `title: ...` and `subject: ...`",
                )
            values[key] = value.strip()
        missing = [key for key in FRONT_MATTER_KEYS if key not in values]
        if missing:
            raise self._error(f"front matter lacks {', '.join(missing)}", token)
        return values

    def _blocks(self, until: str | None, in_clause: bool = False) -> list[Block]:
        blocks: list[Block] = []
        while (token := self._peek()) is not None and token.type != until:
            blocks.extend(self._block(in_clause))
        if until is not None:
            self._expect(until)
        return blocks

    def _block(self, in_clause: bool) -> list[Block]:
        token = self._peek()
        assert token is not None
        kind = token.type
        if kind == "paragraph_open":
            return [self._paragraph()]
        if kind == "heading_open":
            return [self._heading(in_clause)]
        if kind == "bullet_list_open":
            return [self._make(token, BulletList, self._list_items("bullet_list_close"))]
        if kind == "ordered_list_open":
            if in_clause:
                return self._points(level=1)
            return [self._make(token, OrderedList, self._list_items("ordered_list_close"))]
        if kind == "table_open":
            return [self._table()]
        container = kind.removeprefix("container_").removesuffix("_open")
        if container in CONTAINERS and kind == f"container_{container}_open":
            return [getattr(self, f"_{container}")(self._next())]
        raise self._error(
            f"unsupported Markdown construct {quoted(kind)}",
            token,
            hint="use paragraphs, headings, lists, tables and ::: containers only",
        )

    def _paragraph(self) -> Paragraph:
        self._expect("paragraph_open")
        inlines = self._inline(self._expect("inline"))
        self._expect("paragraph_close")
        return Paragraph(inlines)

    def _heading(self, in_clause: bool) -> Heading:
        token = self._expect("heading_open")
        level = int(token.tag[1:])
        if in_clause and level != 3:
            raise self._error(
                f"heading level {level} is not allowed in a clause",
                token,
                hint="# is the title, ## and ### are headings; inside a clause only ###",
            )
        inlines = self._inline(self._expect("inline"))
        self._expect("heading_close")
        return self._make(token, Heading, level, inlines)

    def _list_items(self, close: str) -> tuple[tuple[Block, ...], ...]:
        self._next()
        items: list[tuple[Block, ...]] = []
        while (token := self._peek()) is not None and token.type == "list_item_open":
            self._next()
            items.append(tuple(self._blocks(until="list_item_close")))
        self._expect(close)
        return tuple(items)

    def _points(self, level: int) -> list[Block]:
        """A clause's ordered list as numbered points; a nested ordered list gives the sub-points."""
        opening = self._expect("ordered_list_open")
        if level > 2:
            raise self._error("points nest two levels deep at most", opening)
        points: list[Block] = []
        while (token := self._peek()) is not None and token.type == "list_item_open":
            self._next()
            own: list[Block] = []
            nested: list[Block] = []
            while (inner := self._peek()) is not None and inner.type != "list_item_close":
                if inner.type == "ordered_list_open":
                    nested.extend(self._points(level + 1))
                else:
                    own.extend(self._block(in_clause=False))
            self._expect("list_item_close")
            points.append(self._make(token, Point, level, tuple(own)))
            points.extend(nested)
        self._expect("ordered_list_close")
        return points

    def _table(self) -> Table:
        opening = self._expect("table_open")
        self._expect("thead_open")
        header = self._row("th")
        self._expect("thead_close")
        rows: list[tuple[tuple[Inline, ...], ...]] = []
        if (token := self._peek()) is not None and token.type == "tbody_open":
            self._next()
            while (token := self._peek()) is not None and token.type == "tr_open":
                rows.append(self._row("td"))
            self._expect("tbody_close")
        self._expect("table_close")
        return self._make(opening, Table, header, tuple(rows))

    def _row(self, cell: str) -> tuple[tuple[Inline, ...], ...]:
        self._expect("tr_open")
        cells: list[tuple[Inline, ...]] = []
        while (token := self._peek()) is not None and token.type == f"{cell}_open":
            self._next()
            cells.append(self._inline(self._expect("inline")))
            self._expect(f"{cell}_close")
        self._expect("tr_close")
        return tuple(cells)

    # ::: containers, each parsed by the method of its name from its opening token ----------------------

    def _arguments(self, opening: Token) -> list[str]:
        return opening.info.split()[1:]

    def _clause(self, opening: Token) -> Clause:
        arguments = self._arguments(opening)
        if not arguments or len(arguments) > 2:
            raise self._error(
                f"clause header {quoted(opening.info.strip())} needs an id and optionally elements",
                opening,
                hint="write `::: clause <clause-id> <element>,<element>`",
            )
        clause_id = arguments[0]
        covers = tuple(arguments[1].split(",")) if len(arguments) == 2 else ()
        unknown = [element for element in covers if element not in self.known_elements]
        if unknown:
            raise self._error(
                f"clause {quoted(clause_id)} claims unknown elements {clipped(', '.join(unknown))}",
                opening,
                hint="element ids are those of policy-elements.yaml",
            )
        title = self._title(opening, f"clause {quoted(clause_id)}")
        blocks = self._blocks(until="container_clause_close", in_clause=True)
        return self._make(opening, Clause, clause_id, covers, title, tuple(blocks))

    def _title(self, opening: Token, what: str) -> tuple[Inline, ...]:
        """The ## title a clause or an annex starts with."""
        heading = self._peek()
        if heading is None or heading.type != "heading_open" or heading.tag != "h2":
            raise self._error(f"{what} must start with its ## title", heading or opening)
        self._next()
        title = self._inline(self._expect("inline"))
        self._expect("heading_close")
        return title

    def _approval(self, opening: Token) -> Approval:
        self._no_arguments(opening)
        return Approval(tuple(self._blocks(until="container_approval_close")))

    def _note(self, opening: Token) -> Note:
        self._no_arguments(opening)
        return Note(tuple(self._blocks(until="container_note_close")))

    def _signature(self, opening: Token) -> Signature:
        self._no_arguments(opening)
        blocks = self._blocks(until="container_signature_close")
        paragraphs = [block for block in blocks if isinstance(block, Paragraph)]
        if len(blocks) != 2 or len(paragraphs) != 2:
            raise self._error("a signature holds exactly two paragraphs: the position, then the name", opening)
        position, name = paragraphs
        return self._make(opening, Signature, position.inlines, name.inlines)

    def _no_arguments(self, opening: Token) -> None:
        if self._arguments(opening):
            raise self._error(f"::: {opening.info.split()[0]} takes no arguments", opening)

    def _annex(self, opening: Token) -> Annex:
        arguments = self._arguments(opening)
        if len(arguments) != 1:
            raise self._error("an annex needs one id: `:::: annex <annex-id>`", opening)
        title = self._title(opening, "an annex")
        outer, self.annex_id = self.annex_id, arguments[0]
        try:
            blocks = self._blocks(until="container_annex_close")
        finally:
            self.annex_id = outer
        return self._make(opening, Annex, arguments[0], title, tuple(blocks))

    def _form(self, opening: Token) -> Form:
        """A form inside an annex: one bullet list, each item a field's id in braces and then its label."""
        arguments = self._arguments(opening)
        lines = FORM_LINES.match(arguments[0]) if len(arguments) == 1 else None
        if arguments and lines is None:
            raise self._error("a form takes at most one argument, `lines=N`", opening)
        if self.annex_id is None:
            raise self._error(
                "a form stands inside an annex",
                opening,
                hint="put the ::: form block inside a :::: annex <annex-id> block",
            )
        token = self._peek()
        if token is None or token.type != "bullet_list_open":
            raise self._error("a form holds one bullet list: the labels of its fields", token or opening)
        self._next()
        fields: list[FormField] = []
        while (token := self._peek()) is not None and token.type == "list_item_open":
            self._next()
            fields.append(self._form_field(token))
        self._expect("bullet_list_close")
        if (token := self._peek()) is None or token.type != "container_form_close":
            raise self._error("a form holds one bullet list: the labels of its fields", token or opening)
        self._next()
        return self._make(opening, Form, self.annex_id, int(lines.group(1)) if lines else 1, tuple(fields))

    def _form_field(self, item: Token) -> FormField:
        """A field's id, read from the template's own text (a printed value is escaped, so it cannot forge
        one), and its label."""
        opening = self._peek()
        if opening is None or opening.type != "paragraph_open":
            raise self._error("a form field label is one paragraph", opening)
        self._next()
        inline = self._expect("inline")
        match = FORM_FIELD_ID.match(inline.content)
        if match is None:
            raise self._error(
                f"form field {inline.content[:60]!r} does not start with its id",
                inline,
                hint="start each field with its id in braces, the same in every language: "
                "`- {full-name} Your full name`",
            )
        inlines = self._inline(inline)
        first = inlines[0]
        if not isinstance(first, Text) or not first.text.startswith(match.group(0)):
            raise self._error(f"form field {match.group(1)!r} is not followed by its label", inline)
        rest = first.text[len(match.group(0)) :]
        label = ((Text(rest),) if rest else ()) + inlines[1:]
        self._expect("paragraph_close")
        if (token := self._peek()) is None or token.type != "list_item_close":
            raise self._error("a form field label is one paragraph", token or inline)
        self._next()
        return self._make(item, FormField, match.group(1), label)

    def _figure(self, opening: Token) -> FigurePlace:
        arguments = self._arguments(opening)
        if len(arguments) != 1:
            raise self._error("a figure needs one name: `::: figure <name>`", opening)
        blocks = self._blocks(until="container_figure_close")
        if len(blocks) != 1 or not isinstance(blocks[0], Paragraph):
            raise self._error("a figure holds one paragraph: its caption", opening)
        return self._make(opening, FigurePlace, arguments[0], blocks[0].inlines)

    # inline ---------------------------------------------------------------------------------------------

    def _inline(self, token: Token) -> tuple[Inline, ...]:
        stack: list[tuple[str, list[Inline]]] = [("", [])]
        for child in token.children or []:
            kind = child.type
            if kind in ("text", "text_special", "code_inline"):
                _append_text(stack[-1][1], child.content)
            elif kind == "softbreak":
                _append_text(stack[-1][1], " ")
            elif kind == "hardbreak":
                stack[-1][1].append(LineBreak())
            elif kind == "cross_reference":
                stack[-1][1].append(Ref(child.meta["doc_id"], child.meta["clause_id"]))
            elif kind in ("strong_open", "em_open"):
                stack.append((kind, []))
            elif kind in ("strong_close", "em_close"):
                opened, children = stack.pop()
                span = Strong if opened == "strong_open" else Emphasis
                stack[-1][1].append(span(tuple(children)))
            else:
                raise self._error(f"unsupported inline construct {quoted(kind)}", token)
        if len(stack) != 1:
            raise self._error("unclosed emphasis", token)
        return tuple(stack[0][1])


def _append_text(inlines: list[Inline], text: str) -> None:
    if inlines and isinstance(inlines[-1], Text):
        inlines[-1] = Text(inlines[-1].text + text)
    elif text:
        inlines.append(Text(text))


def parse_clause_text(text: str, source: str) -> tuple[Block, ...]:
    """The body of a clause written in a profile: paragraphs, lists (numbered as points), tables, emphasis.

    It is Markdown only, never a template; headings and ::: containers are refused, also inside lists.
    """
    parser = _Parser(_MARKDOWN.parse(text), source, frozenset())
    blocks = tuple(parser._blocks(until=None, in_clause=True))
    if any(not isinstance(node, (*CLAUSE_TEXT_BLOCKS, *INLINE_TYPES)) for node in walk(blocks)):
        raise TemplateError(
            source,
            "a clause text may hold paragraphs, lists and tables only",
            hint="remove headings and ::: blocks; the clause title is a key of its own",
        )
    if not blocks:
        raise TemplateError(source, "the clause text is empty", hint="write the clause's text")
    parser._check(blocks, clause_body=True)
    return blocks
