"""The web application: routes for signing in, the institution form, its validation, preview, history and
download, with sessions, CSRF tokens and per-institution access checked on every request."""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import PackageLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from policygen import DOCUMENT_IDS, Workspace
from policygen.web.downloads import Downloads
from policygen.web.editing import NEW_FILE_VERSION, Editor, ProfileUnavailable, SaveOutcome, version_diff
from policygen.web.fields import Field, profile_fields
from policygen.web.form_data import MAX_FIELDS, parse_key_path, read_posted
from policygen.web.form_view import attach_errors, form_inputs, form_languages
from policygen.web.i18n import UI_LANGUAGES, Translator, preferred_language
from policygen.web.library import Checked, Library
from policygen.web.security import MAX_REQUEST_BYTES, RequestGuard
from policygen.web.store import LOCAL_USER, Session, Store, User

SESSION_COOKIE = "policygen_session"
LOGIN_CSRF_COOKIE = "policygen_login_csrf"
UI_LANGUAGE_COOKIE = "policygen_language"
INSTITUTION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
DRAFTS_KEPT = 256
_DOCUMENT_CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; font-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)
_PACKAGE = Path(__file__).resolve().parent


class Refused(Exception):
    """Stops a request with a status and a page saying why."""

    def __init__(self, status: int, message_key: str) -> None:
        super().__init__(message_key)
        self.status = status
        self.message_key = message_key


@dataclass
class Visit:
    """Who is asking, in which interface language, and the session cookie to set if one was just made."""

    request: Request
    translate: Translator
    session: Session | None
    new_token: str | None = None
    form: FormData = field(default_factory=FormData)

    @property
    def user(self) -> User:
        assert self.session is not None
        return self.session.user


