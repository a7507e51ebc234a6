"""Plots of claims and their verdicts (:mod:`eventstudy.claims`).

One function per chart, ``ax=None`` in, the Axes out, never ``plt.show()``. Each draws what
:class:`~eventstudy.claims.results.ClaimsResults` computed (its ``plot_data`` and
``verdicts``); nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from eventstudy.plotting._common import new_axes, set_title
from eventstudy.plotting._labels import Lang, check_lang, label, legend_kw, text_kw, word

__all__ = [
    "LEGEND_BESIDE",
    "VERDICT_COLORS",
    "plot_association",
    "plot_claim",
    "plot_event_effect",
    "plot_level",
    "plot_shift",
    "plot_threshold",
    "plot_verdicts",
    "verdicts_figsize",
]

VERDICT_COLORS: dict[str, str] = {
    "supported": "tab:green",
    "contradicted": "tab:red",
    "inconclusive": "tab:gray",
    "no data": "white",
}


LEGEND_BESIDE: Mapping[str, Any] = MappingProxyType(
    {"loc": "upper left", "bbox_to_anchor": (1.0, 1.0)}
)
"""Where the threshold chart's legend goes: right of the Axes, its top level with theirs, so
that it covers neither the horizons' labels (at the foot of their lines) nor the path."""


def _finish(
    ax: Axes,
    data: Mapping[str, Any],
    lang: Lang,
    *,
    legend: Mapping[str, Any] | None = None,
    dates: bool = True,
) -> Axes:
    """Unit label, wrapped title, legend and (for a date axis) slanted dates.

    ``legend`` places the legend (``legend()`` keywords); default ``loc="best"``.
    """
    ax.set_ylabel(data["unit"])
    set_title(ax, data["title"])
    ax.legend(**(legend or {"loc": "best"}), **legend_kw(lang, 7))
    if dates:
        ax.figure.autofmt_xdate()
    return ax


def plot_threshold(data: Mapping[str, Any], ax: Axes | None = None, *, lang: Lang = "en") -> Axes:
    """A threshold claim: the series path, the level, the claim date, the horizons.

    Parameters
    ----------
    data : mapping
        ``path`` (DataFrame: one column per series and price field, in the first series'
        unit, indexed by date), ``path_columns`` (DataFrame indexed by ``path``'s columns:
        ``series``, e.g. ``GC=F``, and ``field``, ``close``, ``high`` or ``low``), ``level``,
        ``above``, ``made_on``, ``horizons`` (DataFrame, one row per horizon: ``token``,
        e.g. ``1M``, ``""`` for the main horizon, and ``end``, its last date), ``first``
        (``path`` column -> first date reached), ``p_noinfo`` (model -> probability),
        ``unit``, ``title``. Further keys (``ends``: the horizons' labels in English) are
        not read.
    ax : Axes, optional
    lang : {"en", "ja"}, default "en"
        Language of the fixed words (labels, legend) and of the price fields' and horizons'
        names, composed from ``path_columns`` and ``horizons``; the data's other texts (the
        title, the unit, the series) are drawn as given.

    Returns
    -------
    Axes
        Closes are lines, highs/lows thin dotted lines; the level is a dashed horizontal line,
        ``made_on`` a solid vertical line, horizon ends dotted verticals labelled at their
        foot, first dates dots. The legend is right of the Axes (:data:`LEGEND_BESIDE`).

    Raises
    ------
    SpecificationError
        ``lang`` is not a language of the figures.
    """
    check_lang(lang)
    ax = new_axes(ax, figsize=(8, 4.5))
    path: pd.DataFrame = data["path"]
    columns: pd.DataFrame = data["path_columns"]
    for col in path.columns:
        series, field = columns.loc[col, ["series", "field"]]
        close = field == "close"
        ax.plot(path.index, path[col], lw=1.4 if close else 0.7, ls="-" if close else ":",
                label=f"{series} {word(lang, 'field', field)}")  # fmt: skip
    ax.axhline(data["level"], color="black", ls="--", lw=1,
               label=label(lang, "level_at", level=data["level"]))  # fmt: skip
    ax.axvline(data["made_on"], color="tab:red", lw=1.2,
               label=label(lang, "claim_on", date=data["made_on"]))  # fmt: skip
    for token, end in zip(data["horizons"]["token"], data["horizons"]["end"], strict=True):
        ax.axvline(end, color="tab:purple", ls=":", lw=1)
        ax.annotate(
            _horizon_text(token, end, lang),
            (end, 0.02),
            xycoords=("data", "axes fraction"),
            rotation=90,
            fontsize=7,
            ha="right",
            va="bottom",
            **text_kw(lang),
        )
    for series, date in data["first"].items():
        if series in path.columns and date in path.index:
            ax.scatter([date], [path.loc[date, series]], zorder=3, s=30)
    p = data["p_noinfo"]
    ax.text(
        0.01,
        0.98,
        label(lang, "no_information", brownian=p["brownian"], bootstrap=p["bootstrap"]),
        transform=ax.transAxes,
        va="top",
        fontsize=8,
        **text_kw(lang),
    )
    return _finish(ax, data, lang, legend=LEGEND_BESIDE)


