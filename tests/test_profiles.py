"""Profile loading through the public API: extends merging, typing of what the user wrote, located errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import copy_workspace

from policygen import load_profile, open_workspace
from policygen.errors import ProfileError

PROFILE = "ak-tilek-fmc"


@pytest.fixture
def workspace(tmp_path: Path):
    return open_workspace(copy_workspace(tmp_path))


def edit_profile(workspace, old: str, new: str, name: str = PROFILE) -> Path:
    path = workspace.institutions_dir / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_examples_load_with_their_bases(workspace):
    for path in workspace.institution_files():
        loaded = load_profile(path, workspace)
        assert loaded.sources[0].name == "_national.yaml"
        assert loaded.sources[-1] == path.resolve()


def test_child_mapping_merges_deeply_into_the_base(workspace):
    national = workspace.institutions_dir / "_national.yaml"
    base_days = load_profile(workspace.institutions_dir / f"{PROFILE}.yaml", workspace).profile.deadlines
    path = edit_profile(workspace, "staff_count: 14", "staff_count: 14\ndeadlines:\n  appeal_days: 21")

    deadlines = load_profile(path, workspace).profile.deadlines

    assert deadlines.appeal_days == 21
    assert deadlines.investigation_days == base_days.investigation_days
    assert "appeal_days" in national.read_text(encoding="utf-8")


def test_child_list_replaces_the_base_list(workspace):
    path = edit_profile(
        workspace,
        "staff_count: 14",
        "staff_count: 14\nsupport_services:\n"
        '  - kind: legal\n    name: {ky: Юрист, ru: Юрист}\n    phone: "+996 555 000000"',
    )
    services = load_profile(path, workspace).profile.support_services
    assert [service.kind.value for service in services] == ["legal"]


def test_values_reach_the_schema_as_written(workspace):
    path = edit_profile(workspace, 'order_number: "12"', "order_number: 012")
    path = edit_profile(workspace, "consultation_record: № 2", "consultation_record: NO")
    profile = load_profile(path, workspace).profile
    assert profile.approval.order_number == "012"
    assert profile.union.consultation_record == "NO"
    assert profile.effective_date == dt.date(2025, 10, 15)


def test_every_error_of_a_file_is_reported_at_once(workspace):
    edit_profile(workspace, "staff_count: 14", "staff_count: lots")
    path = edit_profile(workspace, "effective_date: 2025-10-15", "effective_date: 2025-13-01")
    with pytest.raises(ProfileError) as raised:
        load_profile(path, workspace)
    keys = [diagnostic.key_path for diagnostic in raised.value.diagnostics()]
    assert keys == ["effective_date", "staff_count"]


def test_error_in_a_base_names_the_base_file(workspace):
    national = workspace.institutions_dir / "_national.yaml"
    text = national.read_text(encoding="utf-8")
    national.write_text(text.replace("review_period_years: 3", "review_period_years: three"), encoding="utf-8")
    with pytest.raises(ProfileError) as raised:
        load_profile(workspace.institutions_dir / f"{PROFILE}.yaml", workspace)
    [diagnostic] = raised.value.diagnostics()
    assert diagnostic.file.endswith("_national.yaml")
    assert diagnostic.key_path == "review_period_years"
    assert diagnostic.line == 1 + text.splitlines().index("review_period_years: 3")


def test_university_without_student_count_is_refused(workspace):
    path = workspace.institutions_dir / "osh-medical-university.yaml"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("student_count")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ProfileError) as raised:
        load_profile(path, workspace)
    [diagnostic] = raised.value.diagnostics()
    assert "student_count is required for a university" in diagnostic.message
    assert diagnostic.key_path == "type" and diagnostic.line == 1 + lines.index("type: university")
