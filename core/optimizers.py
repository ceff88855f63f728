"""Optimizers: the rules that decide where a walker on a landscape steps next.

Every optimizer here follows the same small contract, in the spirit of the example
optimizers that ship with jax:

``init(params) -> state``
    ``params`` is an array of shape ``(2, n)``: row 0 holds the x knob and row 1 the
    y knob of ``n`` independent runs (a single point may be ``(2,)``). ``state`` is a
    tuple of arrays shaped like ``params`` (empty for plain gradient descent).
``update(params, gradient, state, learning_rate, step, hyper, out) -> (params, state)``
    One step: from the current ``params``, their ``gradient`` and the ``state``, write
    the new params into ``out`` (a fresh array when ``out`` is None) and return them
    with the state. ``step`` counts from 1 (Adam's bias correction needs it) and
    ``hyper`` holds the validated hyper-parameters. The state arrays are updated in
    place; ``params`` and ``gradient`` are left untouched.

The update rules, their default hyper-parameters and even the order of the float
operations mirror PyTorch's ``torch.optim`` (SGD with momentum and no dampening, SGD
with ``nesterov=True``, Adagrad, RMSprop and Adam), so a run here and the same run with
``torch.optim`` in float64 agree to about 1e-12.

:func:`descend` walks many runs at once, vectorised across runs, and reports how each
one ended: converged, diverged or still moving when the steps ran out. Two options
make the walk more like training a model: a learning-rate *schedule* (the formulas of
``torch.optim.lr_scheduler``, see :mod:`core.schedules`) and *noisy gradients*, the
jitter of a gradient estimated from a mini-batch rather than the whole data set.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import pairwise
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from core.schedules import Schedule, check_schedule, schedule_rates

if TYPE_CHECKING:
    from core.landscapes import Landscape

State = tuple[np.ndarray, ...]
Hyper = Mapping[str, Any]

DEFAULT_TOLERANCE = 1e-6
"""Gradient length below which a run counts as converged.

