"""policygen serve in a real browser (Debian's Chromium, headless, driven by Playwright): an administrator signs
in, types Kyrgyz, sees the date error at its field, corrects it, saves, previews and downloads the documents."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from conftest import REPO, copy_workspace
from playwright.sync_api import BrowserContext, Page, expect, sync_playwright
from web_helpers import PASSWORD, add_user

RURAL = "ak-tilek-fmc"
CHROMIUM = "/usr/bin/chromium"  # Debian's package (scripts/system-deps.sh --test installs it)
CHROMIUM_FLAGS = [
    "--no-sandbox",  # the tests may run as root
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
KYRGYZ_NAME = "Ак-Тилек айылынын үй-бүлөлүк медицина борбору (Өзгөн жолу, Таң)"
STARTUP_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`policygen serve` on 127.0.0.1 and a free port, with one administrator of the rural centre."""
    workspace = copy_workspace(tmp_path / "ws")
    add_user(workspace, "aigul", institutions=(RURAL,))
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "policygen", "serve", "--workspace", str(workspace), "--port", str(port)],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, (tmp_path / "server.log").read_text()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", workspace
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[BrowserContext]:
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=CHROMIUM,
            args=CHROMIUM_FLAGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
            locale="ky-KG",
        )
        try:
            yield context
        finally:
            context.close()


def _sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Колдонуучунун аты").fill("aigul")
    page.get_by_label("Сырсөз").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")


def _error_slot(page: Page, name: str):
    described_by = page.locator(f'[name="{name}"]').get_attribute("aria-describedby")
    assert described_by
    return page.locator(f"#{described_by.split()[0]}")


def test_an_administrator_fixes_a_date_saves_previews_and_downloads_in_a_real_browser(server, browser, tmp_path):
    base, workspace = server
    page = browser.new_page()
    _sign_in(page, base)
    page.goto(f"{base}/institutions/{RURAL}")
    expect(page.locator("html")).to_have_attribute("lang", "ky")  # the interface in the browser's language

    name = page.get_by_role("textbox", name="Кыргыз", exact=True).first
    name.fill("")
    name.press_sequentially(KYRGYZ_NAME)

    date = page.locator('[name="effective_date"]')
    date.fill("2025-02-30")
    slot = _error_slot(page, "effective_date")
    expect(slot).to_contain_text("effective_date: '2025-02-30' is not a calendar date", timeout=15_000)
    page.screenshot(path=tmp_path / "error-at-the-date.png", full_page=False)

    date.fill("2025-03-01")
    expect(slot).to_be_empty(timeout=15_000)
    typed = page.frame_locator("#preview-frame iframe").locator("body")
    expect(typed).to_contain_text(KYRGYZ_NAME, timeout=15_000)  # the preview follows what is typed, unsaved
    page.locator(".save-bar button").click()
    page.wait_for_url(f"{base}/institutions/{RURAL}?saved=1")
    expect(page.get_by_role("status")).to_be_visible()

    saved = (workspace / "institutions" / f"{RURAL}.yaml").read_text()
    assert f"  ky: {KYRGYZ_NAME}\n" in saved
    assert "effective_date: 2025-03-01\n" in saved
    assert "# FICTIONAL: the village of Ak-Tilek" in saved  # the lawyer's comments are still there

    page.goto(f"{base}/institutions/{RURAL}/preview/policy/ky")
    document = page.frame_locator("iframe")
    expect(document.locator("body")).to_contain_text("Таң", timeout=15_000)
    expect(page.locator(".coverage")).to_be_visible()
    page.screenshot(path=tmp_path / "preview.png", full_page=False)

    page.goto(f"{base}/institutions/{RURAL}")
    page.get_by_role("button", name="Документтерди түзүү").click()
    link = page.locator("#download-zip")
    expect(link).to_be_visible(timeout=300_000)
    with page.expect_download() as download_info:
        link.click()
    archive_path = tmp_path / "documents.zip"
    download_info.value.save_as(archive_path)
    with zipfile.ZipFile(archive_path) as archive:
        assert f"{RURAL}/ky/policy.pdf" in archive.namelist()
        policy = docx.Document(io.BytesIO(archive.read(f"{RURAL}/ky/policy.docx")))
    assert any("Таң" in paragraph.text for paragraph in policy.paragraphs)
    page.screenshot(path=tmp_path / "form.png", full_page=False)
    assert (tmp_path / "form.png").stat().st_size > 10_000


def test_the_form_is_usable_from_the_keyboard_and_fits_a_phone(server, browser, tmp_path):
    base, _ = server
    page = browser.new_page()
    _sign_in(page, base)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{base}/institutions/{RURAL}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    for _ in range(12):
        page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.name || document.activeElement.textContent")
    assert focused, "the keyboard reaches the form's fields"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow} px wider than a 360 px phone"
    unlabelled = page.evaluate(
        """[...document.querySelectorAll('#profile-form input:not([type=hidden]), #profile-form select, #profile-form textarea')]
           .filter(e => !e.labels.length && !e.closest('[aria-hidden=true]') && e.type !== 'submit').map(e => e.name)"""
    )
    assert unlabelled == []
    page.screenshot(path=tmp_path / "phone.png", full_page=False)
