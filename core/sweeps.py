"""Learning-rate sweeps: how the share of runs that reach the global minimum, stall
in a local one or blow up changes with the learning rate (and the momentum).

One learning rate is one point of view; a sweep over many, spaced evenly on a log
scale, shows the whole story at once: too small and the runs are still on their
way when the steps run out, too large and they diverge, and in between a band
where they arrive. For a quadratic cost the edge of that band is known in closed
form: plain gradient descent is stable exactly while ``learning_rate < 2 / L``,
``L`` being the largest eigenvalue of the (constant) Hessian. :func:`stability_limit`
gives that number and :func:`divergence_edge` measures the edge, so the two can be
set side by side.

Every sweep draws one set of seeded random starts and runs every setting from those
same starts, so the settings differ only in the setting.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from core.experiments import (
    MAX_RUNS,
    MAX_STEPS,
    OUTCOMES,
    nearest_minimum,
    random_starts,
)
from core.optimizers import (
    check_learning_rate,
    descend,
    get_optimizer,
    resolve_landscape,
)

if TYPE_CHECKING:
    from core.landscapes import Landscape

MAX_SWEEP_WORK = 60_000_000
"""Most planned work of one sweep: runs x settings x steps, summed over everything
the sweep runs. About 5 s of descent on one core for the built-in landscapes; runs
that converge or diverge early cost less than planned."""

MIN_SWEEP_RUNS = 20
"""Fewest runs per setting worth calling a share."""

MAX_RATES = 100
"""Most learning rates in one sweep."""

SHARE_COLUMNS = ("share_global", "share_local", "share_diverged", "share_other")
"""The four outcome shares of a sweep row, in the order of
``core.experiments.OUTCOMES``; they add up to 1."""

QUADRATIC_TOLERANCE = 1e-6
"""Relative spread of the Hessian over the domain below which a cost counts as
quadratic (its Hessian is then the same everywhere, up to rounding)."""

Progress = Callable[[float, str], None]


# -- the grid of learning rates ---------------------------------------------------


def log_rates(low: float, high: float, per_decade: int) -> np.ndarray:
    """Learning rates evenly spaced on a log scale, ``per_decade`` per factor of 10.

    The rates are ``10 ** (k / per_decade)`` for whole ``k``, from the first at or
    above ``low`` to the last at or below ``high``, so round values such as 0.1
    and 1 are hit exactly whenever they lie in the range. Adjacent rates differ
    by the factor ``10 ** (1 / per_decade)``: the sweep's resolution.

    Returns
    -------
    array (n,)
        Increasing rates.
    """
    low = check_learning_rate(low)
    high = check_learning_rate(high)
    if isinstance(per_decade, bool) or not isinstance(per_decade, int | np.integer):
        raise ValueError(f"per_decade must be a whole number, got {per_decade!r}")
    if not 1 <= per_decade <= 24:
        raise ValueError(f"per_decade must be between 1 and 24, got {per_decade}")
    if low > high:
        raise ValueError(f"the lowest rate {low:g} is above the highest {high:g}")

    # A hair of slack so that log10(0.1) * 6 = -6.000000000000001 still counts.
    first = math.ceil(math.log10(low) * per_decade - 1e-9)
    last = math.floor(math.log10(high) * per_decade + 1e-9)
    exponents = np.arange(first, last + 1)
    if len(exponents) == 0:
        raise ValueError(
            f"no rate of the form 10^(k/{per_decade}) lies between {low:g} and "
            f"{high:g}; widen the range"
        )
    if len(exponents) > MAX_RATES:
        raise ValueError(
            f"{len(exponents)} learning rates; at most {MAX_RATES}: narrow the range "
            "or take fewer per decade"
        )
    return np.array([10.0 ** (int(k) / per_decade) for k in exponents])


def _check_rates(rates: Any) -> np.ndarray:
    values = [check_learning_rate(r) for r in np.ravel(np.asarray(rates, dtype=float))]
    if not values:
        raise ValueError("give at least one learning rate")
    if len(values) > MAX_RATES:
        raise ValueError(f"{len(values)} learning rates; at most {MAX_RATES}")
    array = np.array(values)
    if np.any(np.diff(array) <= 0):
        raise ValueError("learning rates must be increasing, without repeats")
    return array


# -- the cap on work ----------------------------------------------------------------


def sweep_work(n_runs: int, n_settings: int, steps: int) -> int:
    """The planned work of a sweep: runs x settings x steps."""
    return int(n_runs) * int(n_settings) * int(steps)


def check_work(n_runs: int, n_settings: int, steps: int) -> None:
    """ValueError when a sweep would plan more than ``MAX_SWEEP_WORK``."""
    work = sweep_work(n_runs, n_settings, steps)
    if work > MAX_SWEEP_WORK:
        raise ValueError(
            f"this sweep would take {n_runs:,} runs x {n_settings:,} settings x "
            f"{steps:,} steps = {work:,} steps of work; at most "
            f"{MAX_SWEEP_WORK:,}: use fewer runs, rates or steps"
        )


def runs_within_cap(n_runs: int, n_settings: int, steps: int) -> int:
    """``n_runs``, or fewer so the sweep stays within ``MAX_SWEEP_WORK``.

    Raises
    ------
    ValueError
        When even ``MIN_SWEEP_RUNS`` runs per setting would be too much.
    """
    fitting = MAX_SWEEP_WORK // max(int(n_settings) * int(steps), 1)
    if fitting < MIN_SWEEP_RUNS:
        raise ValueError(
            f"{n_settings:,} settings x {steps:,} steps is too much work even with "
            f"{MIN_SWEEP_RUNS} runs each; use fewer learning rates or steps"
        )
    return int(min(n_runs, fitting))


def _check_count(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low:,} and {high:,}, got {value:,}")
    return int(value)


# -- running one setting -------------------------------------------------------------


def outcome_codes(
    landscape: Landscape,
    final_positions: np.ndarray,
    status: np.ndarray,
    match_tolerance: float | None = None,
) -> np.ndarray:
    """Each run's outcome as an index into ``core.experiments.OUTCOMES``.

    0 global minimum, 1 local minimum, 2 diverged, 3 not at a known minimum: the
    same rule as ``core.experiments.run_many``, over arrays.

    Parameters
    ----------
    final_positions : array (n, 2)
    status : str array (n,)
        As ``DescentResult.status``.

    Returns
    -------
    int array (n,)
    """
    minimum = nearest_minimum(landscape, final_positions, match_tolerance)
    is_global = np.array([False] + [m.is_global for m in landscape.minima])
    codes = np.where(minimum < 0, 3, np.where(is_global[minimum + 1], 0, 1))
    codes[np.asarray(status) == "diverged"] = 2
    return codes


def _shares(codes: np.ndarray) -> dict[str, float]:
    counts = np.bincount(codes, minlength=len(OUTCOMES))
    return {
        column: float(count / len(codes))
        for column, count in zip(SHARE_COLUMNS, counts, strict=True)
    }


class _Reporter:
    """Calls ``progress`` at most every 0.1 s of work, and at the end."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = max(total, 1)
        self.done = 0
        self.last = time.perf_counter()

    def step(self, message: str) -> None:
        self.done += 1
        now = time.perf_counter()
        if self.progress and (now - self.last >= 0.1 or self.done == self.total):
            self.progress(self.done / self.total, message)
            self.last = now