Far below any slope a chart can show, and reached in float64 within a few hundred
steps of plain gradient descent on a well-scaled bowl."""

ESCAPE_SPANS = 10.0
"""How far outside the domain a run may wander before it counts as diverged, in
domain spans per knob: x beyond ``[x_min - 10 * span_x, x_max + 10 * span_x]`` (or
y likewise) means the run has left the landscape for good."""

COMPACT_FRACTION = 0.75
"""Drop stopped runs from the working arrays once at most this share of them is
still moving; copying every step would cost more than it saves."""

RUNS_PER_THREAD = 2_500
"""Fewest runs worth a thread of their own. :func:`descend` splits a batch of at
least twice this many runs into equal blocks walked on parallel threads: numpy lets
go of the GIL inside its array loops, and the runs never look at each other, so the
numbers are the same as on one thread. Smaller blocks spend their time queueing for
the GIL between short array loops and run slower than one thread."""

THREADS = min(
    2,
    len(os.sched_getaffinity(0))
    if hasattr(os, "sched_getaffinity")
    else (os.cpu_count() or 1),
)
"""Threads :func:`descend` uses at most: the cores this process may run on, capped
at 2 (what a small app server has; more threads mostly queue on the GIL)."""

NOISE_TILE = 1_024
"""Runs per noise stream. With ``noise > 0``, the standard normals of step ``k`` for
runs ``t * 1024 .. t * 1024 + 1023`` come from one counter-based stream keyed by
``(noise_seed, k, t)``: run ``j``'s two draws are numbers ``2 i`` and ``2 i + 1`` of
its tile's stream, ``i = j - t * 1024``. So each run's noise depends on the seed, the
step and its own index only, not on threads, compaction or which other runs share the
batch, and a block of runs draws little more than its own share."""

_NOISE_SPAWN_KEY = 0x6E6F697365
"""Spawn key ("noise" in ASCII) of the seed sequence behind the noise streams' key:
they are keyed apart from ``np.random.default_rng(noise_seed)``, so an experiment
can seed its starts and its noise with the same number."""

MIN_LEARNING_RATE = 1e-5
MAX_LEARNING_RATE = 10.0
"""The range of learning rates the app offers. ``descend`` itself takes any finite
rate > 0: watching a run blow up at a silly rate is part of the lesson."""

STATUSES = ("max_steps", "converged", "diverged")
"""How a run ended; ``DescentResult.status`` holds these strings."""

REASONS = (
    "",
    "cost or gradient not finite (undefined there, or overflowing)",
    "position not finite",
    "left the domain far behind",
    "cost not finite",
)
"""Why a run diverged; the empty string for runs that did not."""

_MAX_STEPS, _CONVERGED, _DIVERGED = range(3)
_NO_REASON, _BAD_GRADIENT, _BAD_POSITION, _ESCAPED, _BAD_COST = range(5)


# -- update rules -------------------------------------------------------------------
# Each mirrors the float operations of the matching torch.optim single-tensor code:
# ``p.add_(g, alpha=-lr)`` is ``p + (-lr) * g``, ``addcmul_(a, b, value=c)`` is
# ``(c * a) * b`` and ``addcdiv_(a, b, value=c)`` is ``(c * a) / b``.


def _no_state(params: np.ndarray) -> State:
    return ()


def _zeros_like_params(params: np.ndarray) -> State:
    return (np.zeros_like(params, dtype=float),)


def _two_zeros_like_params(params: np.ndarray) -> State:
    return (np.zeros_like(params, dtype=float), np.zeros_like(params, dtype=float))


def _gd_update(params, gradient, state, learning_rate, step, hyper, out=None):
    step_ = np.multiply(gradient, learning_rate)
    return np.subtract(params, step_, out=out), state


def _momentum_update(params, gradient, state, learning_rate, step, hyper, out=None):
    # torch starts the buffer as a copy of the first gradient; 0.9 * 0 + g is that
    # same number exactly, so a zero-initialised buffer gives identical steps.
    (velocity,) = state
    velocity *= hyper["momentum"]
    velocity += gradient
    step_ = np.multiply(velocity, learning_rate)
    return np.subtract(params, step_, out=out), state


def _nesterov_update(params, gradient, state, learning_rate, step, hyper, out=None):
    (velocity,) = state
    momentum = hyper["momentum"]
    velocity *= momentum
    velocity += gradient
    look_ahead = np.multiply(velocity, momentum)
    look_ahead += gradient
    look_ahead *= learning_rate
    return np.subtract(params, look_ahead, out=out), state


def _adagrad_update(params, gradient, state, learning_rate, step, hyper, out=None):
    (sum_of_squares,) = state
    squared = np.multiply(gradient, gradient)
    sum_of_squares += squared

    scale = np.sqrt(sum_of_squares, out=squared)
    scale += hyper["eps"]
    step_ = np.multiply(gradient, -learning_rate)
    step_ /= scale
    return np.add(params, step_, out=out), state


def _rmsprop_update(params, gradient, state, learning_rate, step, hyper, out=None):
    (square_average,) = state
    alpha = hyper["alpha"]
    square_average *= alpha
    squared = np.multiply(gradient, 1.0 - alpha)
    squared *= gradient
    square_average += squared

    scale = np.sqrt(square_average, out=squared)
    scale += hyper["eps"]
    step_ = np.multiply(gradient, -learning_rate)
    step_ /= scale
    return np.add(params, step_, out=out), state


def _adam_update(params, gradient, state, learning_rate, step, hyper, out=None):
    first, second = state
    beta1, beta2 = hyper["betas"]

    # torch's lerp_(g, 1 - beta1) is m + (1 - beta1) * (g - m) for weights below 1/2.
    work = np.subtract(gradient, first)
    work *= 1.0 - beta1
    first += work

    second *= beta2
    np.multiply(gradient, 1.0 - beta2, out=work)
    work *= gradient
    second += work

    # Same scalar arithmetic as torch: bias corrections as Python floats.
    step_size = learning_rate / (1.0 - beta1**step)
    correction2_sqrt = (1.0 - beta2**step) ** 0.5
    denominator = np.sqrt(second)
    denominator /= correction2_sqrt
    denominator += hyper["eps"]

    np.multiply(first, -step_size, out=work)
    work /= denominator
    return np.add(params, work, out=out), state


# -- the registry -------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Optimizer:
    """One optimizer: its words for the page, its rule in LaTeX, and its code.

    Attributes
    ----------
    name : str
        Registry key, e.g. ``"adam"``.
    title : str
        Display name, e.g. ``"Adam"``.
    description : str
        One line for a learner on what the rule does differently.
    latex : str
        The update rule in LaTeX (``g_t`` is the gradient at step ``t``).
    defaults : mapping
        Default hyper-parameters under torch's names (``momentum``, ``alpha``,
        ``betas``, ``eps``); empty for plain gradient descent.
    learning_rate : float
        A suggested starting learning rate for the built-in landscapes.
    init, update : callables
        The state initialiser and the one-step rule (see the module docstring).
    """

    name: str
    title: str
    description: str
    latex: str
    defaults: Mapping[str, Any]
    learning_rate: float
    init: Callable[[np.ndarray], State] = field(repr=False)
    update: Callable[..., tuple[np.ndarray, State]] = field(repr=False)

    def hyperparameters(self, **overrides: Any) -> dict[str, Any]:
        """The defaults with ``overrides`` applied, after checking names and ranges.

        Raises
        ------
        ValueError
            For a name this optimizer does not take or a value out of range.
        """
        unknown = sorted(set(overrides) - set(self.defaults))
        if unknown:
            allowed = ", ".join(self.defaults) or "none"
            raise ValueError(
                f"{self.title} has no hyper-parameter {', '.join(map(repr, unknown))}; "
                f"allowed: {allowed}"
            )
        merged = {**self.defaults, **overrides}
        for name, value in merged.items():
            merged[name] = _check_hyperparameter(name, value)
        return merged


def _check_unit_interval(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    value = float(value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return value


def _check_hyperparameter(name: str, value: Any) -> Any:
    if name in ("momentum", "alpha"):
        return _check_unit_interval(name, value)
    if name == "betas":
        if isinstance(value, str) or not hasattr(value, "__len__") or len(value) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {value!r}")
        return tuple(
            _check_unit_interval(f"betas[{i}]", b) for i, b in enumerate(value)
        )
    if name == "eps":
        if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
            raise ValueError(f"eps must be a positive number, got {value!r}")
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"eps must be finite and > 0, got {value!r}")
        return float(value)
    raise ValueError(f"unknown hyper-parameter {name!r}")  # pragma: no cover


OPTIMIZERS: dict[str, Optimizer] = {
    optimizer.name: optimizer
    for optimizer in (
        Optimizer(
            name="gd",
            title="Gradient descent",
            description="Step straight downhill, a fixed fraction of the slope.",
            latex=r"\theta_{t} = \theta_{t-1} - \eta\, g_t",
            defaults=MappingProxyType({}),
            learning_rate=0.01,
            init=_no_state,
            update=_gd_update,
        ),
        Optimizer(
            name="momentum",
            title="Momentum",
            description=(
                "Keep a running velocity of past slopes, so steps speed up along "
                "steady slopes and zig-zags cancel out."
            ),
            latex=(
                r"b_t = \mu\, b_{t-1} + g_t, \quad "
                r"\theta_{t} = \theta_{t-1} - \eta\, b_t"
            ),
            defaults=MappingProxyType({"momentum": 0.9}),
            learning_rate=0.01,
            init=_zeros_like_params,
            update=_momentum_update,
        ),
        Optimizer(
            name="nesterov",
            title="Nesterov momentum",
            description=(
                "Momentum that looks ahead: it steps along the velocity plus the "
                "current slope, which brakes earlier near the bottom."
            ),
            latex=(
                r"b_t = \mu\, b_{t-1} + g_t, \quad "
                r"\theta_{t} = \theta_{t-1} - \eta\,(g_t + \mu\, b_t)"
            ),
            defaults=MappingProxyType({"momentum": 0.9}),
            learning_rate=0.01,
            init=_zeros_like_params,
            update=_nesterov_update,
        ),
        Optimizer(
            name="adagrad",
            title="AdaGrad",
            description=(
                "Give each knob its own step size that shrinks with the sum of all "
                "its past squared slopes."
            ),
            latex=(
                r"s_t = s_{t-1} + g_t^2, \quad "
                r"\theta_{t} = \theta_{t-1} - \eta\, \frac{g_t}{\sqrt{s_t} + \epsilon}"
            ),
            defaults=MappingProxyType({"eps": 1e-10}),
            learning_rate=0.1,
            init=_zeros_like_params,
            update=_adagrad_update,
        ),
        Optimizer(
            name="rmsprop",
            title="RMSProp",
            description=(
                "Divide each knob's step by a running average of its recent squared "
                "slopes, so steep and flat directions move at similar speeds."
            ),
            latex=(
                r"v_t = \alpha\, v_{t-1} + (1 - \alpha)\, g_t^2, \quad "
                r"\theta_{t} = \theta_{t-1} - \eta\, \frac{g_t}{\sqrt{v_t} + \epsilon}"
            ),
            defaults=MappingProxyType({"alpha": 0.99, "eps": 1e-8}),
            learning_rate=0.01,
            init=_zeros_like_params,
            update=_rmsprop_update,
        ),
        Optimizer(
            name="adam",
            title="Adam",
            description=(
                "Momentum and RMSProp together, with a correction for the averages "
                "starting at zero; early steps move each knob by about the "
                "learning rate."
            ),
            latex=(
                r"m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \quad "
                r"v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2, \quad "
                r"\theta_{t} = \theta_{t-1} - \frac{\eta}{1 - \beta_1^t}\, "
                r"\frac{m_t}{\sqrt{v_t} / \sqrt{1 - \beta_2^t} + \epsilon}"
            ),
            defaults=MappingProxyType({"betas": (0.9, 0.999), "eps": 1e-8}),
            learning_rate=0.05,
            init=_two_zeros_like_params,
            update=_adam_update,
        ),
    )
}


# -- checks shared with core.experiments --------------------------------------------


def get_optimizer(optimizer: str | Optimizer) -> Optimizer:
    """The registered optimizer called ``optimizer`` (or ``optimizer`` itself)."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    if isinstance(optimizer, str) and optimizer in OPTIMIZERS:
        return OPTIMIZERS[optimizer]
    raise ValueError(
        f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)}"
    )


