"""Descent trajectories: gradient descent and its relatives, step by step."""

import numpy as np
import pandas as pd
import streamlit as st

from core.experiments import match_minimum
from core.optimizers import OPTIMIZERS
from dashboard.cache import load_grid, load_walks
from dashboard.charts import (
    OPTIMIZER_COLOURS,
    Path,
    clip_to_domain,
    contour_figure,
    cost_chart,
    curve_figure,
    readable_costs,
    surface_figure,
)
from dashboard.presets import preset_for
from dashboard.text import number, vector
from dashboard.widgets import landscape_ui, point_ui, walk_settings_ui

PAGE = "descent"

st.title("Descent trajectories")
st.markdown(
    "Start at a point and repeat one rule: work out the gradient, then step along "
    "the negative gradient by the **learning rate** times its size. Plain gradient "
    "descent does just that; its relatives add a memory of past steps (momentum) "
    "or scale each knob's step by how steep it has been (AdaGrad, RMSProp, Adam). "
    "All start from the same point, so you can compare their walks."
)

landscape = landscape_ui(PAGE)
preset = preset_for(landscape)

st.markdown("**Start**")
start = point_ui(PAGE, landscape, label="Start")
settings = walk_settings_ui(PAGE, preset, default_optimizers=("gd", "momentum", "adam"))
if not settings.optimizers:
    st.info("Choose at least one optimizer to walk with.")
    st.stop()

walks = load_walks(
    landscape.key,
    settings.optimizers,
    start,
    settings.learning_rate,
    settings.steps,
    settings.hyperparameters,
)

# Outcome of each walk in words.
for name, walk in walks.items():
    title = OPTIMIZERS[name].title
    end_x, end_y = walk.positions[walk.stopped_at]
    end_cost = walk.values[walk.stopped_at]
    minimum = match_minimum(landscape, end_x, end_y)
    if minimum is None:
        where = f"at {vector(end_x, end_y)}"
    else:
        kind = "global" if minimum.is_global else "local"
        where = f"in the {kind} minimum at {vector(minimum.x, minimum.y)}"
    if walk.status == "converged":
        st.success(
            f"**{title}** converged at step {walk.stopped_at}: the gradient there is "
            f"almost zero. It ended {where}, cost {number(end_cost)}."
        )
    elif walk.status == "diverged":
        advice = (
            "This landscape has no minimum: some direction always leads further "
            "down, so descent runs away whatever the learning rate."
            if not landscape.minima
            else "The learning rate is probably too large here: each step "
            "overshoots the valley and lands higher up the other side. Try a "
            "smaller learning rate."
        )
        st.error(
            f"**{title}** diverged at step {walk.stopped_at} ({walk.reason}). " + advice
        )
    else:
        near = "" if minimum is None else f", close to the {kind} minimum"
        st.warning(
            f"**{title}** is still moving after {settings.steps} steps: it is at "
            f"{vector(end_x, end_y)}, cost {number(end_cost)}{near}. More steps "
            "would take it further."
        )

# Step through the walk: every chart marks where each walk is at that step.
current = st.slider(
    "Step through the walk",
    min_value=0,
    max_value=settings.steps,
    value=settings.steps,
    key=f"{PAGE}_current_step",
    help="Slide to see where each optimizer was after that many steps.",
)

grid = load_grid(landscape.key, 80)
paths, markers, cost_rows, table = [], [], [], []
for name, walk in walks.items():
    title = OPTIMIZERS[name].title
    colour = OPTIMIZER_COLOURS[name]
    last = min(current, walk.stopped_at)
    positions = walk.positions[: last + 1]
    values = walk.values[: last + 1]
    paths.append(Path(title, colour, positions, values))
    here = positions[-1]
    if np.all(np.isfinite(here)):
        markers.append((f"{title} at step {last}", colour, here[0], here[1]))
    steps = np.arange(walk.stopped_at + 1)
    cost_rows.append(
        pd.DataFrame(
            {
                "optimizer": title,
                "step": steps,
                "cost": walk.values[: walk.stopped_at + 1],
            }
        )
    )
    table.append(
        {
            "optimizer": title,
            "step": last,
            "x": here[0],
            "y": here[1],
            "cost": values[-1],
            "status": (
                "walking"
                if current < walk.stopped_at
                else "diverged (last point before it)"
                if walk.status == "diverged"
                else walk.status
            ),
        }
    )

if landscape.knobs == 1:
    st.plotly_chart(
        curve_figure(
            landscape,
            # One knob: only x has to stay on the chart.
            paths=[
                clip_to_domain(p, (landscape.domain[0], (-np.inf, np.inf)))
                for p in paths
            ],
        ),
        key=f"{PAGE}_curve_chart",
    )
else:
    left, right = st.columns(2)
    left.plotly_chart(
        contour_figure(grid, landscape, paths=paths, markers=markers),
        key=f"{PAGE}_contour_chart",
    )
    right.plotly_chart(
        surface_figure(
            grid,
            landscape,
            paths=[clip_to_domain(p, landscape.domain) for p in paths],
            markers=markers,
        ),
        key=f"{PAGE}_surface_chart",
    )

costs = readable_costs(pd.concat(cost_rows, ignore_index=True), grid.values)
colours = {OPTIMIZERS[n].title: OPTIMIZER_COLOURS[n] for n in walks}
st.altair_chart(
    cost_chart(costs, colours, current_step=current, log_scale=settings.log_cost),
    key=f"{PAGE}_cost_chart",
)
if any(w.status == "diverged" for w in walks.values()):
    st.caption(
        "A diverged walk's cost grows without bound; its line stops where the cost "
        "left the range of this terrain."
    )

st.dataframe(
    pd.DataFrame(table),
    hide_index=True,
    column_config={
        "x": st.column_config.NumberColumn(format="%.5g"),
        "y": st.column_config.NumberColumn(format="%.5g"),
        "cost": st.column_config.NumberColumn(format="%.5g"),
    },
)
