"""Many knobs: the descent recipe over thousands of knobs, where the terrain can
no longer be drawn but cost and gradient length still tell the story."""

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from core.many_knobs import (
    DEFAULT_KNOBS,
    LANDSCAPES,
    MAX_KNOBS,
    MAX_SEED,
    MAX_STEPS,
    START_HALF_WIDTH,
    ManyKnobResult,
    descend_n,
    make_landscape,
    random_start,
)
from core.optimizers import MAX_LEARNING_RATE, MIN_LEARNING_RATE, OPTIMIZERS
from core.params import read_choice, read_choices, read_flag, read_int
from dashboard import links
from dashboard.charts import OPTIMIZER_COLOURS
from dashboard.exports import chart_download_ui
from dashboard.state import seed_widget
from dashboard.text import number
from dashboard.widgets import (
    SETTINGS,
    hyperparameters_ui,
    learning_rate_ui,
    optimizers_ui,
)

PAGE = "many_knobs"

# Lesson choices, like dashboard.presets: a learning rate and a number of steps
# that make each landscape show something.
PRESETS = {
    "bowl": (0.1, 200),
    "stretched_bowl": (0.04, 300),
    "rastrigin": (0.002, 500),
}
TITLES = {name: build(1).title for name, build in LANDSCAPES.items()}

# Most points drawn per line: more would not show and would slow the browser.
MAX_POINTS = 1_000
# Most rows in one chart: Altair refuses more when the chart is saved as HTML.
MAX_ROWS = 5_000


# -- links --------------------------------------------------------------------------
# links.restore_landscape would apply a link's landscape to the shared 2-D choice,
# and links.publish always writes that 2-D landscape into the URL. This page has no
# 2-D terrain, so it stages the link (links.stage) and writes only its own settings
# (links.write_url).


def publish(params: list[links.Param]) -> None:
    """Write this page's settings, and nothing else, into the URL."""
    values = {
        param.name: param.write(st.session_state[param.key])
        for param in params
        if param.key in st.session_state
    }
    links.write_url(values)


def int_param(name: str, low: int, high: int) -> links.Param:
    return links.Param(
        name, f"{PAGE}_{name}", lambda text, _: read_int(text, low, high)
    )


PARAMS = [
    links.Param(
        "landscape",
        f"{PAGE}_landscape",
        lambda text, _: read_choice(text, list(LANDSCAPES)),
    ),
    int_param("knobs", 1, MAX_KNOBS),
    int_param("seed", 0, MAX_SEED),
    links.Param(
        "optimizers",
        f"{PAGE}_optimizers",
        lambda text, _: list(read_choices(text, list(OPTIMIZERS))),
    ),
    links.number_param(
        "lr", f"{PAGE}_learning_rate", MIN_LEARNING_RATE, MAX_LEARNING_RATE
    ),
    int_param("steps", 1, MAX_STEPS),
    links.Param("log", f"{PAGE}_log_cost", lambda text, _: read_flag(text)),
    *[
        links.number_param(name, f"{PAGE}_{name}", *SETTINGS[name][1])
        for name in SETTINGS
    ],
]


# -- computing ----------------------------------------------------------------------


@st.cache_data(max_entries=16, show_spinner=False)
def load_descents(
    name: str,
    knobs: int,
    seed: int,
    optimizer_names: tuple[str, ...],
    learning_rate: float,
    steps: int,
    hyperparameters: tuple[tuple[str, tuple[tuple[str, object], ...]], ...],
) -> dict[str, ManyKnobResult]:
    """One descent per optimizer from the same seeded start, keyed by plain
    inputs (the landscape and start are rebuilt from them)."""
    landscape = make_landscape(name, knobs)
    start = random_start(knobs, seed)
    settings = {optimizer: dict(pairs) for optimizer, pairs in hyperparameters}
    return {
        optimizer: descend_n(
            landscape,
            optimizer,
            start,
            learning_rate,
            steps,
            **settings.get(optimizer, {}),
        )
        for optimizer in optimizer_names
    }


