"""Basins and learning rates: which valley each start drains to, and how the share
of runs that reach the global minimum changes with the learning rate."""

import numpy as np
import pandas as pd
import streamlit as st

from core.basins import BasinMap, basin_map, resolution_within_cap
from core.experiments import MAX_RUNS, MAX_STEPS
from core.landscapes import Landscape, landscape_from_key
from core.optimizers import MAX_LEARNING_RATE, MIN_LEARNING_RATE, OPTIMIZERS
from core.params import MAX_PATH_STEPS, read_choices, read_flag, read_int
from core.sweeps import (
    MIN_SWEEP_RUNS,
    Edge,
    edge_from_shares,
    largest_curvature,
    learning_rate_sweep,
    log_rates,
    momentum_sweep,
    rate_limit,
    runs_within_cap,
    sweep_work,
)
from dashboard import links
from dashboard.cache import load_grid
from dashboard.exports import chart_download_ui, csv_download_ui
from dashboard.maps import (
    basin_curve_figure,
    basin_figure,
    momentum_heatmap,
    sweep_chart,
)
from dashboard.presets import preset_for
from dashboard.state import seed_widget
from dashboard.text import number, plural
from dashboard.widgets import (
    SETTINGS,
    hyperparameters_ui,
    landscape_ui,
    learning_rate_ui,
    optimizers_ui,
)

PAGE = "basins"
MIN_RESOLUTION, MAX_RESOLUTION, DEFAULT_RESOLUTION = 60, 200, 100
LOW_RATES = [1e-5, 1e-4, 1e-3, 1e-2]
HIGH_RATES = [0.1, 1.0, 10.0]
PER_DECADE = [3, 4, 6, 8, 12]
MOMENTA = (0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 0.99)
# Runs per cell of the momentum heat maps: they have many cells, and a share to
# the nearest percent is plenty for a colour.
HEAT_RUNS = 100
MAX_SEED = 2**31 - 1
TITLES = {name: optimizer.title for name, optimizer in OPTIMIZERS.items()}
LIMIT_FORMULAS = {
    "gd": "2 / L",
    "momentum": "2(1 + μ) / L",
    "nesterov": "2(1 + μ) / ((1 + 2μ) L)",
}
Hyper = tuple[tuple[str, tuple[tuple[str, object], ...]], ...]


# -- cached computations, keyed by plain inputs ----------------------------------------


@st.cache_data(max_entries=32, show_spinner=False)
def load_basins(
    key: tuple,
    optimizer: str,
    learning_rate: float,
    steps: int,
    resolution: int,
    hyperparameters: Hyper,
) -> BasinMap:
    """The basin map of a landscape (by ``Landscape.key``); a one-knob landscape
    gets a strip two rows high, since its cost ignores y."""
    landscape = landscape_from_key(key)
    settings = dict(dict(hyperparameters).get(optimizer, ()))
    shape = resolution if landscape.knobs == 2 else (resolution, 2)
    return basin_map(landscape, optimizer, learning_rate, shape, steps, **settings)


@st.cache_data(max_entries=8, show_spinner=False)
def load_sweep(
    key: tuple,
    optimizers: tuple[str, ...],
    rates: tuple[float, ...],
    n_runs: int,
    seed: int,
    steps: int,
    _progress=None,
) -> pd.DataFrame:
    """The learning-rate sweep table (``core.sweeps.learning_rate_sweep``)."""
    return learning_rate_sweep(
        landscape_from_key(key),
        optimizers,
        rates,
        n_runs,
        seed,
        steps,
        progress=_progress,
    )


@st.cache_data(max_entries=8, show_spinner=False)
def load_momentum_sweep(
    key: tuple,
    optimizer: str,
    rates: tuple[float, ...],
    momenta: tuple[float, ...],
    n_runs: int,
    seed: int,
    steps: int,
    _progress=None,
) -> pd.DataFrame:
    """The learning rate x momentum table (``core.sweeps.momentum_sweep``)."""
    return momentum_sweep(
        landscape_from_key(key),
        optimizer,
        rates,
        momenta,
        n_runs,
        seed,
        steps,
        progress=_progress,
    )