def _horizon_text(token: str, end: pd.Timestamp, lang: Lang) -> str:
    """A horizon's label: ``"through 2025-05-18"``, ``"1M: through 2025-03-18"`` in English."""
    through = label(lang, "through", date=pd.Timestamp(end))
    return f"{token}: {through}" if token else through


def plot_level(data: Mapping[str, Any], ax: Axes | None = None, *, lang: Lang = "en") -> Axes:
    """A level claim: the path with the level, its tolerance band and the date range.

    Parameters
    ----------
    data : mapping
        ``path`` (Series indexed by date), ``level``, ``tolerance``, ``start``, ``end``,
        ``unit``, ``title``.
    ax : Axes, optional
    lang : {"en", "ja"}, default "en"
        Language of the fixed words (labels, legend); the data's texts are drawn as given.

    Returns
    -------
    Axes

    Raises
    ------
    SpecificationError
        ``lang`` is not a language of the figures.
    """
    check_lang(lang)
    ax = new_axes(ax)
    path: pd.Series = data["path"]
    ax.plot(path.index, path.to_numpy(), marker=".", lw=1, color="tab:gray")
    lo, hi = data["level"] - data["tolerance"], data["level"] + data["tolerance"]
    ax.axhspan(lo, hi, color="tab:green", alpha=0.2, label=label(lang, "level_band"))
    ax.axhline(data["level"], color="tab:green", lw=1)
    start, end = data["start"], data["end"] + pd.Timedelta(days=1)
    if getattr(path.index, "tz", None) is not None:
        start, end = start.tz_localize("UTC"), end.tz_localize("UTC")
    ax.axvspan(start, end, color="tab:blue", alpha=0.08, label=label(lang, "claim_range"))
    return _finish(ax, data, lang)


def plot_shift(data: Mapping[str, Any], ax: Axes | None = None, *, lang: Lang = "en") -> Axes:
    """A shift claim: the series with its mean before and after the break.

    Parameters
    ----------
    data : mapping
        ``path`` (Series indexed by date), ``means`` (``"before"``/``"after"`` -> start, end,
        mean), ``unit``, ``title``.
    ax : Axes, optional
    lang : {"en", "ja"}, default "en"
        Language of the fixed words (labels, legend); the data's texts are drawn as given.

    Returns
    -------
    Axes

    Raises
    ------
    SpecificationError
        ``lang`` is not a language of the figures.
    """
    check_lang(lang)
    ax = new_axes(ax)
    path: pd.Series = data["path"]
    ax.plot(path.index, path.to_numpy(), lw=0.8, color="tab:gray")
    for name, (start, end, mean) in data["means"].items():
        ax.hlines(
            mean,
            start,
            end,
            color="tab:blue" if name == "before" else "tab:orange",
            lw=2.5,
            label=label(lang, "mean_of", name=word(lang, "period", name), mean=mean),
        )
    return _finish(ax, data, lang)