def thinned(results: dict[str, ManyKnobResult], points: int) -> pd.DataFrame:
    """Rows of ``optimizer, step, cost, gradient`` with at most ``points`` evenly
    spread steps per run, up to where it stopped (first and last step kept)."""
    frames = []
    for name, result in results.items():
        steps = np.unique(np.linspace(0, result.stopped_at, points).round())
        steps = steps.astype(int)
        frames.append(
            pd.DataFrame(
                {
                    "optimizer": OPTIMIZERS[name].title,
                    "step": steps,
                    "cost": result.cost[steps],
                    "gradient": result.gradient_norm[steps],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def step_chart(
    frame: pd.DataFrame,
    column: str,
    title: str,
    colours: dict[str, str],
    log_scale: bool,
) -> alt.Chart:
    """One line per optimizer of ``column`` against step.

    On a log scale, rows that are not above 0 cannot be drawn and are left out;
    values that are not finite are always left out.
    """
    values = frame[column].to_numpy(dtype=float)
    keep = np.isfinite(values) & ((values > 0) if log_scale else True)
    frame = frame.loc[keep, ["optimizer", "step", column]]
    names = list(colours)
    # Without nice=False a log axis pads to whole powers of ten, which can leave a
    # cost that only halves squeezed into a sliver of the chart.
    scale = alt.Scale(type="log", nice=False) if log_scale else alt.Scale(zero=False)
    return (
        alt.Chart(frame)
        .mark_line(strokeWidth=2.5)
        .encode(
            x=alt.X("step:Q", title="step"),
            y=alt.Y(
                f"{column}:Q",
                title=title,
                scale=scale,
                axis=alt.Axis(format="~e" if log_scale else "~s", tickCount=6),
            ),
            color=alt.Color(
                "optimizer:N",
                scale=alt.Scale(domain=names, range=[colours[n] for n in names]),
                legend=alt.Legend(orient="bottom", title=None, columns=3),
            ),
            strokeDash=alt.StrokeDash("optimizer:N", legend=None),
            tooltip=[
                "optimizer",
                "step",
                alt.Tooltip(f"{column}:Q", title=title, format=".6g"),
            ],
        )
        .properties(height=420, title=f"{title[0].upper()}{title[1:]} at each step")
    )


def status_words(result: ManyKnobResult) -> str:
    if result.status == "converged":
        return "converged"
    if result.status == "diverged":
        return f"diverged: {result.reason}"
    return "still moving"


def on_landscape_change() -> None:
    """A new landscape starts from its own learning rate and number of steps."""
    for suffix in ("learning_rate", "steps"):
        st.session_state.pop(f"{PAGE}_{suffix}", None)


# -- the page -----------------------------------------------------------------------

st.title("Many knobs")
st.markdown(
    "A real model has thousands or millions of knobs, and its cost is a terrain "
    "in as many dimensions: nobody can draw it. The recipe does not need a "
    "picture. The gradient is still one slope per knob, stepping against it still "
    "lowers the cost, and the walk is the same loop: **work out the gradient, "
    "take a step, repeat**. What you can still watch are two numbers per step: "
    "the cost, and the gradient's length, which shrinks to zero at the bottom of "
    "a valley."
)

links.stage()
links.show_notices(links.restore(PAGE, None, PARAMS))

with st.sidebar:
    key = f"{PAGE}_landscape"
    seed_widget(key, "bowl")
    name = st.selectbox(
        "Landscape",
        list(LANDSCAPES),
        format_func=TITLES.get,
        key=key,
        on_change=on_landscape_change,
        help="A cost over many knobs. Each is a sum of one valley per knob, so "
        "its exact gradient is quick to work out for any number of knobs.",
    )
    key = f"{PAGE}_knobs"
    seed_widget(key, DEFAULT_KNOBS)
    knobs = int(
        st.number_input(
            "Number of knobs",
            min_value=1,
            max_value=MAX_KNOBS,
            step=100,
            key=key,
            help=f"From 1 to {MAX_KNOBS:,}. A small image model has about as many "
            "knobs as the top of this range.",
        )
    )
    key = f"{PAGE}_seed"
    seed_widget(key, 0)
    seed = int(
        st.number_input(
            "Random start (seed)",
            min_value=0,
            max_value=MAX_SEED,
            step=1,
            key=key,
            help="Each knob starts at a random value in the box; the same seed "
            "always gives the same start.",
        )
    )

landscape = make_landscape(name, knobs)
with st.container(border=True):
    st.latex(landscape.latex)
    st.markdown(
        f"**{landscape.title}, {knobs:,} knob{'s' if knobs != 1 else ''}.** "
        f"{landscape.description} Every knob starts at a random value between "
        f"−{START_HALF_WIDTH:g} and {START_HALF_WIDTH:g} (seed {seed}); the global "
        "minimum, cost 0, has every knob at 0."
    )

default_rate, default_steps = PRESETS[name]
optimizers = optimizers_ui(PAGE, tuple(OPTIMIZERS))
left, middle, right = st.columns(3)
with left:
    learning_rate = learning_rate_ui(PAGE, default_rate)
with middle:
    key = f"{PAGE}_steps"
    seed_widget(key, default_steps)
    steps = int(
        st.number_input(
            "Steps",
            min_value=1,
            max_value=MAX_STEPS,
            step=50,
            key=key,
            help=f"How many steps each optimizer may take, up to {MAX_STEPS:,}.",
        )
    )
with right:
    st.write("")
    seed_widget(f"{PAGE}_log_cost", True)
    log_cost = st.toggle(
        "Log scale for cost",
        key=f"{PAGE}_log_cost",
        help="The cost falls by many powers of ten; a log scale shows the late "
        "improvements as clearly as the first drop.",
    )
hyperparameters = hyperparameters_ui(PAGE, optimizers)

if not optimizers:
    st.info("Choose at least one optimizer to walk with.")
    publish(PARAMS)
    st.stop()

try:
    with st.spinner(f"Walking {knobs:,} knobs downhill…"):
        results = load_descents(
            name, knobs, seed, optimizers, learning_rate, steps, hyperparameters
        )
except ValueError as error:
    st.error(f"These settings cannot be used: {error}")
    publish(PARAMS)
    st.stop()

first = next(iter(results.values()))
best = min(results.values(), key=lambda r: r.final_cost)
columns = st.columns(4)
columns[0].metric("Knobs", f"{knobs:,}")
columns[1].metric("Starting cost", number(float(first.cost[0])))
columns[2].metric("Starting gradient length", number(float(first.gradient_norm[0])))
columns[3].metric(
    "Lowest final cost",
    number(best.final_cost),
    help=f"Reached by {OPTIMIZERS[best.optimizer].title}.",
)

colours = {OPTIMIZERS[n].title: OPTIMIZER_COLOURS[n] for n in results}
frame = thinned(results, min(MAX_POINTS, MAX_ROWS // len(results)))
cost_plot = step_chart(frame, "cost", "cost", colours, log_cost)
gradient_plot = step_chart(frame, "gradient", "gradient length", colours, True)
left, right = st.columns(2)
with left:
    st.altair_chart(cost_plot, key=f"{PAGE}_cost_chart")
    chart_download_ui(cost_plot, f"many-knobs-cost-{name}", f"{PAGE}_save_cost")
with right:
    st.altair_chart(gradient_plot, key=f"{PAGE}_gradient_chart")
    chart_download_ui(
        gradient_plot, f"many-knobs-gradient-{name}", f"{PAGE}_save_gradient"
    )

st.dataframe(
    pd.DataFrame(
        {
            "optimizer": [OPTIMIZERS[n].title for n in results],
            "final cost": [r.final_cost for r in results.values()],
            "gradient length": [r.final_gradient_norm for r in results.values()],
            "status": [status_words(r) for r in results.values()],
            "steps": [r.stopped_at for r in results.values()],
        }
    ),
    hide_index=True,
    column_config={
        "final cost": st.column_config.NumberColumn(format="%.4g"),
        "gradient length": st.column_config.NumberColumn(format="%.4g"),
    },
)

LESSONS = {
    "bowl": "On the round bowl every knob is alike, so plain gradient descent "
    "shrinks every knob by the same factor each step, whatever their number: with "
    "learning rate 0.1 each knob keeps 0.8 of its value, and the cost 0.64 of its "
    "own.",
    "stretched_bowl": "On the stretched bowl, plain gradient descent must keep its "
    "learning rate below 0.1, or the steepest knobs (curvature 10) overshoot "
    "further every step and the run diverges; at 0.04 the gentlest knobs still keep "
    "0.92 of their value per step. RMSProp and Adam move every knob by about the "
    "learning rate whatever its slope, so they start fast; at 0.04 they then "
    "jitter at a cost set by the learning rate. Try rates of 0.09, 0.1 and 0.11.",
    "rastrigin": "On Rastrigin's landscape each knob has a ripple near every whole "
    "number, so a walk with many knobs almost surely ends with some knobs in a "
    "side valley: the gradient goes to zero (a minimum) while the cost stays far "
    "above 0. With many knobs, *a* minimum is easy to find and *the* minimum is "
    "not.",
}
st.markdown(LESSONS[name])
if knobs <= 2:
    st.caption(
        "With one or two knobs you can also watch this kind of walk on a map: see "
        "the Descent trajectories page."
    )

publish(PARAMS)
