"""One step of a walk, taken apart: the numbers that made it, in plain words.

A recorded walk keeps only where it went. To explain step ``k`` we replay the walk
from its start with ``core.optimizers.step_once`` (cheap: one run, at most a few
thousand steps), keeping the optimizer's state, so the story uses exactly the
numbers the walk used.

Missing: walks with a learning-rate schedule or gradient noise are not replayed
(``step_once`` takes one constant rate and the exact gradient); the descent page
says so instead of telling a different walk's story.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from core.landscapes import Landscape
from core.optimizers import get_optimizer, step_once

# What each optimizer's state arrays are, in the order ``init`` returns them.
STATE_NAMES = {
    "gd": (),
    "momentum": ("velocity (momentum buffer)",),
    "nesterov": ("velocity (momentum buffer)",),
    "adagrad": ("sum of squared slopes so far",),
    "rmsprop": ("running average of squared slopes",),
    "adam": (
        "running average of slopes (m)",
        "running average of squared slopes (v)",
    ),
}


@dataclass(frozen=True)
class StepStory:
    """Step ``step`` of a walk (the move from point ``step - 1`` to ``step``).

    Attributes
    ----------
    optimizer, step : str, int
        Which rule, and which step (counting from 1).
    before, after : (2,) arrays
        The point before and after the step.
    cost_before, cost_after : float
        The cost there.
    gradient : (2,) array
        The gradient at ``before``.
    state : dict of name -> (2,) array
        The optimizer's memory after this step (see ``STATE_NAMES``).
    move : (2,) array
        ``after - before``.
    learning_rate : float
        As used.
    hyperparameters : dict
        As used, defaults included.
    """

    optimizer: str
    step: int
    before: np.ndarray
    after: np.ndarray
    cost_before: float
    cost_after: float
    gradient: np.ndarray
    state: dict[str, np.ndarray]
    move: np.ndarray
    learning_rate: float
    hyperparameters: dict[str, Any]


def replay_step(
    landscape: Landscape,
    optimizer: str,
    start: tuple[float, float],
    learning_rate: float,
    step: int,
    **hyperparameters: Any,
) -> StepStory:
    """Replay a single walk from ``start`` and take apart its step ``step`` (>= 1).

    Raises ``ValueError`` for a step below 1 or a walk that stops being finite
    before it gets there.
    """
    if step < 1:
        raise ValueError("steps count from 1: step 1 moves away from the start")
    opt = get_optimizer(optimizer)
    hyper = opt.hyperparameters(**hyperparameters)

    point = np.array(start, dtype=float)
    state = None
    with np.errstate(all="ignore"):
        for k in range(1, step + 1):
            gradient = np.array(landscape.gradient(point[0], point[1]), dtype=float)
            after, state = step_once(
                opt, point, gradient, learning_rate, state=state, step=k, **hyper
            )
            if k < step:
                point = after
            if not (np.all(np.isfinite(after)) and np.all(np.isfinite(gradient))):
                raise ValueError(f"the walk is no longer finite at step {k}")
        cost_before = float(landscape.value(point[0], point[1]))
        cost_after = float(landscape.value(after[0], after[1]))

    names = STATE_NAMES[opt.name]
    return StepStory(
        optimizer=opt.name,
        step=step,
        before=point,
        after=after,
        cost_before=cost_before,
        cost_after=cost_after,
        gradient=gradient,
        state={name: np.array(s) for name, s in zip(names, state, strict=True)},
        move=after - point,
        learning_rate=float(learning_rate),
        hyperparameters=dict(hyper),
    )


def _pair(values: np.ndarray) -> str:
    return f"({_num(values[0])}, {_num(values[1])})"


def _num(value: float) -> str:
    text = f"{value:.4g}"
    return "0" if text in ("-0", "0") else text


def narrate(story: StepStory) -> list[str]:
    """The step in plain sentences, one idea each, with its numbers."""
    g, lr = story.gradient, story.learning_rate
    lines = [
        f"Step {story.step} starts at {_pair(story.before)}, where the cost is "
        f"{_num(story.cost_before)} and the gradient is {_pair(g)}."
    ]
    name, hyper = story.optimizer, story.hyperparameters
    if name == "gd":
        lines.append(
            f"Gradient descent moves by minus the learning rate times the gradient: "
            f"−{_num(lr)} × {_pair(g)} = {_pair(story.move)}."
        )
    elif name in ("momentum", "nesterov"):
        (velocity,) = story.state.values()
        mu = hyper["momentum"]
        lines.append(
            f"The velocity keeps {_num(mu)} of its last value and adds the gradient: "
            f"it is now {_pair(velocity)}."
        )
        if name == "momentum":
            lines.append(
                f"The step is minus the learning rate times the velocity: "
                f"−{_num(lr)} × {_pair(velocity)} = {_pair(story.move)}."
            )
        else:
            lines.append(
                f"Nesterov looks ahead: it steps along the gradient plus {_num(mu)} "
                f"times the new velocity, times −{_num(lr)}: {_pair(story.move)}."
            )
    elif name in ("adagrad", "rmsprop"):
        (squares,) = story.state.values()
        what = (
            "adds this step's squared slopes to the sum so far"
            if name == "adagrad"
            else f"keeps {_num(hyper['alpha'])} of its running average of squared "
            "slopes and mixes in this step's"
        )
        lines.append(f"It {what}: now {_pair(squares)}.")
        lines.append(
            "Each knob's step is the learning rate times its slope divided by the "
            f"square root of that: a steep knob takes a smaller step. The step is "
            f"{_pair(story.move)}."
        )
    elif name == "adam":
        m, v = story.state.values()
        beta1, beta2 = hyper["betas"]
        lines.append(
            f"Adam's running average of slopes m (keeping {_num(beta1)} of the old) "
            f"is {_pair(m)}; of squared slopes v (keeping {_num(beta2)}) is "
            f"{_pair(v)}."
        )
        lines.append(
            "Both are scaled up to undo their start at zero, then each knob moves by "
            f"the learning rate times m / √v: the step is {_pair(story.move)}."
        )
    change = story.cost_after - story.cost_before
    direction = "down" if change < 0 else "up" if change > 0 else "not at all"
    lines.append(
        f"It lands at {_pair(story.after)}, where the cost is "
        f"{_num(story.cost_after)}: it went {direction} by {_num(abs(change))}."
    )
    return lines