def learning_rate_sweep(
    landscape: str | Landscape,
    optimizers: Sequence[str],
    rates: Sequence[float],
    n_runs: int,
    seed: int,
    steps: int,
    *,
    hyperparameters: Mapping[str, Mapping[str, Any]] | None = None,
    progress: Progress | None = None,
    match_tolerance: float | None = None,
) -> pd.DataFrame:
    """Run every optimizer at every learning rate from the same random starts.

    Parameters
    ----------
    landscape : Landscape or str
    optimizers : sequence of str
        Keys of ``core.optimizers.OPTIMIZERS``.
    rates : sequence of float
        Increasing learning rates (see :func:`log_rates`), at most ``MAX_RATES``.
    n_runs : int
        Random starts per setting, ``MIN_SWEEP_RUNS`` to ``MAX_RUNS``.
    seed : int
        Seed of the starts (``core.experiments.random_starts``).
    steps : int
        Step budget per run, 1 to ``core.experiments.MAX_STEPS``.
    hyperparameters : dict, optional
        Per optimizer, overrides of its defaults.
    progress : callable(fraction, message), optional
        Told how far the sweep has got, now and then and once at the end.

    Returns
    -------
    DataFrame, one row per (optimizer, learning rate)
        ``optimizer``, ``learning_rate``, ``runs`` and the four ``SHARE_COLUMNS``.

    Raises
    ------
    ValueError
        For a bad setting, or a sweep planned beyond ``MAX_SWEEP_WORK``.
    """
    land = resolve_landscape(landscape)
    names = [get_optimizer(name).name for name in optimizers]
    if not names:
        raise ValueError("choose at least one optimizer")
    rates = _check_rates(rates)
    n_runs = _check_count("runs", n_runs, MIN_SWEEP_RUNS, MAX_RUNS)
    steps = _check_count("steps", steps, 1, MAX_STEPS)
    check_work(n_runs, len(names) * len(rates), steps)
    overrides = {name: dict((hyperparameters or {}).get(name) or {}) for name in names}
    for name in names:
        get_optimizer(name).hyperparameters(**overrides[name])

    starts = random_starts(land, n_runs, seed)
    reporter = _Reporter(progress, len(names) * len(rates))
    rows = []
    for name in names:
        title = get_optimizer(name).title
        for rate in rates:
            result = descend(
                land,
                name,
                starts,
                float(rate),
                steps,
                record_path=False,
                **overrides[name],
            )
            codes = outcome_codes(
                land, result.final_positions, result.status, match_tolerance
            )
            rows.append(
                {
                    "optimizer": name,
                    "learning_rate": float(rate),
                    "runs": n_runs,
                    **_shares(codes),
                }
            )
            reporter.step(f"{title}, learning rate {rate:.3g}")
    return pd.DataFrame(rows)