def check_learning_rate(learning_rate: Any) -> float:
    """``learning_rate`` as a float, or ValueError unless it is finite and > 0."""
    if isinstance(learning_rate, bool) or not isinstance(
        learning_rate, int | float | np.integer | np.floating
    ):
        raise ValueError(f"learning_rate must be a number, got {learning_rate!r}")
    if not (math.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate must be finite and > 0, got {learning_rate!r}")
    return float(learning_rate)


def check_tolerance(tolerance: Any) -> float:
    """``tolerance`` as a float, or ValueError unless it is finite and >= 0."""
    if isinstance(tolerance, bool) or not isinstance(
        tolerance, int | float | np.integer | np.floating
    ):
        raise ValueError(f"tolerance must be a number, got {tolerance!r}")
    if not (math.isfinite(tolerance) and tolerance >= 0):
        raise ValueError(f"tolerance must be finite and >= 0, got {tolerance!r}")
    return float(tolerance)


def check_steps(steps: Any) -> int:
    """``steps`` as an int, or ValueError unless it is a whole number >= 0."""
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer):
        raise ValueError(f"steps must be a whole number, got {steps!r}")
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    return int(steps)


def resolve_landscape(landscape: str | Landscape) -> Landscape:
    """A Landscape object, looking names up in the built-in registry."""
    if isinstance(landscape, str):
        # Imported here so this module loads without the landscape registry.
        from core import landscapes

        return landscapes.get_landscape(landscape)
    return landscape


