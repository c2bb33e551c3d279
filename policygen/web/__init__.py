"""policygen in a browser: the institution form generated from the schema, live validation and preview,
round-trip saving with history, downloads, and the users who may do each."""

from __future__ import annotations

import ipaddress
import re

from policygen import Workspace, WorkspaceError
from policygen.web.app import create_app
from policygen.web.store import ADMINISTRATOR, LAWYER, Store

USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
INSTITUTION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1024


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def users_defined(workspace: Workspace) -> bool:
    store = Store(workspace.root)
    try:
        return store.has_users()
    finally:
        store.close()


def add_user(workspace: Workspace, name: str, password: str, institutions: tuple[str, ...], lawyer: bool) -> str:
    """Add (or update) a user of the workspace's web server; the role given to them."""
    if not USER_NAME.match(name):
        raise WorkspaceError(f"{name!r} is not a user name", hint="use letters, digits and . _ @ - (at most 64)")
    if lawyer == bool(institutions):
        raise WorkspaceError(
            "give either --institution ID (one or more) or --role lawyer",
            hint="an administrator edits their institutions; a lawyer sees all of them",
        )
    for institution_id in institutions:
        if not INSTITUTION_ID.match(institution_id):
            raise WorkspaceError(
                f"{institution_id!r} is not an institution id", hint="ids are lowercase letters, digits and hyphens"
            )
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise WorkspaceError(
            f"the password must have {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters",
            hint="pass it on standard input, e.g. printf '%s\\n' \"$PASSWORD\" | policygen users add NAME ...",
        )
    role = LAWYER if lawyer else ADMINISTRATOR
    store = Store(workspace.root)
    try:
        store.add_user(name, password, role, institutions)
    finally:
        store.close()
    return role


__all__ = ["add_user", "create_app", "is_loopback", "users_defined"]
