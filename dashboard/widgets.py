"""Widget helpers shared by the pages. Each ``*_ui`` draws its widgets and returns
the values chosen, already checked, so page scripts stay a list of steps."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from core.formula import MAX_DOMAIN_BOUND, MAX_LENGTH
from core.landscapes import (
    LANDSCAPES,
    FormulaError,
    Landscape,
    from_formula,
    get_landscape,
)
from core.optimizers import MAX_LEARNING_RATE, MIN_LEARNING_RATE, OPTIMIZERS
from core.params import MAX_PATH_STEPS
from core.schedules import SCHEDULES
from dashboard.presets import Preset, preset_for
from dashboard.state import get_shared, seed_widget, set_shared, sync_to_shared
from dashboard.text import plain

DEFAULT_LANDSCAPE = "bowl"
CUSTOM = "custom"
CUSTOM_TITLE = "Custom: type your own formula"
DEFAULT_FORMULA = "(1-x)^2 + 100(y-x^2)^2"
DEFAULT_DOMAIN = ((-2.0, 2.0), (-1.0, 3.0))


def reset_point(page: str, landscape: Landscape) -> None:
    """Start a new terrain from its preset point, and drop this page's
    terrain-specific widgets so they re-seed from the shared choices."""
    preset = preset_for(landscape)
    set_shared("x", preset.x)
    set_shared("y", preset.y)
    for suffix in ("x", "y", "start_x", "start_y", "learning_rate", "steps"):
        st.session_state.pop(f"{page}_{suffix}", None)


def _on_landscape_change(page: str) -> None:
    name = st.session_state[f"{page}_landscape"]
    set_shared("landscape", name)
    if name == CUSTOM:
        formula, domain = get_shared("custom", (DEFAULT_FORMULA, DEFAULT_DOMAIN))
        reset_point(page, from_formula(formula, domain))
    else:
        reset_point(page, get_landscape(name))


def landscape_ui(page: str) -> Landscape:
    """The landscape picker in the sidebar, and the chosen terrain's formula and
    description in the page. Returns the chosen landscape.

    Besides the built-ins there is "Custom": a formula box and a domain, whose
    landscape is built by ``core.landscapes.from_formula``.
    """
    key = f"{page}_landscape"
    options = [*LANDSCAPES, CUSTOM]
    chosen = get_shared("landscape", DEFAULT_LANDSCAPE)
    seed_widget(key, chosen if chosen in options else DEFAULT_LANDSCAPE)
    name = st.sidebar.selectbox(
        "Landscape",
        options,
        format_func=lambda n: LANDSCAPES[n].title if n in LANDSCAPES else CUSTOM_TITLE,
        key=key,
        on_change=_on_landscape_change,
        args=(page,),
        help="The cost function to explore. Your choice carries over to the "
        "other pages.",
    )
    set_shared("landscape", name)
    landscape = custom_landscape_ui(page) if name == CUSTOM else get_landscape(name)
    landscape_header(landscape)
    return landscape


def _on_formula_change(page: str) -> None:
    """A new formula or domain: try it, and keep it only if it works."""
    text = st.session_state[f"{page}_formula"]
    domain = tuple(
        (st.session_state[f"{page}_{axis}_min"], st.session_state[f"{page}_{axis}_max"])
        for axis in ("x", "y")
    )
    try:
        landscape = from_formula(text, domain)
    except FormulaError as error:
        set_shared("custom_error", str(error))
        return
    set_shared("custom_error", "")
    set_shared("custom", (text, domain))
    reset_point(page, landscape)


def custom_landscape_ui(page: str) -> Landscape:
    """The formula box and domain for a custom landscape, in the sidebar.

    A formula that cannot be used shows its message under the box and the page
    carries on with the last formula that worked, so nothing is lost.
    """
    formula, domain = get_shared("custom", (DEFAULT_FORMULA, DEFAULT_DOMAIN))
    seed_widget(f"{page}_formula", formula)
    for (low, high), axis in zip(domain, ("x", "y"), strict=True):
        seed_widget(f"{page}_{axis}_min", float(low))
        seed_widget(f"{page}_{axis}_max", float(high))

    with st.sidebar:
        st.text_input(
            "Cost formula in x (and y)",
            key=f"{page}_formula",
            max_chars=MAX_LENGTH,
            on_change=_on_formula_change,
            args=(page,),
            help="For example (1-x)^2 + 100(y-x^2)^2, or x^4 - 3x^2 + x for one knob. "
            "Use + - * / ^, parentheses, pi, e and sin, cos, tan, exp, log, sqrt, "
            "abs, tanh and friends. 2x means 2*x.",
        )
        error = get_shared("custom_error", "")
        if error:
            st.error(f"{plain(error)}. Still showing the last formula that worked.")
        columns = st.columns(2)
        for axis in ("x", "y"):
            for column, end in zip(columns, ("min", "max"), strict=True):
                column.number_input(
                    f"{axis} {'from' if end == 'min' else 'to'}",
                    min_value=-MAX_DOMAIN_BOUND,
                    max_value=MAX_DOMAIN_BOUND,
                    step=1.0,
                    format="%g",
                    key=f"{page}_{axis}_{end}",
                    on_change=_on_formula_change,
                    args=(page,),
                )
    return from_formula(formula, domain)


def landscape_header(landscape: Landscape) -> None:
    """The landscape's name, formula, shape in words and domain, in one band."""
    (x_min, x_max), (y_min, y_max) = landscape.domain
    with st.container(border=True):
        st.latex(landscape.latex)
        title = (
            ""
            if landscape.description.startswith(landscape.title)
            else f"**{landscape.title}.** "
        )
        st.markdown(
            f"{title}{landscape.description} "
            f"The map covers x from {x_min:g} to {x_max:g} and y from {y_min:g} to "
            f"{y_max:g}."
        )