def momentum_sweep(
    landscape: str | Landscape,
    optimizer: str,
    rates: Sequence[float],
    momenta: Sequence[float],
    n_runs: int,
    seed: int,
    steps: int,
    *,
    progress: Progress | None = None,
    match_tolerance: float | None = None,
) -> pd.DataFrame:
    """Every pair of learning rate and momentum, for momentum or Nesterov.

    Same starts for every pair. Returns one row per pair: ``optimizer``,
    ``learning_rate``, ``momentum``, ``runs`` and the four ``SHARE_COLUMNS``.
    """
    land = resolve_landscape(landscape)
    opt = get_optimizer(optimizer)
    if "momentum" not in opt.defaults:
        raise ValueError(f"{opt.title} has no momentum to sweep")
    rates = _check_rates(rates)
    momenta = [opt.hyperparameters(momentum=m)["momentum"] for m in momenta]
    if not momenta:
        raise ValueError("give at least one momentum")
    n_runs = _check_count("runs", n_runs, MIN_SWEEP_RUNS, MAX_RUNS)
    steps = _check_count("steps", steps, 1, MAX_STEPS)
    check_work(n_runs, len(rates) * len(momenta), steps)

    starts = random_starts(land, n_runs, seed)
    reporter = _Reporter(progress, len(rates) * len(momenta))
    rows = []
    for momentum in momenta:
        for rate in rates:
            result = descend(
                land,
                opt.name,
                starts,
                float(rate),
                steps,
                record_path=False,
                momentum=momentum,
            )
            codes = outcome_codes(
                land, result.final_positions, result.status, match_tolerance
            )
            rows.append(
                {
                    "optimizer": opt.name,
                    "learning_rate": float(rate),
                    "momentum": momentum,
                    "runs": n_runs,
                    **_shares(codes),
                }
            )
            reporter.step(f"{opt.title}, momentum {momentum:g}")
    return pd.DataFrame(rows)


# -- the edge of divergence -----------------------------------------------------------


@dataclass(frozen=True)
class Edge:
    """Where a sweep starts to diverge.

    Attributes
    ----------
    first_diverging : float or None
        The smallest swept rate at which at least ``share`` of the runs diverged;
        None when no swept rate did.
    last_stable : float or None
        The swept rate just below it (the highest swept rate when none
        diverged); None when the very first rate already diverged.
    share : float
        The share of diverged runs that counts as "the runs diverge".
    """

    first_diverging: float | None
    last_stable: float | None
    share: float

    def brackets(self, value: float) -> bool:
        """Whether ``value`` lies in ``[last_stable, first_diverging)``: the edge
        agrees with ``value`` within the sweep's resolution."""
        if self.first_diverging is None or self.last_stable is None:
            return False
        return self.last_stable <= value < self.first_diverging


def edge_from_shares(
    rates: Sequence[float], share_diverged: Sequence[float], share: float = 0.5
) -> Edge:
    """The edge of divergence of a swept optimizer.

    Parameters
    ----------
    rates : sequence (n,)
        Increasing learning rates.
    share_diverged : sequence (n,)
        The share of runs that diverged at each rate.
    share : float
        At least this share must diverge, in (0, 1].
    """
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share}")
    rates = np.asarray(rates, dtype=float)
    diverged = np.asarray(share_diverged, dtype=float)
    if rates.shape != diverged.shape:
        raise ValueError("rates and share_diverged must have the same length")
    over = np.flatnonzero(diverged >= share)
    if len(over) == 0:
        return Edge(None, float(rates[-1]) if len(rates) else None, share)
    first = int(over[0])
    last = float(rates[first - 1]) if first > 0 else None
    return Edge(float(rates[first]), last, share)


