"""Makes an institution's document set: template context per language, render, parse, customise, resolve."""

from __future__ import annotations

import datetime as dt
import os
from enum import Enum
from typing import Any

from pydantic import BaseModel

from policygen.check.elements import element_ids
from policygen.errors import TemplateError
from policygen.inputs.profiles import LoadedProfile
from policygen.inputs.review import unreviewed
from policygen.inputs.schema import Lang, Profile
from policygen.limits import describe_excess, model_size
from policygen.model import Document, Meta
from policygen.parse.markdown import parse_markdown
from policygen.render.sandbox import TemplateRenderer
from policygen.transforms.crossref import resolve_references
from policygen.transforms.customise import customise

DOCUMENT_IDS = ("policy", "code-of-conduct", "complaint-procedure", "training-programme", "adoption-order")
"""The documents of an institution's set, by id (design.md); each has templates/<id>/<lang>.md.j2."""


def template_name(doc_id: str, lang: str) -> str:
    return f"{doc_id}/{lang}.md.j2"


def template_context(profile: Profile, lang: str) -> dict[str, Any]:
    """What a template sees: the profile with every per-language text resolved to `lang`."""
    institution = localize(profile, lang)
    institution["is_education"] = profile.is_education
    institution["is_model"] = False
    return {"inst": institution, "lang": lang}


def localize(value: Any, lang: str) -> Any:
    if isinstance(value, BaseModel):
        return {name: localize(getattr(value, name), lang) for name in type(value).model_fields}
    if isinstance(value, dict):
        return value[lang]  # every per-language text was checked to hold each listed language
    if isinstance(value, list):
        return [localize(item, lang) for item in value]
    if isinstance(value, Enum):
        return value.value
    return value


def render_document(
    renderer: TemplateRenderer,
    context: dict[str, Any],
    doc_id: str,
    lang: str,
    institution: str,
    created: dt.date,
    template: str | None = None,
) -> Document:
    """One document as the template gives it, before customisation and with its references unresolved.

    `template` is the template's folder when it is not the document id (submission/cover-letter).
    """
    name = template_name(template or doc_id, lang)
    parsed = parse_markdown(renderer.render(name, lang, context), name, element_ids())
    excess = model_size(parsed.blocks).excess()
    if excess is not None:
        raise TemplateError(
            str(renderer.source_path(name)),
            f"document {doc_id} ({lang}) would hold {describe_excess(excess)}",
            hint="a template must not repeat content without bound",
        )
    if not parsed.front_matter:
        raise TemplateError(
            name,
            "the template has no front matter with its title and subject",
            hint="start the template with ---, title: ..., subject: ..., ---",
        )
    renderer.check_rendered(name, context, lang, parsed.blocks)
    strings = renderer.strings(lang)
    draft = strings.text("draft_mark") if unreviewed(renderer.dependencies(name), renderer.search_path) else ""
    meta = Meta(
        doc_id=doc_id,
        title=parsed.front_matter["title"],
        subject=parsed.front_matter["subject"],
        language=lang,
        language_tag=strings.tag,
        institution=institution,
        created=created,
        page_label=strings.text("page_label"),
        draft_mark=draft,
        keywords=(doc_id,),
    )
    return Document(meta, parsed.blocks)


def source_date(default: dt.date) -> dt.date:
    """The date of a document that has none of its own: SOURCE_DATE_EPOCH when set (reproducible builds),
    else `default`."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return default
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    except (ValueError, OverflowError, OSError):
        raise TemplateError(
            "SOURCE_DATE_EPOCH",
            f"not a number of seconds: {epoch!r}",
            hint="set SOURCE_DATE_EPOCH to a Unix time, e.g. $(git log -1 --format=%ct)",
        ) from None


def template_title(renderer: TemplateRenderer, template: str, lang: str) -> str:
    """The title in a template's front matter (literal text), without rendering it."""
    name = template_name(template, lang)
    lines = renderer.template_source(name).splitlines()
    if lines and lines[0].strip() == "---":
        for line in lines[1:]:
            if line.strip() == "---":
                break
            key, _, value = line.partition(":")
            if key.strip() == "title" and value.strip():
                return value.strip()
    raise TemplateError(
        name,
        "the template has no title in its front matter",
        hint="start the template with ---, title: ..., subject: ..., ---",
    )


def finish_set(renderer: TemplateRenderer, documents: dict[str, Document], lang: str) -> dict[str, Document]:
    """Cross-references resolved across the whole set, worded as the language's strings say."""
    return resolve_references(
        documents,
        renderer.strings(lang).data["references"],
        {doc_id: template_name(doc_id, lang) for doc_id in documents},
    )


def build_documents(renderer: TemplateRenderer, loaded: LoadedProfile, lang: Lang) -> dict[str, Document]:
    """The institution's whole document set in `lang`, customised by its profile and cross-referenced."""
    return finish_set(renderer, customise(render_documents(renderer, loaded, lang), loaded, lang), lang)


def render_documents(renderer: TemplateRenderer, loaded: LoadedProfile, lang: Lang) -> dict[str, Document]:
    """The institution's documents in `lang` as the model's templates give them with its values: before its
    clause customisation, with cross-references unresolved."""
    profile = loaded.profile
    context = template_context(profile, lang)
    institution = (profile.short_name or profile.name)[lang]
    return {
        doc_id: render_document(renderer, context, doc_id, lang, institution, profile.approval.order_date)
        for doc_id in DOCUMENT_IDS
    }