def _step_for(span: float) -> float:
    """A tidy increment for a number input: about a hundredth of the span."""
    raw = span / 100
    # A float always: Streamlit refuses an int step beside float bounds.
    return float(10.0 ** math.floor(math.log10(raw)))


def point_ui(
    page: str,
    landscape: Landscape,
    *,
    prefix: str = "",
    label: str = "Point",
    share: bool = True,
) -> tuple[float, float]:
    """Number inputs for a point inside the landscape's domain (one per knob;
    y is 0 on a one-knob landscape).

    With ``share`` the point is the "you are here" point the pages share; without
    it (``prefix`` set) it is a page's own, such as a descent's start.
    """
    preset = preset_for(landscape)
    values = [0.0, 0.0]
    axes = ("x", "y")[: landscape.knobs]
    columns = st.columns(2)
    for i, (column, axis, (low, high), default) in enumerate(
        zip(columns, axes, landscape.domain, (preset.x, preset.y), strict=False)
    ):
        key = f"{page}_{prefix}{axis}"
        start = get_shared(axis, default) if share else default
        seed_widget(key, start)
        # A value from another terrain or an older domain may lie outside this
        # one; Streamlit refuses a widget whose value is out of its bounds.
        st.session_state[key] = float(min(max(st.session_state[key], low), high))
        value = column.number_input(
            f"{label} {axis}",
            min_value=float(low),
            max_value=float(high),
            step=_step_for(high - low),
            format="%.4g",
            key=key,
            on_change=sync_to_shared(key, axis) if share else None,
        )
        values[i] = float(value)
    return values[0], values[1]


@dataclass(frozen=True)
class WalkSettings:
    """What the learner chose for a set of walks."""

    optimizers: tuple[str, ...]
    learning_rate: float
    steps: int
    hyperparameters: tuple[tuple[str, tuple[tuple[str, object], ...]], ...]
    log_cost: bool
    schedule: str = "constant"
    schedule_params: tuple[tuple[str, object], ...] = ()
    noise: float = 0.0
    noise_seed: int = 0


MAX_NOISE = 10.0

# The settings each schedule offers: name -> (label, low, high, step, help).
SCHEDULE_SETTINGS = {
    "step_size": ("step size (steps between cuts)", 1, MAX_PATH_STEPS, 10, None),
    "gamma": ("gamma (factor per cut or per step)", 0.5, 1.0, 0.001, None),
    "eta_min": ("lowest rate, as a share of the learning rate", 0.0, 1.0, 0.01, None),
}


