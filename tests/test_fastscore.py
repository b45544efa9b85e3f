"""kb.engine.whoosh.fastscore helpers (the scoring itself is checked against Whoosh in
tests/test_search_equivalence.py)."""

from __future__ import annotations

import numpy as np
import pytest

from kb.engine.whoosh.fastscore import sorted_member


@pytest.mark.parametrize(
    ("values", "positions"),
    [
        ([0, 3, 7, 12], [3, 4, 12]),
        ([5, 6], []),
        ([], [1, 2]),
        ([100], [1, 2, 99]),  # past the last position
        ([0, 1, 2, 3], [0, 1, 2, 3]),
    ],
)
def test_sorted_member_is_isin(values: list[int], positions: list[int]) -> None:
    v, p = np.array(values, dtype=np.int64), np.array(positions, dtype=np.int64)
    assert sorted_member(v, p).tolist() == np.isin(v, p).tolist()
