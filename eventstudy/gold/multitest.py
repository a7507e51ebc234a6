"""Benjamini-Hochberg adjusted p-values as statsmodels computes them, without statsmodels.

``statsmodels.stats.multitest.multipletests(p, method="fdr_bh")[1]`` (statsmodels 0.15) sorts
the p-values (``np.argsort``), divides each by its rank over the count, takes the running
minimum from the largest down, caps at 1 and puts them back in the input order. Importing
``statsmodels.stats.multitest`` costs about 0.2 s on a run's serial path (it imports the
regression models and formulaic); :func:`fdr_bh` repeats the same array operations, so the
adjusted p-values are statsmodels', bit for bit (tested against statsmodels).
"""

from __future__ import annotations

import numpy as np

__all__ = ["adjusted", "fdr_bh"]


def fdr_bh(pvalues: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg (1995) adjusted p-values, in the order given.

    Parameters
    ----------
    pvalues : array_like
        One-dimensional p-values, none NaN.

    Returns
    -------
    ndarray
        ``multipletests(pvalues, method="fdr_bh")[1]``.
    """
    pvals = np.asarray(pvalues)
    order = np.argsort(pvals)
    ranked = np.take(pvals, order)
    ecdf = np.arange(1, len(ranked) + 1) / float(len(ranked))
    corrected = np.minimum.accumulate((ranked / ecdf)[::-1])[::-1]
    corrected[corrected > 1] = 1
    out = np.empty_like(corrected)
    out[order] = corrected
    return out


def adjusted(pvalues: np.ndarray, method: str = "fdr_bh") -> np.ndarray:
    """``multipletests(pvalues, method=method)[1]``: :func:`fdr_bh` for ``"fdr_bh"``.

    Parameters
    ----------
    pvalues : array_like
        One-dimensional p-values, none NaN.
    method : str, default "fdr_bh"
        A :func:`statsmodels.stats.multitest.multipletests` method; other than ``"fdr_bh"``
        (or its aliases) statsmodels computes it.

    Returns
    -------
    ndarray
    """
    if method.lower() in ("fdr_bh", "fdr_i", "fdr_p", "fdri", "fdrp"):
        return fdr_bh(pvalues)
    from statsmodels.stats.multitest import multipletests

    return np.asarray(multipletests(pvalues, method=method)[1])
