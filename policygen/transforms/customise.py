"""Applies a profile's clause customisation to its documents: clauses switched off, added and replaced."""

from __future__ import annotations

import re
import sys
from dataclasses import replace

from markdown_it.common.utils import unescapeAll

from policygen.check.notions import missing_notions
from policygen.errors import Diagnostic, ProfileError, TemplateError
from policygen.inputs.characters import BAD_CHARACTER_HINT, describe, forbidden_in_text
from policygen.inputs.elements import required_elements
from policygen.inputs.profiles import LoadedProfile
from policygen.inputs.schema import Lang
from policygen.limits import describe_excess, model_size
from policygen.model import Annex, Block, Clause, Document, Ref, Text, walk
from policygen.parse.markdown import parse_clause_text


def customise(documents: dict[str, Document], loaded: LoadedProfile, lang: Lang) -> dict[str, Document]:
    """The documents with the profile's `clauses:` changes applied; any invalid change is a ProfileError."""
    settings = loaded.profile.clauses
    required = required_elements(loaded.profile.is_education)
    blocks = {doc_id: list(document.blocks) for doc_id, document in documents.items()}
    changed: set[str] = set()
    problems: list[Diagnostic] = []
    supplied: list[tuple[str, Diagnostic, tuple[Block, ...]]] = []  # profile texts, to check their references

    for index, target in enumerate(settings.disable):
        key = ("clauses", "disable", index)
        found = _find(blocks, target, loaded, key, problems)
        if found is None:
            continue
        doc_id, position, clause = found
        if _covers_required(clause, required, loaded, key, target, "switched off", problems):
            continue
        del blocks[doc_id][position]
        changed.add(doc_id)

    for index, replacement in enumerate(settings.replace):
        key = ("clauses", "replace", index)
        found = _find(blocks, replacement.clause, loaded, (*key, "clause"), problems)
        if found is None:
            continue
        doc_id, position, clause = found
        body = _clause_text(replacement.text, lang, loaded, (*key, "text", lang), problems)
        if body is None:
            continue
        # a clause covering a required element may be replaced by a text that still expresses that element's
        # notions (the lawyer's edit brought back from Word); it keeps the elements it covers
        kept = replace(clause, blocks=body)
        unexpressed = [
            element for element in clause.covers if element in required and missing_notions(kept, element, lang)
        ]
        if unexpressed:
            problems.append(
                loaded.diagnostic(
                    (*key, "clause"),
                    f"clause {replacement.clause} cannot be replaced: it covers the required element(s) "
                    f"{', '.join(unexpressed)}, which the new {lang} text does not express",
                    "keep the clause, or say in the new text what the element requires (see `policygen check`); "
                    "you may add your own clause after it instead",
                )
            )
            continue
        covered = tuple(element for element in clause.covers if element in required)
        blocks[doc_id][position] = replace(kept, covers=covered)
        changed.add(doc_id)
        supplied.append((doc_id, loaded.diagnostic((*key, "text", lang), "", ""), body))

    for index, addition in enumerate(settings.add):
        key = ("clauses", "add", index)
        found = _find(blocks, addition.after, loaded, (*key, "after"), problems)
        if found is None:
            continue
        doc_id, position, _ = found
        if any(isinstance(block, (Clause, Annex)) and block.id == addition.id for block in blocks[doc_id]):
            problems.append(
                loaded.diagnostic(
                    (*key, "id"),
                    f"document {doc_id} already has a clause or an annex {addition.id!r}",
                    "give the added clause an id of its own",
                )
            )
            continue
        body = _clause_text(addition.text, lang, loaded, (*key, "text", lang), problems)
        if body is not None:
            title = (Text(addition.title[lang]),)
            blocks[doc_id].insert(position + 1, Clause(addition.id, (), title, body))
            changed.add(doc_id)
            supplied.append((doc_id, loaded.diagnostic((*key, "text", lang), "", ""), body))

    problems += _broken_references(blocks, supplied)
    problems += _oversized_documents(blocks, supplied, lang)
    if problems:
        raise ProfileError(problems)
    return {
        doc_id: replace(document, blocks=tuple(blocks[doc_id])) if doc_id in changed else document
        for doc_id, document in documents.items()
    }


def _broken_references(
    blocks: dict[str, list[Block]], supplied: list[tuple[str, Diagnostic, tuple]]
) -> list[Diagnostic]:
    """References in profile texts must point at documents and clauses that remain after customisation."""
    clause_ids = {
        doc_id: {block.id for block in doc_blocks if isinstance(block, Clause)} for doc_id, doc_blocks in blocks.items()
    }
    problems = []
    for doc_id, where, body in supplied:
        for ref in (node for node in walk(body) if isinstance(node, Ref)):
            target = ref.doc_id or doc_id
            if target not in clause_ids:
                message = f"@ref({ref.doc_id}#{ref.clause_id}) names no document of the set"
            elif ref.clause_id and ref.clause_id not in clause_ids[target]:
                message = f"@ref({ref.doc_id}#{ref.clause_id}): {target} has no clause {ref.clause_id!r}"
            else:
                continue
            problems.append(replace(where, message=message, hint="point the reference at an existing clause"))
    return problems


