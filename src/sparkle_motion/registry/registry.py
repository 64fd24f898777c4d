"""The artifact registry: a blob store plus the lineage index that describes it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from sparkle_motion.errors import ArtifactNotFound, InputError, MissingInput, RegistryError
from sparkle_motion.registry.engine import create_index_engine, index_url, migrate
from sparkle_motion.registry.index import Clock, Index
from sparkle_motion.registry.record import ArtifactRecord, describe
from sparkle_motion.registry.store import BlobStore, is_sha256
from sparkle_motion.schemas import Artifact

__all__ = ["MIN_PREFIX", "Registry"]

MIN_PREFIX = 6
_SHOWN_CANDIDATES = 5


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Registry:
    """Content-addressed artifacts under ``root``, indexed in SQLite or PostgreSQL.

    Bytes are written before they are indexed, so an indexed artifact always
    has its blob unless someone deleted it; a blob without an index row is
    unreachable and harmless.
    """

    def __init__(self, root: Path, blobs: BlobStore, index: Index) -> None:
        self.root = root
        self._blobs = blobs
        self._index = index

    @classmethod
    def open(
        cls, root: Path, database_url: str | None = None, *, clock: Clock | None = None
    ) -> Registry:
        """Open (creating if needed) the registry at ``root``; migrates the index to head.

        ``clock`` stamps index rows only; artifacts never hold wall-clock time.
        """
        root.mkdir(parents=True, exist_ok=True)
        blobs = BlobStore(root / "objects")
        url = index_url(root, database_url)
        engine = create_index_engine(url)
        try:
            migrate(engine)
        except OperationalError as exc:
            engine.dispose()
            raise RegistryError(
                f"cannot open the registry index: {_first_line(exc.orig)}",
                where=url.render_as_string(hide_password=True),
                hint="check that the database server is running and SPARKLE_DATABASE_URL is right",
            ) from exc
        except BaseException:
            engine.dispose()
            raise
        return cls(root, blobs, Index(engine, clock or _utc_now))

    def put_bytes(
        self,
        data: bytes,
        *,
        kind: str,
        schema_version: str | None = None,
        parents: Sequence[str] = (),
        params: Mapping[str, Any] | None = None,
        origin: str = "local",
        provenance: Mapping[str, Any] | None = None,
        run_id: str | None = None,
    ) -> ArtifactRecord:
        new = describe(
            kind=kind,
            schema_version=schema_version,
            parents=parents,
            params=params,
            origin=origin,
            provenance=provenance,
            run_id=run_id,
        )
        digest, size = self._blobs.put_bytes(data)
        return self._index.add(digest, size, new)

    def put_artifact(
        self,
        artifact: Artifact,
        *,
        parents: Sequence[str] = (),
        params: Mapping[str, Any] | None = None,
        run_id: str | None = None,
    ) -> ArtifactRecord:
        """Store an artifact's canonical JSON under its kind and schema version."""
        return self.put_bytes(
            artifact.to_json(),
            kind=artifact.KIND,
            schema_version=artifact.schema_version,
            parents=parents,
            params=params,
            run_id=run_id,
        )

    def put_file(
        self,
        path: Path,
        *,
        kind: str,
        schema_version: str | None = None,
        parents: Sequence[str] = (),
        params: Mapping[str, Any] | None = None,
        origin: str = "local",
        provenance: Mapping[str, Any] | None = None,
        run_id: str | None = None,
        move: bool = False,
    ) -> ArtifactRecord:
        """Store a copy of the file at ``path``, streamed, never whole in memory.

        ``move`` takes a scratch file in by renaming it (see ``BlobStore.put_file``).
        """
        new = describe(
            kind=kind,
            schema_version=schema_version,
            parents=parents,
            params=params,
            origin=origin,
            provenance=provenance,
            run_id=run_id,
        )
        try:
            digest, size = self._blobs.put_file(path, move=move)
        except (FileNotFoundError, IsADirectoryError):
            raise MissingInput(
                "no file to store", where=str(path), hint="check the path the stage wrote"
            ) from None
        return self._index.add(digest, size, new)

    def get_bytes(self, hash: str) -> bytes:
        """The artifact's bytes, checked against its hash (CorruptArtifact if they differ)."""
        return self._blobs.read(self.record(hash).hash)

    def blob_path(self, hash: str) -> Path:
        """Where the artifact's bytes live, for reading only; not re-verified here."""
        return self._blobs.stored_path(self.record(hash).hash)

    def has(self, hash: str) -> bool:
        """True when the artifact is indexed and its blob is on disk."""
        return is_sha256(hash) and self._blobs.exists(hash) and self._index.get(hash) is not None

    def record(self, hash: str) -> ArtifactRecord:
        found = self._index.get(hash) if is_sha256(hash) else None
        if found is None:
            raise _not_found(hash)
        return found

    def resolve_prefix(self, prefix: str) -> str:
        """The one indexed hash starting with ``prefix`` (at least six hex characters)."""
        wanted = prefix.strip().lower()
        if len(wanted) < MIN_PREFIX or not all(c in "0123456789abcdef" for c in wanted):
            raise InputError(
                f"{prefix!r} is not a hash prefix",
                where="hash",
                hint=f"give at least {MIN_PREFIX} hex characters of the artifact's sha256",
            )
        matches = self._index.hashes_with_prefix(wanted, limit=_SHOWN_CANDIDATES + 1)
        if not matches:
            raise ArtifactNotFound(
                f"no artifact hash starts with {wanted}",
                where="registry",
                hint="check the hash, or the registry root and database URL",
            )
        if len(matches) > 1:
            shown = ", ".join(match[:12] for match in matches[:_SHOWN_CANDIDATES])
            more = ", …" if len(matches) > _SHOWN_CANDIDATES else ""
            raise InputError(
                f"hash prefix {wanted} is ambiguous: {shown}{more}",
                where="hash",
                hint="give more characters of the hash",
            )
        return matches[0]

    def lineage(self, hash: str) -> list[ArtifactRecord]:
        """The artifact, then its ancestors breadth-first (parents in order), each once."""
        found = self._index.lineage(hash) if is_sha256(hash) else None
        if found is None:
            raise _not_found(hash)
        return found

    def by_run(self, run_id: str) -> list[ArtifactRecord]:
        """Artifacts the run produced or used, oldest index entry first; [] for an unknown run."""
        return self._index.by_run(run_id)

    @property
    def engine(self) -> Engine:
        """The index database, migrated, for stores that keep their tables beside the index."""
        return self._index.engine

    def close(self) -> None:
        """Release database connections (disposes the engine)."""
        self._index.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _not_found(hash: str) -> ArtifactNotFound:
    hint = (
        "check the registry root and database URL"
        if is_sha256(hash)
        else "a hash is 64 lowercase hex characters; expand a short one with resolve_prefix"
    )
    return ArtifactNotFound(f"no artifact {hash}", where="registry", hint=hint)


def _first_line(reason: object) -> str:
    lines = str(reason).strip().splitlines()
    return lines[0] if lines else "no reason given"
