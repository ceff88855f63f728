"""Charts of where descents end: basin maps over the terrain, and learning-rate
sweeps as stacked shares and heat maps.

Like ``dashboard.charts`` (whose colours these share), everything here arranges
numbers that ``core`` computed; the maths lives in ``core.basins`` and
``core.sweeps``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.basins import BasinMap
from core.grids import Grid, log_heights, wants_log_colour
from core.landscapes import Landscape
from core.sweeps import SHARE_COLUMNS, Edge
from dashboard.charts import CATEGORY_PALETTE, GLOBAL_COLOUR, curve_figure, map_axes

# Warm colours for the global minima (several where they tie, as on Himmelblau's
# four equal valleys), cool ones for local minima, grey and red for the rest.
GLOBAL_PALETTE = [GLOBAL_COLOUR, "#f18f01", "#ffd6a5", "#c9a227", "#ffbe0b"]
LOCAL_PALETTE = [c for c in CATEGORY_PALETTE if c not in ("#f18f01", "#ff595e")]
ELSEWHERE_COLOUR = "#bdbdbd"
DIVERGED_COLOUR = "#d62828"
MAX_LEGEND = 10
"""Endings named in a basin map's legend; more would bury the map (Rastrigin has
121 minima). Every cell still names its ending on hover."""

OUTCOME_LABELS = {
    "share_global": "reached the global minimum",
    "share_local": "stuck in a local minimum",
    "share_other": "not at a known minimum (still moving or elsewhere)",
    "share_diverged": "diverged",
}
OUTCOME_COLOURS = {
    "share_global": GLOBAL_COLOUR,
    "share_local": "#2e86ab",
    "share_other": ELSEWHERE_COLOUR,
    "share_diverged": DIVERGED_COLOUR,
}
# Stacked from the bottom: arrivals first, blow-ups on top.
OUTCOME_ORDER = ["share_global", "share_local", "share_other", "share_diverged"]


# -- basin maps ------------------------------------------------------------------------


def ending_colours(basins: BasinMap) -> list[str]:
    """One colour per entry of ``basins.names``."""
    n_minima = len(basins.names) - 2
    flags = list(basins.is_global) or [False] * len(basins.names)
    colours, warm, cool = [], 0, 0
    for code in range(n_minima):
        if flags[code]:
            colours.append(GLOBAL_PALETTE[warm % len(GLOBAL_PALETTE)])
            warm += 1
        else:
            colours.append(LOCAL_PALETTE[cool % len(LOCAL_PALETTE)])
            cool += 1
    return [*colours, ELSEWHERE_COLOUR, DIVERGED_COLOUR]


def _discrete_scale(colours: Sequence[str]) -> list[list]:
    """A plotly colour scale that gives integer ``k`` exactly ``colours[k]``, for
    ``zmin = -0.5`` and ``zmax = len(colours) - 0.5``."""
    n = len(colours)
    scale = []
    for k, colour in enumerate(colours):
        scale += [[k / n, colour], [(k + 1) / n, colour]]
    return scale


def _legend_codes(basins: BasinMap) -> list[int]:
    """The endings to name in the legend: every one reached, biggest first, the
    global minima always, at most ``MAX_LEGEND``."""
    table = basins.table()
    minima = table[table["code"] < len(basins.names) - 2]
    rest = table[table["code"] >= len(basins.names) - 2]
    keep = minima.head(MAX_LEGEND - len(rest))
    extra = minima[minima["is_global"] & ~minima["code"].isin(keep["code"])]
    codes = pd.concat([keep, extra, rest])["code"].tolist()
    return [int(c) for c in codes]


def basin_figure(
    grid: Grid, landscape: Landscape, basins: BasinMap, *, height: int = 620
) -> go.Figure:
    """The basins of attraction: every start coloured by where its descent ended,
    with the terrain's contour lines and the minima on top.

    ``grid`` is the cost grid for the contour lines (any resolution);
    ``basins.labels`` is laid out rows = y, columns = x, as plotly expects.
    """
    colours = ending_colours(basins)
    names = np.array(basins.names, dtype=object)
    steps = (
        basins.stopped_at
        if basins.stopped_at is not None
        else np.full(basins.labels.shape, -1)
    )
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            x=basins.xs,
            y=basins.ys,
            z=basins.labels,
            zmin=-0.5,
            zmax=len(colours) - 0.5,
            colorscale=_discrete_scale(colours),
            showscale=False,
            customdata=np.stack([names[basins.labels], steps], axis=-1),
            hovertemplate="start x=%{x:.3g}, y=%{y:.3g}<br>ends: %{customdata[0]}"
            "<br>stopped after %{customdata[1]} steps<extra></extra>",
            name="basins",
        )
    )
    heights = log_heights(grid.values) if wants_log_colour(grid.values) else grid.values
    fig.add_trace(
        go.Contour(
            x=grid.xs,
            y=grid.ys,
            z=heights,
            ncontours=18,
            contours={"coloring": "none", "showlines": True},
            line={"width": 0.8, "color": "rgba(30,30,30,0.45)"},
            showscale=False,
            hoverinfo="skip",
            name="contours of cost",
        )
    )

    # Legend entries: a heatmap has none of its own, so each named ending gets an
    # empty trace with a square of its colour.
    for code in _legend_codes(basins):
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={"symbol": "square", "size": 13, "color": colours[code]},
                name=f"drains to {basins.names[code]}"
                if code < len(basins.names) - 2
                else basins.names[code],
            )
        )
    _add_minima(fig, landscape)

    (x_min, x_max), (y_min, y_max) = landscape.domain
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 40},
        **map_axes((x_min, x_max), (y_min, y_max), what="start"),
        legend={"orientation": "h", "y": -0.12, "x": 0, "yanchor": "top"},
        template="plotly_white",
    )
    return fig


def _add_minima(fig: go.Figure, landscape: Landscape) -> None:
    """Stars for global minima, open circles for local ones, outlined in black so
    they show on every basin colour."""
    # Many minima (Rastrigin's 121) get small rings, so the basins still show.
    ring = 11 if len(landscape.minima) <= 20 else 6
    for is_global, symbol, size in ((True, "star", 16), (False, "circle-open", ring)):
        chosen = [m for m in landscape.minima if m.is_global == is_global]
        if not chosen:
            continue
        name = f"{chosen[0].kind} minimum"
        fig.add_trace(
            go.Scatter(
                x=[m.x for m in chosen],
                y=[m.y for m in chosen],
                mode="markers",
                marker={
                    "symbol": symbol,
                    "size": size,
                    "color": "white" if is_global else "black",
                    "line": {"color": "black", "width": 2 if is_global else ring / 4},
                },
                name=name,
                customdata=[m.value for m in chosen],
                hovertemplate=f"{name}<br>x=%{{x:.4g}}<br>y=%{{y:.4g}}"
                "<br>cost=%{customdata:.4g}<extra></extra>",
            )
        )


def basin_curve_figure(landscape: Landscape, basins: BasinMap) -> go.Figure:
    """Basins of a one-knob landscape: the cost curve, with a dot on it at every
    start coloured by where its descent ended.

    ``basins`` is a map whose rows are all alike (the cost ignores y); row 0 is
    used.
    """
    fig = curve_figure(landscape, height=420)
    colours = ending_colours(basins)
    xs = basins.xs
    labels = basins.labels[0]
    with np.errstate(all="ignore"):
        costs = np.asarray(landscape.value(xs, np.zeros_like(xs)), dtype=float)
    for code in np.unique(labels):
        chosen = labels == code
        fig.add_trace(
            go.Scatter(
                x=xs[chosen],
                y=costs[chosen],
                mode="markers",
                marker={
                    "size": 8,
                    "color": colours[code],
                    "line": {"color": "black", "width": 0.5},
                },
                name=f"starts that end at {basins.names[code]}"
                if code < len(basins.names) - 2
                else f"starts that end {basins.names[code]}",
            )
        )
    fig.update_layout(xaxis_title="start w")
    return fig


# -- learning-rate sweeps --------------------------------------------------------------


def _long_shares(table: pd.DataFrame) -> pd.DataFrame:
    """Sweep rows to one row per (setting, outcome): ``outcome``, ``share``."""
    id_columns = [c for c in table.columns if c not in SHARE_COLUMNS]
    long = table.melt(
        id_vars=id_columns,
        value_vars=list(SHARE_COLUMNS),
        var_name="column",
        value_name="share",
    )
    long["outcome"] = long["column"].map(OUTCOME_LABELS)
    long["stack"] = long["column"].map(OUTCOME_ORDER.index)
    return long


def sweep_chart(
    table: pd.DataFrame,
    titles: Mapping[str, str],
    *,
    limits: Mapping[str, float | None],
    edges: Mapping[str, Edge],
    limit_label: Callable[[str], str] = lambda name: "theory",
    width: int = 360,
    height: int = 220,
) -> alt.ConcatChart:
    """One panel per optimizer: the share of runs per outcome against the learning
    rate (log axis), stacked to 1.

    ``limits`` gives, per optimizer, a theoretical stability limit to draw as a
    dashed rule (None for none); ``edges`` the measured edge of divergence, drawn
    as a solid rule at its first diverging rate.
    """
    long = _long_shares(table)
    low, high = float(table["learning_rate"].min()), float(table["learning_rate"].max())
    x_scale = alt.Scale(type="log", domain=[low, high], nice=False)
    colour = alt.Color(
        "outcome:N",
        scale=alt.Scale(
            domain=[OUTCOME_LABELS[c] for c in OUTCOME_ORDER],
            range=[OUTCOME_COLOURS[c] for c in OUTCOME_ORDER],
        ),
        legend=alt.Legend(orient="bottom", columns=2, title="the runs", labelLimit=360),
    )
    panels = []
    for name in table["optimizer"].drop_duplicates():
        part = long[long["optimizer"] == name]
        area = (
            alt.Chart(part)
            .mark_area(interpolate="monotone", opacity=0.9)
            .encode(
                x=alt.X(
                    "learning_rate:Q",
                    scale=x_scale,
                    title="learning rate (log scale)",
                    axis=alt.Axis(format="~g", grid=True),
                ),
                y=alt.Y(
                    "share:Q",
                    stack="zero",
                    title="share of runs",
                    axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, 1]),
                ),
                color=colour,
                order=alt.Order("stack:Q"),
                tooltip=[
                    alt.Tooltip("learning_rate:Q", title="learning rate", format=".3g"),
                    alt.Tooltip("outcome:N", title="outcome"),
                    alt.Tooltip("share:Q", format=".1%"),
                ],
            )
        )
        layers = [area]
        marks = []
        limit = limits.get(name)
        if limit is not None and low <= limit <= high:
            marks.append((limit, f"{limit_label(name)} {limit:.3g}", "4,3", "right"))
        edge = edges.get(name)
        if edge is not None and edge.first_diverging is not None:
            marks.append(
                (
                    edge.first_diverging,
                    f"measured {edge.first_diverging:.3g}",
                    "",
                    "left",
                )
            )
        for row, (value, text, dash, align) in enumerate(marks):
            # A label near the right end would run off the panel: put it on the
            # rule's left instead.
            where = np.log(value / low) / np.log(high / low) if high > low else 0.5
            if where > 0.7:
                align = "right"
            rule_data = pd.DataFrame({"learning_rate": [value], "text": [text]})
            base = alt.Chart(rule_data).encode(
                x=alt.X("learning_rate:Q", scale=x_scale)
            )
            layers.append(
                base.mark_rule(
                    color="black",
                    strokeWidth=2,
                    strokeDash=[int(v) for v in dash.split(",")] if dash else [1, 0],
                )
            )
            layers.append(
                base.mark_text(
                    align=align,
                    dx=-5 if align == "right" else 5,
                    y=12 + 16 * row,
                    fontSize=12,
                    fontWeight="bold",
                    color="black",
                ).encode(text="text:N")
            )
        panels.append(
            alt.layer(*layers).properties(
                width=width, height=height, title=titles.get(name, name)
            )
        )
    return alt.concat(*panels, columns=2).resolve_scale(color="shared")


def _bounds(values: np.ndarray, log: bool) -> tuple[np.ndarray, np.ndarray]:
    """Cell edges halfway between neighbouring values (geometric halfway on a log
    axis); the outer cells are as wide as their neighbours' half gap."""
    v = np.log10(values) if log else np.asarray(values, dtype=float)
    if len(v) == 1:
        gaps = np.array([0.5 if log else 0.05])
        middles = np.array([])
    else:
        middles = (v[1:] + v[:-1]) / 2
        gaps = np.diff(v) / 2
    lower = np.concatenate([[v[0] - gaps[0]], middles])
    upper = np.concatenate([middles, [v[-1] + gaps[-1]]])
    if log:
        return 10.0**lower, 10.0**upper
    return lower, upper


