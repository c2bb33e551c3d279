"""policygen serve without a browser: access, CSRF, conflicts, size limits, round-trip saving, validation at the
field, history, users, interface languages, preview and download, through the web addresses scripts use."""

from __future__ import annotations

import io
import re
import sqlite3
import threading
import time
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import copy_workspace, normalized_words, pdf_text, run_cli
from starlette.testclient import TestClient
from web_helpers import (
    PASSWORD,
    add_user,
    client_for,
    csrf_of,
    field_error,
    form_values,
    post,
    replaced,
    sign_in,
    slot_of,
)

import policygen
from policygen.web.library import Library

RURAL = "ak-tilek-fmc"
DOWNLOAD_POLLS = 1200  # status requests, half a second apart, before a build counts as stuck
CITY = "bishkek-city-hospital"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return copy_workspace(tmp_path / "ws")


@pytest.fixture
def admin(workspace: Path):
    """A client signed in as the administrator of the rural centre only."""
    add_user(workspace, "aigul", institutions=(RURAL,))
    with client_for(workspace) as client:
        sign_in(client, "aigul")
        yield client


def profile_file(workspace: Path, institution: str = RURAL) -> Path:
    return workspace / "institutions" / f"{institution}.yaml"


def open_form(client, institution: str = RURAL) -> tuple[str, list[tuple[str, str]]]:
    page = client.get(f"/institutions/{institution}")
    assert page.status_code == 200, page.text
    return page.text, form_values(page.text)


def test_another_institutions_pages_answer_403(admin):
    text, _values = open_form(admin)
    for address in (
        f"/institutions/{CITY}",
        f"/institutions/{CITY}/preview/policy/ru",
        f"/institutions/{CITY}/preview/policy/ru/document",
        f"/institutions/{CITY}/download",
        f"/institutions/{CITY}/history",
    ):
        assert admin.get(address).status_code == 403, address
    refused = post(admin, f"/institutions/{CITY}", data={"csrf_token": csrf_of(text)})
    assert refused.status_code == 403
    assert "You may not open this institution" in refused.text


def test_a_lawyer_sees_every_institution(workspace: Path):
    add_user(workspace, "lawyer", lawyer=True)
    with client_for(workspace) as client:
        sign_in(client, "lawyer")
        home = client.get("/").text
        for institution in (RURAL, CITY, "osh-medical-university"):
            assert f'href="/institutions/{institution}"' in home
            assert client.get(f"/institutions/{institution}").status_code == 200


def test_pages_need_a_session_once_users_exist(workspace: Path):
    add_user(workspace, "aigul", institutions=(RURAL,))
    with client_for(workspace) as client:
        response = client.get(f"/institutions/{RURAL}")
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
        failed = post(
            client,
            "/login",
            data={"username": "aigul", "password": "wrong password", "csrf_token": csrf_of(client.get("/login").text)},
        )
        assert failed.status_code == 401 and "Wrong user name or password" in failed.text


def test_session_cookie_is_httponly_and_samesite(workspace: Path):
    add_user(workspace, "aigul", institutions=(RURAL,))
    with client_for(workspace) as client:
        page = client.get("/login")
        response = post(
            client, "/login", data={"username": "aigul", "password": PASSWORD, "csrf_token": csrf_of(page.text)}
        )
        cookie = response.headers["set-cookie"].lower()
        assert "policygen_session=" in cookie and "httponly" in cookie and "samesite=strict" in cookie


def test_login_without_its_csrf_token_is_refused(workspace: Path):
    add_user(workspace, "aigul", institutions=(RURAL,))
    with client_for(workspace) as client:
        client.get("/login")
        response = post(client, "/login", data={"username": "aigul", "password": PASSWORD})
        assert response.status_code == 403


def test_a_post_without_the_csrf_token_is_refused_and_writes_nothing(admin, workspace: Path):
    before = profile_file(workspace).read_bytes()
    _, values = open_form(admin)
    changed = [(name, value) for name, value in replaced(values, "staff_count", "15") if name != "csrf_token"]
    for data in (changed, [*changed, ("csrf_token", "forged")]):
        response = post(admin, f"/institutions/{RURAL}", data=data)
        assert response.status_code == 403
        assert "did not come from this site" in response.text
    assert profile_file(workspace).read_bytes() == before


def test_saving_keeps_comments_order_and_untouched_lines_byte_for_byte(admin, workspace: Path):
    before = profile_file(workspace).read_text()
    _, values = open_form(admin)
    response = post(admin, f"/institutions/{RURAL}", data=replaced(values, "staff_count", "15"))
    assert response.status_code == 303, response.text
    after = profile_file(workspace).read_text()
    assert after == before.replace("staff_count: 14\n", "staff_count: 15\n")
    assert "# FICTIONAL: the village of Ak-Tilek" in after


