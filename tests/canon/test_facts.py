"""Fact paths, the normal form, and diffs that apply exactly."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from sparkle_motion.canon.facts import (
    COLLECTIONS,
    apply_changes,
    count_facts,
    diff_canons,
    from_table,
    normalize,
    split_path,
    to_table,
)
from sparkle_motion.errors import CanonConflict
from sparkle_motion.schemas import Canon
from tests.strategies import canons

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(canons(), canons())
def test_applying_the_diff_of_two_canons_gives_the_second(a: Canon, b: Canon) -> None:
    changes = diff_canons(a, b)
    assert apply_changes(a, changes) == normalize(b)
    assert diff_canons(b, b) == []


@PROPERTY
@given(canons())
def test_the_normal_form_is_stable_and_keeps_every_fact(canon: Canon) -> None:
    once = normalize(canon)
    assert normalize(once) == once
    assert once.content_hash() == normalize(canon.model_copy()).content_hash()
    assert to_table(once) == to_table(canon)


@PROPERTY
@given(canons())
def test_the_normal_form_of_any_order_is_the_one_its_fact_table_makes(canon: Canon) -> None:
    backwards = canon.model_copy(
        update={name: list(reversed(getattr(canon, name))) for name in COLLECTIONS}
    )
    for given_canon in (canon, backwards, normalize(canon)):
        rebuilt = from_table(to_table(given_canon), given_canon.schema_version)
        assert normalize(given_canon) == rebuilt
        assert normalize(given_canon).to_json() == rebuilt.to_json()


def test_keys_with_dots_and_slashes_are_escaped_so_paths_split() -> None:
    canon = Canon.model_validate(
        {
            "schema_version": "1.0.0",
            "characters": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
            "relationships": [{"a": "a", "b": "b", "kind": "ex.wife/of"}],
        }
    )
    [path] = to_table(canon)["relationships"]
    assert path == "a/b/ex%2Ewife%2Fof"
    assert split_path(f"relationships.{path}.since") == ("relationships", path, "since")
    with pytest.raises(ValueError, match="not a canon fact path"):
        split_path("nonsense.x")


def test_a_diff_whose_before_no_longer_holds_is_a_conflict() -> None:
    a = Canon.model_validate(
        {"schema_version": "1.0.0", "characters": [{"id": "m", "name": "Mara"}]}
    )
    b = a.model_copy(update={"characters": [a.characters[0].model_copy(update={"age": 17})]})
    c = a.model_copy(update={"characters": [a.characters[0].model_copy(update={"age": 30})]})
    with pytest.raises(CanonConflict, match=r"characters\.m\.age"):
        apply_changes(c, diff_canons(a, b))
    assert apply_changes(c, diff_canons(a, b), strict=False).characters[0].age == 17


def test_facts_are_counted_per_field_that_says_something() -> None:
    canon = Canon.model_validate(
        {
            "schema_version": "1.0.0",
            "characters": [{"id": "m", "name": "Mara", "age": 17}],
            "relationships": [{"a": "m", "b": "m", "kind": "self"}],
        }
    )
    # name, age, status of the character; the relationship counts once
    assert count_facts(canon) == 4
