"""The names of the Word bookmarks that anchor each clause of a DOCX, derived from its document and clause id."""

from __future__ import annotations

import hashlib
import re

MAX_BOOKMARK_NAME = 40  # Word truncates longer names, which would merge clauses
CLAUSE_SEPARATOR = "_C_"
HASHED_PREFIX = "H"
_DIGEST_LENGTH = 12
_NOT_NAME_CHARACTER = re.compile(r"[^A-Za-z0-9_]")


def clause_anchor(doc_id: str, clause_id: str) -> str:
    """The bookmark name of clause `clause_id` of document `doc_id`: letters, digits and underscores, starting with a
    letter, at most 40 characters, different for every pair of ids.

    Ids are slugs (lowercase letters, digits, hyphens), so `policy_C_legal_basis` (hyphens as underscores, the
    upper-case C between them) names exactly one pair. A pair whose readable name would be too long, or would start
    with a digit, is named `H` + 12 hex digits of its SHA-256 + its readable start: an upper-case first letter,
    which no readable name has."""
    readable = f"{doc_id}{CLAUSE_SEPARATOR}{clause_id}".replace("-", "_")
    if len(readable) <= MAX_BOOKMARK_NAME and readable[:1].isalpha() and not _NOT_NAME_CHARACTER.search(readable):
        return readable
    digest = hashlib.sha256(f"{doc_id}#{clause_id}".encode()).hexdigest()[:_DIGEST_LENGTH]
    start = _NOT_NAME_CHARACTER.sub("_", readable)
    return f"{HASHED_PREFIX}{digest}_{start}"[:MAX_BOOKMARK_NAME]