# -- one step, for narrating -------------------------------------------------------


def step_once(
    optimizer: str | Optimizer,
    params: np.ndarray,
    gradient: np.ndarray,
    learning_rate: float,
    state: State | None = None,
    step: int = 1,
    **hyperparameters: Any,
) -> tuple[np.ndarray, State]:
    """One update from ``params`` with ``gradient``, without touching the inputs.

    Parameters
    ----------
    params, gradient : array of shape (2,) or (2, n)
        Where the walker stands and the slope there (x first, then y).
    state : tuple of arrays, optional
        The optimizer's state after the previous step; None before the first step.
    step : int
        The step number counting from 1 (Adam corrects its averages with it).

    Returns
    -------
    (new_params, new_state)
        Fresh arrays; handy for showing one step with its velocity or averages.
    """
    opt = get_optimizer(optimizer)
    hyper = opt.hyperparameters(**hyperparameters)
    learning_rate = check_learning_rate(learning_rate)
    if isinstance(step, bool) or not isinstance(step, int | np.integer) or step < 1:
        raise ValueError(f"step counts from 1, got {step!r}")

    params = np.array(params, dtype=float)
    gradient = np.asarray(gradient, dtype=float)
    if state is None:
        state = opt.init(params)
    state = tuple(np.array(s, dtype=float) for s in state)
    return opt.update(params, gradient, state, learning_rate, int(step), hyper)


# -- many runs at once --------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class DescentResult:
    """How ``n`` runs of one optimizer on one landscape went.

    Attributes
    ----------
    optimizer : str
        Registry name of the optimizer.
    learning_rate, tolerance : float
        As passed to :func:`descend`; with a schedule, ``learning_rate`` is the base
        rate, the one of the first step.
    steps : int
        The step budget.
    hyperparameters : dict
        The hyper-parameters used, defaults included.
    final_positions : array (n, 2)
        Where each run ended: its last accepted point (see :func:`descend`).
    final_values : array (n,)
        The cost there.
    final_gradients : array (n, 2)
        The gradient there.
    stopped_at : int array (n,)
        The step at which each run stopped; ``steps`` for runs still moving.
    status : str array (n,)
        ``"converged"``, ``"diverged"`` or ``"max_steps"``.
    reason : str array (n,)
        Why a run diverged (see ``REASONS``); empty for the others.
    positions : array (steps + 1, n, 2) or None
        Every run's path, ``positions[0]`` being the starts; after a run stopped its
        rows repeat its final position. None unless ``record_path``.
    values : array (steps + 1, n) or None
        The cost along each path, likewise.
    schedule : str
        Registry name of the learning-rate schedule (see ``core.schedules``).
    schedule_params : dict
        Its parameters, defaults included and ``T_max`` filled in.
    noise : float
        Standard deviation of the noise added to each gradient component.
    noise_seed : int
        Seed of that noise.
    """

    optimizer: str
    learning_rate: float
    tolerance: float
    steps: int
    hyperparameters: dict[str, Any]
    final_positions: np.ndarray
    final_values: np.ndarray
    final_gradients: np.ndarray
    stopped_at: np.ndarray
    status: np.ndarray
    reason: np.ndarray
    positions: np.ndarray | None = None
    values: np.ndarray | None = None
    schedule: str = "constant"
    schedule_params: dict[str, Any] = field(default_factory=dict)
    noise: float = 0.0
    noise_seed: int = 0

    @property
    def n_runs(self) -> int:
        """How many runs there are."""
        return len(self.stopped_at)