def schedule_ui(page: str, learning_rate: float) -> tuple[str, tuple]:
    """A schedule picker with the chosen schedule's settings (torch's names)."""
    key = f"{page}_schedule"
    seed_widget(key, "constant")
    name = st.selectbox(
        "Learning-rate schedule",
        list(SCHEDULES),
        format_func=lambda n: SCHEDULES[n].title,
        key=key,
        help="How the learning rate changes as the walk goes on, as in PyTorch's "
        "torch.optim.lr_scheduler.",
    )
    schedule = SCHEDULES[name]
    st.caption(schedule.description)
    params: dict[str, object] = {}
    for setting in schedule.defaults:
        if setting not in SCHEDULE_SETTINGS:
            continue  # T_max: the walk's own length, as the page explains
        label, low, high, step, _ = SCHEDULE_SETTINGS[setting]
        widget_key = f"{page}_{setting}"
        default = schedule.defaults[setting]
        seed_widget(widget_key, default)
        value = st.number_input(
            label, min_value=low, max_value=high, step=step, key=widget_key
        )
        params[setting] = value * learning_rate if setting == "eta_min" else value
    return name, tuple(sorted(params.items()))


def noise_ui(page: str) -> tuple[float, int]:
    """Gradient noise (its size and seed), as mini-batches would add it."""
    cols = st.columns(2)
    seed_widget(f"{page}_noise", 0.0)
    noise = cols[0].number_input(
        "Gradient noise (standard deviation)",
        min_value=0.0,
        max_value=MAX_NOISE,
        step=0.5,
        key=f"{page}_noise",
        help="Adds random jitter to every slope, as a gradient measured on a small "
        "batch of data would have. 0 is the exact gradient.",
    )
    seed_widget(f"{page}_noise_seed", 0)
    seed = cols[1].number_input(
        "Noise seed",
        min_value=0,
        max_value=2**31 - 1,
        step=1,
        key=f"{page}_noise_seed",
        help="The same seed gives the same jitter, so the same walk.",
    )
    return float(noise), int(seed)