def test_saving_unchanged_form_leaves_the_file_as_it_was(admin, workspace: Path):
    before = profile_file(workspace).read_bytes()
    _, values = open_form(admin)
    assert post(admin, f"/institutions/{RURAL}", data=values).status_code == 303
    assert profile_file(workspace).read_bytes() == before


def test_form_inputs_are_named_by_the_key_paths_of_the_messages(admin):
    html, values = open_form(admin)
    names = {name for name, _ in values}
    for name in (
        "name.ky",
        "name.ru",
        "commission.members[0].name",
        "commission.members[0].position.ru",
        "reporting_channels[2].anonymous",
        "training.sessions[0].date",
        "effective_date",
        "languages",
    ):
        assert name in names, name
    for name, input_id in re.findall(r'<(?:input|select|textarea) id="([^"]+)" name="([^"]+)"', html):
        assert f'<label for="{name}"' in html, f"input {input_id} has no label"


def test_a_new_row_and_a_removed_row_renumber_the_paths(admin):
    _, values = open_form(admin)
    added = post(admin, f"/institutions/{RURAL}", data=[*values, ("action", "add:commission.members")])
    assert added.status_code == 200
    assert 'name="commission.members[1].name' in added.text
    two_rows = form_values(added.text)
    removed = post(admin, f"/institutions/{RURAL}", data=[*two_rows, ("action", "remove:commission.members[0]")])
    assert 'name="commission.members[1].name' not in removed.text
    kept = dict(form_values(removed.text))
    assert kept["commission.members[0].name"] == ""  # the added row moved up into the place of the removed one


def test_an_invalid_save_keeps_what_was_typed_lists_every_error_and_writes_nothing(admin, workspace: Path):
    before = profile_file(workspace).read_bytes()
    _, values = open_form(admin)
    values = replaced(values, "effective_date", "2025-02-30")
    values = replaced(values, "staff_count", "01234")
    values = replaced(values, "name.ky", "Жаңы аталыш үөң")
    response = post(admin, f"/institutions/{RURAL}", data=values)
    assert response.status_code == 422
    assert profile_file(workspace).read_bytes() == before
    html = response.text
    assert "Nothing was written" in html
    assert "not a calendar date" in field_error(html, slot_of(html, "effective_date"))
    assert "leading zero" in field_error(html, slot_of(html, "staff_count"))
    assert 'value="Жаңы аталыш үөң"' in html
    assert "Problems found (2)" in html


def test_validation_as_you_type_puts_the_clis_message_at_the_field(admin, workspace: Path):
    html, values = open_form(admin)
    response = post(admin, f"/institutions/{RURAL}/validate", data=replaced(values, "effective_date", "2025-02-30"))
    slot = slot_of(html, "effective_date")
    assert response.status_code == 200
    assert "effective_date: &#39;2025-02-30&#39; is not a calendar date (day is out of range for month)" in field_error(
        response.text, slot
    )
    cli = run_cli("validate", "--workspace", workspace, RURAL)  # the same message as the command line's for that file
    assert cli.exit_code == 0
    corrected = post(admin, f"/institutions/{RURAL}/validate", data=values)
    assert field_error(corrected.text, slot).strip() == ""
    assert "No problems" in corrected.text


def test_a_stale_save_is_refused_with_the_other_persons_change_and_nothing_is_overwritten(workspace: Path):
    add_user(workspace, "aigul", institutions=(RURAL,))
    add_user(workspace, "bakyt", institutions=(RURAL,))
    with client_for(workspace) as first, client_for(workspace) as second:
        sign_in(first, "aigul")
        sign_in(second, "bakyt")
        _, first_values = open_form(first)
        _, second_values = open_form(second)
        assert (
            post(first, f"/institutions/{RURAL}", data=replaced(first_values, "staff_count", "15")).status_code == 303
        )
        saved = profile_file(workspace).read_bytes()
        stale = post(second, f"/institutions/{RURAL}", data=replaced(second_values, "resident_count", "3"))
        assert stale.status_code == 409
        assert "aigul saved this profile" in stale.text
        assert "-staff_count: 14" in stale.text and "+staff_count: 15" in stale.text
        assert 'value="3"' in stale.text  # what bakyt typed is kept
        assert profile_file(workspace).read_bytes() == saved


