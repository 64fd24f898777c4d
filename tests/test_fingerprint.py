"""Cache keys carry the fingerprint of the code that makes a thing, and nothing else's."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sparkle_motion
from sparkle_motion.fingerprint import code_fingerprint, module_closure

# What makes each cached thing (as the engine's cache keys name it).
MAKERS = {
    "frames": ["sparkle_motion.render.frames"],
    "clips": ["sparkle_motion.render.clips"],
    "speech": ["sparkle_motion.audio.tts"],
    "sound": [
        "sparkle_motion.audio.soundtrack",
        "sparkle_motion.audio.decode",
        "sparkle_motion.render.sound_layout",
    ],
}
PACKAGE = Path(sparkle_motion.__file__).parent


def fingerprints(src: Path) -> dict[str, str]:
    """Each maker's fingerprint, computed in a fresh interpreter over the package at ``src``."""
    script = (
        "import json, sys\n"
        "from sparkle_motion.fingerprint import code_fingerprint\n"
        f"makers = {MAKERS!r}\n"
        "print(json.dumps({k: code_fingerprint(*v) for k, v in makers.items()}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
        cwd=src,
    )
    found: dict[str, str] = json.loads(done.stdout)
    return found


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("src")
    shutil.copytree(PACKAGE, root / "sparkle_motion", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def edit(copy: Path, module: str, old: str, new: str) -> None:
    path = copy / (module.replace(".", "/") + ".py")
    text = path.read_text()
    assert old in text, (module, old)
    path.write_text(text.replace(old, new, 1))


def test_the_copy_fingerprints_as_the_package_does(copy: Path) -> None:
    assert fingerprints(copy) == {k: code_fingerprint(*v) for k, v in MAKERS.items()}


@pytest.mark.parametrize(
    ("module", "old", "new", "missed"),
    [
        # the camera's easing curve: only clips
        (
            "sparkle_motion.render.motion",
            "def ease(t: float) -> float:",
            "def ease(t: float) -> float:\n    t = t * 1.0",
            {"clips"},
        ),
        # the drawn set's shapes: only frames
        (
            "sparkle_motion.render._scenery",
            "def _disc(",
            "def _unused_shape() -> None:\n    pass\n\n\ndef _disc(",
            {"frames"},
        ),
        # the resampler, which only sound uses
        (
            "sparkle_motion.audio.limiter",
            "from __future__ import annotations",
            "from __future__ import annotations\n_TWEAK = 1",
            {"sound"},
        ),
        # the delivery styles change how lines are spoken: only speech
        (
            "sparkle_motion.audio.delivery",
            "from __future__ import annotations",
            "from __future__ import annotations\n_TWEAK = 1",
            {"speech"},
        ),
        # decoding effects and library beds for the mix: only sound
        (
            "sparkle_motion.audio.decode",
            "from __future__ import annotations",
            "from __future__ import annotations\n_TWEAK = 1",
            {"sound"},
        ),
    ],
    ids=["camera", "scenery", "limiter", "delivery", "decoding"],
)
def test_a_change_to_code_misses_exactly_what_it_makes(
    tmp_path: Path, module: str, old: str, new: str, missed: set[str]
) -> None:
    root = tmp_path / "src"
    shutil.copytree(PACKAGE, root / "sparkle_motion", ignore=shutil.ignore_patterns("__pycache__"))
    before = fingerprints(root)
    edit(root, module, old, new)
    after = fingerprints(root)
    assert {name for name in MAKERS if before[name] != after[name]} == missed


def test_comments_docstrings_and_layout_do_not_count(tmp_path: Path) -> None:
    root = tmp_path / "src"
    shutil.copytree(PACKAGE, root / "sparkle_motion", ignore=shutil.ignore_patterns("__pycache__"))
    before = fingerprints(root)
    edit(
        root,
        "sparkle_motion.render.motion",
        "def ease(t: float) -> float:",
        "# a comment\ndef ease(  t: float  ) -> float:  # another",
    )
    edit(root, "sparkle_motion.render.clips", '"""', '"""Reworded. ')
    assert fingerprints(root) == before


def test_the_closure_follows_imports_and_leaves_schemas_out() -> None:
    frames = module_closure("sparkle_motion.render.frames")
    assert "sparkle_motion.render._scenery" in frames and "sparkle_motion.seeding" in frames
    assert not any(name.startswith("sparkle_motion.schemas") for name in frames)
    assert "sparkle_motion.render.motion" in module_closure("sparkle_motion.render.clips")
    assert "sparkle_motion.render.motion" not in frames
