"""The model (typical) document set for every health organisation: national facts, blanks for the rest."""

from __future__ import annotations

import datetime as dt
import types
import typing
from enum import Enum
from pathlib import Path
from typing import Any

import annotated_types
import pydantic
from pydantic import BaseModel, TypeAdapter

from policygen.errors import ProfileError
from policygen.inputs.clock import build_day, source_date
from policygen.inputs.legal import cited, stale_ids
from policygen.inputs.schema import (
    MIN_COMMISSION,
    Audience,
    ChannelKind,
    CitedIn,
    CommissionMember,
    LegalReference,
    LegalReferences,
    Profile,
)
from policygen.inputs.strict_yaml import load_yaml_mapping
from policygen.inputs.workspace import Workspace
from policygen.model import Document
from policygen.render.sandbox import Blank, TemplateRenderer
from policygen.sets.institution import (
    DOCUMENT_IDS,
    finish_set,
    localize,
    render_document,
)
from policygen.sets.poster import POSTER_ID, join_poster, poster_languages

MODEL_OWNER = "model"
"""Output folder of the model set: output/model/<lang>/<doc>.docx|.pdf."""
MODEL_BASE = "national"
"""The base profile whose national facts (Ministry, legal bases, default deadlines...) the model set states."""
MODEL_CREATED = dt.date(2026, 1, 1)
"""The fixed date in the model documents' properties (unless SOURCE_DATE_EPOCH is set): they carry no
institution's approval date."""

_MODEL_CHANNELS = (
    (ChannelKind.focal_point, False),
    (ChannelKind.commission, False),
    (ChannelKind.union, False),
    (ChannelKind.drop_box, True),
    (ChannelKind.online_form, True),
)


def model_base_file(workspace: Workspace) -> Path | None:
    return workspace.base_file(MODEL_BASE)


def model_context(workspace: Workspace, lang: str) -> dict[str, Any]:
    """What templates see for the model set: the national base's values, and blanks for every other value."""
    institution = _blank_model(Profile)
    institution.update(
        reporting_channels=[
            {"kind": kind.value, "details": Blank(), "contact": Blank(), "anonymous": anonymous}
            for kind, anonymous in _MODEL_CHANNELS
        ],
        commission={**institution["commission"], "members": [_blank_model(CommissionMember)] * 2},
        parent_organisation=None,
        escalation_body=None,
        appeal_body=None,
        serves_minors=True,
        is_small=False,
        quorum=Blank("number"),
        commission_minimum=MIN_COMMISSION,
        head_case_body={"name": Blank(), "phone": None},
        appeal_to={"name": Blank(), "phone": None},
        training={
            **institution["training"],
            "sessions": [
                {"date": Blank("date"), "audience": audience.value, "place": Blank()} for audience in Audience
            ],
        },
        clauses={"disable": [], "add": [], "replace": []},
        legal_references=[{"id": "", "title": Blank(), "checked_on": Blank("date"), "review": True}],
        languages=[lang],
        is_education=True,
        is_model=True,
        reporting_link=None,
    )
    base = model_base_file(workspace)
    if base is not None:
        _overlay_base(institution, base, lang)
    return {"inst": institution, "lang": lang}


def build_model_documents(renderer: TemplateRenderer, workspace: Workspace, lang: str) -> dict[str, Document]:
    """The model set in `lang`, cross-referenced."""
    context = model_context(workspace, lang)
    created = source_date(MODEL_CREATED)
    label = renderer.strings(lang).text("model_documents")

    def render_half(half_lang: str) -> Document:
        half_context = context if half_lang == lang else model_context(workspace, half_lang)
        half_label = renderer.strings(half_lang).text("model_documents")
        return render_document(renderer, half_context, POSTER_ID, half_lang, half_label, created)

    documents = {
        doc_id: (
            join_poster(renderer, render_half, poster_languages(lang, workspace.languages()), None, "A4")
            if doc_id == POSTER_ID
            else render_document(renderer, context, doc_id, lang, label, created)
        )
        for doc_id in DOCUMENT_IDS
    }
    return finish_set(renderer, documents, lang)


def _blank_model(model: type[BaseModel]) -> dict[str, Any]:
    return {name: _sized(_blank_for(field.annotation), field.metadata) for name, field in model.model_fields.items()}


def _sized(blank: Any, metadata: list[Any]) -> Any:
    """A list of blanks as long as the field's fewest items (one when it gives none)."""
    if not isinstance(blank, list):
        return blank
    least = next((item.min_length for item in metadata if isinstance(item, annotated_types.MinLen)), 1)
    return blank * max(least, 1)


def _blank_for(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _blank_for(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        options = [option for option in typing.get_args(annotation) if option is not type(None)]
        return _blank_for(options[-1])  # for "text or per-language text" either prints as one blank
    if origin is list:
        return [_blank_for(typing.get_args(annotation)[0])]
    if origin is dict:
        return Blank()
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return _blank_model(annotation)
        if issubclass(annotation, bool):
            return False
        if issubclass(annotation, Enum):
            return next(iter(annotation)).value
        if issubclass(annotation, int):
            return Blank("number")
        if issubclass(annotation, dt.date):
            return Blank("date")
    return Blank()


def aged_base_references(base: Path) -> list[str]:
    """The ids of the national base's legal references whose check has aged on the build day (the model documents
    print them with the review mark); none when the base does not read as valid, which making the set reports."""
    try:
        data = load_yaml_mapping(base).data
        register = TypeAdapter(LegalReferences).validate_python(data.get("legal_references", {}))
        months = TypeAdapter(int).validate_python(
            data.get("recheck_months", Profile.model_fields["recheck_months"].default)
        )
    except (ProfileError, pydantic.ValidationError):
        return []
    return stale_ids(register, build_day(), months)


def _overlay_base(institution: dict[str, Any], base: Path, lang: str) -> None:
    """Put the base profile's values over the blanks; each value is validated by its schema type."""
    loaded = load_yaml_mapping(base)
    problems = []
    register: dict[str, LegalReference] = {}
    recheck_months = Profile.model_fields["recheck_months"].default
    for name, value in loaded.data.items():
        field = Profile.model_fields.get(name)
        if field is None or field.annotation is None or name in ("extends", "languages"):
            continue
        try:
            validated = TypeAdapter(field.annotation).validate_python(value)
            institution[name] = localize(validated, lang)
            if name == "legal_references":
                register = validated
            elif name == "recheck_months":
                recheck_months = validated
        except pydantic.ValidationError as error:
            location = loaded.locations.get((name,))
            problems.append(
                f"{name}: {error.errors()[0]['msg']}"
                if location is None
                else f"line {location.line}: {name}: {error.errors()[0]['msg']}"
            )
        except KeyError:
            problems.append(f"{name}: no {lang} text")
    if problems:
        raise ProfileError.single(
            base,
            "the base of the model documents is invalid: " + "; ".join(problems),
            hint="the model set states the national base's values as they are",
        )
    if register:
        institution["legal_references"] = cited(register, (CitedIn.institution,), lang, build_day(), recheck_months)