def test_a_file_edited_by_hand_after_the_form_opened_is_not_overwritten(admin, workspace: Path):
    _, values = open_form(admin)
    path = profile_file(workspace)
    path.write_text(path.read_text().replace("staff_count: 14", "staff_count: 16"))
    edited = path.read_bytes()
    response = post(admin, f"/institutions/{RURAL}", data=replaced(values, "staff_count", "15"))
    assert response.status_code == 409
    assert "the file was changed on disk" in response.text
    assert "+staff_count: 16" in response.text
    assert path.read_bytes() == edited


def test_every_save_keeps_the_previous_version_with_who_and_when(admin, workspace: Path):
    original = profile_file(workspace).read_text()
    _, values = open_form(admin)
    post(admin, f"/institutions/{RURAL}", data=replaced(values, "staff_count", "15"))
    _, values = open_form(admin)
    post(admin, f"/institutions/{RURAL}", data=replaced(values, "staff_count", "17"))
    with sqlite3.connect(workspace / ".policygen" / "web.sqlite3") as db:
        rows = db.execute(
            "SELECT text, saved_by, saved_at FROM versions WHERE institution = ? ORDER BY id", (RURAL,)
        ).fetchall()
    assert next(row[0] for row in rows) == original
    assert [row[1] for row in rows][1:] == ["aigul", "aigul"]
    assert all(re.match(r"\d{4}-\d\d-\d\dT", row[2]) for row in rows)
    history = admin.get(f"/institutions/{RURAL}/history").text
    latest = re.findall(r"history\?version=(\d+)", history)[0]
    diff = admin.get(f"/institutions/{RURAL}/history?version={latest}").text
    assert "-staff_count: 15" in diff and "+staff_count: 17" in diff


def test_a_request_over_one_megabyte_is_refused(admin, workspace: Path):
    before = profile_file(workspace).read_bytes()
    _html, values = open_form(admin)
    body = replaced(values, "name.ru", "я" * 600_000)
    response = post(admin, f"/institutions/{RURAL}", data=body)
    assert response.status_code == 413
    assert "larger than 1 MB" in response.text
    assert profile_file(workspace).read_bytes() == before


def test_serve_on_another_host_than_loopback_is_refused_without_users(workspace: Path):
    result = run_cli("serve", "--workspace", workspace, "--host", "0.0.0.0", "--port", "0")
    assert result.exit_code == 2
    assert "refusing to listen on 0.0.0.0: no user is defined" in result.output