def percent(share: float) -> str:
    """A share as a percentage to three figures: 1.0 is "100%", 0.5176 "51.8%"."""
    return f"{number(100 * share, 3)}%"


# -- the page --------------------------------------------------------------------------

st.title("Basins and learning rates")
st.markdown(
    "Every valley of a cost landscape collects the walks that start on its slopes, "
    "like a river basin collects rain. This page paints the whole map by where "
    "descent from each point ends, then sweeps the learning rate to show how that "
    "picture changes when the steps are too timid or too bold."
)

notices = links.restore_landscape(PAGE)
landscape = landscape_ui(PAGE)
preset = preset_for(landscape)
SWEEP_STEPS_KEY = f"{PAGE}_sweep_steps_{landscape.name}"
AUTORUN_KEY = f"{PAGE}_autorun"
PARAMS = [
    links.choice_param("optimizer", f"{PAGE}_optimizer", list(OPTIMIZERS)),
    links.number_param(
        "lr", f"{PAGE}_learning_rate", MIN_LEARNING_RATE, MAX_LEARNING_RATE
    ),
    links.Param("steps", f"{PAGE}_steps", lambda t, _: read_int(t, 1, MAX_PATH_STEPS)),
    links.Param(
        "resolution",
        f"{PAGE}_resolution",
        lambda t, _: read_int(t, MIN_RESOLUTION, MAX_RESOLUTION),
    ),
    *[
        links.number_param(name, f"{PAGE}_{name}", low, high)
        for name, (_, (low, high), _, _) in SETTINGS.items()
    ],
    links.Param(
        "sweep_optimizers",
        f"{PAGE}_sweep_optimizers",
        lambda text, _: list(read_choices(text, list(OPTIMIZERS))),
    ),
    links.choice_param("from", f"{PAGE}_rate_from", LOW_RATES),
    links.choice_param("to", f"{PAGE}_rate_to", HIGH_RATES),
    links.choice_param("per_decade", f"{PAGE}_per_decade", PER_DECADE),
    links.Param(
        "runs", f"{PAGE}_runs", lambda t, _: read_int(t, MIN_SWEEP_RUNS, MAX_RUNS)
    ),
    links.Param("seed", f"{PAGE}_seed", lambda t, _: read_int(t, 0, MAX_SEED)),
    links.Param("sweep_steps", SWEEP_STEPS_KEY, lambda t, _: read_int(t, 1, MAX_STEPS)),
    links.Param("sweep", AUTORUN_KEY, lambda text, _: read_flag(text)),
]
links.show_notices(notices + links.restore(PAGE, landscape, PARAMS))


# -- 1. basins of attraction -----------------------------------------------------------

st.header("Basins of attraction")
st.markdown(
    "Each pixel below is a starting point. We run the chosen optimizer from every "
    "one of them and colour the pixel by the minimum its walk ends in. **Where you "
    "start decides which valley you end in**: the colours change abruptly along "
    "ridges and through saddles, and two starts a hair apart on either side of a "
    "ridge end in different valleys. A larger learning rate can blur these borders "
    "or jump over them, so the map also depends on the step size."
)

seed_widget(f"{PAGE}_optimizer", "gd")
seed_widget(f"{PAGE}_steps", int(preset.steps))
seed_widget(f"{PAGE}_resolution", DEFAULT_RESOLUTION)
cols = st.columns(4)
optimizer = cols[0].selectbox(
    "Optimizer",
    list(OPTIMIZERS),
    format_func=lambda n: TITLES[n],
    key=f"{PAGE}_optimizer",
)
with cols[1]:
    learning_rate = learning_rate_ui(PAGE, preset.learning_rate)
