"""Parses rendered Markdown into the document model; any construct the model does not know is an error."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from policygen.errors import TemplateError, clipped, quoted
from policygen.model import (
    CONTAINER_KINDS,
    Block,
    BulletList,
    Clause,
    Container,
    Emphasis,
    Heading,
    Inline,
    LineBreak,
    OrderedList,
    Paragraph,
    Point,
    Ref,
    Strong,
    Table,
    Text,
)

CLAUSE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
CROSS_REFERENCE = re.compile(r"@ref\(([a-z0-9][a-z0-9-]*)?(?:#([a-z0-9][a-z0-9-]*))?\)")
FORM_LINES = re.compile(r"^lines=([1-9][0-9]?)$")
FORM_FIELD_ID = re.compile(r"^\{([a-z0-9][a-z0-9-]{0,63})\}(?:[ \t]+|$)")
FRONT_MATTER_KEYS = ("title", "subject")


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
    for kind in ("clause", *CONTAINER_KINDS):
        markdown.use(container_plugin, name=kind)
    return markdown


_MARKDOWN = _markdown()


def parse_markdown(text: str, source: str, known_elements: frozenset[str]) -> ParsedMarkdown:
    """The document blocks of `text`; `source` names the template in errors."""
    tokens = _MARKDOWN.parse(text)
    return _Parser(tokens, source, known_elements).parse()


class _Parser:
    def __init__(self, tokens: list[Token], source: str, known_elements: frozenset[str]) -> None:
        self.tokens = tokens
        self.position = 0
        self.source = source
        self.known_elements = known_elements
        self.clause_ids: set[str] = set()
        self.annex_field_ids: set[str] | None = None  # the field ids of the annex being parsed

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

    # document -------------------------------------------------------------------------------------------

    def parse(self) -> ParsedMarkdown:
        front_matter: dict[str, str] = {}
        if (token := self._peek()) is not None and token.type == "front_matter":
            front_matter = self._front_matter(self._next())
        blocks = self._blocks(until=None)
        return ParsedMarkdown(front_matter, tuple(blocks))

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
            return [BulletList(self._list_items("bullet_list_close"))]
        if kind == "ordered_list_open":
            if in_clause:
                return self._points(level=1)
            return [OrderedList(self._list_items("ordered_list_close"))]
        if kind == "table_open":
            return [self._table()]
        if kind == "container_clause_open":
            if in_clause:
                raise self._error("a clause cannot contain another clause", token)
            return [self._clause()]
        if kind == "container_form_open":
            return [self._form()]
        for container in CONTAINER_KINDS:
            if kind == f"container_{container}_open":
                return [self._container(container)]
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
        if level > 3 or (in_clause and level != 3):
            raise self._error(
                f"heading level {level} is not allowed here",
                token,
                hint="# is the title, ## and ### are headings; inside a clause only ###",
            )
        inlines = self._inline(self._expect("inline"))
        self._expect("heading_close")
        return Heading(level, inlines)

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
            if not own or not isinstance(own[0], Paragraph):
                raise self._error("a point must start with a paragraph", token)
            points.append(Point(level, tuple(own)))
            points.extend(nested)
        self._expect("ordered_list_close")
        return points

    def _table(self) -> Table:
        self._expect("table_open")
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
        return Table(header, tuple(rows))

    def _row(self, cell: str) -> tuple[tuple[Inline, ...], ...]:
        self._expect("tr_open")
        cells: list[tuple[Inline, ...]] = []
        while (token := self._peek()) is not None and token.type == f"{cell}_open":
            self._next()
            cells.append(self._inline(self._expect("inline")))
            self._expect(f"{cell}_close")
        self._expect("tr_close")
        return tuple(cells)

    def _clause(self) -> Clause:
        opening = self._expect("container_clause_open")
        arguments = opening.info.split()[1:]
        if not arguments or len(arguments) > 2:
            raise self._error(
                f"clause header {quoted(opening.info.strip())} needs an id and optionally elements",
                opening,
                hint="write `::: clause <clause-id> <element>,<element>`",
            )
        clause_id = arguments[0]
        if not CLAUSE_ID.match(clause_id):
            raise self._error(f"clause id {quoted(clause_id)} is not a slug", opening)
        if clause_id in self.clause_ids:
            raise self._error(f"clause id {clause_id!r} is used twice", opening)
        self.clause_ids.add(clause_id)
        covers = tuple(arguments[1].split(",")) if len(arguments) == 2 else ()
        unknown = [element for element in covers if element not in self.known_elements]
        if unknown:
            raise self._error(
                f"clause {clause_id!r} claims unknown elements {clipped(', '.join(unknown))}",
                opening,
                hint="element ids are those of policy-elements.yaml",
            )
        heading = self._peek()
        if heading is None or heading.type != "heading_open" or heading.tag != "h2":
            raise self._error(f"clause {clause_id!r} must start with its ## title", heading or opening)
        self._next()
        title = self._inline(self._expect("inline"))
        self._expect("heading_close")
        blocks = self._blocks(until="container_clause_close", in_clause=True)
        return Clause(clause_id, covers, title, tuple(blocks))

    def _container(self, kind: str) -> Container:
        opening = self._expect(f"container_{kind}_open")
        attrs = self._container_attrs(kind, opening)
        outer_field_ids = self.annex_field_ids
        if kind == "annex":
            self.annex_field_ids = set()
        try:
            blocks = self._blocks(until=f"container_{kind}_close")
        finally:
            self.annex_field_ids = outer_field_ids
        if kind == "signature" and (len(blocks) != 2 or not all(isinstance(b, Paragraph) for b in blocks)):
            raise self._error("a signature holds exactly two paragraphs: the position, then the name", opening)
        if kind == "annex" and not (blocks and isinstance(blocks[0], Heading) and blocks[0].level == 2):
            raise self._error("an annex starts with its ## title", opening)
        if kind == "figure" and (len(blocks) != 1 or not isinstance(blocks[0], Paragraph)):
            raise self._error("a figure holds one paragraph: its caption", opening)
        return Container(kind, tuple(blocks), attrs)

    def _form(self) -> Container:
        """A form inside an annex: one bullet list, each item a field's id in braces and then its label."""
        opening = self._expect("container_form_open")
        attrs = self._container_attrs("form", opening)
        if self.annex_field_ids is None:
            raise self._error(
                "a form stands inside an annex",
                opening,
                hint="put the ::: form block inside a :::: annex <annex-id> block",
            )
        token = self._peek()
        if token is None or token.type != "bullet_list_open":
            raise self._error("a form holds one bullet list: the labels of its fields", token or opening)
        self._next()
        ids: list[str] = []
        items: list[tuple[Block, ...]] = []
        while (token := self._peek()) is not None and token.type == "list_item_open":
            self._next()
            field_id, label = self._form_field()
            if field_id in self.annex_field_ids:
                raise self._error(
                    f"field id {field_id!r} is used twice in this annex",
                    token,
                    hint="give every field of an annex its own id",
                )
            self.annex_field_ids.add(field_id)
            ids.append(field_id)
            items.append((label,))
        self._expect("bullet_list_close")
        if (token := self._peek()) is None or token.type != "container_form_close":
            raise self._error("a form holds one bullet list: the labels of its fields", token or opening)
        self._next()
        return Container("form", (BulletList(tuple(items)),), (*attrs, ("fields", " ".join(ids))))

    def _form_field(self) -> tuple[str, Paragraph]:
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
        if not label:
            raise self._error(f"form field {match.group(1)!r} has no label", inline)
        self._expect("paragraph_close")
        if (token := self._peek()) is None or token.type != "list_item_close":
            raise self._error("a form field label is one paragraph", token or inline)
        self._next()
        return match.group(1), Paragraph(tuple(label))

    def _container_attrs(self, kind: str, opening: Token) -> tuple[tuple[str, str], ...]:
        arguments = opening.info.split()[1:]
        if kind == "annex":
            if len(arguments) != 1 or not CLAUSE_ID.match(arguments[0]):
                raise self._error("an annex needs one id: `::: annex <annex-id>`", opening)
            if arguments[0] in self.clause_ids:
                raise self._error(f"id {arguments[0]!r} is used twice", opening)
            self.clause_ids.add(arguments[0])
            return (("id", arguments[0]),)
        if kind == "figure":
            if len(arguments) != 1 or not CLAUSE_ID.match(arguments[0]):
                raise self._error("a figure needs one name: `::: figure <name>`", opening)
            return (("name", arguments[0]),)
        if kind == "form":
            if not arguments:
                return (("lines", "1"),)
            match = FORM_LINES.match(arguments[0]) if len(arguments) == 1 else None
            if match is None:
                raise self._error("a form takes at most `lines=N` (1 to 99)", opening)
            return (("lines", match.group(1)),)
        if arguments:
            raise self._error(f"::: {kind} takes no arguments", opening)
        return ()

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

    It is Markdown only, never a template; headings and ::: containers are refused.
    """
    parser = _Parser(_MARKDOWN.parse(text), source, frozenset())
    blocks = tuple(parser._blocks(until=None, in_clause=True))
    for block in blocks:
        if isinstance(block, (Heading, Container, Clause)):
            raise TemplateError(
                source,
                "a clause text may hold paragraphs, lists and tables only",
                hint="remove headings and ::: blocks; the clause title is a key of its own",
            )
    if not blocks:
        raise TemplateError(source, "the clause text is empty", hint="write the clause's text")
    return blocks