def optimizers_ui(page: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """Pills to pick one or more optimizers, in the registry's order."""
    key = f"{page}_optimizers"
    seed_widget(key, list(default))
    chosen = st.pills(
        "Optimizers",
        list(OPTIMIZERS),
        selection_mode="multi",
        format_func=lambda n: OPTIMIZERS[n].title,
        key=key,
        help="Pick several to compare them from the same start.",
    )
    return tuple(n for n in OPTIMIZERS if n in (chosen or []))


def learning_rate_ui(page: str, default: float) -> float:
    """A number input for the learning rate, bounded to values that make sense."""
    key = f"{page}_learning_rate"
    seed_widget(key, float(default))
    return float(
        st.number_input(
            "Learning rate",
            min_value=MIN_LEARNING_RATE,
            max_value=MAX_LEARNING_RATE,
            step=0.001,
            format="%.5g",
            key=key,
            help="How far each step goes: the step is minus the learning rate times "
            "the gradient (adaptive methods rescale it per knob).",
        )
    )


# The optimizer settings a page offers: widget key suffix, label, range, step, the
# optimizers that use it and how to read its default from torch's defaults.
SETTINGS = {
    "momentum": (
        "momentum (momentum, Nesterov)",
        (0.0, 0.99),
        0.01,
        "How much of the previous step is kept: 0 is plain descent.",
    ),
    "alpha": (
        "alpha (RMSProp's averaging of squared slopes)",
        (0.5, 0.999),
        0.001,
        "How slowly RMSProp forgets old slopes: closer to 1 is a longer memory.",
    ),
    "beta1": (
        "beta 1 (Adam's momentum)",
        (0.0, 0.99),
        0.01,
        "Adam's memory of past gradients, like momentum.",
    ),
    "beta2": (
        "beta 2 (Adam's averaging of squared slopes)",
        (0.5, 0.9999),
        0.0001,
        "Adam's memory of past squared gradients, used to scale each knob's step.",
    ),
}


def setting_default(name: str) -> float:
    """PyTorch's default for one of ``SETTINGS``."""
    if name == "momentum":
        return float(OPTIMIZERS["momentum"].defaults["momentum"])
    if name == "alpha":
        return float(OPTIMIZERS["rmsprop"].defaults["alpha"])
    beta1, beta2 = OPTIMIZERS["adam"].defaults["betas"]
    return float(beta1 if name == "beta1" else beta2)


def hyperparameters_ui(
    page: str, optimizers: tuple[str, ...]
) -> tuple[tuple[str, tuple[tuple[str, object], ...]], ...]:
    """An expander with the extra settings of the chosen optimizers, PyTorch's
    defaults pre-filled. Returns plain tuples for use as a cache key."""
    users = {
        "momentum": [n for n in optimizers if n in ("momentum", "nesterov")],
        "alpha": [n for n in optimizers if n == "rmsprop"],
        "beta1": [n for n in optimizers if n == "adam"],
        "beta2": [n for n in optimizers if n == "adam"],
    }
    if not any(users.values()):
        return ()
    values: dict[str, float] = {}
    with st.expander("Optimizer settings (PyTorch's defaults)"):
        for name, (label, (low, high), step, help_text) in SETTINGS.items():
            if not users[name]:
                continue
            key = f"{page}_{name}"
            seed_widget(key, setting_default(name))
            values[name] = float(
                st.slider(
                    label,
                    low,
                    high,
                    step=step,
                    format="%.4g",
                    key=key,
                    help=help_text,
                )
            )

    chosen: dict[str, dict[str, object]] = {}
    for name in users["momentum"]:
        chosen[name] = {"momentum": values["momentum"]}
    if users["alpha"]:
        chosen["rmsprop"] = {"alpha": values["alpha"]}
    if users["beta1"]:
        chosen["adam"] = {"betas": (values["beta1"], values["beta2"])}
    return tuple(
        (name, tuple(sorted(settings.items())))
        for name, settings in sorted(chosen.items())
    )


def walk_settings_ui(
    page: str, preset: Preset, default_optimizers: tuple[str, ...]
) -> WalkSettings:
    """Optimizers, learning rate, number of steps and optimizer settings."""
    optimizers = optimizers_ui(page, default_optimizers)
    cols = st.columns([1, 1, 1])
    with cols[0]:
        learning_rate = learning_rate_ui(page, preset.learning_rate)
    with cols[1]:
        key = f"{page}_steps"
        seed_widget(key, int(preset.steps))
        steps = int(
            st.number_input(
                "Steps",
                min_value=1,
                max_value=MAX_PATH_STEPS,
                step=10,
                key=key,
                help="How many steps each optimizer may take.",
            )
        )
    with cols[2]:
        st.write("")
        seed_widget(f"{page}_log_cost", False)
        log_cost = st.toggle(
            "Log scale for cost",
            key=f"{page}_log_cost",
            help="Shows the late, small improvements as clearly as the first drops.",
        )
    hyperparameters = hyperparameters_ui(page, optimizers)
    with st.expander("Learning-rate schedule and gradient noise"):
        schedule, schedule_params = schedule_ui(page, learning_rate)
        noise, noise_seed = noise_ui(page)
    return WalkSettings(
        optimizers,
        learning_rate,
        steps,
        hyperparameters,
        log_cost,
        schedule,
        schedule_params,
        noise,
        noise_seed,
    )


def start_from_click(page: str) -> Callable[[], None]:
    """An ``on_select`` callback for a contour map drawn with key
    ``{page}_contour_chart``: the clicked point becomes the page's start (and the
    shared point)."""

    def callback() -> None:
        event = st.session_state.get(f"{page}_contour_chart")
        points = event.selection.points if event else []
        if not points:
            return
        for axis in ("x", "y"):
            value = float(points[0][axis])
            st.session_state[f"{page}_{axis}"] = value
            set_shared(axis, value)

    return callback
