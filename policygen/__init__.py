"""policygen: anti-sexual-harassment policies for medical institutions, from YAML profiles to DOCX and PDF.

The public API: what the command line uses, and what scripts and tests may rely on.
"""

from typing import TYPE_CHECKING

from policygen.builders.build import BuildReport, BuildRequest, build, build_coverage_reports, build_model
from policygen.builders.builder import Builder, OwnerOutcome, Progress, Unit, UnitOutput
from policygen.builders.checks import check_institutions
from policygen.builders.import_edits import PENDING_CHOICES, ClauseEdit, ImportReport, import_edits
from policygen.builders.redline import DEFAULT_AUTHOR as REDLINE_AUTHOR
from policygen.builders.redline import RedlineReport, redline_against_model, redline_from_edition, write_redline
from policygen.builders.review_sheet import review_sheet, write_review_sheet
from policygen.builders.submission import build_submission
from policygen.builders.validate import validate_institutions
from policygen.builders.workers import default_jobs
from policygen.check.coverage import InstitutionCheck, check_documents, failure_diagnostics
from policygen.check.output import as_json as check_as_json
from policygen.check.output import as_table as check_as_table
from policygen.check.pages import PAGE_BUDGETS, SET_PAGE_BUDGET, built_pages, pages_line
from policygen.check.wording import WordingProblem, glossary, refused_terms, typed_durations
from policygen.errors import (
    EXIT_FAILED,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_UNUSABLE,
    Diagnostic,
    PolicygenError,
    WorkspaceError,
    clipped,
)
from policygen.inputs.profiles import LoadedProfile, load_inherited, load_profile, load_profile_text
from policygen.inputs.review import FileStatus, review_file_argument, review_status, sign_reviews
from policygen.inputs.schema import LANGUAGE_ID, LANGUAGES, Lang, Profile, json_schema
from policygen.inputs.strict_yaml import format_key_path, load_packaged_data
from policygen.inputs.submission_schema import submission_json_schema
from policygen.inputs.workspace import Workspace, open_workspace, packaged_examples
from policygen.output.atomic import write_atomically
from policygen.output.lock import output_lock
from policygen.output.verify import VerifyReport, verify_package
from policygen.render.sandbox import TemplateRenderer
from policygen.render.strings import LanguageStrings
from policygen.sets.departures import Departure, InstitutionDepartures, departures_from_model
from policygen.sets.evidence import evidence_as_json, evidence_as_table
from policygen.sets.institution import DOCUMENT_IDS, build_documents
from policygen.sets.submission import submission_evidence, submission_file
from policygen.version import __version__
from policygen.writers import FORMATS, get_writer
from policygen.writers.redline import ClauseChange

if TYPE_CHECKING:  # what __getattr__ imports on first use, typed for the type checker
    from policygen.web import add_user as add_web_user
    from policygen.web import create_app as create_web_app
    from policygen.web import is_loopback
    from policygen.web import users_defined as web_users_defined
    from policygen.writers.docx import DocxWriter
    from policygen.writers.html import HtmlWriter
    from policygen.writers.pdf import PdfWriter

_WRITER_CLASSES = {"DocxWriter": "docx", "HtmlWriter": "html", "PdfWriter": "pdf"}
_WEB_NAMES = {
    "create_web_app": "create_app",
    "add_web_user": "add_user",
    "web_users_defined": "users_defined",
    "is_loopback": "is_loopback",
}


def __getattr__(name: str) -> object:
    """The writer classes and the web server, imported on first use, so that `import policygen` never imports
    WeasyPrint nor the web framework."""
    if name in _WRITER_CLASSES:
        return type(get_writer(_WRITER_CLASSES[name]))
    if name in _WEB_NAMES:
        import policygen.web

        return getattr(policygen.web, _WEB_NAMES[name])
    raise AttributeError(f"module 'policygen' has no attribute {name!r}")


__all__ = [
    "DOCUMENT_IDS",
    "EXIT_FAILED",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_UNUSABLE",
    "FORMATS",
    "LANGUAGES",
    "LANGUAGE_ID",
    "PAGE_BUDGETS",
    "PENDING_CHOICES",
    "REDLINE_AUTHOR",
    "SET_PAGE_BUDGET",
    "BuildReport",
    "BuildRequest",
    "Builder",
    "ClauseChange",
    "ClauseEdit",
    "Departure",
    "Diagnostic",
    "DocxWriter",
    "FileStatus",
    "HtmlWriter",
    "ImportReport",
    "InstitutionCheck",
    "InstitutionDepartures",
    "Lang",
    "LanguageStrings",
    "LoadedProfile",
    "OwnerOutcome",
    "PdfWriter",
    "PolicygenError",
    "Profile",
    "Progress",
    "RedlineReport",
    "TemplateRenderer",
    "Unit",
    "UnitOutput",
    "VerifyReport",
    "WordingProblem",
    "Workspace",
    "WorkspaceError",
    "__version__",
    "add_web_user",
    "build",
    "build_coverage_reports",
    "build_documents",
    "build_model",
    "build_submission",
    "built_pages",
    "check_as_json",
    "check_as_table",
    "check_documents",
    "check_institutions",
    "clipped",
    "create_web_app",
    "default_jobs",
    "departures_from_model",
    "evidence_as_json",
    "evidence_as_table",
    "failure_diagnostics",
    "format_key_path",
    "get_writer",
    "glossary",
    "import_edits",
    "is_loopback",
    "json_schema",
    "load_inherited",
    "load_packaged_data",
    "load_profile",
    "load_profile_text",
    "open_workspace",
    "output_lock",
    "packaged_examples",
    "pages_line",
    "redline_against_model",
    "redline_from_edition",
    "refused_terms",
    "review_file_argument",
    "review_sheet",
    "review_status",
    "sign_reviews",
    "submission_evidence",
    "submission_file",
    "submission_json_schema",
    "typed_durations",
    "validate_institutions",
    "verify_package",
    "web_users_defined",
    "write_atomically",
    "write_redline",
    "write_review_sheet",
]