steps = int(
    cols[2].number_input(
        "Steps",
        min_value=1,
        max_value=MAX_PATH_STEPS,
        step=50,
        key=f"{PAGE}_steps",
        help="How many steps each walk may take. Walks still moving at the end "
        "count as not at a known minimum.",
    )
)
resolution = int(
    cols[3].slider(
        "Grid points per side",
        MIN_RESOLUTION,
        MAX_RESOLUTION,
        step=10,
        key=f"{PAGE}_resolution",
        help="More points draw finer borders between the basins and take longer.",
    )
)
hyperparameters = hyperparameters_ui(PAGE, (optimizer,))

used_resolution = resolution_within_cap(resolution, steps)
if used_resolution < resolution:
    st.warning(
        f"{resolution} × {resolution} starts with {steps:,} steps each is a lot of "
        f"work; drawing {used_resolution} × {used_resolution} instead. Take fewer "
        "steps for a finer grid."
    )


def show_basins(landscape: Landscape) -> None:
    """The basin map, its shares and words; errors become messages."""
    try:
        with st.spinner("Walking downhill from every start…"):
            basins = load_basins(
                landscape.key,
                optimizer,
                learning_rate,
                steps,
                used_resolution,
                hyperparameters,
            )
    except (ValueError, ArithmeticError) as error:
        st.error(f"Could not draw the basins: {error}")
        return

    table = basins.table()
    share = basins.global_share
    best = "global minimum" if landscape.minima_proven else "lowest minimum found"
    left, right = st.columns([3, 1.2])
    with right:
        st.metric(
            f"Area that drains to the {best}",
            percent(share),
            help="The share of the grid's starts whose walk ends at a global "
            "minimum (any of them, where several are equally deep).",
        )
        minima_reached = int((table["code"] < len(basins.names) - 2).sum())
        st.metric("Valleys reached", minima_reached)
        by_ending = dict(zip(table["ending"], table["share"], strict=False))
        st.metric("Diverged", percent(by_ending.get("diverged", 0.0)))
        st.metric(
            "Not at a known minimum",
            percent(by_ending.get("not at a known minimum", 0.0)),
            help="Still moving when the steps ran out, or settled somewhere that "
            "is not a listed minimum, such as a saddle or a flat stretch.",
        )
    with left:
        if landscape.knobs == 1:
            st.info(
                "This formula has one knob, so its basins are stretches of the "
                "line rather than areas of a map: each dot on the curve is a start, "
                "coloured by where its walk ends."
            )
            figure = basin_curve_figure(landscape, basins)
        else:
            figure = basin_figure(load_grid(landscape.key, 120), landscape, basins)
        st.plotly_chart(figure, key=f"{PAGE}_basin_chart")
        chart_download_ui(figure, f"basins-{landscape.name}", f"{PAGE}_save_basins")

    points = basins.labels[0].size if landscape.knobs == 1 else basins.labels.size
    sentence = (
        f"{plural(points, 'start')}, each walked {plural(steps, 'step')} by "
        f"{TITLES[optimizer]} at learning rate {number(learning_rate)}. "
        f"{percent(share)} of the map drains to the {best}"
    )
    if share < 1:
        sentence += (
            "; a walk started anywhere else ends in another valley, stops short or "
            "flies off"
        )
    sentence += "."
    if (~table["is_global"] & (table["code"] < len(basins.names) - 2)).any():
        sentence += (
            " More steps would not rescue the walks caught in a local valley: at "
            "its bottom the slope is zero, so descent has no reason to leave."
        )
    st.markdown(sentence)
    if not landscape.minima_complete:
        st.caption(
            "Only some minima of this landscape are listed, so walks that end in "
            "an unlisted dimple count as not at a known minimum."
        )
    if not landscape.minima_proven:
        st.caption(
            "For a typed formula the minima come from a search, so the deepest is "
            "the lowest found rather than a proven global minimum."
        )
    shown = table.assign(
        kind=np.where(table["is_global"], "global", ""),
    )
    st.dataframe(
        shown,
        hide_index=True,
        column_order=["ending", "starts", "share"],
        column_config={
            "ending": st.column_config.TextColumn("ends at"),
            "starts": st.column_config.NumberColumn("starts"),
            "share": st.column_config.ProgressColumn(
                "share of the area", format="percent", min_value=0, max_value=1
            ),
        },
        height=min(36 * (len(shown) + 1) + 4, 320),
    )


