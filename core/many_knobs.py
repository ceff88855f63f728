"""Landscapes with many knobs, and gradient descent on them.

A terrain over two knobs can be drawn; a model has thousands of knobs and its
cost cannot. The recipe does not care: work out the gradient (one slope per knob),
step against it, repeat. This module runs that recipe over ``n`` knobs with the
same optimizers as :mod:`core.optimizers`.

Every landscape here is *separable*: the cost is a sum of one term per knob,

    f(w) = sum_i  c_i w_i^2 + A (1 - cos 2 pi w_i),

so value and gradient are exact and cost one array operation over the knobs, and
each knob walks its own one-knob valley. The optimizers are elementwise too, so knob
``i`` moves exactly as it would on the one- or two-knob version of the landscape;
the tests compare against :func:`core.optimizers.descend` that way.

The optimizers' ``init``/``update`` contract (see :mod:`core.optimizers`) is written
for ``(2, n)`` arrays, but every rule is elementwise and allocates its state with
``zeros_like(params)``, so here the params are a plain ``(n,)`` array: one knob per
entry, one run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.landscapes import RASTRIGIN_A
from core.optimizers import (
    DEFAULT_TOLERANCE,
    ESCAPE_SPANS,
    Optimizer,
    check_learning_rate,
    check_steps,
    check_tolerance,
    get_optimizer,
)

MAX_KNOBS = 20_000
"""The most knobs the app offers; the functions here take any number."""

DEFAULT_KNOBS = 1_000
"""Knobs the page starts with: far too many to draw, quick to walk."""

MAX_STEPS = 5_000
"""The most steps the app offers; :func:`descend_n` itself takes any number."""

MAX_SEED = 2**32 - 1
"""Seeds for the random start run from 0 to this (numpy takes any such integer)."""

START_HALF_WIDTH = 5.12
"""Random starts are uniform over ``[-5.12, 5.12]`` in every knob: Rastrigin's
usual box, used for the bowls too so every landscape starts alike."""

ESCAPE = START_HALF_WIDTH + 2 * START_HALF_WIDTH * ESCAPE_SPANS
"""A knob beyond ``±107.52`` means the run diverged: ``ESCAPE_SPANS`` (10) box widths
outside the start box, the same rule :func:`core.optimizers.descend` applies to the
2-D domains."""

STRETCH = 10.0
"""The stretched bowl's steepest curvature; the gentlest is 1."""

TWO_PI = 2 * np.pi

REASONS = {
    "gradient": "gradient not finite (or overflowing)",
    "position": "position not finite",
    "escaped": "a knob left the start box far behind",
    "cost": "cost not finite",
}
"""Why a run diverged, in words for the page."""


