"""Fingerprints of the code that makes a thing, for cache keys.

A cached frame, clip, line of speech or scene mix is only as good as the code
that made it. Instead of version constants that someone must remember to
bump, a cache key carries :func:`code_fingerprint` of the modules that make
the thing: the sha256 over their syntax trees and those of every Sparkle
Motion module they import, directly or not. Comments, docstrings and
formatting do not count (they change nothing made), so tidying code keeps
the cache; any change to what the code does misses exactly the entries that
code made.

Schemas and errors are left out of the closure: data shapes enter keys as
data, and an error's wording makes nothing.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.metadata
import importlib.util
from pathlib import Path

__all__ = ["code_fingerprint", "library_versions", "module_closure"]

_ROOT = "sparkle_motion"
_LEFT_OUT = ("sparkle_motion.schemas", "sparkle_motion.errors", "sparkle_motion.fingerprint")


def _left_out(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in _LEFT_OUT)


@functools.cache
def _origin(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def _ours(module: str) -> bool:
    return (module == _ROOT or module.startswith(_ROOT + ".")) and not _left_out(module)


def _imported(package: str, node: ast.Import | ast.ImportFrom) -> set[str]:
    """The modules of ours one import statement names (a package's names resolved to the
    submodules they are, when they are modules)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if _ours(alias.name)}
    if node.level:
        base = package.split(".")
        base = base[: len(base) - node.level + 1]
        module = ".".join([*base, node.module] if node.module else base)
    else:
        module = node.module or ""
    if not _ours(module):
        return set()
    found = set()
    for alias in node.names:
        submodule = f"{module}.{alias.name}"
        found.add(submodule if _origin(submodule) is not None else module)
    return {m for m in found if _ours(m)}


def _has_docstring(body: list[ast.stmt]) -> bool:
    first = body[0] if body else None
    return (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    )


@functools.cache
def _module(name: str) -> tuple[str, frozenset[str]]:
    """(sha256 of the module's syntax tree without docstrings, the modules of ours it imports).

    One walk over the tree does both: it drops docstrings and collects imports.
    """
    origin = _origin(name)
    if origin is None:
        raise ModuleNotFoundError(f"no Python source for {name}")
    tree = ast.parse(origin.read_text(encoding="utf-8"), filename=str(origin))
    package = name if origin.name == "__init__.py" else name.rpartition(".")[0]
    imports: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            imports |= _imported(package, node)
        elif isinstance(
            node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
        ) and _has_docstring(node.body):
            node.body = node.body[1:] or [ast.Pass()]
    digest = hashlib.sha256(ast.dump(tree, include_attributes=False).encode("utf-8")).hexdigest()
    return digest, frozenset(imports)


def module_closure(*modules: str) -> list[str]:
    """``modules`` and every Sparkle Motion module they import, transitively, sorted."""
    seen: set[str] = set()
    todo = [m for m in modules if not _left_out(m)]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(_module(name)[1] - seen)
    return sorted(seen)


@functools.cache
def code_fingerprint(*modules: str) -> str:
    """sha256 over the code of ``modules`` and everything of ours they import."""
    material = "\n".join(f"{name} {_module(name)[0]}" for name in module_closure(*modules))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


@functools.cache
def library_versions(*distributions: str) -> dict[str, str]:
    """The installed version of each distribution (e.g. ``pillow``, ``numpy``)."""
    versions = {}
    for name in distributions:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions
