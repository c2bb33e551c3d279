"""A workspace: its institutions folder, template overrides and output folder, and the packaged resources."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from policygen.errors import WorkspaceError
from policygen.inputs.schema import LANGUAGES

_PACKAGE = Path(__file__).resolve().parent.parent
PROFILE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
STRINGS_FOLDER = "strings"


def _packaged(wheel_location: str, checkout_location: str) -> Path:
    # A wheel carries the folder inside the package; a source checkout keeps it at the repository's top.
    inside = _PACKAGE / wheel_location
    return inside if inside.is_dir() else _PACKAGE.parent / checkout_location


def packaged_templates() -> Path:
    """The templates shipped with policygen."""
    return _packaged("templates", "templates")


def strings_files(search_path: list[Path]) -> dict[str, tuple[Path, Path]]:
    """Each language with a strings file (<templates>/strings/<language>.yaml): its file and the templates folder
    holding it, the first folder of `search_path` that has one; the packaged languages first, in their order."""
    found: dict[str, tuple[Path, Path]] = {}
    for folder in search_path:
        for path in sorted((folder / STRINGS_FOLDER).glob("*.yaml")):
            found.setdefault(path.stem, (path, folder))
    ordered = [lang for lang in LANGUAGES if lang in found] + sorted(set(found) - set(LANGUAGES))
    return {lang: found[lang] for lang in ordered}


def packaged_examples() -> Path:
    """The example institutions shipped with policygen (copied by `policygen init`)."""
    return _packaged("data/examples/institutions", "institutions")


@dataclass(frozen=True)
class Workspace:
    """A folder with institutions/ (profiles and _*.yaml bases) and optionally templates/ overrides."""

    root: Path

    @property
    def institutions_dir(self) -> Path:
        return self.root / "institutions"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def default_output_dir(self) -> Path:
        return self.root / "output"

    def template_search_path(self) -> list[Path]:
        """Where templates are looked up: the workspace's overrides first, then the packaged ones."""
        folders = [self.templates_dir, packaged_templates()]
        unique: list[Path] = []
        for folder in folders:
            if folder.resolve() not in [known.resolve() for known in unique]:
                unique.append(folder)
        return unique

    def languages(self) -> tuple[str, ...]:
        """The languages documents can be written in: those with a strings file, packaged or the workspace's
        own (templates/strings/<language>.yaml); the packaged ones first."""
        return tuple(strings_files(self.template_search_path()))

    def institution_files(self) -> list[Path]:
        """Every institution profile of the workspace (bases, named _*.yaml, excluded), sorted by id."""
        return sorted(path for path in self.institutions_dir.glob("*.yaml") if not path.name.startswith("_"))

    def base_file(self, base_id: str) -> Path | None:
        """The file of a base profile id: institutions/_<id>.yaml, else institutions/<id>.yaml."""
        if not PROFILE_ID.match(base_id):
            return None
        for name in (f"_{base_id}.yaml", f"{base_id}.yaml"):
            candidate = self.institutions_dir / name
            if os.path.lexists(candidate):  # a pipe, folder or link that leaves institutions/ is refused on loading
                return candidate
        return None

    def resolve_profiles(self, arguments: tuple[str, ...]) -> list[Path]:
        """The profile files that command-line arguments name (ids or paths); none means all of them."""
        if not arguments:
            files = self.institution_files()
            if not files:
                raise WorkspaceError(
                    f"{self.institutions_dir} holds no institution profile",
                    hint="add institutions/<id>.yaml, or run `policygen init DIR`",
                )
            return files
        resolved: list[Path] = []
        for argument in arguments:
            path = Path(argument)
            if argument.endswith((".yaml", ".yml")) or path.is_file():
                if not os.path.lexists(path):
                    raise WorkspaceError(f"no profile file {argument}", hint="give an institution id or a path")
            elif PROFILE_ID.match(argument):
                path = self.institutions_dir / f"{argument}.yaml"
                if not os.path.lexists(path):
                    known = ", ".join(file.stem for file in self.institution_files()) or "none"
                    raise WorkspaceError(
                        f"no institution {argument!r} in {self.institutions_dir}", hint=f"known institutions: {known}"
                    )
            else:
                raise WorkspaceError(
                    f"{argument!r} is neither an institution id nor a profile file",
                    hint="ids are lowercase letters, digits and hyphens",
                )
            if path not in resolved:
                resolved.append(path)
        return resolved


def open_workspace(root: Path) -> Workspace:
    """The workspace at `root`; it must hold an institutions/ folder."""
    workspace = Workspace(root.resolve())
    if not workspace.institutions_dir.is_dir():
        raise WorkspaceError(
            f"{root} is not a policygen workspace: it has no institutions/ folder",
            hint="run the command inside a workspace, pass --workspace DIR, or create one with `policygen init DIR`",
        )
    return workspace
