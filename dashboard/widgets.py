"""Widget helpers shared by the pages. Each ``*_ui`` draws its widgets and returns
the values chosen, already checked, so page scripts stay a list of steps."""

from __future__ import annotations

import math
from dataclasses import dataclass

import streamlit as st

from core.landscapes import LANDSCAPES, Landscape, get_landscape
from core.optimizers import MAX_LEARNING_RATE, MIN_LEARNING_RATE, OPTIMIZERS
from dashboard.presets import Preset, preset_for
from dashboard.state import get_shared, seed_widget, set_shared, sync_to_shared

DEFAULT_LANDSCAPE = "bowl"

# A recorded walk keeps every step for drawing; the statistics page, which keeps
# only end points, allows more.
MAX_WALK_STEPS = 2000


def _on_landscape_change(page: str) -> None:
    name = st.session_state[f"{page}_landscape"]
    set_shared("landscape", name)

    # A point on one terrain means nothing on another: start the new one from its
    # preset, and drop this page's landscape-specific widgets so they re-seed.
    preset = preset_for(get_landscape(name))
    set_shared("x", preset.x)
    set_shared("y", preset.y)
    for suffix in ("x", "y", "start_x", "start_y", "learning_rate", "steps"):
        st.session_state.pop(f"{page}_{suffix}", None)


def landscape_ui(page: str) -> Landscape:
    """The landscape picker in the sidebar, and the chosen terrain's formula and
    description in the page. Returns the chosen landscape."""
    key = f"{page}_landscape"
    chosen = get_shared("landscape", DEFAULT_LANDSCAPE)
    seed_widget(key, chosen if chosen in LANDSCAPES else DEFAULT_LANDSCAPE)
    name = st.sidebar.selectbox(
        "Landscape",
        list(LANDSCAPES),
        format_func=lambda n: LANDSCAPES[n].title,
        key=key,
        on_change=_on_landscape_change,
        args=(page,),
        help="The cost function to explore. Your choice carries over to the "
        "other pages.",
    )
    landscape = get_landscape(name)
    set_shared("landscape", name)
    landscape_header(landscape)
    return landscape


def landscape_header(landscape: Landscape) -> None:
    """The landscape's name, formula, shape in words and domain, in one band."""
    (x_min, x_max), (y_min, y_max) = landscape.domain
    with st.container(border=True):
        st.latex(landscape.latex)
        st.markdown(
            f"**{landscape.title}.** {landscape.description} "
            f"The map covers x from {x_min:g} to {x_max:g} and y from {y_min:g} to "
            f"{y_max:g}."
        )


def _step_for(span: float) -> float:
    """A tidy increment for a number input: about a hundredth of the span."""
    raw = span / 100
    return 10 ** math.floor(math.log10(raw))


def point_ui(
    page: str,
    landscape: Landscape,
    *,
    prefix: str = "",
    label: str = "Point",
    share: bool = True,
) -> tuple[float, float]:
    """Two number inputs for a point inside the landscape's domain.

    With ``share`` the point is the "you are here" point the pages share; without
    it (``prefix`` set) it is a page's own, such as a descent's start.
    """
    preset = preset_for(landscape)
    values = []
    columns = st.columns(2)
    for column, axis, (low, high), default in zip(
        columns,
        ("x", "y"),
        landscape.domain,
        (preset.x, preset.y),
        strict=True,
    ):
        key = f"{page}_{prefix}{axis}"
        start = get_shared(axis, default) if share else default
        seed_widget(key, float(min(max(start, low), high)))
        value = column.number_input(
            f"{label} {axis}",
            min_value=float(low),
            max_value=float(high),
            step=_step_for(high - low),
            format="%.4g",
            key=key,
            on_change=sync_to_shared(key, axis) if share else None,
        )
        values.append(float(value))
    return values[0], values[1]


@dataclass(frozen=True)
class WalkSettings:
    """What the learner chose for a set of walks."""

    optimizers: tuple[str, ...]
    learning_rate: float
    steps: int
    hyperparameters: tuple[tuple[str, tuple[tuple[str, object], ...]], ...]
    log_cost: bool


def optimizers_ui(page: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """Pills to pick one or more optimizers, in the registry's order."""
    chosen = st.pills(
        "Optimizers",
        list(OPTIMIZERS),
        selection_mode="multi",
        default=list(default),
        format_func=lambda n: OPTIMIZERS[n].title,
        key=f"{page}_optimizers",
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


def hyperparameters_ui(
    page: str, optimizers: tuple[str, ...]
) -> tuple[tuple[str, tuple[tuple[str, object], ...]], ...]:
    """An expander with the extra settings of the chosen optimizers, PyTorch's
    defaults pre-filled. Returns plain tuples for use as a cache key."""
    momentum_users = [n for n in optimizers if n in ("momentum", "nesterov")]
    if not (momentum_users or "rmsprop" in optimizers or "adam" in optimizers):
        return ()
    chosen: dict[str, dict[str, object]] = {}
    with st.expander("Optimizer settings (PyTorch's defaults)"):
        if momentum_users:
            momentum = st.slider(
                "momentum (momentum, Nesterov)",
                0.0,
                0.99,
                float(OPTIMIZERS["momentum"].defaults["momentum"]),
                0.01,
                key=f"{page}_momentum",
                help="How much of the previous step is kept: 0 is plain descent.",
            )
            for name in momentum_users:
                chosen[name] = {"momentum": momentum}
        if "rmsprop" in optimizers:
            alpha = st.slider(
                "alpha (RMSProp's averaging of squared slopes)",
                0.5,
                0.999,
                float(OPTIMIZERS["rmsprop"].defaults["alpha"]),
                0.001,
                format="%.3f",
                key=f"{page}_alpha",
            )
            chosen["rmsprop"] = {"alpha": alpha}
        if "adam" in optimizers:
            beta1_default, beta2_default = OPTIMIZERS["adam"].defaults["betas"]
            cols = st.columns(2)
            beta1 = cols[0].slider(
                "beta 1 (Adam's momentum)",
                0.0,
                0.99,
                float(beta1_default),
                0.01,
                key=f"{page}_beta1",
            )
            beta2 = cols[1].slider(
                "beta 2 (Adam's averaging of squared slopes)",
                0.5,
                0.9999,
                float(beta2_default),
                0.0001,
                format="%.4f",
                key=f"{page}_beta2",
            )
            chosen["adam"] = {"betas": (beta1, beta2)}
    return tuple(
        (name, tuple(sorted(values.items()))) for name, values in sorted(chosen.items())
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
                max_value=MAX_WALK_STEPS,
                step=10,
                key=key,
                help="How many steps each optimizer may take.",
            )
        )
    with cols[2]:
        st.write("")
        log_cost = st.toggle(
            "Log scale for cost",
            value=False,
            key=f"{page}_log_cost",
            help="Shows the late, small improvements as clearly as the first drops.",
        )
    hyperparameters = hyperparameters_ui(page, optimizers)
    return WalkSettings(optimizers, learning_rate, steps, hyperparameters, log_cost)
