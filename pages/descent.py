"""Descent trajectories: gradient descent and its relatives, step by step."""

import numpy as np
import pandas as pd
import streamlit as st

from core.experiments import match_minimum
from core.optimizers import MAX_LEARNING_RATE, MIN_LEARNING_RATE, OPTIMIZERS
from core.params import MAX_PATH_STEPS, read_choices, read_flag, read_int
from core.schedules import SCHEDULES, learning_rates
from dashboard import links
from dashboard.cache import load_grid, load_step_story, load_walks
from dashboard.charts import (
    OPTIMIZER_COLOURS,
    Path,
    add_click_targets,
    clip_to_domain,
    contour_figure,
    cost_chart,
    curve_figure,
    readable_costs,
    schedule_chart,
    surface_figure,
)
from dashboard.exports import chart_download_ui, csv_download_ui, trajectory_table
from dashboard.presets import preset_for
from dashboard.race import race_figure
from dashboard.state import seed_widget
from dashboard.text import number, vector
from dashboard.widgets import (
    MAX_NOISE,
    SETTINGS,
    landscape_ui,
    point_ui,
    start_from_click,
    walk_settings_ui,
)

PAGE = "descent"
VIEWS = {"paths": "Paths on the map and the surface", "race": "Race (animated)"}


st.title("Descent trajectories")
st.markdown(
    "Start at a point and repeat one rule: work out the gradient, then step along "
    "the negative gradient by the **learning rate** times its size. Plain gradient "
    "descent does just that; its relatives add a memory of past steps (momentum) "
    "or scale each knob's step by how steep it has been (AdaGrad, RMSProp, Adam). "
    "All start from the same point, so you can compare their walks."
)

notices = links.restore_landscape(PAGE)
landscape = landscape_ui(PAGE)
preset = preset_for(landscape)
PARAMS = [
    *links.point_params(PAGE),
    links.Param(
        "optimizers",
        f"{PAGE}_optimizers",
        lambda text, _: list(read_choices(text, list(OPTIMIZERS))),
    ),
    links.number_param(
        "lr", f"{PAGE}_learning_rate", MIN_LEARNING_RATE, MAX_LEARNING_RATE
    ),
    links.Param("steps", f"{PAGE}_steps", lambda t, _: read_int(t, 1, MAX_PATH_STEPS)),
    links.Param("log", f"{PAGE}_log_cost", lambda text, _: read_flag(text)),
    *[
        links.number_param(name, f"{PAGE}_{name}", *SETTINGS[name][1])
        for name in SETTINGS
    ],
    links.Param(
        "step", f"{PAGE}_current_step", lambda t, _: read_int(t, 0, MAX_PATH_STEPS)
    ),
    links.choice_param("view", f"{PAGE}_view", list(VIEWS)),
    links.choice_param("schedule", f"{PAGE}_schedule", list(SCHEDULES)),
    links.Param(
        "step_size", f"{PAGE}_step_size", lambda t, _: read_int(t, 1, MAX_PATH_STEPS)
    ),
    links.number_param("gamma", f"{PAGE}_gamma", 0.5, 1.0),
    links.number_param("eta_min", f"{PAGE}_eta_min", 0.0, 1.0),
    links.number_param("noise", f"{PAGE}_noise", 0.0, MAX_NOISE),
    links.Param("nseed", f"{PAGE}_noise_seed", lambda t, _: read_int(t, 0, 2**31 - 1)),
]
links.show_notices(notices + links.restore(PAGE, landscape, PARAMS))

st.markdown("**Start**")
start = point_ui(PAGE, landscape, label="Start")
settings = walk_settings_ui(PAGE, preset, default_optimizers=("gd", "momentum", "adam"))
if not settings.optimizers:
    st.info("Choose at least one optimizer to walk with.")
    links.publish(PAGE, landscape, PARAMS)
    st.stop()