def _oversized_documents(
    blocks: dict[str, list[Block]], supplied: list[tuple[str, Diagnostic, tuple]], lang: str
) -> list[Diagnostic]:
    """A document that the profile's clauses make larger than a document may be, located at the profile clause
    that adds the most of what is too much."""
    problems = []
    for doc_id, doc_blocks in blocks.items():
        excess = model_size(doc_blocks).excess()
        own = [(where, model_size(body)) for target, where, body in supplied if target == doc_id]
        if excess is None or not own:
            continue
        measure = excess[0]
        where, size = max(own, key=lambda clause: getattr(clause[1], measure))
        problems.append(
            replace(
                where,
                message=f"document {doc_id} ({lang}) would hold {describe_excess(excess)}; "
                f"this clause adds {getattr(size, measure):,} of them",
                hint="shorten the profile's clauses, or split a long table",
            )
        )
    return problems


def _covers_required(
    clause: Clause,
    required: frozenset[str],
    loaded: LoadedProfile,
    key: tuple,
    target: str,
    change: str,
    problems: list[Diagnostic],
) -> bool:
    """Whether the clause covers a required element; if so the change is refused, naming the elements."""
    core = [element for element in clause.covers if element in required]
    if core:
        problems.append(
            loaded.diagnostic(
                key,
                f"clause {target} cannot be {change}: it covers the required element(s) {', '.join(core)}",
                "keep the clause; you may add your own clause after it instead",
            )
        )
    return bool(core)


def _find(
    blocks: dict[str, list[Block]], target: str, loaded: LoadedProfile, key: tuple, problems: list[Diagnostic]
) -> tuple[str, int, Clause] | None:
    doc_id, _, clause_id = target.partition("/")
    if doc_id not in blocks:
        problems.append(loaded.diagnostic(key, f"no document {doc_id!r} in the set", f"documents: {', '.join(blocks)}"))
        return None
    for position, block in enumerate(blocks[doc_id]):
        if isinstance(block, Clause) and block.id == clause_id:
            return doc_id, position, block
    known = ", ".join(block.id for block in blocks[doc_id] if isinstance(block, Clause))
    problems.append(loaded.diagnostic(key, f"document {doc_id} has no clause {clause_id!r}", f"its clauses: {known}"))
    return None


# An HTML entity or numeric character reference, which Markdown decodes into the character it names.
_CHARACTER_REFERENCE = re.compile(r"&(?:#[xX][0-9a-fA-F]{1,8}|#[0-9]{1,9}|[A-Za-z][A-Za-z0-9]{1,31});")


def _clause_text(
    texts: dict[Lang, str], lang: Lang, loaded: LoadedProfile, key: tuple, problems: list[Diagnostic]
) -> tuple[Block, ...] | None:
    try:
        blocks = parse_clause_text(texts[lang], str(loaded.path))
    except TemplateError as error:
        problems.append(loaded.diagnostic(key, error.message, error.hint))
        return None
    refused = _refused_characters(texts[lang], blocks)
    if refused:
        problems.append(
            loaded.diagnostic(
                key,
                f"the text contains {', '.join(refused)}",
                "write the text itself, without the character reference; "
                + BAD_CHARACTER_HINT.removeprefix("delete the character: "),
            )
        )
        return None
    return blocks


def _refused_characters(source: str, blocks: tuple[Block, ...]) -> list[str]:
    """The characters of a clause text that typed text may not hold, also when written as a character reference
    (Markdown decodes those, and replaces one naming a control code or no character with U+FFFD)."""
    refused: dict[str, str] = {}
    for match in _CHARACTER_REFERENCE.finditer(source):
        named = _named_by(match.group())
        if named is None:
            refused.setdefault(match.group(), f"{match.group()!r}, which names no character")
        for char in forbidden_in_text(named or ""):
            refused.setdefault(char, f"{describe(char)} written as {match.group()!r}")
    for char in forbidden_in_text("".join(node.text for node in walk(blocks) if isinstance(node, Text))):
        refused.setdefault(char, describe(char))
    return list(refused.values())


def _named_by(reference: str) -> str | None:
    """What a character reference stands for; None when it names no character (beyond U+10FFFF)."""
    if reference.startswith("&#"):
        digits = reference[2:-1]
        number = int(digits[1:], 16) if digits[0] in "xX" else int(digits)
        return chr(number) if number <= sys.maxunicode else None
    return unescapeAll(reference)  # a named entity; an unknown name stays as written, and is printed so