def plot_event_effect(
    data: Mapping[str, Any], ax: Axes | None = None, *, lang: Lang = "en"
) -> Axes:
    """An event_effect claim: CARs per event (gold) or the odds path with its samples.

    Parameters
    ----------
    data : mapping
        ``kind`` (``"event_gold"``: ``bars``, ``window``; else ``path``, ``points``,
        ``event_times``) and ``title``.
    ax : Axes, optional
    lang : {"en", "ja"}, default "en"
        Language of the fixed words (labels, legend); the data's texts are drawn as given.

    Returns
    -------
    Axes

    Raises
    ------
    SpecificationError
        ``lang`` is not a language of the figures.
    """
    check_lang(lang)
    ax = new_axes(ax)
    if data["kind"] == "event_gold":
        bars: pd.DataFrame = data["bars"]
        x = np.arange(len(bars))
        ax.bar(x, bars["estimate_pct"], color="tab:orange")
        for xi, (est, p) in enumerate(zip(bars["estimate_pct"], bars["p"], strict=True)):
            ax.annotate(
                f"p={p:.2f}",
                (xi, est),
                ha="center",
                fontsize=7,
                xytext=(0, 3 if est >= 0 else -10),
                textcoords="offset points",
            )
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xticks(x, bars["event_id"], rotation=30, ha="right", fontsize=7)
        ax.set_ylabel(label(lang, "car_hac", window=data["window"]), **text_kw(lang))
    else:
        path: pd.Series = data["path"]
        ax.plot(path.index, path.to_numpy(), drawstyle="steps-post", color="tab:gray", lw=1)
        for eid, (t_b, p_b, t_a, p_a) in data["points"].items():
            ax.axvline(data["event_times"][eid], color="tab:red", lw=1, label=eid)
            ax.scatter([t_b, t_a], [p_b, p_a], zorder=3, s=30)
        times = list(data["event_times"].values())
        ax.set_xlim(min(times) - pd.Timedelta(days=14), max(times) + pd.Timedelta(days=21))
        ax.set_ylim(-0.02, 1.02)
        ax.set_ylabel(label(lang, "probability_yes"), **text_kw(lang))
        ax.legend(loc="best", **legend_kw(lang, 7))
        ax.figure.autofmt_xdate()
    set_title(ax, data["title"])
    return ax


def plot_association(data: Mapping[str, Any], ax: Axes | None = None, *, lang: Lang = "en") -> Axes:
    """An association claim: the scatter of the daily changes with the HAC slope.

    Parameters
    ----------
    data : mapping
        ``points`` (DataFrame ``x``, ``y``), ``slope``, optional ``intercept``, ``x_label``,
        ``y_label``, ``title``.
    ax : Axes, optional
    lang : {"en", "ja"}, default "en"
        Language of the fixed words (labels, legend); the data's texts are drawn as given.

    Returns
    -------
    Axes

    Raises
    ------
    SpecificationError
        ``lang`` is not a language of the figures.
    """
    check_lang(lang)
    ax = new_axes(ax)
    pts: pd.DataFrame = data["points"]
    ax.scatter(pts["x"], pts["y"], s=8, alpha=0.5, color="tab:gray")
    xs = np.array([pts["x"].min(), pts["x"].max()])
    intercept = data.get("intercept", float(pts["y"].mean() - data["slope"] * pts["x"].mean()))
    ax.plot(
        xs,
        intercept + data["slope"] * xs,
        color="tab:orange",
        lw=1.5,
        label=label(lang, "ols_slope"),
    )
    ax.set_xlabel(data["x_label"])
    ax.set_ylabel(data["y_label"])
    set_title(ax, data["title"])
    ax.legend(loc="best", **legend_kw(lang, 8))
    return ax


