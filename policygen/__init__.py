"""policygen: anti-sexual-harassment policies for medical institutions, from YAML profiles to DOCX and PDF.

The public API: what the command line uses, and what scripts and tests may rely on.
"""

from policygen.builders.build import (
    BuildReport,
    BuildRequest,
    InstitutionOutcome,
    build,
    build_coverage_reports,
    build_model,
)
from policygen.builders.engine import UnitResult, default_jobs
from policygen.builders.validate import validate_institutions
from policygen.check.coverage import InstitutionCheck, check_institutions, failure_diagnostics
from policygen.check.output import as_json as check_as_json
from policygen.check.output import as_table as check_as_table
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
from policygen.inputs.profiles import LoadedProfile, load_profile
from policygen.inputs.review import FileStatus, review_file_argument, review_status, sign_reviews
from policygen.inputs.schema import LANGUAGES, Profile, json_schema
from policygen.inputs.submission_schema import submission_json_schema
from policygen.inputs.workspace import Workspace, open_workspace, packaged_examples
from policygen.output.lock import output_lock
from policygen.output.verify import VerifyReport, verify_package
from policygen.render.sandbox import TemplateRenderer
from policygen.sets.departures import Departure, InstitutionDepartures, departures_from_model
from policygen.sets.institution import DOCUMENT_IDS, build_documents
from policygen.sets.submission import build_submission, submission_file
from policygen.version import __version__
from policygen.word.import_edits import PENDING_CHOICES, ClauseEdit, ImportReport, import_edits
from policygen.word.redline import ClauseChange
from policygen.word.redline_file import DEFAULT_AUTHOR as REDLINE_AUTHOR
from policygen.word.redline_file import RedlineReport, redline_against_model, redline_from_edition, write_redline
from policygen.writers import FORMATS, get_writer

_WRITER_CLASSES = {"DocxWriter": "docx", "HtmlWriter": "html", "PdfWriter": "pdf"}


def __getattr__(name: str) -> object:
    """The writer classes, imported on first use, so that `import policygen` never imports WeasyPrint."""
    if name in _WRITER_CLASSES:
        return type(get_writer(_WRITER_CLASSES[name]))
    raise AttributeError(f"module 'policygen' has no attribute {name!r}")


__all__ = [
    "DOCUMENT_IDS",
    "EXIT_FAILED",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_UNUSABLE",
    "FORMATS",
    "LANGUAGES",
    "PENDING_CHOICES",
    "REDLINE_AUTHOR",
    "BuildReport",
    "BuildRequest",
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
    "InstitutionOutcome",
    "LoadedProfile",
    "PdfWriter",
    "PolicygenError",
    "Profile",
    "RedlineReport",
    "TemplateRenderer",
    "UnitResult",
    "VerifyReport",
    "Workspace",
    "WorkspaceError",
    "__version__",
    "build",
    "build_coverage_reports",
    "build_documents",
    "build_model",
    "build_submission",
    "check_as_json",
    "check_as_table",
    "check_institutions",
    "clipped",
    "default_jobs",
    "departures_from_model",
    "failure_diagnostics",
    "get_writer",
    "import_edits",
    "json_schema",
    "load_profile",
    "open_workspace",
    "output_lock",
    "packaged_examples",
    "redline_against_model",
    "redline_from_edition",
    "review_file_argument",
    "review_status",
    "sign_reviews",
    "submission_file",
    "submission_json_schema",
    "validate_institutions",
    "verify_package",
    "write_redline",
]
