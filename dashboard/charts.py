"""Chart builders: plotly figures of the terrain and Altair charts of numbers.

Everything here turns arrays that ``core`` computed into figures; nothing here does
maths beyond arranging what it is given.

Building these figures is most of a page rerun (0.1-0.3 s on the descent and
gradient pages, above the 0.15 s aim). Missing: caching the terrain traces apart
from the marks that move with each input; plotly figures are rebuilt whole.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.grids import Grid, log_heights
from core.landscapes import Landscape, Minimum

COLOURSCALE = "Viridis"
GLOBAL_COLOUR = "#f5b700"
LOCAL_COLOUR = "#ffffff"
POINT_COLOUR = "#d62828"
ARROW_COLOUR = "#d62828"

# One colour per optimizer, the same on every chart, so a learner can follow a
# method from the map to the cost curve.
OPTIMIZER_COLOURS = {
    "gd": "#e4572e",
    "momentum": "#17bebb",
    "nesterov": "#2e86ab",
    "adagrad": "#a23b72",
    "rmsprop": "#6a4c93",
    "adam": "#c5d86d",
}

# Walks that share their first steps (gradient descent and momentum do) would hide
# each other; a dash pattern per optimizer keeps both visible.
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]

# Turning a 3-D view should survive a rerun: plotly keeps the camera while this value
# stays the same. Missing: Streamlit (1.35 and later, still in 1.67) redraws a
# plotly chart from scratch on every rerun, so the camera resets anyway (streamlit
# issue 8882, checked in Chromium); it works again as soon as Streamlit keeps the
# chart, and the user's camera never reaches Python to be restored by hand.
UIREVISION = "keep-camera"


@dataclass(frozen=True)
class Path:
    """A walk to draw: its name, colour, positions ``(k, 2)`` and costs ``(k,)``."""

    label: str
    colour: str
    positions: np.ndarray
    values: np.ndarray


def _cost_hover(grid: Grid, log_colour: bool) -> dict:
    """Hover text showing the cost. On a log-scaled chart the drawn values are
    logs, so the costs travel as ``customdata``; otherwise the grid is sent once."""
    if not log_colour:
        return {
            "hovertemplate": "x=%{x:.3g}<br>y=%{y:.3g}<br>cost=%{z:.4g}<extra></extra>"
        }
    return {
        "customdata": grid.values,
        "hovertemplate": "x=%{x:.3g}<br>y=%{y:.3g}<br>cost=%{customdata:.4g}"
        "<extra></extra>",
    }


def _colour_values(grid: Grid, log_colour: bool) -> np.ndarray:
    return log_heights(grid.values) if log_colour else grid.values


def _colourbar(grid: Grid, log_colour: bool) -> dict:
    """A colour bar whose labels are costs, even when colouring by log height."""
    bar = {"title": {"text": "cost"}, "thickness": 14, "len": 0.8}
    if not log_colour:
        return bar
    finite = grid.values[np.isfinite(grid.values)]
    if finite.size == 0:
        return bar
    floor = finite.min()
    heights = np.geomspace(
        max(np.percentile(finite - floor, 1), 1e-3), np.ptp(finite), 6
    )
    ticks = log_heights(np.concatenate([[floor], floor + heights]))[1:]
    labels = [f"{floor + h:.3g}" for h in heights]
    bar.update(tickvals=ticks.tolist(), ticktext=labels)
    bar["title"]["text"] = "cost (log colour)"
    return bar


def arrow_end(
    x: float, y: float, gradient: tuple[float, float], length: float
) -> tuple[float, float] | None:
    """Where a drawn downhill arrow of ``length`` from ``(x, y)`` ends.

    The arrow points along the negative gradient; its length is chosen for
    visibility, not the gradient's size. None where the gradient is zero or not
    finite: there is no downhill direction to draw.
    """
    gx, gy = gradient
    norm = float(np.hypot(gx, gy))
    if not np.isfinite(norm) or norm == 0:
        return None
    return x - length * gx / norm, y - length * gy / norm


def contour_figure(
    grid: Grid,
    landscape: Landscape,
    *,
    log_colour: bool = False,
    point: tuple[float, float] | None = None,
    gradient: tuple[float, float] | None = None,
    paths: Sequence[Path] = (),
    markers: Sequence[tuple[str, str, float, float]] = (),
    minima: Sequence[Minimum] | None = None,
    height: int = 480,
) -> go.Figure:
    """The terrain seen from above: filled contours of cost over the two knobs.

    ``point`` is the "you are here" marker, ``gradient`` its gradient (the arrow
    shows the negative gradient), ``paths`` walks to draw and ``markers`` extra
    ``(label, colour, x, y)`` points such as the current step of a walk.
    """
    fig = go.Figure()
    fig.add_trace(
        go.Contour(
            x=grid.xs,
            y=grid.ys,
            z=_colour_values(grid, log_colour),
            colorscale=COLOURSCALE,
            ncontours=24,
            contours={"coloring": "heatmap", "showlines": True},
            line={"width": 0.6, "color": "rgba(255,255,255,0.45)"},
            colorbar=_colourbar(grid, log_colour),
            name="cost",
            **_cost_hover(grid, log_colour),
        )
    )
    for i, path in enumerate(paths):
        fig.add_trace(
            go.Scatter(
                x=path.positions[:, 0],
                y=path.positions[:, 1],
                mode="lines+markers",
                line={
                    "color": path.colour,
                    "width": 2.5 + 1.5 * (len(paths) - 1 - i) / max(len(paths), 1),
                    "dash": DASHES[i % len(DASHES)],
                },
                marker={"size": 4, "color": path.colour},
                name=path.label,
                hovertemplate=f"{path.label}<br>"
                "x=%{x:.4g}<br>y=%{y:.4g}<extra></extra>",
            )
        )
    for label, colour, mx, my in markers:
        fig.add_trace(
            go.Scatter(
                x=[mx],
                y=[my],
                mode="markers",
                marker={
                    "size": 13,
                    "color": colour,
                    "line": {"color": "black", "width": 1.5},
                },
                name=label,
                showlegend=False,
                hovertemplate=f"{label}<br>x=%{{x:.4g}}<br>y=%{{y:.4g}}<extra></extra>",
            )
        )

    # Minima go on top of the walks, so a walk ending there does not hide them.
    _add_minima_2d(fig, landscape.minima if minima is None else minima)
    if point is not None:
        _add_point_2d(fig, grid, point, gradient)

    (x_min, x_max), (y_min, y_max) = (
        (grid.xs[0], grid.xs[-1]),
        (grid.ys[0], grid.ys[-1]),
    )
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 40},
        **map_axes((x_min, x_max), (y_min, y_max)),
        legend={"orientation": "h", "y": -0.2, "x": 0, "yanchor": "top"},
        uirevision=UIREVISION,
        template="plotly_white",
    )
    return fig


def map_axes(
    x_range: tuple[float, float], y_range: tuple[float, float], what: str = "knob"
) -> dict:
    """The x and y axes of a map of the knobs: fixed to the domain, one unit of x
    as long as one unit of y, so a round bowl looks round."""
    return {
        "xaxis": {"title": f"{what} x", "range": list(x_range), "constrain": "domain"},
        "yaxis": {
            "title": f"{what} y",
            "range": list(y_range),
            "scaleanchor": "x",
            "constrain": "domain",
        },
    }


def _add_minima_2d(fig: go.Figure, minima: Sequence[Minimum]) -> None:
    for is_global, colour, symbol, name in (
        (True, GLOBAL_COLOUR, "star", "global minimum"),
        (False, LOCAL_COLOUR, "circle-open", "local minimum"),
    ):
        chosen = [m for m in minima if m.is_global == is_global]
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
                    "size": 15 if is_global else 10,
                    "color": colour,
                    "line": {"color": "black" if is_global else colour, "width": 1.5},
                },
                name=name,
                customdata=[m.value for m in chosen],
                hovertemplate=f"{name}<br>x=%{{x:.4g}}<br>y=%{{y:.4g}}"
                "<br>cost=%{customdata:.4g}<extra></extra>",
            )
        )


def _arrow_length(grid: Grid) -> float:
    return 0.15 * min(np.ptp(grid.xs), np.ptp(grid.ys))


def _add_point_2d(
    fig: go.Figure,
    grid: Grid,
    point: tuple[float, float],
    gradient: tuple[float, float] | None,
) -> None:
    x, y = point
    end = None if gradient is None else arrow_end(x, y, gradient, _arrow_length(grid))
    if end is not None:
        fig.add_annotation(
            x=end[0],
            y=end[1],
            ax=x,
            ay=y,
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            showarrow=True,
            arrowhead=2,
            arrowsize=1.3,
            arrowwidth=3,
            arrowcolor=ARROW_COLOUR,
            text="",
        )
    fig.add_trace(
        go.Scatter(
            x=[x],
            y=[y],
            mode="markers",
            marker={
                "size": 13,
                "color": POINT_COLOUR,
                "line": {"color": "white", "width": 2},
            },
            name="you are here",
            hovertemplate="you are here<br>x=%{x:.4g}<br>y=%{y:.4g}<extra></extra>",
        )
    )


def surface_figure(
    grid: Grid,
    landscape: Landscape,
    *,
    log_colour: bool = False,
    point: tuple[float, float] | None = None,
    gradient: tuple[float, float] | None = None,
    paths: Sequence[Path] = (),
    markers: Sequence[tuple[str, str, float, float]] = (),
    minima: Sequence[Minimum] | None = None,
    height: int = 480,
) -> go.Figure:
    """The terrain in 3-D: height is cost over the floor of the two knobs.

    Takes the same marks as ``contour_figure``; points are lifted onto the surface.
    """

    # On a log-coloured terrain the heights are log-scaled too, or a few huge
    # walls squash the valleys flat; every mark gets the same transform.
    def to_z(values):
        return log_heights(values, grid.values) if log_colour else np.asarray(values)

    heights = to_z(grid.values)
    finite = heights[np.isfinite(heights)]
    lift = 0.01 * float(np.ptp(finite) if finite.size else 1.0) or 0.01
    fig = go.Figure()
    fig.add_trace(
        go.Surface(
            x=grid.xs,
            y=grid.ys,
            z=heights,
            colorscale=COLOURSCALE,
            colorbar=_colourbar(grid, log_colour),
            name="cost",
            # No contour lines on the surface: in a browser without a GPU they
            # double the time to draw it, and the map beside it has them.
            **_cost_hover(grid, log_colour),
        )
    )

    chosen = landscape.minima if minima is None else minima
    for is_global, colour, name in (
        (True, GLOBAL_COLOUR, "global minimum"),
        (False, LOCAL_COLOUR, "local minimum"),
    ):
        group = [m for m in chosen if m.is_global == is_global]
        if group:
            name = f"{group[0].kind} minimum"
            fig.add_trace(
                go.Scatter3d(
                    x=[m.x for m in group],
                    y=[m.y for m in group],
                    z=to_z([m.value for m in group]) + lift,
                    mode="markers",
                    marker={
                        "size": 7 if is_global else 4,
                        "color": colour,
                        "symbol": "diamond" if is_global else "circle",
                        "line": {"color": "black", "width": 1},
                    },
                    name=name,
                )
            )

    for path in paths:
        fig.add_trace(
            go.Scatter3d(
                x=path.positions[:, 0],
                y=path.positions[:, 1],
                z=to_z(path.values) + lift,
                mode="lines+markers",
                line={"color": path.colour, "width": 6},
                marker={"size": 2.5, "color": path.colour},
                name=path.label,
            )
        )
    (x_low, x_high), (y_low, y_high) = landscape.domain
    for label, colour, mx, my in markers:
        mz = _value_at(landscape, mx, my)
        if mz is not None and x_low <= mx <= x_high and y_low <= my <= y_high:
            fig.add_trace(
                go.Scatter3d(
                    x=[mx],
                    y=[my],
                    z=to_z([mz]) + lift,
                    mode="markers",
                    marker={"size": 7, "color": colour, "line": {"width": 1}},
                    name=label,
                    showlegend=False,
                )
            )

    if point is not None:
        _add_point_3d(fig, grid, landscape, point, gradient, lift, to_z)

    fig.update_layout(
        height=height,
        margin={"l": 30, "r": 0, "t": 30, "b": 0},
        scene={
            # Fixed ranges: a walk that flew off must not stretch the terrain
            # into a speck.
            "xaxis": {
                "title": {"text": "knob x"},
                "range": [float(grid.xs[0]), float(grid.xs[-1])],
            },
            "yaxis": {
                "title": {"text": "knob y"},
                "range": [float(grid.ys[0]), float(grid.ys[-1])],
            },
            "zaxis": {**_z_axis(grid, log_colour), **_z_range(heights, lift)},
            "aspectmode": "manual",
            "aspectratio": {"x": 1, "y": 1, "z": 0.6},
            "camera": {"eye": {"x": 1.3, "y": -1.3, "z": 1.6}},
        },
        legend={"orientation": "h", "y": -0.02, "x": 0},
        uirevision=UIREVISION,
        template="plotly_white",
    )
    return fig


def _z_range(heights: np.ndarray, lift: float) -> dict:
    """A fixed height range from the terrain (none when nothing is finite)."""
    finite = heights[np.isfinite(heights)]
    if finite.size == 0:
        return {}
    return {"range": [float(finite.min()) - lift, float(finite.max()) + 4 * lift]}


def _z_axis(grid: Grid, log_colour: bool) -> dict:
    """The 3-D height axis, labelled in costs even when the heights are logs."""
    bar = _colourbar(grid, log_colour)
    # No title: in a narrow column plotly clips it to "st"; the colour bar beside
    # the terrain already says "cost".
    axis = {"title": {"text": ""}}
    if "tickvals" in bar:
        axis.update(tickvals=bar["tickvals"], ticktext=bar["ticktext"])
    return axis


def _value_at(landscape: Landscape, x: float, y: float) -> float | None:
    with np.errstate(all="ignore"):
        value = float(landscape.value(x, y))
    return value if np.isfinite(value) else None


def _add_point_3d(
    fig: go.Figure,
    grid: Grid,
    landscape: Landscape,
    point: tuple[float, float],
    gradient: tuple[float, float] | None,
    lift: float,
    to_z: Callable[[np.ndarray], np.ndarray],
) -> None:
    x, y = point
    z = _value_at(landscape, x, y)
    if z is None:
        return
    fig.add_trace(
        go.Scatter3d(
            x=[x],
            y=[y],
            z=to_z([z]) + lift,
            mode="markers",
            marker={"size": 8, "color": POINT_COLOUR, "line": {"color": "white"}},
            name="you are here",
        )
    )
    end = None if gradient is None else arrow_end(x, y, gradient, _arrow_length(grid))
    if end is None:
        return

    # The arrow follows the ground so it reads as "this way is downhill".
    t = np.linspace(0.0, 1.0, 12)
    xs = x + t * (end[0] - x)
    ys = y + t * (end[1] - y)
    with np.errstate(all="ignore"):
        zs = to_z(np.asarray(landscape.value(xs, ys), dtype=float)) + 2 * lift
    fig.add_trace(
        go.Scatter3d(
            x=xs,
            y=ys,
            z=zs,
            mode="lines",
            line={"color": ARROW_COLOUR, "width": 9},
            name="downhill (negative gradient)",
        )
    )
    fig.add_trace(
        go.Cone(
            x=[xs[-1]],
            y=[ys[-1]],
            z=[zs[-1]],
            u=[xs[-1] - xs[-2]],
            v=[ys[-1] - ys[-2]],
            w=[zs[-1] - zs[-2]],
            anchor="tip",
            sizemode="absolute",
            sizeref=_arrow_length(grid) * 0.25,
            colorscale=[[0, ARROW_COLOUR], [1, ARROW_COLOUR]],
            showscale=False,
            hoverinfo="skip",
            name="",
            showlegend=False,
        )
    )


def cost_chart(
    frame: pd.DataFrame,
    colours: Mapping[str, str],
    *,
    current_step: int | None = None,
    log_scale: bool = False,
    height: int = 300,
) -> alt.Chart:
    """Cost against step, one line per optimizer.

    ``frame`` has columns ``optimizer, step, cost`` with finite costs only; a
    walk that diverged simply stops where its cost stopped being a number.
    """
    names = list(colours)
    scale = alt.Scale(type="symlog") if log_scale else alt.Scale(zero=False)
    base = alt.Chart(frame).encode(
        x=alt.X("step:Q", title="step"),
        y=alt.Y("cost:Q", title="cost", scale=scale),
        color=alt.Color(
            "optimizer:N",
            scale=alt.Scale(domain=names, range=[colours[n] for n in names]),
            legend=alt.Legend(orient="bottom", title=None, columns=3, labelLimit=0),
        ),
    )
    chart = base.mark_line(strokeWidth=2.5).encode(
        tooltip=["optimizer", "step", alt.Tooltip("cost:Q", format=".6g")]
    )
    if current_step is not None:
        rule = (
            alt.Chart(pd.DataFrame({"step": [current_step]}))
            .mark_rule(color="#555", strokeDash=[4, 3])
            .encode(x="step:Q")
        )
        chart = chart + rule
    return chart.properties(height=height)


def slope_by_direction_chart(
    angles_deg: np.ndarray,
    slopes: np.ndarray,
    gradient_angle_deg: float | None,
    height: int = 300,
    chosen_angle_deg: float | None = None,
) -> alt.Chart:
    """The slope met walking from the point at each angle, with the steepest uphill,
    steepest downhill and the two flat directions marked, and a dashed rule at
    ``chosen_angle_deg`` (the direction of the cut through the terrain)."""
    curve = pd.DataFrame({"angle": angles_deg, "slope": slopes})
    line = (
        alt.Chart(curve)
        .mark_line(strokeWidth=2.5, color="#2f6f8f")
        .encode(
            x=alt.X(
                "angle:Q",
                title="direction (degrees from the x axis)",
                scale=alt.Scale(domain=[0, 360], nice=False),
                axis=alt.Axis(values=list(range(0, 361, 45))),
            ),
            y=alt.Y("slope:Q", title="slope in that direction"),
            tooltip=[
                alt.Tooltip("angle:Q", format=".0f"),
                alt.Tooltip("slope:Q", format=".4g"),
            ],
        )
    )
    zero = (
        alt.Chart(pd.DataFrame({"slope": [0.0]}))
        .mark_rule(color="#888")
        .encode(y="slope:Q")
    )
    layers = [line, zero]
    if gradient_angle_deg is not None:
        peak = float(np.max(slopes))
        marks = pd.DataFrame(
            {
                "angle": [
                    gradient_angle_deg % 360,
                    (gradient_angle_deg + 180) % 360,
                    (gradient_angle_deg + 90) % 360,
                    (gradient_angle_deg + 270) % 360,
                ],
                "slope": [peak, -peak, 0.0, 0.0],
                "what": [
                    "steepest uphill (gradient)",
                    "steepest downhill (negative gradient)",
                    "flat (sideways)",
                    "flat (sideways)",
                ],
            }
        )
        layers.append(
            alt.Chart(marks)
            .mark_point(size=120, filled=True)
            .encode(
                x="angle:Q",
                y="slope:Q",
                color=alt.Color(
                    "what:N",
                    scale=alt.Scale(
                        domain=[
                            "steepest uphill (gradient)",
                            "steepest downhill (negative gradient)",
                            "flat (sideways)",
                        ],
                        range=["#e4572e", "#2e86ab", "#777777"],
                    ),
                    legend=alt.Legend(orient="bottom", title=None, labelLimit=0),
                ),
                tooltip=["what", alt.Tooltip("angle:Q", format=".0f"), "slope"],
            )
        )
    if chosen_angle_deg is not None:
        layers.append(
            alt.Chart(pd.DataFrame({"angle": [chosen_angle_deg % 360]}))
            .mark_rule(color="#2f6f8f", strokeDash=[6, 4], strokeWidth=2)
            .encode(x="angle:Q", tooltip=[alt.Tooltip("angle:Q", title="cut at")])
        )
    return alt.layer(*layers).properties(height=height)


def cut_chart(
    t: np.ndarray, costs: np.ndarray, cost_here: float, slope: float, height: int = 280
) -> alt.Chart:
    """The cost along a straight cut through the point (distance ``t`` from it),
    with the tangent line at the point, whose slope is the directional derivative.
    """
    curve = pd.DataFrame({"distance": t, "cost": costs}).dropna()
    reach = 0.35 * float(np.ptp(t))
    tangent = pd.DataFrame(
        {
            "distance": [-reach, reach],
            "cost": [cost_here - slope * reach, cost_here + slope * reach],
        }
    )
    line = (
        alt.Chart(curve)
        .mark_line(strokeWidth=2.5, color="#2f6f8f")
        .encode(
            x=alt.X("distance:Q", title="distance along the cut from the point"),
            y=alt.Y("cost:Q", title="cost", scale=alt.Scale(zero=False)),
            tooltip=[
                alt.Tooltip("distance:Q", format=".3g"),
                alt.Tooltip("cost:Q", format=".4g"),
            ],
        )
    )
    touch = (
        alt.Chart(tangent)
        .mark_line(strokeDash=[6, 4], color="#e4572e", strokeWidth=2)
        .encode(x="distance:Q", y="cost:Q")
    )
    here = (
        alt.Chart(pd.DataFrame({"distance": [0.0], "cost": [cost_here]}))
        .mark_point(size=120, filled=True, color=POINT_COLOUR)
        .encode(x="distance:Q", y="cost:Q")
    )
    return alt.layer(line, touch, here).properties(height=height)


def curve_figure(
    landscape: Landscape,
    *,
    point: tuple[float, float] | None = None,
    slope: float | None = None,
    step_to: tuple[float, float] | None = None,
    paths: Sequence[Path] = (),
    knob: str = "x",
    resolution: int = 401,
    height: int = 400,
) -> go.Figure:
    """A one-knob landscape drawn as a curve of cost against the knob.

    ``point`` is ``(knob, cost)`` with its tangent of ``slope``; ``step_to`` is
    where one step of descent lands; ``paths`` are walks, drawn as ``(knob, cost)``
    pairs (their ``positions[:, 0]`` and ``values``). Where the cost is undefined
    the curve has a gap.
    """
    (low, high), _ = landscape.domain
    ws = np.linspace(low, high, resolution)
    with np.errstate(all="ignore"):
        costs = np.asarray(landscape.value(ws, np.zeros_like(ws)), dtype=float)
    costs = np.where(np.isfinite(costs), costs, np.nan)

    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=ws,
            y=costs,
            mode="lines",
            name="cost",
            line={"width": 3, "color": "#2f6f8f"},
        )
    )
    for i, path in enumerate(paths):
        fig.add_trace(
            go.Scatter(
                x=path.positions[:, 0],
                y=path.values,
                mode="lines+markers",
                name=path.label,
                line={"color": path.colour, "dash": DASHES[i % len(DASHES)]},
                marker={"size": 5},
            )
        )
    for minimum in landscape.minima:
        fig.add_trace(
            go.Scatter(
                x=[minimum.x],
                y=[minimum.value],
                mode="markers",
                name=f"{minimum.kind} minimum",
                marker={
                    "symbol": "star" if minimum.is_global else "circle-open",
                    "size": 15 if minimum.is_global else 11,
                    "color": GLOBAL_COLOUR if minimum.is_global else "#333333",
                    "line": {"color": "black", "width": 1},
                },
                showlegend=False,
            )
        )
    if point is not None:
        w0, c0 = point
        if slope is not None and np.isfinite(slope):
            tangent = np.array([w0 - 0.15 * (high - low), w0 + 0.15 * (high - low)])
            fig.add_trace(
                go.Scatter(
                    x=tangent,
                    y=c0 + slope * (tangent - w0),
                    mode="lines",
                    name=f"tangent, slope {slope:.4g}",
                    line={"dash": "dash", "color": "#e4572e"},
                )
            )
        fig.add_trace(
            go.Scatter(
                x=[w0],
                y=[c0],
                mode="markers",
                name="you are here",
                marker={"size": 13, "color": POINT_COLOUR},
            )
        )
        if step_to is not None and np.all(np.isfinite(step_to)):
            fig.add_trace(
                go.Scatter(
                    x=[step_to[0]],
                    y=[step_to[1]],
                    mode="markers",
                    name="after one step",
                    marker={"size": 12, "color": "#2e86ab", "symbol": "diamond"},
                )
            )
            fig.add_annotation(
                x=step_to[0],
                y=c0,
                ax=w0,
                ay=c0,
                xref="x",
                yref="y",
                axref="x",
                ayref="y",
                showarrow=True,
                arrowhead=2,
                arrowwidth=2.5,
                arrowcolor=ARROW_COLOUR,
                text="",
            )

    finite = costs[np.isfinite(costs)]
    bottom, top = (float(finite.min()), float(finite.max())) if finite.size else (0, 1)
    pad = 0.08 * (top - bottom or 1.0)
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={"title": f"knob {knob}", "range": [float(low), float(high)]},
        yaxis={"title": "cost", "range": [bottom - pad, top + pad]},
        legend={"orientation": "h", "y": -0.2},
        uirevision=UIREVISION,
        template="plotly_white",
    )
    return fig


def clip_to_domain(path: Path, domain: tuple, margin: float = 0.05) -> Path:
    """The part of a walk that stays over the map (plus a small margin).

    A walk that flies off would otherwise stretch a 3-D chart's axes until the
    terrain is a dot. The walk is cut at its first point outside, not filtered, so
    the line never jumps.
    """
    (x_min, x_max), (y_min, y_max) = domain
    dx, dy = margin * (x_max - x_min), margin * (y_max - y_min)
    x, y = path.positions[:, 0], path.positions[:, 1]
    with np.errstate(invalid="ignore"):
        inside = (
            (x >= x_min - dx)
            & (x <= x_max + dx)
            & (y >= y_min - dy)
            & (y <= y_max + dy)
            & np.isfinite(path.values)
        )
    outside = np.flatnonzero(~inside)
    keep = outside[0] if outside.size else len(inside)
    return Path(path.label, path.colour, path.positions[:keep], path.values[:keep])


def readable_costs(frame: pd.DataFrame, grid_values: np.ndarray) -> pd.DataFrame:
    """Rows of ``optimizer, step, cost`` that a chart can show without one runaway
    walk flattening the rest: non-finite costs and costs far beyond anything on the
    terrain are dropped."""
    finite = grid_values[np.isfinite(grid_values)]
    span = float(np.ptp(finite)) if finite.size else 1.0
    low = float(finite.min()) - 10 * span if finite.size else -1e6
    high = float(finite.max()) + 10 * span if finite.size else 1e6
    cost = frame["cost"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        keep = np.isfinite(cost) & (cost >= low) & (cost <= high)
    return frame.loc[keep].reset_index(drop=True)


DIVERGED = "diverged"
ELSEWHERE = "not at a known minimum"
OTHER_LOCAL = "other local minima"
MAX_CATEGORIES = 8
CATEGORY_PALETTE = [
    "#2e86ab",
    "#a23b72",
    "#17bebb",
    "#f18f01",
    "#6a4c93",
    "#8ac926",
    "#ff595e",
    "#1982c4",
]


def end_categories(runs: pd.DataFrame) -> pd.Series:
    """Where each run ended, as a short category for colouring: the minimum's
    label, "diverged", or "not at a known minimum". Rare minima are lumped together
    so a landscape with a hundred valleys still gives a readable legend."""
    category = runs["minimum"].astype(str)
    category = category.where(category != "", ELSEWHERE)
    category = category.where(runs["status"].astype(str) != DIVERGED, DIVERGED)

    counts = category[~category.isin([DIVERGED, ELSEWHERE])].value_counts()
    globals_ = [c for c in counts.index if c.startswith("global")]
    locals_ = [c for c in counts.index if not c.startswith("global")]
    keep = set(globals_) | set(locals_[: max(MAX_CATEGORIES - len(globals_), 0)])
    lumped = ~category.isin(keep | {DIVERGED, ELSEWHERE})
    return category.mask(lumped, OTHER_LOCAL)


def category_colours(categories: Sequence[str]) -> dict[str, str]:
    """A stable colour per category: gold for global minima, grey for elsewhere,
    red for diverged, a palette for the local minima."""
    colours = {}
    palette = iter(CATEGORY_PALETTE * 4)
    for category in sorted(categories, key=_category_order):
        if category.startswith("global"):
            colours[category] = GLOBAL_COLOUR
        elif category == DIVERGED:
            colours[category] = "#d62828"
        elif category == ELSEWHERE:
            colours[category] = "#9e9e9e"
        elif category == OTHER_LOCAL:
            colours[category] = "#cfcfcf"
        else:
            colours[category] = next(palette)
    return colours


def _category_order(category: str) -> tuple[int, str]:
    rank = (
        0
        if category.startswith("global")
        else 2
        if category == OTHER_LOCAL
        else 3
        if category == ELSEWHERE
        else 4
        if category == DIVERGED
        else 1
    )
    return rank, category


def end_points_figure(
    grid: Grid,
    landscape: Landscape,
    runs: pd.DataFrame,
    *,
    show: str = "ended",
    max_points: int = 4000,
    height: int = 520,
) -> go.Figure:
    """Runs on the contour map, coloured by where they ended.

    ``show="ended"`` draws one bubble per minimum, sized by how many runs ended
    there, plus the end points of runs that stopped elsewhere. ``show="started"``
    draws every start coloured by where that run ended: the valleys' catchment
    areas appear. At most ``max_points`` runs are drawn (a seeded sample), so the
    figure stays small however many runs there were.
    """
    fig = contour_figure(grid, landscape, height=height, minima=[])
    fig.update_traces(showscale=False, selector={"type": "contour"})
    categories = end_categories(runs)
    colours = category_colours(categories.unique())

    if show == "started":
        frame = runs.assign(category=categories)
        if len(frame) > max_points:
            frame = frame.sample(max_points, random_state=0)
        for category in sorted(frame["category"].unique(), key=_category_order):
            part = frame[frame["category"] == category]
            fig.add_trace(
                go.Scattergl(
                    x=part["start_x"].to_numpy(),
                    y=part["start_y"].to_numpy(),
                    mode="markers",
                    marker={"size": 5, "color": colours[category], "opacity": 0.85},
                    name=category,
                )
            )
        return fig

    ended = runs.assign(category=categories)
    at_minima = ended[~ended["category"].isin([DIVERGED, ELSEWHERE, OTHER_LOCAL])]
    lumped = ended[ended["category"] == OTHER_LOCAL]
    bubbles = (
        pd.concat([at_minima, lumped.assign(category=lumped["minimum"].astype(str))])
        .groupby("category", observed=True)
        .agg(x=("end_x", "median"), y=("end_y", "median"), runs=("run", "size"))
        .reset_index()
    )
    top = max(int(bubbles["runs"].max()), 1) if len(bubbles) else 1
    for row in bubbles.itertuples(index=False):
        colour = colours.get(row.category, colours.get(OTHER_LOCAL, "#cfcfcf"))
        fig.add_trace(
            go.Scatter(
                x=[row.x],
                y=[row.y],
                mode="markers",
                marker={
                    "size": 8 + 34 * np.sqrt(row.runs / top),
                    "color": colour,
                    "line": {"color": "black", "width": 1},
                    "opacity": 0.9,
                },
                name=f"{row.category}: {row.runs:,} runs",
                showlegend=row.category in colours,
                hovertemplate=f"{row.category}<br>{row.runs:,} runs<extra></extra>",
            )
        )
    stray = ended[ended["category"] == ELSEWHERE]
    if len(stray):
        stray = stray.sample(min(len(stray), max_points), random_state=0)
        fig.add_trace(
            go.Scattergl(
                x=stray["end_x"].to_numpy(),
                y=stray["end_y"].to_numpy(),
                mode="markers",
                marker={"size": 5, "color": colours[ELSEWHERE], "symbol": "x"},
                name=f"{ELSEWHERE}: {int((categories == ELSEWHERE).sum()):,} runs",
            )
        )
    return fig


def setting_labels(runs: pd.DataFrame, titles: Mapping[str, str]) -> pd.Series:
    """Each run's optimizer and learning rate (and gradient noise, when there is
    any) as one short label, e.g. ``Adam, lr 0.01, noise 2``."""
    optimizer = runs["optimizer"].astype(str).map(lambda o: titles.get(o, o))
    label = optimizer + ", lr " + runs["learning_rate"].map(lambda lr: f"{lr:g}")
    if "noise" in runs and (runs["noise"] > 0).any():
        label = label + runs["noise"].map(lambda sd: f", noise {sd:g}" if sd else "")
    return label


def minimum_share_chart(
    runs: pd.DataFrame, titles: Mapping[str, str], height: int = 260
) -> alt.Chart:
    """Stacked bars: for each optimizer and learning rate, the share of runs that
    ended in each minimum, diverged or stopped elsewhere."""
    frame = runs.assign(
        category=end_categories(runs),
        setting=setting_labels(runs, titles),
    )
    shares = (
        frame.groupby(["setting", "category"], observed=True)
        .size()
        .rename("runs")
        .reset_index()
    )
    shares["share"] = shares["runs"] / shares.groupby("setting")["runs"].transform(
        "sum"
    )
    colours = category_colours(shares["category"].unique())
    order = sorted(colours, key=_category_order)
    return (
        alt.Chart(shares)
        .mark_bar()
        .encode(
            y=alt.Y("setting:N", title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X("share:Q", title="share of runs", axis=alt.Axis(format="%")),
            color=alt.Color(
                "category:N",
                scale=alt.Scale(domain=order, range=[colours[c] for c in order]),
                legend=alt.Legend(orient="bottom", columns=2, title="ended at"),
            ),
            order=alt.Order("category:N"),
            tooltip=[
                "setting",
                "category",
                "runs",
                alt.Tooltip("share:Q", format=".1%"),
            ],
        )
        .properties(height=height, title="Share of runs per minimum")
    )


def end_cost_chart(
    runs: pd.DataFrame, titles: Mapping[str, str], bins: int = 30, height: int = 240
) -> alt.Chart:
    """A histogram of the cost where the runs ended (diverged runs left out).

    Binned here with numpy, so the chart carries a few dozen rows whatever the
    number of runs (Altair refuses more than 5,000 rows outside Streamlit).
    """
    kept = runs[runs["status"].astype(str) != DIVERGED]
    values = kept["end_value"].to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        empty = pd.DataFrame({"cost": [], "runs": []})
        return alt.Chart(empty).mark_bar().properties(title="No run ended finite")
    edges = np.histogram_bin_edges(values, bins=bins)
    rows = []
    labels = setting_labels(kept, titles)
    for label, part in kept.groupby(labels, observed=True, sort=False):
        counts, _ = np.histogram(part["end_value"].to_numpy(dtype=float), bins=edges)
        rows.append(
            pd.DataFrame(
                {
                    "setting": label,
                    "low": edges[:-1],
                    "high": edges[1:],
                    "runs": counts,
                }
            )
        )
    frame = pd.concat(rows, ignore_index=True)
    frame["middle"] = (frame["low"] + frame["high"]) / 2
    # Lines, not bars: settings that ended alike would hide each other's bars.
    return (
        alt.Chart(frame)
        .mark_line(interpolate="step", strokeWidth=2.5, point=True)
        .encode(
            x=alt.X(
                "middle:Q",
                title="cost at the end",
                axis=alt.Axis(format="~g", labelOverlap=True),
            ),
            y=alt.Y("runs:Q", title="runs"),
            color=alt.Color(
                "setting:N",
                scale=alt.Scale(scheme="tableau10"),
                legend=alt.Legend(orient="right", title=None, labelLimit=260),
            ),
            strokeDash=alt.StrokeDash("setting:N", legend=None),
            tooltip=["setting", "low", "high", "runs"],
        )
        .properties(height=height, title="Cost where the runs ended")
    )


def end_points_curve_figure(landscape: Landscape, runs: pd.DataFrame) -> go.Figure:
    """Where runs on a one-knob landscape ended: a bubble on the curve per minimum,
    sized by how many runs ended there."""
    fig = curve_figure(landscape)
    categories = end_categories(runs)
    colours = category_colours(categories.unique())
    ended = runs.assign(category=categories)
    kept = ended[~ended["category"].isin([DIVERGED])]
    groups = kept.groupby("category", observed=True).agg(
        x=("end_x", "median"), runs=("run", "size")
    )
    top = max(int(groups["runs"].max()), 1) if len(groups) else 1
    for category, row in groups.iterrows():
        with np.errstate(all="ignore"):
            cost = float(landscape.value(row["x"], 0.0))
        fig.add_trace(
            go.Scatter(
                x=[row["x"]],
                y=[cost],
                mode="markers",
                marker={
                    "size": 8 + 34 * np.sqrt(row["runs"] / top),
                    "color": colours[category],
                    "line": {"color": "black", "width": 1},
                },
                name=f"{category}: {int(row['runs']):,} runs",
            )
        )
    return fig


def add_click_targets(fig: go.Figure, grid: Grid, per_side: int = 41) -> None:
    """Cover a contour map with invisible points, so a click anywhere selects the
    nearest one (Streamlit reports clicks on points, not on the contour itself)."""
    xs = np.linspace(grid.xs[0], grid.xs[-1], per_side)
    ys = np.linspace(grid.ys[0], grid.ys[-1], per_side)
    gx, gy = np.meshgrid(xs, ys)
    fig.add_trace(
        go.Scatter(
            x=gx.ravel(),
            y=gy.ravel(),
            mode="markers",
            marker={"size": 10, "color": "rgba(0,0,0,0)"},
            hovertemplate="start here: (%{x:.3g}, %{y:.3g})<extra></extra>",
            showlegend=False,
            name="click to start here",
        )
    )


def schedule_chart(
    rates: np.ndarray, *, current_step: int | None = None, height: int = 300
) -> alt.Chart:
    """The learning rate used at each step (``rates[k]`` moves the walk from point
    ``k`` to point ``k + 1``), with the slider's step marked."""
    frame = pd.DataFrame({"step": np.arange(len(rates)), "learning rate": rates})
    line = (
        alt.Chart(frame)
        .mark_line(strokeWidth=2.5, color="#2f6f8f", interpolate="step-after")
        .encode(
            x=alt.X("step:Q", title="step"),
            y=alt.Y(
                "learning rate:Q", title="learning rate", scale=alt.Scale(zero=True)
            ),
            tooltip=["step", alt.Tooltip("learning rate:Q", format=".4g")],
        )
    )
    if current_step is None:
        return line.properties(height=height)
    rule = (
        alt.Chart(pd.DataFrame({"step": [current_step]}))
        .mark_rule(color="#555", strokeDash=[4, 3])
        .encode(x="step:Q")
    )
    return (line + rule).properties(height=height)
