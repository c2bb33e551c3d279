"""The form's help texts in the interface's language: every field has a Russian and a Kyrgyz one, none is stale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import copy_workspace
from web_helpers import add_user, client_for, sign_in, slot_for

from policygen.web.fields import Field, profile_fields
from policygen.web.i18n import FIELD_HELP

RURAL = "ak-tilek-fmc"


def shown_help(field: Field, parent: str = "") -> dict[str, str]:
    """The English help of every field the form shows, by its key path without list indices (a row shows none)."""
    path = ".".join(part for part in (parent, field.key) if part)
    found = {path: field.help} if field.key and field.help else {}
    for child in field.children:
        found |= shown_help(child, path)
    return found


FORM_HELP = {path: text for child in profile_fields(("ky", "ru")).children for path, text in shown_help(child).items()}


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_every_help_text_of_the_form_has_a_translation(lang: str):
    missing = [path for path in FORM_HELP if not (FIELD_HELP.get(path) or {}).get(lang, "").strip()]
    assert not missing, f"help texts without a {lang} translation in policygen/data/web-help.yaml: {missing}"


def test_the_help_file_holds_no_key_the_form_no_longer_has():
    stale = sorted(set(FIELD_HELP) - set(FORM_HELP))
    assert not stale, f"policygen/data/web-help.yaml has help for keys the form no longer has: {stale}"


def test_a_translated_help_keeps_the_keys_examples_and_date_format_as_written():
    for path, english in FORM_HELP.items():
        kept = re.findall(r"`[^`]+`|YYYY-MM-DD|<[a-z-]+>", english)
        for lang in ("ru", "ky"):
            translated = FIELD_HELP[path][lang]
            assert all(item in translated for item in kept), (path, lang, kept)


@pytest.fixture
def admin(tmp_path: Path):
    workspace = copy_workspace(tmp_path / "ws")
    add_user(workspace, "aigul", institutions=(RURAL,))
    with client_for(workspace) as client:
        sign_in(client, "aigul")
        yield client


def help_on_page(html: str, key_path: str) -> str:
    match = re.search(rf'<p class="help" id="help-{slot_for(key_path)}">(.*?)</p>', html, re.S)
    assert match, f"no help for {key_path}"
    return match.group(1)


@pytest.mark.parametrize(
    ("lang", "effective_date", "focal_point_phone"),
    [
        ("ru", "Дата вступления Положения в силу (YYYY-MM-DD).", "Прямой номер телефона."),
        ("ky", "Жобо күчүнө кирген күн (YYYY-MM-DD).", "Түз телефон номери."),
        ("en", "Date from which the policy applies (YYYY-MM-DD).", "Direct phone number."),
    ],
)
def test_the_form_shows_the_help_in_the_interfaces_language(admin, lang, effective_date, focal_point_phone):
    page = admin.get(f"/institutions/{RURAL}", headers={"accept-language": lang})
    assert page.status_code == 200, page.text
    assert help_on_page(page.text, "effective_date") == effective_date
    assert help_on_page(page.text, "focal_points[0].phone") == focal_point_phone