show_basins(landscape)


# -- 2. learning-rate map --------------------------------------------------------------

st.header("Learning-rate map")
st.markdown(
    "Now the learning rate itself varies. Many walks start from the same random "
    "points and run at each of a range of learning rates, spaced evenly on a log "
    "scale. Too small, and the walks are still on their way when the steps run out "
    "(grey); too large, and they overshoot and **diverge** (red); in between they "
    "arrive, in the global minimum (gold) or a local one (blue)."
)

seed_widget(f"{PAGE}_sweep_optimizers", ["gd", "momentum", "adam"])
seed_widget(f"{PAGE}_rate_from", 1e-4)
seed_widget(f"{PAGE}_rate_to", 10.0)
seed_widget(f"{PAGE}_per_decade", 6)
seed_widget(f"{PAGE}_runs", 500)
seed_widget(f"{PAGE}_seed", 0)
seed_widget(SWEEP_STEPS_KEY, max(int(preset.steps), 300))
with st.form(f"{PAGE}_sweep_form"):
    sweep_optimizers = optimizers_ui(f"{PAGE}_sweep", ("gd", "momentum", "adam"))
    cols = st.columns(6)
    rate_from = cols[0].selectbox(
        "Learning rates from",
        LOW_RATES,
        format_func="{:g}".format,
        key=f"{PAGE}_rate_from",
    )
    rate_to = cols[1].selectbox(
        "to", HIGH_RATES, format_func="{:g}".format, key=f"{PAGE}_rate_to"
    )
    per_decade = cols[2].selectbox(
        "Rates per factor of 10",
        PER_DECADE,
        key=f"{PAGE}_per_decade",
        help="The sweep's resolution: with 6, neighbouring rates differ by a "
        "factor of 10^(1/6) ≈ 1.47.",
    )
    n_runs = cols[3].number_input(
        "Runs per rate",
        min_value=MIN_SWEEP_RUNS,
        max_value=MAX_RUNS,
        step=100,
        key=f"{PAGE}_runs",
    )
    sweep_steps = cols[4].number_input(
        "Steps per run", min_value=1, max_value=MAX_STEPS, step=50, key=SWEEP_STEPS_KEY
    )
    seed = cols[5].number_input(
        "Seed",
        min_value=0,
        max_value=MAX_SEED,
        step=1,
        key=f"{PAGE}_seed",
        help="The same seed gives the same starts, so the same chart.",
    )
    st.caption(
        "Optimizer settings are PyTorch's defaults (momentum 0.9); for momentum and "
        f"Nesterov a heat map also varies the momentum, with {HEAT_RUNS} runs per "
        "cell."
    )
    submitted = st.form_submit_button("Run the sweep", type="primary")

# A shared link to results runs the same sweep again: same seed, same chart.
submitted = submitted or bool(st.session_state.pop(AUTORUN_KEY, False))
RESULT_KEY = f"{PAGE}_sweep_result"