@dataclass(frozen=True, eq=False)
class ManyKnobLandscape:
    """A separable cost over ``knobs`` knobs, ``f(w) = sum_i c_i w_i^2 +
    A (1 - cos 2 pi w_i)``, with its exact gradient.

    Every landscape here has its single global minimum, cost 0, at the origin.

    Attributes
    ----------
    name : str
        Registry key, e.g. ``"rastrigin"``.
    title : str
        Display name.
    latex : str
        The formula in LaTeX, for ``st.latex``.
    description : str
        A sentence or two on the shape, for a learner.
    knobs : int
        How many knobs ``n`` (>= 1).
    curvature : float or array (n,)
        ``c_i``: how steeply each knob's valley rises (a float when all are alike).
    ripple : float
        ``A``: the height of the ripples (0 for a smooth bowl).
    """

    name: str
    title: str
    latex: str
    description: str
    knobs: int
    curvature: float | np.ndarray = field(repr=False)
    ripple: float = 0.0

    minimum_value = 0.0
    """The cost at the global minimum, the origin."""

    def value(self, params: np.ndarray) -> np.ndarray:
        """The cost at ``params`` of shape ``(n,)`` (a scalar array) or
        ``(runs, n)`` (one cost per run, shape ``(runs,)``)."""
        params = self._check(params)
        cost = np.sum(self.curvature * np.square(params), axis=-1)
        if self.ripple:
            # 1 - cos, not -cos plus a constant: exactly 0 at the minimum.
            ripples = np.cos(_phase(params))
            np.subtract(1.0, ripples, out=ripples)
            cost = cost + self.ripple * np.sum(ripples, axis=-1)
        return cost

    def gradient(self, params: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """The slope along every knob, same shape as ``params``:
        ``2 c_i w_i + 2 pi A sin 2 pi w_i``. Written into ``out`` when given."""
        params = self._check(params)
        out = np.multiply(params, 2.0 * self.curvature, out=out)
        if self.ripple:
            wave = _phase(params)
            np.sin(wave, out=wave)
            wave *= TWO_PI * self.ripple
            out += wave
        return out

    def _check(self, params: np.ndarray) -> np.ndarray:
        params = np.asarray(params, dtype=float)
        if params.ndim not in (1, 2) or params.shape[-1] != self.knobs:
            raise ValueError(
                f"params must have shape ({self.knobs},) or (runs, {self.knobs}) "
                f"for {self.knobs} knobs, got {params.shape}"
            )
        return params


def _phase(params: np.ndarray) -> np.ndarray:
    """``2 pi w`` shifted by whole turns into ``[-pi, pi]``, same shape as ``params``.

    ``w - rint(w)`` is exact in floating point, so this is the same angle up to
    whole turns; libm works out the sine and cosine of such small angles faster,
    and a little more accurately, than of angles up to ``2 pi * 5.12``.
    """
    phase = np.rint(params)
    np.subtract(params, phase, out=phase)
    phase *= TWO_PI
    return phase


def _check_knobs(knobs: Any) -> int:
    if isinstance(knobs, bool) or not isinstance(knobs, int | np.integer):
        raise ValueError(f"knobs must be a whole number, got {knobs!r}")
    if knobs < 1:
        raise ValueError(f"knobs must be >= 1, got {knobs}")
    return int(knobs)


def bowl(knobs: int) -> ManyKnobLandscape:
    """The round bowl ``sum_i w_i^2``: every knob alike, curvature 1."""
    knobs = _check_knobs(knobs)
    return ManyKnobLandscape(
        name="bowl",
        title="Round bowl",
        latex=r"f(w) = \sum_{i=1}^{n} w_i^2",
        description=(
            "Every knob sits in the same smooth valley, so the downhill direction "
            "always points straight at the single minimum, all knobs at 0."
        ),
        knobs=knobs,
        curvature=1.0,
    )


def curvatures(knobs: int) -> np.ndarray:
    """The stretched bowl's ``c_i``: log-spaced from 1 to ``STRETCH`` (10), shape
    ``(n,)``; a single knob gets 1."""
    knobs = _check_knobs(knobs)
    if knobs == 1:
        return np.ones(1)
    return np.geomspace(1.0, STRETCH, knobs)


def stretched_bowl(knobs: int) -> ManyKnobLandscape:
    """The bowl ``sum_i c_i w_i^2`` with curvatures ``c_i`` log-spaced from 1 to 10.

    The spread is what makes optimizers differ: plain gradient descent must keep
    its learning rate below ``1 / 10`` for the steepest knob, and then the
    gentlest knob shrinks only by ``1 - 2 * lr`` a step. Methods that scale each
    knob's step by its own slopes (AdaGrad, RMSProp, Adam) even that out.
    """
    c = curvatures(knobs)
    c.setflags(write=False)
    return ManyKnobLandscape(
        name="stretched_bowl",
        title="Stretched bowl",
        latex=(
            r"f(w) = \sum_{i=1}^{n} c_i\, w_i^2, \quad "
            r"c_i = 10^{(i-1)/(n-1)} \in [1, 10]"
        ),
        description=(
            "A bowl that is ten times steeper along some knobs than others: the "
            "curvatures run evenly on a log scale from 1 to 10. A step small enough "
            "for the steepest knob is slow for the gentlest one."
        ),
        knobs=len(c),
        curvature=c,
    )


def rastrigin(knobs: int) -> ManyKnobLandscape:
    """Rastrigin's function ``10 n + sum_i (w_i^2 - 10 cos 2 pi w_i)``.

    A bowl covered in ripples: each knob has a small valley near every whole
    number, so in the start box there are ``11^n`` minima and only the origin is
    global.
    """
    knobs = _check_knobs(knobs)
    return ManyKnobLandscape(
        name="rastrigin",
        title="Rastrigin function",
        latex=r"f(w) = 10\,n + \sum_{i=1}^{n} \left(w_i^2 - 10 \cos 2\pi w_i\right)",
        description=(
            "An egg-crate in n dimensions: a bowl covered in ripples, with a small "
            "valley near every whole-number setting of every knob. Only the origin "
            "is the global minimum; with many knobs, the local minima outnumber "
            "the atoms in the universe."
        ),
        knobs=knobs,
        curvature=1.0,
        ripple=RASTRIGIN_A,
    )


LANDSCAPES = {"bowl": bowl, "stretched_bowl": stretched_bowl, "rastrigin": rastrigin}
"""Builders by name: ``LANDSCAPES[name](knobs)`` is a :class:`ManyKnobLandscape`."""


def make_landscape(name: str, knobs: int) -> ManyKnobLandscape:
    """The landscape called ``name`` with ``knobs`` knobs."""
    if name not in LANDSCAPES:
        raise ValueError(
            f"unknown landscape {name!r}; choose one of {', '.join(LANDSCAPES)}"
        )
    return LANDSCAPES[name](knobs)


def random_start(
    knobs: int, seed: int, half_width: float = START_HALF_WIDTH
) -> np.ndarray:
    """A start drawn uniformly from ``[-half_width, half_width]`` in every knob,
    shape ``(n,)``; the same ``seed`` gives the same start."""
    knobs = _check_knobs(knobs)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ValueError(f"seed must be a whole number, got {seed!r}")
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be in 0 to {MAX_SEED}, got {seed}")
    if not (math.isfinite(half_width) and half_width > 0):
        raise ValueError(f"half_width must be finite and > 0, got {half_width!r}")
    rng = np.random.default_rng(int(seed))
    return rng.uniform(-half_width, half_width, knobs)


@dataclass(frozen=True, eq=False)
class ManyKnobResult:
    """How one descent over ``n`` knobs went.

    Attributes
    ----------
    landscape, optimizer : str
        Names of the landscape and the optimizer.
    knobs, steps, stopped_at : int
        Number of knobs, steps allowed, and the step the run stopped at.
    learning_rate, tolerance : float
        As given.
    hyperparameters : dict
        The optimizer's settings, defaults filled in.
    cost, gradient_norm : arrays (steps + 1,)
        Cost and gradient length at every step; from ``stopped_at`` on they repeat
        the final values.
    final_params : array (n,)
        Where the run ended (for an escaped run, the last point before it left).
    status : str
        ``"converged"``, ``"diverged"`` or ``"max_steps"``.
    reason : str
        Why it diverged (a value of ``REASONS``); empty otherwise.
    """

    landscape: str
    optimizer: str
    knobs: int
    steps: int
    learning_rate: float
    tolerance: float
    hyperparameters: dict[str, Any]
    cost: np.ndarray
    gradient_norm: np.ndarray
    final_params: np.ndarray
    status: str
    stopped_at: int
    reason: str

    @property
    def final_cost(self) -> float:
        """The cost where the run ended."""
        return float(self.cost[self.stopped_at])

    @property
    def final_gradient_norm(self) -> float:
        """The gradient's length where the run ended."""
        return float(self.gradient_norm[self.stopped_at])


def descend_n(
    landscape: ManyKnobLandscape,
    optimizer: str | Optimizer,
    start: np.ndarray,
    learning_rate: float,
    steps: int,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    **hyperparameters: Any,
) -> ManyKnobResult:
    """Walk ``landscape`` from ``start`` with ``optimizer`` and record every step.

    The same rules as :func:`core.optimizers.descend`, for one run over ``n``
    knobs. At each step ``k = 0 .. steps``, at position ``w_k``:

    1. a knob is not finite or lies beyond ``±ESCAPE``: *diverged*; the final
       position is ``w_{k-1}`` (the start, for ``k = 0``);
    2. the gradient is not finite, or its squared length overflows: *diverged*;
    3. the gradient is shorter than ``tolerance``: *converged*;
    4. otherwise, for ``k < steps``, the optimizer's update gives ``w_{k+1}``.

    A run that passes every check at ``k = steps`` ends with ``"max_steps"``.
    Float overflow never warns; it shows up as a diverged run.

    One Python loop over steps; every step is a handful of array operations over
    the knobs, so 13,000 knobs for 1,000 steps take a fraction of a second.

    Parameters
    ----------
    landscape : ManyKnobLandscape
    optimizer : str or Optimizer
        A key of ``core.optimizers.OPTIMIZERS`` or one of its values.
    start : array (n,)
        Finite starting knobs.
    learning_rate : float
        Finite and > 0.
    steps : int
        At most this many updates (>= 0).
    tolerance : float
        Gradient length below which the run counts as converged.
    **hyperparameters
        Overrides of the optimizer's defaults, under torch's names.

    Returns
    -------
    ManyKnobResult
    """
    if not isinstance(landscape, ManyKnobLandscape):
        raise ValueError(f"landscape must be a ManyKnobLandscape, got {landscape!r}")
    opt = get_optimizer(optimizer)
    hyper = opt.hyperparameters(**hyperparameters)
    learning_rate = check_learning_rate(learning_rate)
    steps = check_steps(steps)
    tolerance = check_tolerance(tolerance)
    start = np.asarray(start, dtype=float)
    if start.shape != (landscape.knobs,):
        raise ValueError(
            f"start must have shape ({landscape.knobs},), got {start.shape}"
        )
    if not np.isfinite(start).all():
        raise ValueError("start must be finite")

    tolerance_squared = float(tolerance) ** 2
    cost = np.empty(steps + 1)
    gradient_norm = np.empty(steps + 1)
    # Two position buffers: the update writes w_{k+1} over w_{k-1}, and w_k stays
    # as `previous` in case w_{k+1} has to be refused.
    params = start.copy()
    previous = start.copy()
    gradient = np.empty_like(params)
    scratch = np.empty_like(params)
    state = opt.init(params)
    status, reason, stopped_at = "max_steps", "", steps

    with np.errstate(all="ignore"):
        for k in range(steps + 1):
            landscape.gradient(params, out=gradient)
            cost[k] = landscape.value(params)
            # Not np.dot: BLAS may spread a long dot product over threads that
            # spin and fight the other users of a small app server.
            squared = float(np.square(gradient, out=scratch).sum())
            gradient_norm[k] = math.sqrt(squared)

            # NaN compares false, so a knob that is not a number fails here too.
            if not np.abs(params).max() <= ESCAPE:
                finite = bool(np.isfinite(params).all())
                status = "diverged"
                reason = REASONS["escaped" if finite else "position"]
                # w_{k-1}; at k = 0 `previous` still holds the start.
                final = previous
            elif not math.isfinite(squared):
                status, reason, final = "diverged", REASONS["gradient"], params
            elif squared < tolerance_squared:
                status, final = "converged", params
            if status != "max_steps":
                stopped_at = k
                break
            if k == steps:
                final = params
                break

            new, state = opt.update(
                params, gradient, state, learning_rate, k + 1, hyper, out=previous
            )
            previous, params = params, new

        final = final.copy()
        final_cost = float(landscape.value(final))
        final_gradient = landscape.gradient(final)
        final_norm = math.sqrt(float(np.square(final_gradient).sum()))
    cost[stopped_at:] = final_cost
    gradient_norm[stopped_at:] = final_norm
    if not math.isfinite(final_cost) and status != "diverged":
        status, reason = "diverged", REASONS["cost"]

    return ManyKnobResult(
        landscape=landscape.name,
        optimizer=opt.name,
        knobs=landscape.knobs,
        steps=steps,
        learning_rate=learning_rate,
        tolerance=float(tolerance),
        hyperparameters=hyper,
        cost=cost,
        gradient_norm=gradient_norm,
        final_params=final,
        status=status,
        stopped_at=stopped_at,
        reason=reason,
    )
