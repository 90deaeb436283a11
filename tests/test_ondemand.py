"""The shared empty container of the per-recipient totals (flowaudit.ondemand)."""

from __future__ import annotations

import pytest

from flowaudit.ondemand import NOTHING, owned


def test_owned_gives_a_new_dict_for_the_shared_empty_one_and_keeps_a_dict_of_ones_own() -> None:
    first, second = owned(NOTHING), owned(NOTHING)
    first["a"] = 1
    assert second == {} and first is not second
    assert owned(first) is first


def test_the_shared_empty_mapping_cannot_be_written() -> None:
    with pytest.raises(TypeError):
        NOTHING["a"] = 1  # type: ignore[index]
    assert dict(NOTHING) == {}
