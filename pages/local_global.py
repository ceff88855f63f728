"""Local vs global: many descents from random starts, and where they end."""

import numpy as np
import pandas as pd
import streamlit as st

from core.experiments import MAX_RUNS, MAX_STEPS, run_many, summarize
from core.landscapes import Landscape
from core.optimizers import OPTIMIZERS
from core.params import read_choices, read_flag, read_floats, read_int
from dashboard import links
from dashboard.cache import load_grid
from dashboard.charts import (
    end_cost_chart,
    end_points_curve_figure,
    end_points_figure,
    minimum_share_chart,
)
from dashboard.exports import chart_download_ui, csv_download_ui
from dashboard.presets import preset_for
from dashboard.state import seed_widget
from dashboard.text import plural
from dashboard.widgets import MAX_NOISE, landscape_ui, optimizers_ui

PAGE = "local_global"
SETTLE_STEPS = 300
MAX_SEED = 2**31 - 1
LEARNING_RATE_CHOICES = [
    0.0001,
    0.0003,
    0.001,
    0.003,
    0.01,
    0.03,
    0.1,
    0.3,
    1.0,
]

st.title("Local vs global")
st.markdown(
    "One walk shows one valley. Here many walks start from random points spread "
    "over the map, and we count where they end: in the **global minimum** (the "
    "deepest valley), stuck in a **local minimum**, **diverged** (flew off), or "
    "elsewhere, such as still high on a slope or on a ridge. A run counts as in a "
    "minimum when it ends within 1% of the map's width of it, even if it was still "
    "creeping closer when its steps ran out. Where you start decides which valley "
    "you end in."
)

notices = links.restore_landscape(PAGE)
landscape = landscape_ui(PAGE)
preset = preset_for(landscape)
STEPS_KEY = f"{PAGE}_steps_{landscape.name}"
RATES_KEY = f"{PAGE}_learning_rates_{landscape.name}"
AUTORUN_KEY = f"{PAGE}_autorun"
PARAMS = [
    links.Param(
        "optimizers",
        f"{PAGE}_optimizers",
        lambda text, _: list(read_choices(text, list(OPTIMIZERS))),
    ),
    links.Param("runs", f"{PAGE}_n_runs", lambda t, _: read_int(t, 1, MAX_RUNS)),
    links.Param("seed", f"{PAGE}_seed", lambda t, _: read_int(t, 0, MAX_SEED)),
    links.Param("steps", STEPS_KEY, lambda t, _: read_int(t, 1, MAX_STEPS)),
    links.Param(
        "lrs", RATES_KEY, lambda t, _: list(read_floats(t, LEARNING_RATE_CHOICES))
    ),
    links.choice_param("show", f"{PAGE}_show", ["ended", "started"]),
    links.Param("shown", f"{PAGE}_shown", lambda t, _: read_int(t, 0, 99)),
    links.Param("run", AUTORUN_KEY, lambda text, _: read_flag(text)),
    links.number_param("noise", f"{PAGE}_noise", 0.0, MAX_NOISE),
    links.Param("compare", f"{PAGE}_compare", lambda text, _: read_flag(text)),
]
links.show_notices(notices + links.restore(PAGE, landscape, PARAMS))