walks = load_walks(
    landscape.key,
    settings.optimizers,
    start,
    settings.learning_rate,
    settings.steps,
    settings.hyperparameters,
    settings.schedule,
    settings.schedule_params,
    settings.noise,
    settings.noise_seed,
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
# A new number of steps shows the whole new walk; a step from a link is kept.
step_key, seen_key = f"{PAGE}_current_step", f"{PAGE}_current_step_of"
seen = st.session_state.get(seen_key)
if step_key not in st.session_state or seen not in (None, settings.steps):
    st.session_state[step_key] = settings.steps
st.session_state[seen_key] = settings.steps
st.session_state[step_key] = min(st.session_state[step_key], settings.steps)
current = st.slider(
    "Step through the walk",
    min_value=0,
    max_value=settings.steps,
    key=step_key,
    help="Slide to see where each optimizer was after that many steps.",
)

# The narrated step: the numbers behind the step the slider is on.
with st.expander(f"What happened at step {current}, in numbers", expanded=False):
    if current == 0:
        st.write("Step 0 is the start: nothing has happened yet. Move the slider.")
    else:
        teller = st.selectbox(
            "Optimizer",
            list(walks),
            format_func=lambda n: OPTIMIZERS[n].title,
            key=f"{PAGE}_narrated",
        )
        walk = walks[teller]
        told = min(current, walk.stopped_at)
        if told == 0:
            st.write("This walk stopped at its start: the slope there is flat.")
        else:
            if told < current:
                st.caption(f"This walk stopped at step {told}; here is its last step.")
            settings_for = dict(settings.hyperparameters).get(teller, ())
            if settings.schedule != "constant" or settings.noise:
                st.info(
                    "The story replays a walk with a constant learning rate and "
                    "exact slopes; set the schedule to constant and the noise to 0 "
                    "to read this step."
                )
            else:
                try:
                    story = load_step_story(
                        landscape.key,
                        teller,
                        start,
                        settings.learning_rate,
                        told,
                        settings_for,
                    )
                except ValueError as error:
                    st.warning(f"This step cannot be told: {error}.")
                else:
                    st.markdown("\n".join(f"- {line}" for line in story))

grid = load_grid(landscape.key, 80)
paths, markers, cost_rows, table = [], [], [], []
full_paths = []
for name, walk in walks.items():
    title = OPTIMIZERS[name].title
    colour = OPTIMIZER_COLOURS[name]
    last = min(current, walk.stopped_at)
    positions = walk.positions[: last + 1]
    values = walk.values[: last + 1]
    paths.append(Path(title, colour, positions, values))
    stop = walk.stopped_at + 1
    full_paths.append(Path(title, colour, walk.positions[:stop], walk.values[:stop]))
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
                else "still moving"
                if walk.status == "max_steps"
                else walk.status
            ),
        }
    )

if landscape.knobs == 1:
    curve = curve_figure(
        landscape,
        # One knob: only x has to stay on the chart.
        paths=[
            clip_to_domain(p, (landscape.domain[0], (-np.inf, np.inf))) for p in paths
        ],
    )
    st.plotly_chart(curve, key=f"{PAGE}_curve_chart")
    chart_download_ui(curve, "walks-curve", f"{PAGE}_save_curve")
else:
    seed_widget(f"{PAGE}_view", "paths")
    view = st.radio(
        "Show",
        list(VIEWS),
        format_func=VIEWS.get,
        key=f"{PAGE}_view",
        horizontal=True,
        help="The race replays every walk at once; press Play, Pause, or drag its "
        "slider to step.",
    )
    if view == "race":
        race = race_figure(
            grid, landscape, [clip_to_domain(p, landscape.domain) for p in full_paths]
        )
        st.plotly_chart(race, key=f"{PAGE}_race_chart")
        chart_download_ui(race, "race", f"{PAGE}_save_race")
    else:
        contours = contour_figure(grid, landscape, paths=paths, markers=markers)
        add_click_targets(contours, grid)
        surface = surface_figure(
            grid,
            landscape,
            paths=[clip_to_domain(p, landscape.domain) for p in paths],
            markers=markers,
        )
        left, right = st.columns(2)
        with left:
            st.plotly_chart(
                contours,
                key=f"{PAGE}_contour_chart",
                on_select=start_from_click(PAGE),
                selection_mode="points",
            )
            st.caption("Click anywhere on the map to start the walks from there.")
            chart_download_ui(contours, "walks-contours", f"{PAGE}_save_contours")
        with right:
            st.plotly_chart(surface, key=f"{PAGE}_surface_chart")
            chart_download_ui(surface, "walks-surface", f"{PAGE}_save_surface")

costs = readable_costs(pd.concat(cost_rows, ignore_index=True), grid.values)
colours = {OPTIMIZERS[n].title: OPTIMIZER_COLOURS[n] for n in walks}
costs_chart = cost_chart(
    costs, colours, current_step=current, log_scale=settings.log_cost
)
rates = learning_rates(
    settings.schedule,
    settings.learning_rate,
    max(settings.steps, 1),
    **dict(settings.schedule_params),
)
cost_column, rate_column = st.columns([2, 1])
with cost_column:
    st.altair_chart(costs_chart, key=f"{PAGE}_cost_chart")
    chart_download_ui(costs_chart, "cost-by-step", f"{PAGE}_save_costs")
with rate_column:
    rate_chart = schedule_chart(rates, current_step=current)
    st.altair_chart(rate_chart, key=f"{PAGE}_schedule_chart")
    st.caption(
        f"{SCHEDULES[settings.schedule].title}: the learning rate used at each step."
        + (
            f" Every slope also gets random jitter of size {number(settings.noise)}."
            if settings.noise
            else ""
        )
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
csv_download_ui(
    trajectory_table(walks, {n: OPTIMIZERS[n].title for n in walks}),
    "Download the walks (CSV: step, x, y, cost per optimizer)",
    f"trajectories-{landscape.name}",
    f"{PAGE}_download_walks",
)

links.publish(PAGE, landscape, PARAMS)