def momentum_heatmap(
    table: pd.DataFrame,
    titles: Mapping[str, str],
    *,
    limit_curves: Mapping[str, pd.DataFrame] | None = None,
    width: int = 360,
    height: int = 260,
) -> alt.ConcatChart:
    """Per optimizer, the share of runs reaching the global minimum over learning
    rate (x, log) and momentum (y).

    ``limit_curves`` gives per optimizer a frame of ``learning_rate, momentum``
    tracing a theoretical stability limit, drawn as a dashed line.
    """
    panels = []
    rates = np.sort(table["learning_rate"].unique())
    momenta = np.sort(table["momentum"].unique())
    rate_low, rate_high = _bounds(rates, log=True)
    mom_low, mom_high = _bounds(momenta, log=False)
    x_scale = alt.Scale(
        type="log", domain=[float(rate_low[0]), float(rate_high[-1])], nice=False
    )
    y_scale = alt.Scale(domain=[float(mom_low[0]), float(mom_high[-1])], nice=False)
    for name in table["optimizer"].drop_duplicates():
        part = table[table["optimizer"] == name].copy()
        part["rate_low"] = rate_low[np.searchsorted(rates, part["learning_rate"])]
        part["rate_high"] = rate_high[np.searchsorted(rates, part["learning_rate"])]
        part["momentum_low"] = mom_low[np.searchsorted(momenta, part["momentum"])]
        part["momentum_high"] = mom_high[np.searchsorted(momenta, part["momentum"])]
        cells = (
            alt.Chart(part)
            .mark_rect()
            .encode(
                x=alt.X(
                    "rate_low:Q",
                    scale=x_scale,
                    title="learning rate (log scale)",
                    axis=alt.Axis(format="~g"),
                ),
                x2="rate_high:Q",
                y=alt.Y("momentum_low:Q", scale=y_scale, title="momentum"),
                y2="momentum_high:Q",
                color=alt.Color(
                    "share_global:Q",
                    title="reached global",
                    scale=alt.Scale(scheme="viridis", domain=[0, 1]),
                    legend=alt.Legend(format="%", orient="bottom", gradientLength=240),
                ),
                tooltip=[
                    alt.Tooltip("learning_rate:Q", title="learning rate", format=".3g"),
                    alt.Tooltip("momentum:Q", format=".2f"),
                    alt.Tooltip("share_global:Q", title="reached global", format=".0%"),
                    alt.Tooltip("share_diverged:Q", title="diverged", format=".0%"),
                ],
            )
        )
        layers = [cells]
        curve = (limit_curves or {}).get(name)
        if curve is not None and len(curve):
            # White dashes on a black line: visible on dark and bright cells alike.
            line = alt.Chart(curve.assign(label="theory: largest stable rate")).encode(
                x=alt.X("learning_rate:Q", scale=x_scale),
                y=alt.Y("momentum:Q", scale=y_scale),
                order="momentum:Q",
                tooltip=["label:N"],
            )
            layers.append(line.mark_line(color="black", strokeWidth=4.5, clip=True))
            layers.append(
                line.mark_line(
                    color="white", strokeDash=[6, 4], strokeWidth=2.5, clip=True
                )
            )
        panels.append(
            alt.layer(*layers).properties(
                width=width, height=height, title=titles.get(name, name)
            )
        )
    return alt.concat(*panels, columns=2)
