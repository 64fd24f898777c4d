"""The lineage index: one writer adds artifacts, any number of readers query them."""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime

from sqlalchemy import Connection, Engine, Insert, Select, Table, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from sparkle_motion.errors import ArtifactNotFound
from sparkle_motion.registry.engine import write_transaction
from sparkle_motion.registry.record import ArtifactRecord, NewArtifact
from sparkle_motion.registry.tables import artifact_parents, artifact_runs, artifacts

__all__ = ["Index", "breadth_first"]

Clock = Callable[[], datetime]


class Index:
    """Artifacts, their ordered parents and their runs, in SQLite or PostgreSQL."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        # SQLite has one writer per file anyway; queueing here spares the busy-wait.
        # PostgreSQL writers run side by side and rely on ON CONFLICT DO NOTHING.
        self._write_lock: AbstractContextManager[object] = (
            threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        )

    def add(self, digest: str, size: int, new: NewArtifact) -> ArtifactRecord:
        """Index stored bytes; a known hash keeps its first description and gains the run."""
        with self._write_lock, write_transaction(self._engine) as connection:
            _refuse_dangling(connection, new)
            inserted = connection.execute(
                _insert_ignoring_duplicates(connection, artifacts)
                .values(
                    hash=digest,
                    kind=new.kind,
                    schema_version=new.schema_version,
                    params=new.params_json,
                    origin=new.origin,
                    provenance=new.provenance_json,
                    size=size,
                    created_at=self._clock(),
                )
                .returning(artifacts.c.hash)
            )
            if inserted.first() is not None and new.parents:
                connection.execute(
                    insert(artifact_parents),
                    [
                        {"child": digest, "position": position, "parent": parent}
                        for position, parent in enumerate(new.parents)
                    ],
                )
            if new.run_id is not None:
                connection.execute(
                    _insert_ignoring_duplicates(connection, artifact_runs).values(
                        hash=digest, run_id=new.run_id
                    )
                )
            return _load(connection, [digest])[digest]

    def get(self, digest: str) -> ArtifactRecord | None:
        with self._reading() as connection:
            return _load(connection, [digest]).get(digest)

    def hashes_with_prefix(self, prefix: str, *, limit: int) -> list[str]:
        query = (
            select(artifacts.c.hash)
            .where(artifacts.c.hash.startswith(prefix, autoescape=True))
            .order_by(artifacts.c.hash)
            .limit(limit)
        )
        with self._reading() as connection:
            return list(connection.scalars(query))

    def lineage(self, digest: str) -> list[ArtifactRecord] | None:
        """``digest`` then its ancestors breadth-first, each once; None if not indexed."""
        reach = (
            select(artifact_parents.c.child, artifact_parents.c.position, artifact_parents.c.parent)
            .where(artifact_parents.c.child == digest)
            .cte("reach", recursive=True)
        )
        step = select(
            artifact_parents.c.child, artifact_parents.c.position, artifact_parents.c.parent
        ).join(reach, artifact_parents.c.child == reach.c.parent)
        reach = reach.union(step)
        with self._reading() as connection:
            edges = connection.execute(select(reach.c.child, reach.c.position, reach.c.parent))
            order = breadth_first(digest, edges)
            records = _load(connection, order)
        if digest not in records:
            return None
        return [records[each] for each in order]

    def by_run(self, run_id: str) -> list[ArtifactRecord]:
        """Every artifact the run produced or used, oldest index entry first."""
        in_run = select(artifact_runs.c.hash).where(artifact_runs.c.run_id == run_id)
        with self._reading() as connection:
            return list(_load(connection, in_run).values())

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        self._engine.dispose()

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        with self._engine.connect() as connection:
            yield connection


def breadth_first(start: str, edges: Iterable[tuple[str, int, str]]) -> list[str]:
    """``start`` then its ancestors level by level, each parent list in order, each once."""
    parents: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for child, position, parent in edges:
        parents[child].append((position, parent))
    order, seen, frontier = [start], {start}, [start]
    while frontier:
        next_frontier = []
        for child in frontier:
            for _, parent in sorted(parents[child]):
                if parent not in seen:
                    seen.add(parent)
                    order.append(parent)
                    next_frontier.append(parent)
        frontier = next_frontier
    return order


def _refuse_dangling(connection: Connection, new: NewArtifact) -> None:
    if not new.parents:
        return
    known = set(
        connection.scalars(select(artifacts.c.hash).where(artifacts.c.hash.in_(set(new.parents))))
    )
    missing = [parent for parent in new.parents if parent not in known]
    if missing:
        raise ArtifactNotFound(
            f"parent artifact {missing[0]} is not in the registry",
            where=f"{new.kind} parents",
            hint="store every parent before its children, so lineage never dangles",
        )


def _insert_ignoring_duplicates(connection: Connection, table: Table) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING, spelled for the connection's dialect."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def _load(
    connection: Connection, chosen: Sequence[str] | Select[tuple[str]]
) -> dict[str, ArtifactRecord]:
    """Records for the chosen hashes, oldest index entry first, in three queries."""
    parents: dict[str, list[str]] = defaultdict(list)
    for child, parent in connection.execute(
        select(artifact_parents.c.child, artifact_parents.c.parent)
        .where(artifact_parents.c.child.in_(chosen))
        .order_by(artifact_parents.c.position)
    ):
        parents[child].append(parent)
    runs: dict[str, list[str]] = defaultdict(list)
    for digest, run_id in connection.execute(
        select(artifact_runs.c.hash, artifact_runs.c.run_id).where(artifact_runs.c.hash.in_(chosen))
    ):
        runs[digest].append(run_id)
    rows = connection.execute(
        select(artifacts)
        .where(artifacts.c.hash.in_(chosen))
        .order_by(artifacts.c.created_at, artifacts.c.hash)
    )
    return {
        row.hash: ArtifactRecord(
            hash=row.hash,
            kind=row.kind,
            schema_version=row.schema_version,
            parents=tuple(parents[row.hash]),
            params=json.loads(row.params),
            origin=row.origin,
            provenance=None if row.provenance is None else json.loads(row.provenance),
            run_ids=tuple(sorted(runs[row.hash])),
            size=row.size,
        )
        for row in rows
    }
