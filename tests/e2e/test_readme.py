"""The README's first command, in a fresh virtualenv on a clean copy of the tree.

One fixture pays for the install and the render; the tests read what it made.
A second render of the same example, in a fresh folder, must give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

ARTIFACTS = ("script", "shotlist", "asset_manifest", "render_plan", "render_output")
_IGNORE = shutil.ignore_patterns(
    ".git",
    ".sparkle",
    "__pycache__",
    "*.egg-info",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    "build",
)


def readme_commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", (REPO / "README.md").read_text(), re.DOTALL)
    return [block.strip() for block in blocks[:2]]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def latest_run(project: Path) -> Path:
    runs = sorted((project / ".sparkle" / "runs").iterdir())
    assert len(runs) == 1
    return runs[0]


def fingerprint(run_dir: Path) -> dict[str, str]:
    output = json.loads((run_dir / "artifacts" / "render_output.json").read_text())
    prints = {name: sha256(run_dir / "artifacts" / f"{name}.json") for name in ARTIFACTS}
    prints["mp4"] = sha256(run_dir / "output" / output["video"]["uri"])
    prints["srt"] = sha256(run_dir / "output" / output["captions_srt"]["uri"])
    return prints


@pytest.fixture(scope="module")
def readme_render(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("fresh")
    tree = root / "sparkle-motion"
    shutil.copytree(REPO, tree, ignore=_IGNORE)
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env['PATH']}"
    first, _ = readme_commands()
    done = subprocess.run(
        ["bash", "-c", first],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return tree, done.stdout


def test_readme_starts_with_the_two_commands() -> None:
    first, second = readme_commands()
    assert first.endswith("sparkle-motion run examples/lighthouse")
    assert second.endswith("python -m pytest")
    ci = (REPO / ".ci" / "run").read_text()
    install, test = second.split(" && ")
    assert install in ci and test in ci


def test_first_command_renders_the_example_and_prints_where_it_is(
    readme_render: tuple[Path, str],
) -> None:
    tree, stdout = readme_render
    printed = dict(re.findall(r"^(video|captions_srt|captions_vtt): (\S+)$", stdout, re.M))
    assert set(printed) == {"video", "captions_srt", "captions_vtt"}
    video = Path(printed["video"])
    assert video.is_file() and video.stat().st_size > 100_000
    assert video.is_relative_to(tree / "examples" / "lighthouse" / ".sparkle" / "runs")


def test_a_second_render_in_a_fresh_folder_gives_the_same_bytes(
    readme_render: tuple[Path, str],
    tmp_path: Path,
) -> None:
    tree, _ = readme_render
    first = fingerprint(latest_run(tree / "examples" / "lighthouse"))
    copy = tmp_path / "lighthouse"
    shutil.copytree(REPO / "examples" / "lighthouse", copy, ignore=_IGNORE)
    done = subprocess.run(
        [sys.executable, "-m", "sparkle_motion.cli", "run", str(copy), "--json"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["status"] == "success"
    second = fingerprint(latest_run(copy))
    assert second == first
    run_dir = latest_run(copy)
    for name in ARTIFACTS:
        assert report["artifacts"][name] == sha256(run_dir / "artifacts" / f"{name}.json")
    assert Path(report["outputs"]["video"]).is_absolute()