def run_sweep() -> None:
    """Run the sweep (and the momentum heat maps) with a progress bar, and keep the
    tables in the session."""
    if not sweep_optimizers:
        st.warning("Choose at least one optimizer, then run the sweep.")
        return
    try:
        rates = tuple(float(r) for r in log_rates(rate_from, rate_to, per_decade))
    except ValueError as error:
        st.error(f"Could not sweep: {error}")
        return

    notes = []
    steps_ = int(sweep_steps)
    try:
        runs = runs_within_cap(int(n_runs), len(sweep_optimizers) * len(rates), steps_)
        heat_names = [n for n in sweep_optimizers if n in ("momentum", "nesterov")]
        heat_runs = runs_within_cap(
            min(runs, HEAT_RUNS), len(rates) * len(MOMENTA), steps_
        )
    except ValueError as error:
        st.error(f"Could not sweep: {error}")
        return
    if runs < int(n_runs):
        notes.append(
            f"Capped at {runs:,} runs per rate (instead of {int(n_runs):,}) so the "
            "sweep stays quick; take fewer rates or steps for more runs."
        )

    jobs = [("sweep", None, sweep_work(runs, len(sweep_optimizers) * len(rates), 1))]
    jobs += [
        ("heat", name, heat_runs * len(rates) * len(MOMENTA)) for name in heat_names
    ]
    total = sum(work for *_, work in jobs)
    bar = st.progress(0.0, text="Starting the sweep…")
    done = 0
    tables: dict = {"heat": {}}
    try:
        for kind, name, work in jobs:
            offset = done

            def report(fraction: float, message: str, offset=offset, work=work) -> None:
                share = (offset + fraction * work) / total
                bar.progress(min(max(share, 0.0), 1.0), text=message)

            if kind == "sweep":
                tables["sweep"] = load_sweep(
                    landscape.key,
                    sweep_optimizers,
                    rates,
                    runs,
                    int(seed),
                    steps_,
                    _progress=report,
                )
            else:
                tables["heat"][name] = load_momentum_sweep(
                    landscape.key,
                    name,
                    rates,
                    MOMENTA,
                    heat_runs,
                    int(seed),
                    steps_,
                    _progress=report,
                )
            done += work
    except (ValueError, ArithmeticError) as error:
        bar.empty()
        st.error(f"Could not sweep: {error}")
        return
    bar.empty()
    st.session_state[RESULT_KEY] = {
        "landscape": landscape.key,
        "rates": rates,
        "runs": runs,
        "heat_runs": heat_runs,
        "steps": steps_,
        "seed": int(seed),
        "per_decade": int(per_decade),
        "notes": notes,
        **tables,
    }


if submitted:
    run_sweep()

stored = st.session_state.get(RESULT_KEY)
if stored is None or stored["landscape"] != landscape.key:
    st.info(
        "Choose the optimizers and the range of learning rates, then press "
        "**Run the sweep**. The default sweep takes a few seconds."
    )
    links.publish(PAGE, landscape, PARAMS)
    st.stop()

for note in stored["notes"]:
    st.warning(note)
table: pd.DataFrame = stored["sweep"]
rates = np.array(stored["rates"])
step_factor = 10 ** (1 / stored["per_decade"])
names = list(table["optimizer"].drop_duplicates())
st.caption(
    f"{plural(stored['runs'], 'run')} per rate × {plural(len(rates), 'learning rate')}"
    f" from {number(rates[0])} to {number(rates[-1])} × "
    f"{plural(len(names), 'optimizer')}, {stored['steps']:,} steps, "
    f"seed {stored['seed']}."
)

curvature = largest_curvature(landscape)
limits = {
    name: rate_limit(curvature, name) if curvature is not None else None
    for name in names
}
edges: dict[str, Edge] = {
    name: edge_from_shares(
        table.loc[table["optimizer"] == name, "learning_rate"],
        table.loc[table["optimizer"] == name, "share_diverged"],
    )
    for name in names
}

if curvature is not None:
    st.markdown(
        f"This cost is **quadratic**: its curvature is the same everywhere, and the "
        f"steepest direction has curvature L = {number(curvature)} (the largest "
        "eigenvalue of the Hessian). Each step of gradient descent multiplies the "
        "distance along that direction by 1 − learning rate × L, so the walk "
        f"shrinks only while the learning rate is below **2 / L = "
        f"{number(2 / curvature)}**. Above it every step overshoots further than "
        "the last. The dashed rule marks that limit; the solid one the first swept "
        "rate where most runs diverged."
    )
    if "gd" in names:
        edge = edges["gd"]
        limit = 2 / curvature
        cols = st.columns(3)
        cols[0].metric("Theory: 2 / L", number(limit))
        cols[1].metric(
            "Measured edge of divergence",
            number(edge.first_diverging) if edge.first_diverging else "none",
            help="The first swept learning rate at which at least half of the "
            "gradient descent runs diverged.",
        )
        cols[2].metric(
            "Last stable rate swept",
            number(edge.last_stable) if edge.last_stable else "none",
        )
        if edge.brackets(limit):
            st.success(
                f"Theory and measurement agree: 2 / L = {number(limit)} lies between "
                f"the last stable swept rate {number(edge.last_stable)} and the first "
                f"diverging one {number(edge.first_diverging)}, one step of the sweep "
                f"(a factor of {number(step_factor, 3)}) apart. Exactly at 2 / L the "
                "walk bounces between two mirror points forever, neither settling "
                "nor flying off."
            )
        else:
            st.warning(
                f"2 / L = {number(limit)} is not between the last stable and the "
                "first diverging swept rate: widen the range of rates so it covers "
                "both sides of the limit, or give the runs more steps."
            )
    else:
        st.caption("Add gradient descent to the sweep to compare its edge with 2 / L.")
