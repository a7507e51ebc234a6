"""Merging a download into the rows a data file already holds (pure: frames in, frame out).

A fetch never shrinks history: :func:`merge_rows` keeps every stored row the download does not
cover, adds the new ones and, where both have a row for the same key (date or timestamp),
keeps the download's values and counts the rows whose values differ. The counts and a few
examples come back as :class:`MergeStats`, which the fetch report and ``manifest.json`` show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["MergeStats", "merge_rows"]

_KEY = "__merge_key__"


@dataclass(frozen=True)
class MergeStats:
    """What a merge did.

    Attributes
    ----------
    existing : int
        Rows the stored file had.
    received : int
        Rows in the download.
    added : int
        Rows whose key the stored file did not have.
    changed : int
        Keys in both whose values differ; the download's values are kept.
    kept : int
        Stored rows the download did not cover, kept unchanged.
    collapsed : int
        Rows of the stored file that repeated a key and were collapsed into the last one (as
        the readers do).
    examples : tuple of str
        Up to three changed values, ``"2025-02-18 close: 2931.6 -> 2931.5"``.
    """

    existing: int
    received: int
    added: int
    changed: int
    kept: int
    collapsed: int = 0
    examples: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        """Rows after the merge."""
        return self.kept + self.received

    def describe(self) -> str:
        """One sentence for the fetch report: ``"merged: 3 new, 2 changed (...), 6392 kept"``."""
        text = f"merged: {self.added} new, {self.changed} changed"
        if self.examples:
            text += f" (e.g. {'; '.join(self.examples)})"
        text += f", {self.kept} kept from the stored file"
        if self.collapsed:
            text += f", {self.collapsed} repeated stored rows collapsed (last kept)"
        return text

    def as_dict(self) -> dict[str, int | list[str]]:
        """JSON-ready form for ``manifest.json``."""
        return {
            "existing": self.existing,
            "received": self.received,
            "added": self.added,
            "changed": self.changed,
            "kept": self.kept,
            "collapsed": self.collapsed,
            "examples": list(self.examples),
        }


def _same(old: pd.Series, new: pd.Series) -> np.ndarray:
    """Elementwise: equal as text, or equal as numbers (``2931.6`` equals ``2931.60``)."""
    old_s, new_s = old.astype("str").str.strip(), new.astype("str").str.strip()
    same = (old_s == new_s).to_numpy()
    a = pd.to_numeric(old_s, errors="coerce").to_numpy(dtype="float64")
    b = pd.to_numeric(new_s, errors="coerce").to_numpy(dtype="float64")
    with np.errstate(invalid="ignore"):
        numeric_same = (a == b) | (np.isnan(a) & np.isnan(b) & (old_s == "").to_numpy())
    return same | numeric_same


def merge_rows(
    existing: pd.DataFrame,
    new: pd.DataFrame,
    key: str,
    *,
    parse_key: Callable[[pd.Series], pd.Series] | None = None,
    sort: bool = True,
) -> tuple[pd.DataFrame, MergeStats]:
    """The stored rows merged with a download: nothing stored is lost, the download wins.

    Parameters
    ----------
    existing : DataFrame
        The stored file's rows, values as text (``dtype=str``).
    new : DataFrame
        The download in the file's layout, values as text, unique keys.
    key : str
        The column identifying a row (``"date"``, ``"t"``, ``"token_id"``).
    parse_key : callable, optional
        Maps a key column to comparable values (e.g. timestamps, so that
        ``2025-03-01T00:00:00Z`` and ``2025-03-01 00:00:00+00:00`` are one key); default the
        stripped text.
    sort : bool, default True
        Sort the result by key; otherwise stored rows keep their order and new keys follow.

    Returns
    -------
    merged : DataFrame
        Columns of ``new`` followed by any column only ``existing`` has (blank for new rows).
    stats : MergeStats
    """
    parse = parse_key if parse_key is not None else (lambda s: s.astype("str").str.strip())
    old = existing.assign(**{_KEY: parse(existing[key]).to_numpy()})
    dup = old[_KEY].duplicated(keep="last")
    collapsed = int(dup.sum())
    old = old.loc[~dup.to_numpy()]
    fresh = new.assign(**{_KEY: parse(new[key]).to_numpy()})
    fresh = fresh.loc[~fresh[_KEY].duplicated(keep="last").to_numpy()]

    covered = old[_KEY].isin(fresh[_KEY]).to_numpy()
    kept = old.loc[~covered]
    before = old.loc[covered].set_index(_KEY)
    after = fresh.loc[fresh[_KEY].isin(before.index).to_numpy()].set_index(_KEY)
    after = after.loc[before.index]
    differs = np.zeros(len(before), dtype=bool)
    examples: list[str] = []
    for column in [c for c in fresh.columns if c in before.columns and c not in (key, _KEY)]:
        col_differs = ~_same(before[column], after[column])
        for pos in np.flatnonzero(col_differs & ~differs)[: max(0, 3 - len(examples))]:
            where = str(after[key].iloc[pos])
            examples.append(
                f"{where} {column}: {before[column].iloc[pos]} -> {after[column].iloc[pos]}"
            )
        differs |= col_differs

    columns = list(new.columns) + [c for c in existing.columns if c not in new.columns]
    merged = pd.concat([kept, fresh], ignore_index=True)
    if sort:
        merged = merged.sort_values(_KEY, kind="stable", ignore_index=True)
    merged = merged.reindex(columns=columns).fillna("").astype("str")
    stats = MergeStats(
        existing=len(existing),
        received=len(fresh),
        added=len(fresh) - len(before),
        changed=int(differs.sum()),
        kept=len(kept),
        collapsed=collapsed,
        examples=tuple(examples),
    )
    return merged, stats