class WebApp:
    """The routes over one workspace."""

    def __init__(
        self,
        workspace: Workspace,
        secure_cookies: bool = False,
        on_internal_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.on_internal_error = on_internal_error
        self.library = Library(workspace)
        self.store = Store(workspace.root)
        self.fields: Field = profile_fields(self.library.languages)
        self.institution_types = next(field for field in self.fields.children if field.key == "type")
        self.editor = Editor(self.library, self.store, self.fields)
        self.downloads = Downloads(self.library)
        self.secure_cookies = secure_cookies
        self.drafts: dict[tuple[str, str], str] = {}
        self.templates = SandboxedEnvironment(
            loader=PackageLoader("policygen.web", "templates"),
            autoescape=select_autoescape(default=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.globals.update(
            documents=DOCUMENT_IDS, languages=self.library.languages, ui_languages=UI_LANGUAGES
        )

    def close(self) -> None:
        self.downloads.close()
        self.store.close()

    # the request frame -------------------------------------------------------------------------------

    def visit(self, request: Request) -> Visit:
        chosen = request.cookies.get(UI_LANGUAGE_COOKIE)
        lang = chosen if chosen in UI_LANGUAGES else preferred_language(request.headers.get("accept-language"))
        translate = Translator(lang, self.library.document_words(lang))
        visit = Visit(request, translate, self.store.session(request.cookies.get(SESSION_COOKIE)))
        if visit.session is None and not self.store.has_users():
            visit.new_token = self.store.start_session(User(LOCAL_USER, "lawyer", ()))
            visit.session = self.store.session(visit.new_token)
        return visit

    def page(self, visit: Visit, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        html = self.templates.get_template(template).render(
            t=visit.translate,
            user=visit.session.user if visit.session else None,
            csrf_token=visit.session.csrf_token if visit.session else "",
            local_mode=not self.store.has_users(),
            request_path=visit.request.url.path,
            **values,
        )
        response = HTMLResponse(html, status_code=status)
        self.set_session_cookie(response, visit.new_token)
        return response

    def set_session_cookie(self, response: Response, token: str | None) -> None:
        if token is not None:
            response.set_cookie(
                SESSION_COOKIE, token, httponly=True, samesite="strict", secure=self.secure_cookies, path="/"
            )

    def refused(self, visit: Visit, error: Refused) -> HTMLResponse:
        return self.page(visit, "message.html", status=error.status, message=visit.translate(error.message_key))

    def signed_in(self, visit: Visit) -> None:
        if visit.session is None:
            raise Refused(401, "login")

    def institution(self, visit: Visit, institution_id: str) -> str:
        """The institution id of a URL, checked before it names any file, and the user's right to it."""
        self.signed_in(visit)
        if not INSTITUTION_ID.match(institution_id):
            raise Refused(404, "not_found")
        if not visit.user.may_edit(institution_id):
            raise Refused(403, "forbidden")
        return institution_id

    def read_form(self, visit: Visit) -> FormData:
        """The posted form, refused without this session's CSRF token."""
        form = visit.form
        token = form.get("csrf_token")
        if (
            visit.session is None
            or not isinstance(token, str)
            or not secrets.compare_digest(token.encode(), visit.session.csrf_token.encode())
        ):
            raise Refused(403, "csrf_failed")
        return form

    def guarded(self, handler):
        """The endpoint of a handler: the visit and its posted form read here, the handler's work (which renders
        and checks profiles) done on a worker thread so that the server keeps answering meanwhile."""

        async def endpoint(request: Request) -> Response:
            visit = await run_in_threadpool(self.visit, request)
            try:
                if request.method == "POST":
                    visit.form = await request.form(
                        max_files=0, max_fields=MAX_FIELDS + 10, max_part_size=MAX_REQUEST_BYTES
                    )
                return await run_in_threadpool(handler, visit, **request.path_params)
            except Refused as error:
                if error.status == 401:
                    if request.method == "GET":
                        return RedirectResponse("/login?next=" + _safe_next(request.url.path), status_code=303)
                    return self.page(visit, "message.html", status=401, message=visit.translate("login"))
                return self.refused(visit, error)
            except ProfileUnavailable as error:
                return self.page(
                    visit, "message.html", status=409, message=visit.translate("unreadable_file"), detail=str(error)
                )
            except Exception as error:
                if self.on_internal_error is None:
                    raise
                # a bug in policygen: reported as the command line reports one, the person told, the server kept
                self.on_internal_error(error)
                return self.page(visit, "message.html", status=500, message=visit.translate("internal_error"))

        return endpoint

    # pages -----------------------------------------------------------------------------------------------

    def home(self, visit: Visit) -> Response:
        self.signed_in(visit)
        ids = [i for i in self.library.institution_ids() if visit.user.may_edit(i)]
        missing = [i for i in visit.user.institutions if i not in ids and INSTITUTION_ID.match(i)]
        return self.page(visit, "home.html", institutions=ids, not_started=missing)

    def login_page(self, visit: Visit) -> Response:
        return self._login_form(visit, failed=False)

    def _login_form(self, visit: Visit, failed: bool) -> Response:
        token = secrets.token_urlsafe(32)
        response = self.page(
            visit,
            "login.html",
            status=401 if failed else 200,
            failed=failed,
            login_csrf=token,
            next=_safe_next(visit.request.query_params.get("next", "/")),
        )
        response.set_cookie(
            LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=self.secure_cookies, path="/login"
        )
        return response

    def login(self, visit: Visit) -> Response:
        form = visit.form
        cookie = visit.request.cookies.get(LOGIN_CSRF_COOKIE, "")
        token = form.get("csrf_token")
        if not cookie or not isinstance(token, str) or not secrets.compare_digest(token.encode(), cookie.encode()):
            raise Refused(403, "csrf_failed")
        username, password = form.get("username"), form.get("password")
        user = None
        if isinstance(username, str) and isinstance(password, str) and len(password) <= 1024 and len(username) <= 200:
            user = self.store.authenticate(username, password)
        if user is None:
            return self._login_form(visit, failed=True)
        self.store.end_session(visit.request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse(_safe_next(str(form.get("next", "/"))), status_code=303)
        self.set_session_cookie(response, self.store.start_session(user))
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
        return response

    def logout(self, visit: Visit) -> Response:
        self.read_form(visit)
        self.store.end_session(visit.request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    def ui_language(self, visit: Visit) -> Response:
        lang = visit.request.query_params.get("lang", "")
        response = RedirectResponse(_safe_next(visit.request.query_params.get("next", "/")), status_code=303)
        if lang in UI_LANGUAGES:
            response.set_cookie(
                UI_LANGUAGE_COOKIE, lang, samesite="lax", secure=self.secure_cookies, max_age=365 * 86400
            )
        return response

    def new_institution(self, visit: Visit) -> Response:
        self.signed_in(visit)
        types = self.institution_types
        if visit.request.method == "GET":
            return self.page(visit, "new.html", error=None, values={}, types=types)
        form = self.read_form(visit)
        institution_id = str(form.get("id", "")).strip()
        languages = [value for value in form.getlist("languages") if isinstance(value, str)]
        values = {"id": institution_id, "type": str(form.get("type", "")), "languages": languages}
        error = None
        if not INSTITUTION_ID.match(institution_id):
            error = "bad_id"
        elif not visit.user.may_edit(institution_id):
            raise Refused(403, "forbidden")
        elif self.editor.read(institution_id) is not None:
            error = "exists"
        if error:
            return self.page(visit, "new.html", status=422, error=visit.translate(error), values=values, types=types)
        query = urlencode(
            [("type", value) for value in [values["type"]] if value in types.choices]
            + [("languages", lang) for lang in values["languages"] if lang in self.library.languages]
        )
        return RedirectResponse(f"/institutions/{institution_id}?{query}", status_code=303)

    def institution_form(self, visit: Visit, institution_id: str) -> Response:
        institution_id = self.institution(visit, institution_id)
        text = self.editor.read(institution_id)
        if text is None:
            query = visit.request.query_params
            values: dict[str, Any] = {"type": query.get("type", "")}
            values["languages"] = [lang for lang in query.getlist("languages") if lang in self.library.languages]
        else:
            try:
                values = self.editor.form_values(text)
            except ProfileUnavailable:
                problems = self.library.check_text(institution_id, text).problems
                detail = "\n".join(self.library.display_name(problem.format()) for problem in problems)
                raise ProfileUnavailable(detail or "the file is not YAML the form can edit") from None
        base_version = self.editor.remember(institution_id, text)
        checked = self.library.check_text(institution_id, text) if text is not None else None
        return self.form_page(
            visit,
            institution_id,
            values,
            base_version,
            checked=checked,
            notice="saved" if visit.request.query_params.get("saved") else None,
            show_errors=False,
        )

    def form_page(
        self,
        visit: Visit,
        institution_id: str,
        values: dict[str, Any],
        base_version: str,
        checked: Checked | None = None,
        problems: list[tuple[str, str]] | None = None,
        notice: str | None = None,
        status: int = 200,
        outcome: SaveOutcome | None = None,
        show_errors: bool = True,
    ) -> Response:
        query = visit.request.query_params
        inherited = self.library.inherited(institution_id, values.get("extends", "national") or "national")
        languages = form_languages(values, inherited, self.library.languages)
        inputs = form_inputs(self.fields, values, inherited, visit.translate, languages)
        unplaced = []
        if show_errors:
            diagnostics = list(checked.problems) + list(checked.warnings) if checked else []
            unplaced = attach_errors(inputs, diagnostics, problems or [])
        all_errors = [error for top in inputs for node in top.walk() for error in node.errors] + unplaced
        return self.page(
            visit,
            "institution.html",
            status=status,
            institution_id=institution_id,
            form_action=f"/institutions/{institution_id}",
            inputs=inputs,
            is_new=base_version == NEW_FILE_VERSION,
            base_version=base_version,
            errors=all_errors,
            unplaced=unplaced,
            notice=notice,
            outcome=outcome,
            clause_places=self.library.clause_places(checked) if checked and checked.valid else [],
            preview=_preview_target(checked, query.get("preview_document", ""), query.get("preview_language", "")),
        )

    def save(self, visit: Visit, institution_id: str) -> Response:
        institution_id = self.institution(visit, institution_id)
        form = self.read_form(visit)
        posted = read_posted(_texts(form), self.fields)
        base_version = str(form.get("base_version", ""))
        action = str(form.get("action", "save"))
        if action.startswith(("add:", "remove:")):
            _edit_rows(posted.values, action, self.fields)
            return self.form_page(visit, institution_id, posted.values, base_version, show_errors=False)
        if posted.problems:
            _text, checked = self.editor.check(institution_id, posted.values, visit.user.name)
            return self.form_page(
                visit,
                institution_id,
                posted.values,
                base_version,
                checked,
                posted.problems,
                notice="not_saved",
                status=422,
            )
        outcome = self.editor.save(institution_id, base_version, posted.values, visit.user.name)
        if outcome.status in ("saved", "unchanged"):
            return RedirectResponse(f"/institutions/{institution_id}?saved=1", status_code=303)
        if outcome.status == "conflict":
            return self.form_page(
                visit,
                institution_id,
                posted.values,
                base_version,
                notice="conflict",
                status=409,
                outcome=outcome,
                show_errors=False,
            )
        return self.form_page(
            visit, institution_id, posted.values, base_version, outcome.checked, notice="not_saved", status=422
        )

    def validate(self, visit: Visit, institution_id: str) -> Response:
        """The errors of what is typed, each at its field (swapped in by htmx), and a preview of it if valid."""
        institution_id = self.institution(visit, institution_id)
        form = self.read_form(visit)
        posted = read_posted(_texts(form), self.fields)
        language = str(form.get("preview_language", ""))
        text, checked = self.editor.check(institution_id, posted.values, visit.user.name, language)
        inherited = self.library.inherited(institution_id, posted.values.get("extends", "national") or "national")
        inputs = form_inputs(
            self.fields,
            posted.values,
            inherited,
            visit.translate,
            form_languages(posted.values, inherited, self.library.languages),
        )
        unplaced = attach_errors(inputs, list(checked.problems) + list(checked.warnings), posted.problems)
        preview = None
        if checked.valid and not posted.problems:
            self._keep_draft(institution_id, checked.digest, text)
            preview = _preview_target(checked, str(form.get("preview_document", "")), language)
        nodes = [node for top in inputs for node in top.walk()]
        errors = [error for node in nodes for error in node.errors] + unplaced
        return self.page(
            visit, "validation.html", institution_id=institution_id, nodes=nodes, errors=errors, preview=preview
        )

    def _keep_draft(self, institution_id: str, digest: str, text: str) -> None:
        self.drafts[(institution_id, digest)] = text
        while len(self.drafts) > DRAFTS_KEPT:
            self.drafts.pop(next(iter(self.drafts)))

    def _preview_text(self, visit: Visit, institution_id: str) -> tuple[str, bool]:
        """The text to preview: a valid draft typed in this server (by its digest), else the saved file."""
        draft = self.drafts.get((institution_id, visit.request.query_params.get("draft", "")))
        if draft is not None:
            return draft, True
        text = self.editor.read(institution_id)
        if text is None:
            raise Refused(404, "not_found")
        return text, False

    def _previewed(self, visit: Visit, institution_id: str, document: str, lang: str) -> tuple[Checked, bool]:
        institution_id = self.institution(visit, institution_id)
        if document not in DOCUMENT_IDS or lang not in self.library.languages:
            raise Refused(404, "not_found")
        text, is_draft = self._preview_text(visit, institution_id)
        checked = self.library.check_text(institution_id, text, lang)
        if not checked.valid or checked.loaded is None or lang not in checked.loaded.profile.languages:
            raise Refused(404, "preview_unavailable")
        return checked, is_draft

    def preview(self, visit: Visit, institution_id: str, document: str, lang: str) -> Response:
        checked, is_draft = self._previewed(visit, institution_id, document, lang)
        assert checked.loaded is not None
        return self.page(
            visit,
            "preview.html",
            institution_id=institution_id,
            document=document,
            lang=lang,
            profile_languages=checked.loaded.profile.languages,
            draft=checked.digest if is_draft else "",
            is_draft=is_draft,
            title=self.library.document_title(checked, document, lang),
            draft_mark=self.library.draft_mark(checked, document, lang),
            coverage=self.library.coverage(checked, document, lang),
        )

    def preview_document(self, visit: Visit, institution_id: str, document: str, lang: str) -> Response:
        checked, _ = self._previewed(visit, institution_id, document, lang)
        html = self.library.document_html(checked, document, lang)
        html = html.replace("</head>", '<link rel="stylesheet" href="/static/preview.css">\n</head>', 1)
        return HTMLResponse(html, headers={"content-security-policy": _DOCUMENT_CSP})

    def history(self, visit: Visit, institution_id: str) -> Response:
        institution_id = self.institution(visit, institution_id)
        versions = self.store.versions(institution_id)
        selected = visit.request.query_params.get("version", "")
        diff = ""
        if selected.isdigit():
            chosen = next((v for v in versions if v.id == int(selected)), None)
            if chosen is not None:
                older = next((v for v in versions if v.id < chosen.id), None)
                diff = version_diff(older, chosen)
        return self.page(
            visit, "history.html", institution_id=institution_id, versions=versions, diff=diff, selected=selected
        )

    def download(self, visit: Visit, institution_id: str) -> Response:
        institution_id = self.institution(visit, institution_id)
        if self.editor.read(institution_id) is None:
            raise Refused(404, "not_found")
        if visit.request.method == "POST":
            self.read_form(visit)
            job = self.downloads.start(institution_id)
            return self.page(visit, "download_status.html", institution_id=institution_id, job=job)
        if visit.request.query_params.get("status"):
            return self.page(
                visit, "download_status.html", institution_id=institution_id, job=self.downloads.job(institution_id)
            )
        job = self.downloads.build_now(institution_id)
        if job.zip_path is None:
            return self.page(visit, "download_status.html", status=422, institution_id=institution_id, job=job)
        return FileResponse(job.zip_path, media_type="application/zip", filename=f"{institution_id}.zip")


def _texts(form: FormData) -> list[tuple[str, str]]:
    """The posted (name, value) pairs, in order (a file is refused before the form is read: max_files=0)."""
    return [(name, value) for name, value in form.multi_items() if isinstance(value, str)]


def _preview_target(checked: Checked | None, document: str, lang: str) -> dict[str, str] | None:
    """What the preview frame shows of a valid version: the document and language chosen, else the first ones."""
    if checked is None or not checked.valid or checked.loaded is None:
        return None
    languages = checked.loaded.profile.languages
    return {
        "document": document if document in DOCUMENT_IDS else DOCUMENT_IDS[0],
        "lang": lang if lang in languages else languages[0],
        "draft": checked.digest,
        "languages": " ".join(languages),
    }


def _edit_rows(values: dict[str, Any], action: str, root: Field) -> None:
    """Add an empty row to the list an add: action names, or remove the row a remove: action names."""
    kind, _, name = action.partition(":")
    path = parse_key_path(name)
    if path is None or kind not in ("add", "remove"):
        return
    list_path = path if kind == "add" else path[:-1]
    field_ = _list_field(root, list_path)
    if field_ is None:
        return
    node: Any = values
    for part in list_path[:-1]:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
        elif isinstance(node, dict):
            node = node.setdefault(part, {})
        if not isinstance(node, (dict, list)):
            return
    if not isinstance(node, dict):
        return
    rows = node.setdefault(list_path[-1], [])
    if not isinstance(rows, list):
        return
    if kind == "add" and len(rows) < (field_.max_items or 30):
        rows.append({} if field_.kind == "rows" else "")
    elif kind == "remove" and isinstance(path[-1], int) and path[-1] < len(rows):
        del rows[path[-1]]


def _list_field(root: Field, path: tuple) -> Field | None:
    """The list field (rows, or a list of texts) at `path`, row indexes skipped."""
    current: Field | None = root
    for part in path:
        if current is None:
            return None
        if isinstance(part, int):
            current = current.children[0] if current.kind == "rows" else None
        else:
            current = current.child(part) if current.kind == "group" else None
    return current if current is not None and current.kind in ("rows", "places") else None


def _safe_next(target: str) -> str:
    """A path on this site to go to after signing in; anything else goes home."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target and len(target) < 500:
        return target
    return "/"


def create_app(
    workspace: Workspace,
    secure_cookies: bool = False,
    on_internal_error: Callable[[BaseException], None] | None = None,
) -> Starlette:
    """The web app over `workspace`; `on_internal_error` (if given) is told of a bug in a request, which is then
    answered with a 500 page instead of raising into the server."""
    web = WebApp(workspace, secure_cookies, on_internal_error)
    guarded = web.guarded
    routes = [
        Route("/", guarded(web.home)),
        Route("/login", guarded(web.login_page), methods=["GET"]),
        Route("/login", guarded(web.login), methods=["POST"]),
        Route("/logout", guarded(web.logout), methods=["POST"]),
        Route("/ui-language", guarded(web.ui_language)),
        Route("/institutions/new", guarded(web.new_institution), methods=["GET", "POST"]),
        Route("/institutions/{institution_id}", guarded(web.institution_form), methods=["GET"]),
        Route("/institutions/{institution_id}", guarded(web.save), methods=["POST"]),
        Route("/institutions/{institution_id}/validate", guarded(web.validate), methods=["POST"]),
        Route("/institutions/{institution_id}/history", guarded(web.history)),
        Route("/institutions/{institution_id}/download", guarded(web.download), methods=["GET", "POST"]),
        Route("/institutions/{institution_id}/preview/{document}/{lang}", guarded(web.preview)),
        Route("/institutions/{institution_id}/preview/{document}/{lang}/document", guarded(web.preview_document)),
        Mount("/static", StaticFiles(directory=_PACKAGE / "static"), name="static"),
        Mount("/assets", StaticFiles(directory=_PACKAGE.parent / "assets"), name="assets"),
    ]
    too_large = Translator("en")("too_large").encode()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        yield
        web.close()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.web = web
    return RequestGuard(app, too_large)  # type: ignore[return-value]
