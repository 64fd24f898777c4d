from __future__ import annotations

from pathlib import Path

import pytest

from sparkle_motion.errors import AssetPathError
from sparkle_motion.media.paths import confine


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "show"
    (root / "assets").mkdir(parents=True)
    (root / "assets" / "ok.png").write_bytes(b"x")
    (tmp_path / "secret.png").write_bytes(b"s")
    return root


def test_a_path_inside_the_project_is_accepted(project: Path) -> None:
    assert confine("assets/ok.png", project, [project]) == (project / "assets/ok.png").resolve()
    assert confine("assets/../assets/ok.png", project, [project]).name == "ok.png"


@pytest.mark.parametrize(
    "reference",
    [
        "../secret.png",
        "assets/../../secret.png",
        "/etc/passwd",
        "~/secret.png",
        "",
        "assets/\x00.png",
    ],
)
def test_escapes_are_refused(project: Path, reference: str) -> None:
    with pytest.raises(AssetPathError):
        confine(reference, project, [project])


def test_absolute_path_inside_the_project_is_accepted(project: Path) -> None:
    inside = str((project / "assets" / "ok.png").resolve())
    assert confine(inside, project, [project]).name == "ok.png"


def test_symlink_escaping_the_project_is_refused(project: Path) -> None:
    (project / "assets" / "link.png").symlink_to(project.parent / "secret.png")
    with pytest.raises(AssetPathError, match="outside"):
        confine("assets/link.png", project, [project])
    (project / "assets" / "up").symlink_to(project.parent)
    with pytest.raises(AssetPathError):
        confine("assets/up/secret.png", project, [project])


def test_a_configured_library_root_is_allowed(project: Path) -> None:
    library = project.parent
    assert confine(str(library / "secret.png"), project, [project, library]).name == "secret.png"