def plot_claim(
    data: Mapping[str, Any], row: pd.Series, ax: Axes | None = None, *, lang: Lang = "en"
) -> Axes:
    """The chart of one claim's kind; a ``no data`` claim shows the missing file.

    Parameters
    ----------
    data : mapping
        The claim's ``plot_data`` (its ``kind`` picks the chart).
    row : Series
        The claim's verdict row (``verdict``, ``reason``), written out when there is no chart.
    ax : Axes, optional
    lang : {"en", "ja"}, default "en"
        Language of the fixed words (labels, legend); the data's texts are drawn as given.

    Returns
    -------
    Axes

    Raises
    ------
    SpecificationError
        ``lang`` is not a language of the figures.
    """
    check_lang(lang)
    draw = _CHARTS.get(data.get("kind"))
    if draw is not None:
        return draw(data, ax, lang=lang)
    ax = new_axes(ax)
    ax.set_axis_off()
    text = f"{row.name}: {word(lang, 'verdict', row['verdict'])}\n{row['reason']}"
    ax.text(0.01, 0.5, text, wrap=True, va="center", fontsize=9, transform=ax.transAxes)
    return ax


_CHARTS: dict[Any, Any] = {
    "threshold": plot_threshold,
    "level": plot_level,
    "shift": plot_shift,
    "event_gold": plot_event_effect,
    "event_market": plot_event_effect,
    "association": plot_association,
}
"""The chart of each claim kind."""


def verdicts_figsize(n: int) -> tuple[float, float]:
    """Size (inches) of the figure :func:`plot_verdicts` makes for ``n`` claims."""
    return (8.0, 0.45 * n + 1.2)


def plot_verdicts(verdicts: pd.DataFrame, ax: Axes | None = None, *, lang: Lang = "en") -> Axes:
    """Every claim's p-value on a log scale, coloured by verdict, with each claim's alpha.

    Parameters
    ----------
    verdicts : DataFrame
        :attr:`~eventstudy.claims.results.ClaimsResults.verdicts`.
    ax : Axes, optional
    lang : {"en", "ja"}, default "en"
        Language of the title, the axis label, the legend and the verdicts' names.

    Returns
    -------
    Axes
        One horizontal bar per claim (first claim on top), length ``-log10(p)``; claims
        without a p (level claims, ``no data``) get an outlined stub labelled with their
        verdict; a tick marks ``-log10(alpha)``.

    Raises
    ------
    SpecificationError
        ``lang`` is not a language of the figures.
    """
    check_lang(lang)
    created = ax is None
    ax = new_axes(ax, figsize=verdicts_figsize(len(verdicts)))
    y = np.arange(len(verdicts))[::-1]
    p = verdicts["p"].astype(float).to_numpy()
    height = np.where(np.isfinite(p), -np.log10(np.clip(p, 1e-12, 1)), 0.05)
    colors = [VERDICT_COLORS.get(v, "tab:gray") for v in verdicts["verdict"]]
    ax.barh(y, height, color=colors, edgecolor="black", lw=0.6)
    alpha = -np.log10(verdicts["alpha"].astype(float).to_numpy())
    ax.scatter(alpha, y, marker="|", s=200, color="black", label=label(lang, "alpha"))
    for yi, (h, v) in enumerate(zip(height, verdicts["verdict"], strict=True)):
        ax.annotate(word(lang, "verdict", v), (h, y[yi]), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=8,
                    **text_kw(lang))  # fmt: skip
    ax.set_yticks(y, verdicts["claim_id"], fontsize=8)
    ax.set_xlabel(label(lang, "log10_p"), **text_kw(lang))
    ax.set_xlim(0, max(float(height.max()), float(alpha.max())) * 1.3 + 0.2)
    ax.set_title(label(lang, "verdicts_title"), **text_kw(lang))
    ax.legend(loc="lower right", **legend_kw(lang, 8))
    if created and isinstance(ax.figure, Figure):  # our own figure, not a subfigure
        ax.figure.tight_layout()
    return ax
