"""Helpers of the web tests: a workspace with users, a signed-in client, and the form as a browser sends it."""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

from starlette.testclient import TestClient

import policygen

PASSWORD = "correct horse battery"


class FormReader(HTMLParser):
    """The values a browser would send for a form of the page (by its id): inputs, selects, text areas."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.values: list[tuple[str, str]] = []
        self.labels: dict[str, str] = {}  # for= -> label text
        self.input_ids: dict[str, str] = {}  # input name -> id
        self._select: str | None = None
        self._selected: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form" and attributes.get("id") == self.form_id:
            self.inside = True
            return
        if tag == "option" and self._select is not None:
            value = attributes.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in attributes:
                self._selected = value
            return
        outside_control = attributes.get("form") == self.form_id
        if not (self.inside or outside_control):
            return
        name = attributes.get("name")
        if tag == "input" and name:
            self.input_ids[name] = attributes.get("id", "")
            kind = attributes.get("type", "text")
            if kind == "checkbox":
                if "checked" in attributes:
                    self.values.append((name, attributes.get("value", "on")))
            elif kind != "submit":
                self.values.append((name, attributes.get("value", "")))
        elif tag == "select" and name:
            self.input_ids[name] = attributes.get("id", "")
            self._select, self._selected, self._first_option = name, None, None
        elif tag == "textarea" and name:
            self.input_ids[name] = attributes.get("id", "")
            self._textarea, self._text = name, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self._select is not None:
            self.values.append(
                (self._select, self._selected if self._selected is not None else self._first_option or "")
            )
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.values.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)


def form_values(html: str, form_id: str = "profile-form") -> list[tuple[str, str]]:
    reader = FormReader(form_id)
    reader.feed(html)
    return reader.values


def replaced(values: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    assert any(key == name for key, _ in values), f"the form has no input named {name}"
    return [(key, value if key == name else old) for key, old in values]


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def add_user(workspace: Path, name: str, *, institutions: tuple[str, ...] = (), lawyer: bool = False) -> None:
    policygen.add_web_user(policygen.open_workspace(workspace), name, PASSWORD, institutions, lawyer)


def client_for(workspace: Path) -> TestClient:
    app = policygen.create_web_app(policygen.open_workspace(workspace))
    return TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> None:
    page = client.get("/login")
    response = client.post(
        "/login", data={"username": name, "password": password, "csrf_token": csrf_of(page.text), "next": "/"}
    )
    assert response.status_code == 303, response.text


def field_error(html: str, slot_id: str) -> str:
    """The text of the error slot of an input (its aria-describedby's first id)."""
    match = re.search(rf'<div class="field-error" id="{slot_id}"[^>]*>(.*?)</div>', html, re.S)
    assert match, f"no error slot {slot_id}"
    return re.sub(r"<[^>]+>", " ", match.group(1))


def slot_of(html: str, name: str) -> str:
    """The id of the error slot bound to the input named `name`."""
    match = re.search(rf'name="{re.escape(name)}"[^>]*aria-describedby="([^" ]+)', html)
    assert match, f"no input {name} with a described-by"
    return match.group(1)


def post(client: TestClient, address: str, data: list[tuple[str, str]] | dict):
    """POST a form as a browser does, fields in order and repeated names kept."""
    pairs = list(data.items()) if isinstance(data, dict) else data
    expanded = [(name, item) for name, value in pairs for item in (value if isinstance(value, list) else [value])]
    return client.post(
        address, content=urlencode(expanded).encode(), headers={"content-type": "application/x-www-form-urlencoded"}
    )


def slot_for(key_path: str) -> str:
    """The id of the error slot of the field at `key_path` (the form's rule: f + 12 hex digits of its SHA-1)."""
    return "f" + hashlib.sha1(key_path.encode()).hexdigest()[:12]
