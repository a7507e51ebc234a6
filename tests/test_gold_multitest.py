"""Benjamini-Hochberg without statsmodels (:mod:`eventstudy.gold.multitest`): statsmodels'
``multipletests(p, method="fdr_bh")`` adjusted p-values, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventstudy.gold.multitest import adjusted, fdr_bh

multitest = pytest.importorskip("statsmodels.stats.multitest")

pvalues = st.lists(
    st.one_of(st.floats(0, 1), st.sampled_from([0.0, 1.0, 0.05, 0.5, 1e-300])),
    min_size=1,
    max_size=200,
).map(np.array)


@settings(max_examples=300, deadline=None)
@given(p=pvalues)
def test_fdr_bh_is_statsmodels(p):
    expected = multitest.multipletests(p, method="fdr_bh")[1]
    got = fdr_bh(p)
    assert got.dtype == expected.dtype
    assert got.tobytes() == expected.tobytes()


def test_fdr_bh_by_hand_and_other_methods_by_statsmodels():
    p = np.array([0.01, 0.04, 0.03, 0.5])
    # ranks 1, 3, 2, 4: 0.01 * 4, min(0.04 * 4 / 3, 0.03 * 4 / 2), the same, 0.5
    np.testing.assert_allclose(fdr_bh(p), [0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5])
    holm = multitest.multipletests(p, method="holm")[1]
    assert adjusted(p, "holm").tobytes() == holm.tobytes()
    assert adjusted(p, "FDR_BH").tobytes() == fdr_bh(p).tobytes()