else:
    st.caption(
        "This cost is not quadratic, so no single number predicts the edge: the "
        "curvature changes from place to place, and a rate that is safe in one "
        "valley can overshoot on a steeper wall. The solid rule marks the first "
        "swept rate where most runs diverged."
    )

chart = sweep_chart(
    table,
    TITLES,
    limits=limits,
    edges=edges,
    limit_label=lambda name: f"theory {LIMIT_FORMULAS.get(name, '')} =",
)
st.altair_chart(chart, key=f"{PAGE}_sweep_chart")
chart_download_ui(chart, f"learning-rates-{landscape.name}", f"{PAGE}_save_sweep")

summary = []
for name in names:
    part = table[table["optimizer"] == name]
    best_row = part.loc[part["share_global"].idxmax()]
    summary.append(
        {
            "optimizer": TITLES[name],
            "best swept rate": best_row["learning_rate"],
            "reached global there": best_row["share_global"],
            "theory limit": limits[name],
            "last stable": edges[name].last_stable,
            "first diverging": edges[name].first_diverging,
        }
    )
st.dataframe(
    pd.DataFrame(summary),
    hide_index=True,
    column_config={
        "best swept rate": st.column_config.NumberColumn(format="%.3g"),
        "reached global there": st.column_config.ProgressColumn(
            format="percent", min_value=0, max_value=1
        ),
        "theory limit": st.column_config.NumberColumn(
            format="%.3g", help="Only for quadratic costs and non-adaptive methods."
        ),
        "last stable": st.column_config.NumberColumn(format="%.3g"),
        "first diverging": st.column_config.NumberColumn(format="%.3g"),
    },
)
csv_download_ui(
    table,
    "Download the sweep (CSV)",
    f"learning-rate-sweep-{landscape.name}",
    f"{PAGE}_download_sweep",
)

if stored["heat"]:
    st.subheader("Learning rate and momentum together")
    st.markdown(
        "Momentum carries speed from one step to the next. Each cell is a pair of "
        "learning rate and momentum; its colour is the share of runs that reached "
        "the global minimum. More momentum tolerates a larger learning rate before "
        "the walks blow up, and lets small rates arrive within the step budget."
    )
    heat_table = pd.concat(stored["heat"].values(), ignore_index=True)
    curves = {}
    if curvature is not None:
        mus = np.linspace(0.0, 0.99, 100)
        for name in stored["heat"]:
            curves[name] = pd.DataFrame(
                {
                    "momentum": mus,
                    "learning_rate": [rate_limit(curvature, name, m) for m in mus],
                }
            )
        st.caption(
            "The dashed line is the theory for this quadratic: the largest "
            "stable rate is 2(1 + μ) / L with momentum μ, and 2(1 + μ) / ((1 + 2μ) L) "
            "for Nesterov's form."
        )
    heat = momentum_heatmap(heat_table, TITLES, limit_curves=curves)
    st.altair_chart(heat, key=f"{PAGE}_momentum_chart")
    st.caption(f"{stored['heat_runs']} runs per cell, the same starts in every cell.")
    chart_download_ui(heat, f"momentum-{landscape.name}", f"{PAGE}_save_momentum")

links.publish(PAGE, landscape, PARAMS, extra={"sweep": "1"})
