"""The optimizer race: every walk from one start, animated together on the contour
map and the surface, with plotly's own play, pause and step controls.

The terrain and each full path are drawn once; the animation frames only move one
marker per optimizer in each view, so the figure stays small however long the
walks are.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.grids import Grid
from core.landscapes import Landscape
from dashboard.charts import COLOURSCALE, GLOBAL_COLOUR, UIREVISION, Path

MAX_FRAMES = 60


def frame_steps(longest: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """The steps shown as animation frames: 0 to ``longest``, evenly spread."""
    count = min(max_frames, longest + 1)
    return np.unique(np.linspace(0, longest, count).round().astype(int))


def _at(path: Path, step: int) -> tuple[float, float, float]:
    """Where a walk is at ``step`` (its last point once it has stopped)."""
    i = min(step, len(path.positions) - 1)
    x, y = path.positions[i]
    return float(x), float(y), float(path.values[i])


def race_figure(
    grid: Grid, landscape: Landscape, paths: Sequence[Path], height: int = 560
) -> go.Figure:
    """Contours on the left, the 3-D terrain on the right, one marker per walk.

    ``paths`` hold each walk up to where it stopped, already cut to the map.
    """
    fig = make_subplots(
        rows=1,
        cols=2,
        specs=[[{"type": "xy"}, {"type": "scene"}]],
        column_widths=[0.45, 0.55],
        horizontal_spacing=0.04,
    )
    fig.add_trace(
        go.Contour(
            x=grid.xs,
            y=grid.ys,
            z=grid.values,
            colorscale=COLOURSCALE,
            ncontours=24,
            showscale=False,
            contours={"coloring": "heatmap"},
            line={"width": 0.5, "color": "rgba(255,255,255,0.4)"},
            hoverinfo="skip",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Surface(
            x=grid.xs,
            y=grid.ys,
            z=grid.values,
            colorscale=COLOURSCALE,
            showscale=False,
            opacity=0.85,
            hoverinfo="skip",
        ),
        row=1,
        col=2,
    )
    best = [m for m in landscape.minima if m.is_global]
    if best:
        fig.add_trace(
            go.Scatter(
                x=[m.x for m in best],
                y=[m.y for m in best],
                mode="markers",
                marker={"symbol": "star", "size": 15, "color": GLOBAL_COLOUR},
                name=f"{best[0].kind} minimum",
                line={"color": "black"},
            ),
            row=1,
            col=1,
        )

    for path in paths:
        fig.add_trace(
            go.Scatter(
                x=path.positions[:, 0],
                y=path.positions[:, 1],
                mode="lines",
                line={"color": path.colour, "width": 1.5},
                opacity=0.45,
                showlegend=False,
                hoverinfo="skip",
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter3d(
                x=path.positions[:, 0],
                y=path.positions[:, 1],
                z=path.values,
                mode="lines",
                line={"color": path.colour, "width": 3},
                opacity=0.5,
                showlegend=False,
                hoverinfo="skip",
            ),
            row=1,
            col=2,
        )

    # The moving markers come last, so each frame can name them by index.
    first_marker = len(fig.data)
    for path in paths:
        x, y, z = _at(path, 0)
        fig.add_trace(
            go.Scatter(
                x=[x],
                y=[y],
                mode="markers",
                marker={
                    "size": 14,
                    "color": path.colour,
                    "line": {"color": "black", "width": 1.5},
                },
                name=path.label,
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter3d(
                x=[x],
                y=[y],
                z=[z],
                mode="markers",
                marker={"size": 7, "color": path.colour},
                showlegend=False,
                name=path.label,
            ),
            row=1,
            col=2,
        )
    markers = list(range(first_marker, len(fig.data)))

    longest = max((len(p.positions) - 1 for p in paths), default=0)
    steps = frame_steps(longest)
    frames = []
    for step in steps:
        data = []
        for path in paths:
            x, y, z = _at(path, int(step))
            data.append(go.Scatter(x=[x], y=[y]))
            data.append(go.Scatter3d(x=[x], y=[y], z=[z]))
        frames.append(go.Frame(data=data, traces=markers, name=str(int(step))))
    fig.frames = frames

    play = {"frame": {"duration": 120, "redraw": True}, "fromcurrent": True}
    pause = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 90, "b": 70},
        template="plotly_white",
        uirevision=UIREVISION,
        legend={"orientation": "h", "y": -0.15, "x": 0, "yanchor": "top"},
        xaxis={"title": "knob x", "range": [float(grid.xs[0]), float(grid.xs[-1])]},
        yaxis={
            "title": "knob y",
            "range": [float(grid.ys[0]), float(grid.ys[-1])],
            "scaleanchor": "x",
        },
        scene={
            "xaxis": {"title": {"text": "knob x"}},
            "yaxis": {"title": {"text": "knob y"}},
            "zaxis": {"title": {"text": "cost"}},
            "aspectmode": "manual",
            "aspectratio": {"x": 1, "y": 1, "z": 0.6},
            "camera": {"eye": {"x": 1.3, "y": -1.3, "z": 1.6}},
        },
        updatemenus=[
            {
                "type": "buttons",
                "direction": "left",
                "x": 0.0,
                "y": 1.12,
                "xanchor": "left",
                "showactive": False,
                "buttons": [
                    {"label": "▶ Play", "method": "animate", "args": [None, play]},
                    {"label": "❚❚ Pause", "method": "animate", "args": [[None], pause]},
                ],
            }
        ],
        sliders=[
            {
                "active": 0,
                "x": 0.2,
                "len": 0.8,
                "y": 1.12,
                "yanchor": "middle",
                "currentvalue": {"prefix": "step "},
                "steps": [
                    {
                        "label": str(int(step)),
                        "method": "animate",
                        "args": [[str(int(step))], pause],
                    }
                    for step in steps
                ],
            }
        ],
    )
    return fig
