"""Learning-rate schedules: how the step size changes as a run goes on.

A schedule turns one base learning rate ``eta`` into the rate used at each step. The
formulas are the closed forms of PyTorch's ``torch.optim.lr_scheduler`` classes
(``StepLR``, ``ExponentialLR`` and ``CosineAnnealingLR``) under the same parameter
names, so a learner can reproduce a run here with ``torch.optim`` and a scheduler:

* ``k`` counts the steps already taken, so the first step (``k = 0``) uses the base
  rate. That is torch's rhythm when ``scheduler.step()`` is called once after each
  ``optimizer.step()``.
* torch updates the rate recursively (multiplying the previous rate by ``gamma``, or
  by a ratio of cosines); the closed forms used here agree with it to rounding, about
  1e-16 of the rate.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

Rule = Callable[[float, np.ndarray, Mapping[str, Any]], np.ndarray]


def _constant(base: float, k: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
    return np.full(k.shape, base)


def _step(base: float, k: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
    return base * params["gamma"] ** (k // params["step_size"])


def _exponential(base: float, k: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
    return base * params["gamma"] ** k


def _cosine(base: float, k: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
    # Grouped as torch's closed form: eta_min + (eta - eta_min) * (1 + cos) / 2.
    eta_min = params["eta_min"]
    return eta_min + (base - eta_min) * (1 + np.cos(math.pi * k / params["T_max"])) / 2


@dataclass(frozen=True, eq=False)
class Schedule:
    """One learning-rate schedule: its words for the page, its formula and its rule.

    Attributes
    ----------
    name : str
        Registry key, e.g. ``"cosine"``.
    title : str
        Display name, e.g. ``"Cosine annealing"``.
    description : str
        One line for a learner on how the rate changes.
    latex : str
        The rate at step ``k`` in LaTeX; ``\\eta`` is the base learning rate and ``k``
        the number of steps already taken.
    defaults : mapping
        Default parameters under torch's names (``step_size``, ``gamma``, ``T_max``,
        ``eta_min``); ``T_max = None`` stands for the number of steps of the run.
    torch_name : str
        The ``torch.optim.lr_scheduler`` class with the same formula ("" for none).
    rule : callable
        ``rule(base, k, params)``: the rates at the step counts ``k`` (an int array).
    """

    name: str
    title: str
    description: str
    latex: str
    defaults: Mapping[str, Any]
    torch_name: str
    rule: Rule = field(repr=False)

    def parameters(
        self, steps: int, base_learning_rate: float, **overrides: Any
    ) -> dict[str, Any]:
        """The defaults with ``overrides`` applied, checked, and ``T_max`` filled in.

        ``T_max = None`` becomes ``max(steps, 1)``, so the cosine reaches ``eta_min``
        just after the last step.

        Raises
        ------
        ValueError
            For a name this schedule does not take or a value out of range.
        """
        unknown = sorted(set(overrides) - set(self.defaults))
        if unknown:
            allowed = ", ".join(self.defaults) or "none"
            raise ValueError(
                f"the {self.title.lower()} schedule has no parameter "
                f"{', '.join(map(repr, unknown))}; allowed: {allowed}"
            )
        merged = {**self.defaults, **overrides}
        for name, value in merged.items():
            merged[name] = _check_parameter(name, value, base_learning_rate)
        if "T_max" in merged and merged["T_max"] is None:
            merged["T_max"] = max(steps, 1)
        return merged


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(
        value, int | float | np.integer | np.floating
    )


def _is_whole(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | np.integer)


def _check_parameter(name: str, value: Any, base_learning_rate: float) -> Any:
    if name == "step_size":
        if not _is_whole(value) or value < 1:
            raise ValueError(f"step_size must be a whole number >= 1, got {value!r}")
        return int(value)
    if name == "T_max":
        if value is None:
            return None
        if not _is_whole(value) or value < 1:
            raise ValueError(
                f"T_max must be a whole number >= 1 (or None for the number of "
                f"steps), got {value!r}"
            )
        return int(value)
    if name == "gamma":
        if not _is_number(value) or not 0 < value <= 1:
            raise ValueError(f"gamma must be a number in (0, 1], got {value!r}")
        return float(value)
    if name == "eta_min":
        if not _is_number(value) or not 0 <= value <= base_learning_rate:
            raise ValueError(
                f"eta_min must be a number between 0 and the learning rate "
                f"{base_learning_rate:g}, got {value!r}"
            )
        return float(value)
    raise ValueError(f"unknown schedule parameter {name!r}")  # pragma: no cover


SCHEDULES: dict[str, Schedule] = {
    schedule.name: schedule
    for schedule in (
        Schedule(
            name="constant",
            title="Constant",
            description="The same learning rate at every step.",
            latex=r"\eta_k = \eta",
            defaults=MappingProxyType({}),
            torch_name="",
            rule=_constant,
        ),
        Schedule(
            name="step",
            title="Step decay",
            description=(
                "Keep the rate for step_size steps, then multiply it by gamma, again "
                "and again: a staircase down."
            ),
            latex=(r"\eta_k = \eta\, \gamma^{\lfloor k / \mathrm{step\_size} \rfloor}"),
            defaults=MappingProxyType({"step_size": 100, "gamma": 0.1}),
            torch_name="StepLR",
            rule=_step,
        ),
        Schedule(
            name="exponential",
            title="Exponential decay",
            description=(
                "Multiply the rate by gamma after every step: big strides early, "
                "ever smaller ones later."
            ),
            latex=r"\eta_k = \eta\, \gamma^{k}",
            defaults=MappingProxyType({"gamma": 0.99}),
            torch_name="ExponentialLR",
            rule=_exponential,
        ),
        Schedule(
            name="cosine",
            title="Cosine annealing",
            description=(
                "Glide the rate from its start down to eta_min along half a cosine "
                "wave over T_max steps: slow at first, then faster, gentle at the end."
            ),
            latex=(
                r"\eta_k = \eta_{\min} + \tfrac{1}{2}\,(\eta - \eta_{\min})"
                r"\left(1 + \cos \frac{\pi k}{T_{\max}}\right)"
            ),
            defaults=MappingProxyType({"T_max": None, "eta_min": 0.0}),
            torch_name="CosineAnnealingLR",
            rule=_cosine,
        ),
    )
}


def get_schedule(schedule: str | Schedule) -> Schedule:
    """The registered schedule called ``schedule`` (or ``schedule`` itself)."""
    if isinstance(schedule, Schedule):
        return schedule
    if isinstance(schedule, str) and schedule in SCHEDULES:
        return SCHEDULES[schedule]
    raise ValueError(
        f"unknown schedule {schedule!r}; choose one of {', '.join(SCHEDULES)}"
    )


def check_schedule(
    schedule: str | Schedule,
    base_learning_rate: float,
    steps: int,
    params: Mapping[str, Any] | None = None,
) -> tuple[Schedule, dict[str, Any]]:
    """The schedule and its checked parameters (defaults and ``T_max`` filled in).

    ``base_learning_rate`` and ``steps`` are taken as already checked. Shared by
    :func:`learning_rates`, ``core.optimizers.descend`` and ``run_many``.
    """
    chosen = get_schedule(schedule)
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        raise ValueError(
            f"schedule_params must be a mapping of names to values, got {params!r}"
        )
    return chosen, chosen.parameters(steps, base_learning_rate, **params)


def learning_rates(
    schedule: str | Schedule,
    base_learning_rate: float,
    steps: int,
    **params: Any,
) -> np.ndarray:
    """The learning rate used at each step of a run, shape (steps,).

    ``rates[k]`` is the rate of the step from ``p_k`` to ``p_{k+1}``; ``rates[0]`` is
    ``base_learning_rate`` for every schedule.

    Parameters
    ----------
    schedule : str or Schedule
        A key of ``SCHEDULES`` or one of its values.
    base_learning_rate : float
        Finite and > 0.
    steps : int
        Number of steps (>= 0).
    **params
        Overrides of the schedule's defaults, under torch's names.

    Raises
    ------
    ValueError
        For an unknown schedule or parameter, or a value out of range.
    """
    if not _is_number(base_learning_rate):
        raise ValueError(f"learning_rate must be a number, got {base_learning_rate!r}")
    if not (math.isfinite(base_learning_rate) and base_learning_rate > 0):
        raise ValueError(
            f"learning_rate must be finite and > 0, got {base_learning_rate!r}"
        )
    if not _is_whole(steps):
        raise ValueError(f"steps must be a whole number, got {steps!r}")
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")

    base, steps = float(base_learning_rate), int(steps)
    chosen, checked = check_schedule(schedule, base, steps, params)
    return schedule_rates(chosen, base, steps, checked)


def schedule_rates(
    schedule: Schedule, base: float, steps: int, params: Mapping[str, Any]
) -> np.ndarray:
    """``schedule``'s rates for ``steps`` steps, with parameters already checked."""
    k = np.arange(steps, dtype=np.int64)
    return np.asarray(schedule.rule(base, k, params), dtype=float).reshape(steps)