def test_users_add_reads_the_password_from_standard_input_and_stores_a_scrypt_hash(workspace: Path):
    from click.testing import CliRunner

    from policygen.cli.commands import main

    result = CliRunner().invoke(
        main, ["users", "add", "aigul", "--workspace", str(workspace), "--institution", RURAL], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "administrator" in result.output
    with sqlite3.connect(workspace / ".policygen" / "web.sqlite3") as db:
        (stored,) = db.execute("SELECT password FROM users WHERE name = 'aigul'").fetchone()
    assert stored.startswith("scrypt$") and PASSWORD not in stored
    neither = CliRunner().invoke(main, ["users", "add", "x", "--workspace", str(workspace)], input=PASSWORD + "\n")
    assert neither.exit_code == 2 and "--institution ID" in neither.output
    short = CliRunner().invoke(
        main, ["users", "add", "x", "--workspace", str(workspace), "--role", "lawyer"], input="short\n"
    )
    assert short.exit_code == 2 and "8 to 1024 characters" in short.output


def test_ids_and_document_names_from_the_address_are_checked_before_any_file(admin):
    for address in (
        "/institutions/..%2F..%2Fetc/preview/policy/ru",
        "/institutions/_national",
        "/institutions/ak-tilek-fmc/preview/..%2Fpolicy/ru",
        "/institutions/ak-tilek-fmc/preview/policy/fr",
        "/institutions/ak-tilek-fmc/preview/secrets/ru/document",
        "/institutions/AK-TILEK/history",
    ):
        assert admin.get(address).status_code in (403, 404), address


def test_the_interface_speaks_the_browsers_language_or_the_one_chosen(admin):
    assert (
        "Сохранить" in admin.get(f"/institutions/{RURAL}", headers={"accept-language": "ru-RU,ru;q=0.9,en;q=0.5"}).text
    )
    assert "Сактоо" in admin.get(f"/institutions/{RURAL}", headers={"accept-language": "ky"}).text
    assert ">Save<" in admin.get(f"/institutions/{RURAL}", headers={"accept-language": "de"}).text
    admin.get("/ui-language?lang=ky&next=/")
    page = admin.get(f"/institutions/{RURAL}", headers={"accept-language": "ru"}).text
    assert "Сактоо" in page and '<html lang="ky">' in page


def test_the_preview_shows_the_document_its_draft_mark_and_the_coverage(admin):
    page = admin.get(f"/institutions/{RURAL}/preview/policy/ky")
    assert page.status_code == 200
    assert "ПРОЕКТ" in page.text or "ДОЛБООР" in page.text or "draft-mark" in page.text
    assert re.search(r"Милдеттүү|Required elements covered: \d+ of \d+", page.text)
    document = admin.get(f"/institutions/{RURAL}/preview/policy/ky/document")
    assert document.status_code == 200
    assert "Ак-Тилек" in document.text and 'href="/assets/css/print.css"' in document.text
    assert admin.get(f"/institutions/{RURAL}/preview/policy/en").status_code == 404  # not a language of the profile


def test_the_preview_of_what_was_typed_follows_the_edit(admin):
    _, values = open_form(admin)
    checked = post(
        admin, f"/institutions/{RURAL}/validate", data=replaced(values, "name.ru", "Центр семейной медицины Жаңы-Жол")
    )
    frame = re.search(r'src="(/institutions/[^"]+/document\?draft=[0-9a-f]+)"', checked.text)
    assert frame, checked.text[:2000]
    assert "Жаңы-Жол" in admin.get(frame.group(1).replace("/policy/ky/", "/policy/ru/")).text


def test_a_new_institution_starts_from_type_and_languages_and_inherits_the_national_base(workspace: Path):
    add_user(workspace, "lawyer", lawyer=True)
    with client_for(workspace) as client:
        sign_in(client, "lawyer")
        start = client.get("/institutions/new")
        created = post(
            client,
            "/institutions/new",
            data={
                "csrf_token": csrf_of(start.text),
                "id": "naryn-fmc",
                "type": "family_medicine_centre",
                "languages": ["ky", "ru"],
            },
        )
        assert created.status_code == 303
        form = client.get(created.headers["location"])
        values = form_values(form.text)
        assert ("type", "family_medicine_centre") in values and ("languages", "ky") in values
        assert "From the base profile:" in form.text  # the national values shown as inherited
        response = post(client, "/institutions/naryn-fmc", data=replaced(values, "staff_count", "9"))
        assert response.status_code == 422
        assert not (workspace / "institutions" / "naryn-fmc.yaml").exists()
        assert "required key is missing" in response.text


def test_the_download_builds_the_set_through_the_builder_with_progress_and_zips_real_docx_and_pdf(
    admin, workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    reported: list[policygen.Progress] = []
    build_paused, page_showed_progress = threading.Event(), threading.Event()

    def public_build(
        workspace_: policygen.Workspace, profiles: list[Path], request: policygen.BuildRequest, on_progress
    ):
        def watched(progress: policygen.Progress) -> None:
            reported.append(progress)
            on_progress(progress)
            if len(reported) == 1:  # the build waits, mid-way, until a status page has been asked how far it got
                build_paused.set()
                page_showed_progress.wait()

        return policygen.build(workspace_, profiles, request, watched)

    monkeypatch.setattr("policygen.web.library.build", public_build)
    form = admin.get(f"/institutions/{RURAL}").text
    started = post(admin, f"/institutions/{RURAL}/download", {"csrf_token": csrf_of(form)})
    assert started.status_code == 200 and "<progress" in started.text  # the build runs in the background
    shown, mid_build = [started.text], ""
    try:
        for _ in range(DOWNLOAD_POLLS):
            paused = build_paused.is_set() and not page_showed_progress.is_set()
            shown.append(admin.get(f"/institutions/{RURAL}/download?status=1").text)
            if paused:
                mid_build = shown[-1]
                page_showed_progress.set()
            if "<progress" not in shown[-1]:
                break
            time.sleep(0.5)
    finally:
        page_showed_progress.set()
    assert "The documents are ready." in shown[-1] and 'id="download-zip"' in shown[-1], shown[-1]
    assert '<progress max="2" value="1">' in mid_build and "Building: 1 of 2 languages done" in mid_build, mid_build
    assert [(progress.owner, progress.done, progress.total) for progress in reported] == [(RURAL, 1, 2), (RURAL, 2, 2)]
    assert sorted(progress.name for progress in reported) == ["ky", "ru"]
    progress = [tuple(map(int, found)) for page in shown for found in re.findall(r"Building: (\d+) of (\d+)", page)]
    assert progress == sorted(progress) and progress[0] == (1, 2)  # the count of languages done only goes up
    # the command line's builder finds the web's files its own: same keys, same manifest, nothing to make again
    again = run_cli("build", RURAL, "-w", str(workspace))
    assert (
        again.exit_code == 0
        and f"nothing to do: all {2 * 2 * len(policygen.DOCUMENT_IDS)} files are up to date" in again.output
    ), again.output

    response = admin.get(f"/institutions/{RURAL}/download")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = sorted(archive.namelist())
        assert f"{RURAL}/ky/policy.docx" in names and f"{RURAL}/ru/adoption-order.pdf" in names
        assert len(names) == 2 * len(policygen.DOCUMENT_IDS) * 2
        policy = docx.Document(io.BytesIO(archive.read(f"{RURAL}/ru/policy.docx")))
        (tmp_path / "policy.pdf").write_bytes(archive.read(f"{RURAL}/ky/policy.pdf"))
    assert any("Ак-Тилек" in paragraph.text for paragraph in policy.paragraphs)
    pdf_words = "".join(normalized_words(pdf_text(tmp_path / "policy.pdf")))
    assert "Ак-Тилекайылынынүй-бүлөлүкмедицинаборбору" in pdf_words  # the name, wrapped anywhere
    assert (workspace / "output" / "manifest.json").is_file()


def test_a_file_the_form_cannot_read_is_shown_with_the_command_lines_messages(admin, workspace: Path):
    path = profile_file(workspace)
    path.write_text(path.read_text() + "staff_count: 15\n")  # a duplicate key, as a hand edit might leave it
    before = path.read_bytes()
    page = admin.get(f"/institutions/{RURAL}")
    assert page.status_code == 409
    assert "institutions/ak-tilek-fmc.yaml:" in page.text and "staff_count" in page.text
    assert path.read_bytes() == before


def test_clauses_are_switched_off_and_added_from_the_form_and_shown_in_the_preview(admin, workspace: Path):
    _, values = open_form(admin)
    with_row = post(admin, f"/institutions/{RURAL}", [*values, ("action", "add:clauses.add")])
    values = form_values(with_row.text)
    for name, value in {
        "clauses.add[0].id": "night-escort",
        "clauses.add[0].after": "policy/prevention",
        "clauses.add[0].title.ky": "Түнкү кезмектен кийин коштоп баруу",
        "clauses.add[0].title.ru": "Сопровождение после ночных смен",
        "clauses.add[0].text.ky": "Түнкү кезмектен кийин кызматкерди **коштоп** барышат.",
        "clauses.add[0].text.ru": "После ночной смены работника провожают до остановки.\n\n- первый пункт\n- второй пункт",
    }.items():
        values = replaced(values, name, value)
    saved = post(admin, f"/institutions/{RURAL}", values)
    assert saved.status_code == 303, saved.text[:3000]
    text = profile_file(workspace).read_text()
    assert "    - id: night-escort\n" in text or "  - id: night-escort\n" in text
    assert (
        "        ru: |\n          После ночной смены работника провожают до остановки.\n\n          - первый пункт\n"
        in text
    )
    preview = admin.get(f"/institutions/{RURAL}/preview/policy/ru/document").text
    assert "Сопровождение после ночных смен" in preview and "второй пункт" in preview

    _, values = open_form(admin)
    with_place = post(admin, f"/institutions/{RURAL}", [*values, ("action", "add:clauses.disable")])
    html = with_place.text
    refused = post(
        admin, f"/institutions/{RURAL}", replaced(form_values(html), "clauses.disable[0]", "policy/definitions")
    )
    assert refused.status_code == 422
    message = field_error(refused.text, slot_of(html, "clauses.disable[0]"))
    assert "clauses.disable[0]" in message and "policy/definitions" in message


def test_a_bug_in_a_request_is_reported_and_answered_with_a_500_page(workspace: Path, monkeypatch):
    def a_bug(self):
        raise RuntimeError("a simulated bug")

    monkeypatch.setattr(Library, "institution_ids", a_bug)
    reported: list[BaseException] = []
    app = policygen.create_web_app(policygen.open_workspace(workspace), on_internal_error=reported.append)
    with TestClient(app, base_url="http://127.0.0.1", follow_redirects=False) as client:
        response = client.get("/")
        assert response.status_code == 500
        assert "a bug, reported on the server" in response.text and "a simulated bug" not in response.text
        assert client.get(f"/institutions/{RURAL}").status_code == 200  # the server goes on
    assert [str(error) for error in reported] == ["a simulated bug"]