nearest = min(
    LEARNING_RATE_CHOICES, key=lambda v: abs(np.log(v / preset.learning_rate))
)
seed_widget(f"{PAGE}_n_runs", 1000)
seed_widget(f"{PAGE}_seed", 0)
seed_widget(STEPS_KEY, max(preset.steps, 300))
seed_widget(RATES_KEY, [nearest])
seed_widget(f"{PAGE}_noise", 0.0)
seed_widget(f"{PAGE}_compare", False)
with st.form(f"{PAGE}_form"):
    optimizers = optimizers_ui(PAGE, ("gd", "adam"))
    cols = st.columns(4)
    n_runs = cols[0].number_input(
        "Runs (random starts)",
        min_value=1,
        max_value=MAX_RUNS,
        step=100,
        key=f"{PAGE}_n_runs",
    )
    seed = cols[1].number_input(
        "Seed",
        min_value=0,
        max_value=MAX_SEED,
        step=1,
        key=f"{PAGE}_seed",
        help="The same seed gives the same starts, so the same table.",
    )
    steps = cols[2].number_input(
        "Steps per run",
        min_value=1,
        max_value=MAX_STEPS,
        step=50,
        key=STEPS_KEY,
    )
    learning_rates = cols[3].multiselect(
        "Learning rates",
        LEARNING_RATE_CHOICES,
        key=RATES_KEY,
    )
    noise_cols = st.columns([1, 2])
    noise = noise_cols[0].number_input(
        "Gradient noise",
        min_value=0.0,
        max_value=MAX_NOISE,
        step=0.5,
        key=f"{PAGE}_noise",
        help="Random jitter added to every slope, as a gradient measured on a "
        "small batch of data would have. It can shake a walk out of a shallow "
        "valley. Seeded by the seed above.",
    )
    with noise_cols[1]:
        st.write("")
        compare = st.checkbox(
            "Also run without noise, to compare",
            key=f"{PAGE}_compare",
        )
    submitted = st.form_submit_button("Run", type="primary")

# A shared link to results runs the same job again: same seed, same table.
submitted = submitted or bool(st.session_state.pop(AUTORUN_KEY, False))

result_key = f"{PAGE}_result"
if submitted:
    if not optimizers or not learning_rates:
        st.warning("Choose at least one optimizer and one learning rate, then run.")
    else:
        bar = st.progress(0.0, text="Starting…")

        def report(fraction: float, message: str) -> None:
            bar.progress(min(max(fraction, 0.0), 1.0), text=message)

        try:
            levels = [0.0, float(noise)] if noise and compare else [float(noise)]
            tables = []
            for i, level in enumerate(levels):

                def report_part(fraction: float, message: str, i: int = i) -> None:
                    report((i + fraction) / len(levels), message)

                tables.append(
                    run_many(
                        landscape,
                        optimizers,
                        sorted(learning_rates),
                        int(n_runs),
                        int(seed),
                        int(steps),
                        progress=report_part,
                        noise=level,
                        # A noisy run jitters around the bottom of its valley;
                        # it counts in the valley where it settles once the
                        # noise stops.
                        settle_steps=SETTLE_STEPS if level else 0,
                    )
                )
            runs = pd.concat(tables, ignore_index=True)
        except ValueError as error:
            bar.empty()
            st.error(f"Could not run: {error}")
        else:
            bar.empty()
            st.session_state[result_key] = {
                "landscape": landscape.key,
                "settings": (
                    tuple(optimizers),
                    int(n_runs),
                    int(seed),
                    int(steps),
                    tuple(sorted(learning_rates)),
                ),
                "runs": runs,
                "label": " × ".join(
                    [
                        plural(int(n_runs), "run"),
                        plural(len(optimizers), "optimizer"),
                        plural(len(learning_rates), "learning rate"),
                    ]
                )
                + f", seed {int(seed)}, {int(steps)} steps"
                + (
                    ", gradient noise " + " and ".join(f"{level:g}" for level in levels)
                    if any(levels)
                    else ""
                ),
            }

stored = st.session_state.get(result_key)
if stored is None or stored["landscape"] != landscape.key:
    st.info("Choose the settings above and press **Run**.")
    links.publish(PAGE, landscape, PARAMS)
    st.stop()

runs: pd.DataFrame = stored["runs"]
st.caption(f"Results: {stored['label']}.")

summary = summarize(runs)
best = "global" if landscape.minima_proven else "lowest found"
if not landscape.minima_proven:
    st.caption(
        "For a typed formula the minima come from a search, so the deepest one is "
        "the lowest found rather than a proven global minimum."
    )
