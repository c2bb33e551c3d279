"""The bad-input catalogue typed into the web form: every case gives its error at the field it concerns (or in
the list of errors when the field does not exist) and writes nothing; no case gives a server error."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
import yaml
from conftest import copy_workspace, normalized_words, pdf_text
from web_helpers import (
    add_user,
    client_for,
    csrf_of,
    field_error,
    form_values,
    post,
    replaced,
    sign_in,
    slot_for,
    slot_of,
)

RURAL = "ak-tilek-fmc"

# (catalogue case, input name, value typed, what the message at that input says)
TYPED_AT_A_FIELD = [
    ("A4 Norway boolean yes", "reporting_channels[0].anonymous", "yes", "expected true or false, got 'yes'"),
    ("A4 Norway boolean on", "reporting_channels[0].anonymous", "on", "expected true or false, got 'on'"),
    ("A5 sexagesimal", "staff_count", "12:30", "expected a whole number, got '12:30'"),
    ("A6 leading zero", "staff_count", "01234", "has a leading zero"),
    ("A7 float", "review_period_years", "1.10", "expected a whole number, got '1.10'"),
    ("A8 impossible date", "effective_date", "2024-02-30", "is not a calendar date"),
    ("A8 date not ISO", "approval.order_date", "13.10.2025", "expected a date written YYYY-MM-DD"),
    ("A9 empty required value", "effective_date", "", "required key is missing"),
    ("A9 empty required text", "name.ru", "", "no ru text, but languages lists ru", "name"),
    ("A13 byte order mark", "name.ru", "\ufeffЦентр", "U+FEFF"),
    ("A14 vertical tab", "name.ru", "CHU\vNord", "U+000B"),
    ("A14 NUL", "name.ru", "x\x00y", "U+0000"),
    ("A14 right-to-left override", "name.ru", "x\u202ey", "U+202E"),
    ("A14 zero-width space", "name.ru", "x\u200by", "U+200B"),
    ("A14 next line", "name.ru", "x\u0085y", "U+0085"),
    ("A14 escape", "city.ky", "x\x1by", "U+001B"),
    ("A14 line break in a one-line text", "city.ru", "с. Ак-Тилек\nкаб. 5", "must be a single line"),
    ("limits: name over 255 characters", "name.ky", "Ы" * 256, "is 256 characters long; at most 255 are allowed"),
    ("A1 a field sent twice", "name.ru", ["Центр", "Другой центр"], "was sent twice"),
    ("A1 a nested field sent twice", "contacts.email", ["a@b.kg", "c@d.kg"], "was sent twice"),
]

# names no input of the form has: listed with the errors, never written
UNKNOWN_FIELDS = [
    ("A2 keys that collide once typed", "1"),
    ("A2 keys that collide once typed", "true"),
    ("A3 lookalike key with a no-break space", "name\u00a0.ru"),
    ("unknown key", "nmae.ru"),
    ("a row beyond the schema's limit", "focal_points[31].name"),
    ("the id of an existing file", "id"),
    ("the base profiles", "extends"),
    ("a path into the file system", "../secrets.yaml"),
]

# YAML syntax typed as text: the form has no YAML, so it is text, written quoted and read back as typed
INERT_AS_TEXT = [
    ("A10 python tag", '!!python/object/apply:os.system ["id"]'),
    ("A11 anchor and alias", "&a [*a, *a, *a]"),
    ("A12 deep nesting", "[" * 100 + "]" * 100),
    ("A13 second document", "a: 1\n---\nb: 2".replace("\n", " ")),
    ("B17 template expression", "{{ cycler.__init__.__globals__.os.popen('id').read() }}"),
]


# syntax typed into texts the policy prints (each input its own case): saved as text and printed as typed in the
# preview, the DOCX and the PDF built from the saved profile
PRINTED_AS_TYPED = [
    ("B17 template expression", "name.ru", "{{ cycler.__init__.__globals__.os.popen('id').read() }}"),
    ("B18 template statement", "focal_points[0].room.ru", "{% include '../secrets.yaml' %} {# note #}"),
    ("A10 python tag", "focal_points[0].name", '!!python/object/apply:os.system ["id"]'),
    ("A11 anchor and alias", "address.ru", "&a [*a, *a] {a: b}"),
    ("C20 markup", "head.position.ru", '<link rel="attachment" href="file:///etc/passwd"> <b>x</b>'),
    ("Markdown and a cross-reference", "focal_points[0].position.ru", "**bold** _x_ @policy/scope [a](b) # h"),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    workspace = copy_workspace(tmp_path_factory.mktemp("bad-inputs") / "ws")
    add_user(workspace, "aigul", institutions=(RURAL, "con", "x"))
    with client_for(workspace) as client:
        sign_in(client, "aigul")
        page = client.get(f"/institutions/{RURAL}").text
        yield workspace, client, page


def _send(client, page: str, name: str, value):
    values = form_values(page)
    if isinstance(value, list):
        values = [pair for pair in values if pair[0] != name] + [(name, item) for item in value]
    else:
        values = replaced(values, name, value)
    return post(client, f"/institutions/{RURAL}", values)


@pytest.mark.parametrize("case", TYPED_AT_A_FIELD, ids=[case[0] for case in TYPED_AT_A_FIELD])
def test_a_bad_value_typed_into_the_form_is_an_error_at_its_field_and_writes_nothing(served, case):
    _, name, value, message, *at = case
    workspace, client, page = served
    before = (workspace / "institutions" / f"{RURAL}.yaml").read_bytes()
    response = _send(client, page, name, value)
    assert response.status_code == 422, case
    slot = slot_for(at[0]) if at else slot_of(page, name)  # a missing translation is reported at its text's key
    assert message in field_error(response.text, slot).replace("&#39;", "'"), case
    assert "Nothing was written" in response.text
    assert (workspace / "institutions" / f"{RURAL}.yaml").read_bytes() == before


@pytest.mark.parametrize(("case", "name"), UNKNOWN_FIELDS, ids=[case[0] + ": " + case[1] for case in UNKNOWN_FIELDS])
def test_a_field_the_form_does_not_have_is_listed_as_an_error_and_writes_nothing(served, case, name):
    workspace, client, page = served
    before = (workspace / "institutions" / f"{RURAL}.yaml").read_bytes()
    response = post(client, f"/institutions/{RURAL}", [*form_values(page), (name, "x")])
    assert response.status_code == 422, case
    assert "is not a field of this form" in response.text
    assert (workspace / "institutions" / f"{RURAL}.yaml").read_bytes() == before


@pytest.mark.parametrize(("case", "text"), INERT_AS_TEXT, ids=[case[0] for case in INERT_AS_TEXT])
def test_yaml_or_template_syntax_typed_into_a_name_stays_the_text_typed(served, case, text):
    workspace, client, page = served
    path = workspace / "institutions" / f"{RURAL}.yaml"
    original = path.read_bytes()
    try:
        response = _send(client, page, "short_name.ru", text)
        assert response.status_code == 303, case
        saved = path.read_text()
        assert yaml.safe_load(saved)["short_name"]["ru"] == text  # a quoted string: no tag, alias or document
        preview = client.get(f"/institutions/{RURAL}/preview/policy/ru/document").text
        assert "uid=" not in preview
    finally:
        path.write_bytes(original)


def test_an_empty_form_is_every_required_key_missing_and_writes_nothing(served):
    workspace, client, page = served
    before = (workspace / "institutions" / f"{RURAL}.yaml").read_bytes()
    emptied = [(name, "" if name not in ("csrf_token", "base_version") else value) for name, value in form_values(page)]
    response = post(client, f"/institutions/{RURAL}", emptied)
    assert response.status_code == 422
    assert response.text.count("required key is missing") >= 5
    assert (workspace / "institutions" / f"{RURAL}.yaml").read_bytes() == before


@pytest.mark.parametrize(
    ("case", "institution_id", "message"),
    [
        ("D24 parent folders", "../../etc/cron.d/x", "This id is not allowed"),
        ("D24 absolute path", "/abs/path", "This id is not allowed"),
        ("D24 NUL", "x\x00y", "This id is not allowed"),
        ("D24 accented letters", "hôpital", "This id is not allowed"),
        ("D24 upper case", "CON", "This id is not allowed"),
    ],
)
def test_an_id_that_would_name_a_bad_file_is_refused_before_any_file(served, case, institution_id, message):
    workspace, client, _page = served
    before = sorted(path.name for path in (workspace / "institutions").iterdir())
    start = client.get("/institutions/new").text
    response = post(
        client, "/institutions/new", {"csrf_token": csrf_of(start), "id": institution_id, "type": "hospital"}
    )
    assert response.status_code == 422, case
    assert message in response.text
    assert sorted(path.name for path in (workspace / "institutions").iterdir()) == before


def test_a_windows_device_name_as_id_is_the_schemas_error_at_the_id(served):
    workspace, client, _ = served
    page = client.get("/institutions/con?type=hospital&languages=ky&languages=ru").text
    response = post(client, "/institutions/con", form_values(page))
    assert response.status_code == 422
    assert "reserved device name on Windows" in response.text
    assert not (workspace / "institutions" / "con.yaml").exists()


def test_undecodable_bytes_in_a_request_are_no_server_error(served):
    _workspace, client, page = served
    body = "&".join(f"{name}={value}" for name, value in [("csrf_token", csrf_of(page)), ("name.ru", "%ED%A0%80")])
    response = client.post(
        f"/institutions/{RURAL}", content=body.encode(), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code < 500


def _compact(text: str) -> str:
    """Text without its spaces and line breaks, as a document may wrap it anywhere."""
    return "".join(normalized_words(text))


def test_syntax_typed_into_the_form_is_printed_as_typed_in_the_preview_docx_and_pdf(tmp_path: Path):
    workspace = copy_workspace(tmp_path / "ws")
    add_user(workspace, "aigul", institutions=(RURAL,))
    with client_for(workspace) as client:
        sign_in(client, "aigul")
        values = form_values(client.get(f"/institutions/{RURAL}").text)
        for _case, name, text in PRINTED_AS_TYPED:
            values = replaced(values, name, text)
        saved = post(client, f"/institutions/{RURAL}", values)
        assert saved.status_code == 303, saved.text[:3000]
        profile = yaml.safe_load((workspace / "institutions" / f"{RURAL}.yaml").read_text())
        assert profile["name"]["ru"] == PRINTED_AS_TYPED[0][2]
        assert profile["focal_points"][0]["name"] == PRINTED_AS_TYPED[2][2]
        preview = client.get(f"/institutions/{RURAL}/preview/policy/ru/document").text
        download = client.get(f"/institutions/{RURAL}/download")
    assert download.status_code == 200, download.text[:3000]
    assert '<link rel="attachment"' not in preview and "<b>x</b>" not in preview
    assert "&lt;link rel=" in preview and "&lt;b&gt;x&lt;/b&gt;" in preview
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        policy_docx = docx.Document(io.BytesIO(archive.read(f"{RURAL}/ru/policy.docx")))
        (tmp_path / "policy.pdf").write_bytes(archive.read(f"{RURAL}/ru/policy.pdf"))
    docx_text = _compact(
        "\n".join(paragraph.text for paragraph in policy_docx.paragraphs)
        + "\n".join(cell.text for table in policy_docx.tables for row in table.rows for cell in row.cells)
    )
    pdf = _compact(pdf_text(tmp_path / "policy.pdf"))
    for case, _name, text in PRINTED_AS_TYPED:
        assert _compact(text) in docx_text, case
        assert _compact(text) in pdf, case
    assert "uid=" not in docx_text + pdf
    assert not pypdf.PdfReader(tmp_path / "policy.pdf").attachments  # the markup fetched nothing into the PDF
