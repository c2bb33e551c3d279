"""Makes an institution's document set: template context per language, render, parse, customise, resolve."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from policygen.check.coverage import InstitutionCheck, check_loaded
from policygen.errors import PolicygenError, TemplateError
from policygen.inputs.clock import build_day
from policygen.inputs.elements import element_ids
from policygen.inputs.legal import cited
from policygen.inputs.profiles import LoadedProfile, load_profile
from policygen.inputs.review import unreviewed
from policygen.inputs.schema import MIN_COMMISSION, CitedIn, Lang, Profile
from policygen.inputs.workspace import Workspace
from policygen.limits import describe_excess, model_size
from policygen.model import Document, Meta
from policygen.parse.markdown import parse_markdown
from policygen.render.sandbox import TemplateRenderer
from policygen.sets.poster import POSTER_ID, join_poster, poster_languages, reporting_link
from policygen.transforms.crossref import resolve_references
from policygen.transforms.customise import customise

DOCUMENT_IDS = (
    "policy",
    "code-of-conduct",
    "complaint-procedure",
    "training-programme",
    "adoption-order",
    "leaflet",
    "poster",
)
"""The documents of an institution's set, by id (design.md); each has templates/<id>/<lang>.md.j2."""


def template_name(doc_id: str, lang: str) -> str:
    return f"{doc_id}/{lang}.md.j2"


def document_templates(doc_id: str, lang: str, languages: Iterable[str]) -> list[str]:
    """The templates a document of the set in `lang` is made from: its own, and for the poster also its
    partner language's (the Kyrgyz poster prints the Russian text too)."""
    langs = poster_languages(lang, languages) if doc_id == POSTER_ID else (lang,)
    return [template_name(doc_id, one) for one in langs]


def template_context(profile: Profile, lang: str) -> dict[str, Any]:
    """What a template sees: the profile with every per-language text resolved to `lang`, and the legal
    references an institution's documents cite (`applies_to: institution`), each marked for review or not."""
    institution = localize(profile, lang)
    institution["legal_references"] = cited(
        profile.legal_references, (CitedIn.institution,), lang, build_day(), profile.recheck_months
    )
    institution["is_education"] = profile.is_education
    institution["is_model"] = False
    institution["is_small"] = profile.is_small
    institution["quorum"] = profile.commission.quorum
    institution["commission_minimum"] = MIN_COMMISSION
    institution["head_case_body"] = localize(profile.head_case_body(), lang)
    institution["appeal_to"] = localize(profile.appeal_route(), lang)
    institution["reporting_link"] = reporting_link(profile.reporting_channels)
    return {"inst": institution, "lang": lang}


def localize(value: Any, lang: str) -> Any:
    if isinstance(value, BaseModel):
        return {name: localize(getattr(value, name), lang) for name in type(value).model_fields}
    if isinstance(value, dict):
        if value and all(isinstance(item, BaseModel) for item in value.values()):  # a register of entries by id
            return {key: localize(item, lang) for key, item in value.items()}
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
    created = profile.approval.order_date

    def render_half(half_lang: str) -> Document:
        name = (profile.short_name or profile.name)[half_lang]
        half_context = context if half_lang == lang else template_context(profile, half_lang)
        return render_document(renderer, half_context, POSTER_ID, half_lang, name, created)

    return {
        doc_id: (
            join_poster(
                renderer,
                render_half,
                poster_languages(lang, profile.languages),
                context["inst"]["reporting_link"],
                profile.poster.paper.value,
            )
            if doc_id == POSTER_ID
            else render_document(renderer, context, doc_id, lang, institution, created)
        )
        for doc_id in DOCUMENT_IDS
    }


def check_institution(workspace: Workspace, path: Path, renderer: TemplateRenderer) -> InstitutionCheck:
    """Load a profile, build its documents in each of its languages and check them."""
    try:
        loaded = load_profile(path, workspace)
    except PolicygenError as error:
        return InstitutionCheck(path, diagnostics=error.diagnostics())
    return check_loaded(loaded, lambda lang: build_documents(renderer, loaded, lang))