def _check_starts(starts: Any) -> np.ndarray:
    starts = np.asarray(starts, dtype=float)
    if starts.ndim == 1 and starts.shape == (2,):
        starts = starts[np.newaxis, :]
    if starts.ndim != 2 or starts.shape[1] != 2 or len(starts) == 0:
        raise ValueError(
            f"starts must have shape (n, 2) with n >= 1, got {np.shape(starts)}"
        )
    if not np.isfinite(starts).all():
        raise ValueError("starts must be finite")
    return starts


def descend(
    landscape: str | Landscape,
    optimizer: str | Optimizer,
    starts: np.ndarray,
    learning_rate: float,
    steps: int,
    record_path: bool = True,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    compact: bool = True,
    schedule: str | Schedule = "constant",
    schedule_params: Mapping[str, Any] | None = None,
    noise: float = 0.0,
    noise_seed: int = 0,
    noise_offset: int = 0,
    **hyperparameters: Any,
) -> DescentResult:
    """Run ``optimizer`` from every start at once and report how each run ended.

    At each step ``k = 0 .. steps`` every run still moving, at position ``p_k``, is
    checked in this order:

    1. ``p_k`` is not finite, or lies more than ``ESCAPE_SPANS`` (10) domain spans
       outside the domain in x or y: the run *diverged* at step ``k``. The offending
       point is dropped: the final position is ``p_{k-1}``, the last accepted one
       (for ``k = 0``, the start itself).
    2. The gradient at ``p_k`` is not finite (or its squared length overflows): the
       run *diverged* at step ``k``; the final position is ``p_k``.
    3. The gradient is shorter than ``tolerance``: the run *converged* at step
       ``k`` (a start exactly at a minimum converges at step 0).
    4. Otherwise, for ``k < steps``, the optimizer moves it to ``p_{k+1}`` with the
       learning rate ``rates[k]`` of the schedule (``rates[0]`` is
       ``learning_rate``) and, when ``noise > 0``, the noisy gradient
       ``g_k + noise * xi_k``, ``xi_k`` two independent standard normals per run.

    Runs that pass all checks at ``k = steps`` stopped at ``steps`` with status
    ``"max_steps"``. Finally, a run whose final cost is not finite is reported as
    diverged (reason ``"cost not finite"``). Float overflow never raises or warns; it
    shows up as a diverged run.

    All runs move together (one loop over steps, array work across runs). Runs that
    stopped are dropped from the working arrays now and then (``compact``), and a
    batch of at least ``2 * RUNS_PER_THREAD`` runs is split into blocks walked on
    ``THREADS`` parallel threads; both change the speed only, never the numbers.

    **Noise.** The checks in steps 2 and 3 look at the true gradient, the cost's own
    slope, never the noisy one: a noisy gradient is almost never shorter than
    ``tolerance``, while the true one still tells when a run sits at a flat point.
    With a constant rate a noisy run keeps jittering around a minimum (by about
    ``learning_rate * noise`` a step) and seldom converges exactly; a decaying
    schedule lets it settle. The draws for run ``j`` at step ``k`` depend only on
    ``(noise_seed, k, noise_offset + j)`` (see ``NOISE_TILE``), so the same seed
    gives the same numbers with or without threads, compaction or a recorded path,
    and a batch cut into chunks gets the same noise as whole when each chunk passes
    its first run's index as ``noise_offset``. The cost: two normal draws per run of
    the working set and step (plus the unused start of a block's first tile), about
    as long as a whole Adam step on Rastrigin, so a noisy walk takes about twice as
    long, and longer still when the noise keeps runs from converging. With
    ``noise = 0`` nothing is drawn.

    Parameters
    ----------
    landscape : Landscape or str
        The terrain, or the name of a built-in one.
    optimizer : str or Optimizer
        A key of ``OPTIMIZERS`` or one of its values.
    starts : array (n, 2)
        Starting points, one row per run.
    learning_rate : float
        Finite and > 0.
    steps : int
        At most this many updates per run (>= 0).
    record_path : bool
        Keep every position and cost (memory ``O(steps * n)``); without it only the
        final state is kept and memory stays ``O(n)``.
    tolerance : float
        Gradient length below which a run counts as converged (default 1e-6).
    compact : bool
        Drop stopped runs from the working arrays (speed only).
    schedule : str or Schedule
        A key of ``core.schedules.SCHEDULES`` (``"constant"``, ``"step"``,
        ``"exponential"``, ``"cosine"``) or one of its values. Every optimizer takes
        the scheduled rate as a plain factor at each step, as torch does.
    schedule_params : mapping, optional
        Overrides of the schedule's defaults, under torch's names (``step_size``,
        ``gamma``, ``T_max``, ``eta_min``); ``T_max`` defaults to ``steps``.
    noise : float
        Standard deviation of the normal noise added to each gradient component at
        each step (finite, >= 0); 0 walks the exact gradient.
    noise_seed : int
        Seed of the noise (a whole number >= 0); the same seed, the same draws.
    noise_offset : int
        Index of the first start in the noise streams (>= 0): run ``j`` draws the
        noise of run ``noise_offset + j``.
    **hyperparameters
        Overrides of the optimizer's defaults, under torch's names.

    Returns
    -------
    DescentResult
    """
    land = resolve_landscape(landscape)
    opt = get_optimizer(optimizer)
    hyper = opt.hyperparameters(**hyperparameters)
    learning_rate = check_learning_rate(learning_rate)
    steps = check_steps(steps)
    tolerance = check_tolerance(tolerance)
    chosen, schedule_params = check_schedule(
        schedule, learning_rate, steps, schedule_params
    )
    noise = check_noise(noise)
    noise_seed = _check_whole("noise_seed", noise_seed)
    noise_offset = _check_whole("noise_offset", noise_offset)
    starts = _check_starts(starts)
    n = len(starts)

    (x_min, x_max), (y_min, y_max) = land.domain
    center = np.array([[(x_min + x_max) / 2], [(y_min + y_max) / 2]])
    spans = np.array([[x_max - x_min], [y_max - y_min]])
    walk = _Walk(
        landscape=land,
        optimizer=opt,
        hyper=hyper,
        # Python floats, as torch hands its update the group's "lr".
        rates=schedule_rates(chosen, learning_rate, steps, schedule_params).tolist(),
        noise=noise,
        noise_key=_noise_key(noise_seed) if noise > 0 else None,
        noise_offset=noise_offset,
        steps=steps,
        center=center,
        reach=spans / 2 + ESCAPE_SPANS * spans,
        tolerance_squared=float(tolerance) ** 2,
        compact=compact,
        # Outputs over all n runs, written when a run stops.
        final=np.empty((2, n)),
        stopped_at=np.full(n, steps, dtype=np.int64),
        status=np.full(n, _MAX_STEPS, dtype=np.int8),
        reason=np.full(n, _NO_REASON, dtype=np.int8),
        positions=np.empty((steps + 1, n, 2)) if record_path else None,
        values=np.empty((steps + 1, n)) if record_path else None,
    )

    # A big batch is split into blocks of runs walked on parallel threads; each
    # block writes only its own runs' columns of the outputs.
    parts = max(1, min(THREADS, n // RUNS_PER_THREAD))
    bounds = [n * i // parts for i in range(parts + 1)]
    if parts == 1:
        walk.run(starts, 0, n)
    else:
        with ThreadPoolExecutor(parts) as pool:
            blocks = pairwise(bounds)
            # list() waits for every block and re-raises an error from any of them.
            list(pool.map(lambda block: walk.run(starts, *block), blocks))

    final, status, reason = walk.final, walk.status, walk.reason
    stopped_at, positions, values = walk.stopped_at, walk.positions, walk.values
    with np.errstate(all="ignore"):
        final_values = np.broadcast_to(land.value(final[0], final[1]), (n,))
        final_values = final_values.astype(float)
        fgx, fgy = land.gradient(final[0], final[1])
        bad_cost = ~np.isfinite(final_values) & (status != _DIVERGED)
        status[bad_cost] = _DIVERGED
        reason[bad_cost] = _BAD_COST

    final_positions = np.ascontiguousarray(final.T)
    if record_path:
        # Rows from each run's stop onwards repeat its final point.
        after = np.arange(steps + 1)[:, np.newaxis] >= stopped_at[np.newaxis, :]
        np.copyto(positions, final_positions, where=after[..., np.newaxis])
        np.copyto(values, final_values, where=after)

    return DescentResult(
        optimizer=opt.name,
        learning_rate=learning_rate,
        tolerance=float(tolerance),
        steps=steps,
        hyperparameters=hyper,
        final_positions=final_positions,
        final_values=final_values,
        final_gradients=np.stack([fgx, fgy], axis=1).astype(float),
        stopped_at=stopped_at,
        status=np.array(STATUSES)[status],
        reason=np.array(REASONS)[reason],
        positions=positions,
        values=values,
        schedule=chosen.name,
        schedule_params=schedule_params,
        noise=noise,
        noise_seed=noise_seed,
    )


def check_noise(noise: Any) -> float:
    """``noise`` as a float, or ValueError unless it is finite and >= 0."""
    if isinstance(noise, bool) or not isinstance(
        noise, int | float | np.integer | np.floating
    ):
        raise ValueError(f"noise must be a number, got {noise!r}")
    if not (math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be finite and >= 0, got {noise!r}")
    return float(noise)


def _check_whole(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return int(value)


def _noise_key(noise_seed: int) -> np.ndarray:
    """The Philox key (2 uint64) of the noise streams for ``noise_seed``."""
    seeds = np.random.SeedSequence(noise_seed, spawn_key=(_NOISE_SPAWN_KEY,))
    return np.random.Philox(seeds).state["state"]["key"]


@dataclass(frozen=True, eq=False)
class _Walk:
    """The settings and shared outputs of one :func:`descend` call.

    ``run`` walks a contiguous block of the runs; blocks may run on parallel
    threads because each writes only its own columns of the outputs.
    """

    landscape: Landscape
    optimizer: Optimizer
    hyper: dict[str, Any]
    rates: list[float]
    noise: float
    noise_key: np.ndarray | None
    noise_offset: int
    steps: int
    center: np.ndarray
    reach: np.ndarray
    tolerance_squared: float
    compact: bool
    final: np.ndarray
    stopped_at: np.ndarray
    status: np.ndarray
    reason: np.ndarray
    positions: np.ndarray | None
    values: np.ndarray | None

    def run(self, starts: np.ndarray, begin: int, end: int) -> None:
        """Walk runs ``begin:end`` of ``starts`` (n, 2) to their ends."""
        land, opt, hyper = self.landscape, self.optimizer, self.hyper
        steps, center, reach = self.steps, self.center, self.reach
        tolerance_squared = self.tolerance_squared
        final, stopped_at, status, reason = (
            self.final,
            self.stopped_at,
            self.status,
            self.reason,
        )
        positions, values = self.positions, self.values
        record_path = positions is not None

        # The working set: contiguous (2, m) arrays, x in row 0 and y in row 1, for
        # the runs in `run` (some may have stopped since the last compaction:
        # `alive`). Always a copy: for a single start ``starts.T`` is already
        # contiguous, and updating it in place would move the caller's starts.
        params = np.array(starts[begin:end].T, order="C")
        previous = params.copy()
        state = opt.init(params)
        run = np.arange(begin, end)
        alive = np.ones(end - begin, dtype=bool)
        n_alive = end - begin
        gradient, work, inside, gradient_squared = _buffers(n_alive)
        gradient_fn = land.gradient_fn
        rates, noise = self.rates, self.noise
        if noise > 0:
            # One generator per block: threads never share a stream's state.
            draws = _NoiseDraws(self.noise_key)
            noisy = np.empty((2, n_alive))

        # errstate is per thread, so it is set here rather than by the caller.
        with np.errstate(all="ignore"):
            for k in range(steps + 1):
                # gradient_fn itself, not Landscape.gradient: the rows are float
                # arrays already, and assigning into the buffer broadcasts constant
                # slopes.
                gradient[0], gradient[1] = gradient_fn(params[0], params[1])

                np.subtract(params, center, out=work)
                np.abs(work, out=work)
                np.less_equal(work, reach, out=inside)
                keeps_moving = inside[0] & inside[1]
                np.multiply(gradient, gradient, out=work)
                np.add(work[0], work[1], out=gradient_squared)
                keeps_moving &= gradient_squared >= tolerance_squared
                keeps_moving &= np.isfinite(gradient_squared)
                # For booleans, a > b is "a and not b": alive runs that must stop.
                stopping = np.greater(alive, keeps_moving)

                if record_path:
                    where = slice(begin, end) if len(run) == end - begin else run
                    positions[k, where] = params.T
                    values[k, where] = land.value(params[0], params[1])

                if stopping.any():
                    j = np.flatnonzero(stopping)
                    runs = run[j]
                    stopped_at[runs] = k
                    final[:, runs], status[runs], reason[runs] = _ending(
                        params[:, j], previous[:, j], inside[:, j], gradient_squared[j]
                    )
                    alive[j] = False
                    n_alive -= len(j)
                    if n_alive == 0:
                        return
                    if self.compact and n_alive <= COMPACT_FRACTION * len(run):
                        keep = np.flatnonzero(alive)
                        run = run[keep]
                        params = params[:, keep]
                        previous = previous[:, keep]
                        state = tuple(s[:, keep] for s in state)
                        alive = np.ones(n_alive, dtype=bool)
                        # This step's update still needs the kept runs' gradient.
                        _, work, inside, gradient_squared = _buffers(n_alive)
                        gradient = gradient[:, keep]
                        if noise > 0:
                            noisy = np.empty((2, n_alive))

                if k == steps:
                    still = run[alive]
                    final[:, still] = params[:, alive]
                    return

                step_gradient = gradient
                if noise > 0:
                    # g + noise * xi; the checks above used the true gradient.
                    draws.scaled(k, run + self.noise_offset, noise, out=noisy)
                    noisy += gradient
                    step_gradient = noisy

                # Write the new point into the old buffer and keep p_k as
                # `previous`.
                new, state = opt.update(
                    params,
                    step_gradient,
                    state,
                    rates[k],
                    k + 1,
                    hyper,
                    out=previous,
                )
                previous, params = params, new


class _NoiseDraws:
    """Scaled standard normals for any runs at any step, from counter-based streams.

    Philox is a counter-based generator: its output is a function of a key and a
    256-bit counter, so jumping to the stream of (step ``k``, tile ``t``) is setting
    the counter to ``[0, t, k, 0]`` (a few microseconds), not seeding a new
    generator (tens of microseconds). The lowest word counts the draws within the
    stream; a tile needs a few thousand, so streams never overlap.
    """

    def __init__(self, key: np.ndarray) -> None:
        self.bits = np.random.Philox(key=key)
        self.generator = np.random.Generator(self.bits)
        self.state = self.bits.state
        self.pairs = np.empty((NOISE_TILE, 2))

    def scaled(self, k: int, index: np.ndarray, scale: float, out: np.ndarray) -> None:
        """Write ``scale`` times the draws of runs ``index`` at step ``k`` to ``out``.

        ``index`` (m,) is sorted; ``out`` has shape (2, m): row 0 the x noise, row 1
        the y noise.
        """
        # Where each tile's runs begin in ``index``: a search per tile, not a pass
        # over all runs.
        first_tile = int(index[0]) // NOISE_TILE
        last_tile = int(index[-1]) // NOISE_TILE
        tiles = np.arange(first_tile, last_tile + 1)
        cuts = np.searchsorted(index, tiles[1:] * NOISE_TILE)
        bounds = [0, *cuts.tolist(), len(index)]
        for tile, (begin, end) in zip(tiles.tolist(), pairwise(bounds), strict=True):
            if begin == end:
                continue
            self.state["state"]["counter"] = np.array([0, tile, k, 0], dtype=np.uint64)
            self.bits.state = self.state
            first = int(index[begin]) - tile * NOISE_TILE
            last = int(index[end - 1]) - tile * NOISE_TILE

            # A prefix of the tile's stream: run i's pair is row i whatever the length.
            pairs = self.pairs[: last + 1]
            self.generator.standard_normal(out=pairs)
            if last - first == end - begin - 1:
                chosen = pairs[first:]
            else:
                # np.take is several times faster than fancy indexing here.
                chosen = np.take(pairs, index[begin:end] - tile * NOISE_TILE, axis=0)
            np.multiply(chosen.T, scale, out=out[:, begin:end])


def _buffers(m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Scratch arrays for a working set of ``m`` runs, reused every step."""
    return (
        np.empty((2, m)),
        np.empty((2, m)),
        np.empty((2, m), dtype=bool),
        np.empty(m),
    )


def _ending(
    params: np.ndarray,
    previous: np.ndarray,
    inside: np.ndarray,
    gradient_squared: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Final point, status code and reason code of runs that stop at this step.

    Shapes: ``params``, ``previous`` and ``inside`` are (2, j) for the ``j``
    stopping runs, ``gradient_squared`` is (j,).
    """
    escaped = ~(inside[0] & inside[1])
    finite_position = np.isfinite(params).all(axis=0)
    bad_gradient = ~np.isfinite(gradient_squared)

    final = np.where(escaped, previous, params)
    status = np.where(escaped | bad_gradient, _DIVERGED, _CONVERGED)
    reason = np.select(
        [escaped & ~finite_position, escaped, bad_gradient],
        [_BAD_POSITION, _ESCAPED, _BAD_GRADIENT],
        _NO_REASON,
    )
    return final, status, reason
