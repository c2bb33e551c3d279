"""Which legal references each document of the Ministry submission cites, from the national register."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pydantic
from pydantic import TypeAdapter

from policygen.errors import ProfileError
from policygen.inputs.legal import cited
from policygen.inputs.profiles import located
from policygen.inputs.schema import CitedIn, LegalReference, Profile
from policygen.inputs.strict_yaml import format_key_path, load_yaml_mapping
from policygen.inputs.submission_schema import Submission
from policygen.inputs.workspace import Workspace
from policygen.sets.institution import build_day
from policygen.sets.model_set import model_base_file

SUBMISSION_CITATIONS: dict[str, tuple[CitedIn, ...]] = {
    "cover-letter": (CitedIn.appeal, CitedIn.ministry),
    "draft-order": (CitedIn.institution, CitedIn.ministry),
    "justification-note": (CitedIn.institution, CitedIn.ministry),
}
"""What each submission document may cite: the letter, the appeal and what the request rests on (the Ministry's
powers); the draft order and its note, what the organisations' documents and the Ministry's order rest on."""


def national_register(workspace: Workspace) -> tuple[dict[str, LegalReference], int]:
    """The legal register and the recheck period of the workspace's national base, validated (an empty register
    when the workspace has no national base)."""
    months: int = Profile.model_fields["recheck_months"].default
    base = model_base_file(workspace)
    if base is None:
        return {}, months
    loaded = load_yaml_mapping(base)
    locations = located(loaded)
    register: dict[str, LegalReference] = {}
    for name in ("legal_references", "recheck_months"):
        if name not in loaded.data:
            continue
        adapter: TypeAdapter[Any] = TypeAdapter(Profile.model_fields[name].annotation)  # type: ignore[arg-type]
        try:
            value = adapter.validate_python(loaded.data[name])
        except pydantic.ValidationError as error:
            issue = error.errors()[0]
            key_path = (name, *(part for part in issue["loc"] if isinstance(part, (str, int))))
            location = next(
                (
                    locations[key_path[:length]]
                    for length in range(len(key_path), 0, -1)
                    if key_path[:length] in locations
                ),
                None,
            )
            raise ProfileError.single(
                base,
                issue["msg"].removeprefix("Value error, "),
                line=location.line if location else None,
                column=location.column if location else None,
                key_path=format_key_path(key_path),
                hint="`policygen validate` on an institution that extends it reports every problem of the base",
            ) from None
        if name == "legal_references":
            register = value
        else:
            months = value
    return register, months


def submission_citations(
    workspace: Workspace, submission: Submission, path: Path, lang: str
) -> dict[str, list[dict[str, Any]]]:
    """Per submission document, the references it cites in `lang`: the national register with the submission's own
    entries over it, each marked for review when not verified in `lang` or not checked recently."""
    national, months = national_register(workspace)
    register = {**national, **(submission.legal_references or {})}
    if not register:
        raise ProfileError.single(
            path,
            "no legal references to cite: the workspace has no national register and the submission adds none",
            key_path="legal_references",
            hint="add `legal_references:` to institutions/_national.yaml or to the submission",
        )
    return {
        doc_id: cited(register, places, lang, build_day(), months) for doc_id, places in SUBMISSION_CITATIONS.items()
    }