titles = {name: optimizer.title for name, optimizer in OPTIMIZERS.items()}
shown = summary.assign(optimizer=summary["optimizer"].map(titles).astype(str))
st.subheader("Summary")
st.dataframe(
    shown,
    hide_index=True,
    column_order=[
        "optimizer",
        "learning_rate",
        *(["noise"] if "noise" in summary else []),
        "runs",
        "share_global",
        "share_local",
        "share_diverged",
        "share_other",
        "median_steps",
        "mean_end_value",
    ],
    column_config={
        "learning_rate": st.column_config.NumberColumn(
            "learning rate", format="%g", width="small"
        ),
        "runs": st.column_config.NumberColumn("runs", width="small"),
        **{
            column: st.column_config.ProgressColumn(
                label, format="percent", min_value=0, max_value=1, width="small"
            )
            for column, label in (
                ("share_global", f"reached {best}"),
                ("share_local", "stuck in local"),
                ("share_diverged", "diverged"),
                ("share_other", "elsewhere"),
            )
        },
        "median_steps": st.column_config.NumberColumn(
            "median steps", format="%d", width="small"
        ),
        "mean_end_value": st.column_config.NumberColumn(
            "mean end cost", format="%.4g", width="small"
        ),
    },
)

st.subheader("Where the runs ended")


# A fragment: choosing what the map shows reruns only this part, not the tables.
@st.fragment
def end_map_ui(
    runs: pd.DataFrame, landscape: Landscape, titles: dict[str, str]
) -> None:
    combos = list(
        runs[["optimizer", "learning_rate", "noise"]]
        .drop_duplicates()
        .itertuples(index=False)
    )
    labels = [
        f"{titles[o]}, learning rate {lr:g}" + (f", noise {sd:g}" if sd else "")
        for o, lr, sd in combos
    ]
    shown_key = f"{PAGE}_shown"
    if st.session_state.get(shown_key, 0) >= len(combos):
        st.session_state[shown_key] = 0
    choice = st.selectbox(
        "Show", range(len(combos)), format_func=lambda i: labels[i], key=shown_key
    )
    chosen_optimizer, chosen_rate, chosen_noise = combos[choice]
    subset = runs[
        (runs["optimizer"] == chosen_optimizer)
        & (runs["learning_rate"] == chosen_rate)
        & (runs["noise"] == chosen_noise)
    ]
    show = st.radio(
        "The map shows",
        ["ended", "started"],
        format_func=lambda v: {
            "ended": "where the runs ended (bubble size: number of runs)",
            "started": "where the runs started, coloured by where each ended",
        }[v],
        horizontal=True,
        key=f"{PAGE}_show",
    )
    if landscape.knobs == 1:
        figure = end_points_curve_figure(landscape, subset)
    else:
        grid = load_grid(landscape.key, 80)
        figure = end_points_figure(grid, landscape, subset, show=show)
    st.plotly_chart(figure, key=f"{PAGE}_end_points_chart")
    chart_download_ui(figure, "end-points", f"{PAGE}_save_map")
    links.publish(PAGE, landscape, PARAMS, extra={"run": "1"})


left, right = st.columns(2)
with left:
    end_map_ui(runs, landscape, titles)
share_chart = minimum_share_chart(runs, titles)
with right:
    st.altair_chart(share_chart, key=f"{PAGE}_share_chart", height=420)
    chart_download_ui(share_chart, "share-per-minimum", f"{PAGE}_save_shares")
costs_chart = end_cost_chart(runs, titles)
st.altair_chart(costs_chart, key=f"{PAGE}_cost_chart", height=300)
chart_download_ui(costs_chart, "end-costs", f"{PAGE}_save_costs")

st.subheader("Every run")
st.dataframe(runs, hide_index=True, height=320)
cols = st.columns(2)
with cols[0]:
    csv_download_ui(
        runs,
        "Download the runs table (CSV)",
        f"runs-{landscape.name}",
        f"{PAGE}_download_runs",
    )
with cols[1]:
    csv_download_ui(
        summary,
        "Download the summary (CSV)",
        f"summary-{landscape.name}",
        f"{PAGE}_download_summary",
    )

links.publish(PAGE, landscape, PARAMS, extra={"run": "1"})