def divergence_edge(
    landscape: str | Landscape,
    optimizer: str = "gd",
    *,
    rates: Sequence[float],
    n_runs: int = 200,
    seed: int = 0,
    steps: int = 300,
    share: float = 0.5,
    hyperparameters: Mapping[str, Any] | None = None,
) -> Edge:
    """Sweep ``optimizer`` over ``rates`` and find the first rate where at least
    ``share`` of the runs diverge.

    Exactly at a quadratic's limit ``2 / L`` gradient descent neither settles nor
    grows (each step multiplies the steep direction by ``1 - 2 = -1``), so the
    measured edge is the first swept rate *above* the limit, and the limit lies
    in ``[edge.last_stable, edge.first_diverging)``.
    """
    table = learning_rate_sweep(
        landscape,
        [optimizer],
        rates,
        n_runs,
        seed,
        steps,
        hyperparameters={get_optimizer(optimizer).name: dict(hyperparameters or {})},
    )
    return edge_from_shares(table["learning_rate"], table["share_diverged"], share)


# -- theory for quadratic costs -------------------------------------------------------


def largest_curvature(landscape: str | Landscape) -> float | None:
    """``L``, the largest eigenvalue of the Hessian, when the cost is quadratic.

    A cost is taken as quadratic when its Hessian is the same (to
    ``QUADRATIC_TOLERANCE``, relative) at the global minimum, the domain's corners
    and its centre. None for every other cost, and for a quadratic without a
    positive curvature (no stable minimum).
    """
    land = resolve_landscape(landscape)
    (x_min, x_max), (y_min, y_max) = land.domain
    points = [
        (x_min, y_min),
        (x_max, y_min),
        (x_min, y_max),
        (x_max, y_max),
        ((x_min + x_max) / 2, (y_min + y_max) / 2),
    ]
    points += [(m.x, m.y) for m in land.global_minima]
    with np.errstate(all="ignore"):
        hessians = np.array([land.hessian(x, y) for x, y in points], dtype=float)
    if not np.isfinite(hessians).all():
        return None
    scale = max(float(np.abs(hessians).max()), 1e-300)
    if float(np.ptp(hessians, axis=0).max()) > QUADRATIC_TOLERANCE * scale:
        return None
    if land.knobs == 1:
        largest = float(hessians[0, 0, 0])
    else:
        largest = float(np.linalg.eigvalsh(hessians[0]).max())
    return largest if largest > 0 else None


def stability_limit(
    landscape: str | Landscape, optimizer: str = "gd", momentum: float | None = None
) -> float | None:
    """The largest stable learning rate on a quadratic cost, or None.

    With ``a = learning_rate * L`` the steep direction is multiplied each step by
    ``1 - a`` (gradient descent), which stays within ``[-1, 1]`` while
    ``a <= 2``. With momentum ``mu`` (PyTorch's heavy ball) the limit is
    ``a < 2 (1 + mu)``; with PyTorch's Nesterov form it is
    ``a < 2 (1 + mu) / (1 + 2 mu)``: where the two-step recurrence first has an
    eigenvalue at -1.

    Returns
    -------
    float or None
        ``2 / L`` and so on; None when the cost is not quadratic or the optimizer
        adapts its steps (AdaGrad, RMSProp, Adam have no such fixed limit).
    """
    curvature = largest_curvature(landscape)
    if curvature is None:
        return None
    return rate_limit(curvature, optimizer, momentum)


def rate_limit(
    curvature: float, optimizer: str = "gd", momentum: float | None = None
) -> float | None:
    """The stability limit for curvature ``L``: see :func:`stability_limit`."""
    opt = get_optimizer(optimizer)
    if opt.name == "gd":
        return 2.0 / curvature
    if opt.name in ("momentum", "nesterov"):
        mu = opt.hyperparameters(
            **({} if momentum is None else {"momentum": momentum})
        )["momentum"]
        if opt.name == "momentum":
            return 2.0 * (1.0 + mu) / curvature
        return 2.0 * (1.0 + mu) / ((1.0 + 2.0 * mu) * curvature)
    return None
