"""policygen: anti-sexual-harassment policies for medical institutions, from YAML profiles to DOCX and PDF."""

from policygen._build import BuildReport, BuildRequest, InstitutionOutcome, build
from policygen._documents import DOCUMENT_IDS, build_documents
from policygen._profiles import LoadedProfile, load_profile
from policygen._render import TemplateRenderer
from policygen._workspace import Workspace, open_workspace
from policygen.schema import Profile, json_schema

__version__ = "0.1.0"

__all__ = [
    "DOCUMENT_IDS", "BuildReport", "BuildRequest", "InstitutionOutcome", "LoadedProfile", "Profile",
    "TemplateRenderer", "Workspace", "build", "build_documents", "json_schema", "load_profile", "open_workspace",
]
