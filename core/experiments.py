"""Experiments: many random starts, several optimizers and learning rates, one table.

A single run says little about an optimizer; the share of runs that reach the global
minimum, stall in a local one or blow up says a lot. :func:`run_many` draws random
starts over a landscape's domain, runs every optimizer at every learning rate from
those *same* starts and returns one row per run. :func:`summarize` and
:func:`minimum_counts` turn that table into the numbers behind the charts.

Which minimum a run ended in: the nearest listed minimum, if it lies within
``match_tolerance`` of the run's final position (by default 1% of the larger domain
span; for one-knob landscapes only x counts). The outcome of a run is

* ``"diverged"`` when descend reported it diverged;
* ``"global minimum"`` when it ended (converged or out of steps) at a listed global
  minimum;
* ``"local minimum"`` when it ended at a listed local minimum;
* ``"not at a known minimum"`` otherwise: still far from any listed minimum when the
  steps ran out, or settled somewhere that is not listed (a saddle, a flat plateau).

An experiment may also use a learning-rate schedule and noisy gradients (see
:func:`core.optimizers.descend`); the table records both, and the summaries split
by them only when a table mixes several (tables concatenated from experiments).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from core.optimizers import (
    DEFAULT_TOLERANCE,
    check_learning_rate,
    check_noise,
    descend,
    get_optimizer,
    resolve_landscape,
)
from core.schedules import Schedule, check_schedule

if TYPE_CHECKING:
    from core.landscapes import Landscape, Minimum

MAX_RUNS = 20_000
"""Most random starts one experiment may use."""

MAX_STEPS = 5_000

MAX_WORK = 120_000_000
"""Most run-steps (runs × optimizers × learning rates × steps) one call may take:
about ten seconds of a shared 2-core server. A public link cannot ask for more."""
"""Most steps one run may take in an experiment."""

MATCH_SHARE = 0.01
"""Default match tolerance, as a share of the larger domain span."""

OUTCOMES = ("global minimum", "local minimum", "diverged", "not at a known minimum")
"""Every outcome a run can have, in display order."""

STATUSES = ("converged", "max_steps", "diverged")

_CHUNK_POINT_STEPS = 2_000_000
"""Runs times steps per descend call when reporting progress: about 0.1 s of work.
At a few hundred steps that is enough runs for descend to split across threads."""

_MATCH_BLOCK = 8_192
"""Final points matched against the minima at a time (bounds the distance table)."""

_REPORT_EVERY = 0.1
"""Seconds of work between two progress reports (at most)."""

Progress = Callable[[float, str], None]


def _check_count(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low:,} and {high:,}, got {value:,}")
    return int(value)


def _as_list(value: Any) -> list:
    if isinstance(value, str) or not isinstance(value, Sequence | np.ndarray):
        return [value]
    return list(value)


def _check_hyperparameters(
    hyperparameters: Mapping[str, Mapping[str, Any]] | None, names: list[str]
) -> dict[str, dict[str, Any]]:
    hyperparameters = dict(hyperparameters or {})
    unknown = sorted(set(hyperparameters) - set(names))
    if unknown:
        raise ValueError(
            f"hyperparameters given for {', '.join(map(repr, unknown))}, which is not "
            f"among the optimizers run: {', '.join(names)}"
        )
    checked = {}
    for name in names:
        overrides = dict(hyperparameters.get(name) or {})
        # Validates names and ranges now, before any work is done.
        get_optimizer(name).hyperparameters(**overrides)
        checked[name] = overrides
    return checked


def random_starts(landscape: Landscape, n_runs: int, seed: int) -> np.ndarray:
    """``n_runs`` starts, shape (n_runs, 2), uniform over the landscape's domain.

    The same seed always gives the same starts.
    """
    (x_min, x_max), (y_min, y_max) = landscape.domain
    rng = np.random.default_rng(seed)
    x = rng.uniform(x_min, x_max, n_runs)
    y = rng.uniform(y_min, y_max, n_runs)
    return np.column_stack([x, y])


def nearest_minimum(
    landscape: Landscape, points: np.ndarray, match_tolerance: float | None = None
) -> np.ndarray:
    """Index into ``landscape.minima`` of the minimum each point sits at, or -1.

    Parameters
    ----------
    points : array (n, 2)
        Final positions.
    match_tolerance : float, optional
        Largest distance that still counts as "at" a minimum; by default 1% of the
        larger domain span. On one-knob landscapes only the x distance counts.

    Returns
    -------
    int array (n,)
    """
    points = np.asarray(points, dtype=float)
    tolerance = _match_tolerance(landscape, match_tolerance)
    index = np.full(len(points), -1, dtype=np.int64)
    if not landscape.minima or len(points) == 0:
        return index

    minima = np.array([(m.x, m.y) for m in landscape.minima], dtype=float)
    # A block of points at a time: the distance table is points x minima, and
    # 180,000 ends against Rastrigin's 121 minima would take ~170 MB per table.
    for begin in range(0, len(points), _MATCH_BLOCK):
        block = points[begin : begin + _MATCH_BLOCK]
        dx = block[:, 0, np.newaxis] - minima[np.newaxis, :, 0]
        if landscape.knobs == 1:
            distance = np.abs(dx)
        else:
            dy = block[:, 1, np.newaxis] - minima[np.newaxis, :, 1]
            distance = np.hypot(dx, dy)
        with np.errstate(invalid="ignore"):
            nearest = np.argmin(np.where(np.isnan(distance), np.inf, distance), axis=1)
        close = distance[np.arange(len(block)), nearest] <= tolerance
        index[begin : begin + _MATCH_BLOCK][close] = nearest[close]
    return index


def match_minimum(
    landscape: Landscape, x: float, y: float, match_tolerance: float | None = None
) -> Minimum | None:
    """The listed minimum that the point ``(x, y)`` sits at, or None.

    Same rule as :func:`nearest_minimum`, for one point.
    """
    index = nearest_minimum(landscape, np.array([[x, y]], dtype=float), match_tolerance)
    return landscape.minima[index[0]] if index[0] >= 0 else None


def _match_tolerance(landscape: Landscape, match_tolerance: float | None) -> float:
    if match_tolerance is None:
        (x_min, x_max), (y_min, y_max) = landscape.domain
        spans = (
            [x_max - x_min] if landscape.knobs == 1 else [x_max - x_min, y_max - y_min]
        )
        return MATCH_SHARE * max(spans)
    if isinstance(match_tolerance, bool) or not isinstance(
        match_tolerance, int | float | np.integer | np.floating
    ):
        raise ValueError(f"match_tolerance must be a number, got {match_tolerance!r}")
    if not (math.isfinite(match_tolerance) and match_tolerance > 0):
        raise ValueError(
            f"match_tolerance must be finite and > 0, got {match_tolerance}"
        )
    return float(match_tolerance)


def run_many(
    landscape: str | Landscape,
    optimizers: str | Sequence[str],
    learning_rates: float | Sequence[float],
    n_runs: int,
    seed: int,
    steps: int,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    hyperparameters: Mapping[str, Mapping[str, Any]] | None = None,
    starts: np.ndarray | None = None,
    progress: Progress | None = None,
    match_tolerance: float | None = None,
    schedule: str | Schedule = "constant",
    schedule_params: Mapping[str, Any] | None = None,
    noise: float = 0.0,
    settle_steps: int = 0,
) -> pd.DataFrame:
    """Run every optimizer at every learning rate from the same random starts.

    Parameters
    ----------
    landscape : Landscape or str
        The terrain, or the name of a built-in one.
    optimizers : str or sequence of str
        Keys of ``core.optimizers.OPTIMIZERS``.
    learning_rates : float or sequence of float
        Each finite and > 0.
    n_runs : int
        Random starts, 1 to ``MAX_RUNS``.
    seed : int
        Seed for ``np.random.default_rng``; the same seed gives the same table. It
        seeds the gradient noise too (``noise_seed`` of ``descend``, whose streams
        are keyed apart from ``default_rng(seed)``, so starts and noise are
        independent).
    steps : int
        Step budget per run, 1 to ``MAX_STEPS``.
    tolerance : float
        Gradient length below which a run has converged (see ``descend``).
    hyperparameters : dict, optional
        Per optimizer, overrides of its defaults, e.g. ``{"momentum": {"momentum":
        0.5}}``.
    starts : array (n_runs, 2), optional
        Use these starts instead of random ones (``seed`` is then unused).
    progress : callable(fraction, message), optional
        Called as the work goes (every 0.1 to 0.3 s of work) and once at the end with
        1.0; the runs are then done in chunks of starts, with identical results.
    match_tolerance : float, optional
        How close a final position must be to a listed minimum to count as there;
        default 1% of the larger domain span.
    schedule : str or Schedule
        Learning-rate schedule for every run (a key of ``core.schedules.SCHEDULES``);
        each learning rate is the base rate of its own schedule.
    schedule_params : mapping, optional
        Overrides of the schedule's defaults (``step_size``, ``gamma``, ``T_max``,
        ``eta_min``), checked against every learning rate.
    noise : float
        Standard deviation of the noise added to each gradient component (>= 0).
        Run ``i`` meets the same noise at each step in every optimizer and learning
        rate, as it meets the same start: differences between them are not luck of
        the draw.
    settle_steps : int
        With noise, classify each run (``minimum``, ``outcome``) by where it comes
        to rest after this many more noise-free steps, not by its jittering end
        point, which rarely sits within ``match_tolerance`` of a minimum. The
        ``end_*`` columns still hold the noisy end. 0 (the default) classifies the
        end point itself.

    Returns
    -------
    DataFrame, one row per (optimizer, learning rate, run)
        ``optimizer`` (category), ``learning_rate``, ``run``, ``start_x``,
        ``start_y``, ``end_x``, ``end_y``, ``end_value``, ``steps`` (the step the run
        stopped at), ``status`` (category: converged, max_steps, diverged),
        ``reason`` (category; why it diverged, else ""), ``minimum`` (category: the
        label of the minimum it ended at, or ""), ``reached_global`` (bool),
        ``outcome`` (category, see ``OUTCOMES``), ``schedule`` (category) and
        ``noise``.
    """
    land = resolve_landscape(landscape)
    names = [get_optimizer(name).name for name in _as_list(optimizers)]
    if not names:
        raise ValueError("give at least one optimizer")
    if len(set(names)) != len(names):
        raise ValueError(f"optimizers repeat: {', '.join(names)}")
    rates = [check_learning_rate(rate) for rate in _as_list(learning_rates)]
    if not rates:
        raise ValueError("give at least one learning rate")
    if len(set(rates)) != len(rates):
        raise ValueError(f"learning rates repeat: {', '.join(f'{r:g}' for r in rates)}")
    n_runs = _check_count("n_runs", n_runs, 1, MAX_RUNS)
    steps = _check_count("steps", steps, 1, MAX_STEPS)
    overrides = _check_hyperparameters(hyperparameters, names)
    match_distance = _match_tolerance(land, match_tolerance)
    for rate in rates:
        # eta_min must suit every base rate.
        chosen, _ = check_schedule(schedule, rate, steps, schedule_params)
    noise = check_noise(noise)
    settle_steps = _check_count("settle_steps", settle_steps, 0, MAX_STEPS)
    work = n_runs * len(names) * len(rates) * (steps + settle_steps)
    if work > MAX_WORK:
        raise ValueError(
            f"that is {work:,} steps in all ({n_runs:,} runs × {len(names)} "
            f"optimizers × {len(rates)} learning rates × {steps + settle_steps:,} "
            f"steps); at most {MAX_WORK:,}: use fewer runs, steps, optimizers or "
            "learning rates"
        )
    if noise > 0 and (
        isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0
    ):
        raise ValueError(f"seed must be a whole number >= 0 for noise, got {seed!r}")

    if starts is None:
        starts = random_starts(land, n_runs, seed)
    else:
        starts = np.asarray(starts, dtype=float)
        if starts.shape != (n_runs, 2):
            raise ValueError(
                f"starts must have shape ({n_runs}, 2) for n_runs={n_runs}, "
                f"got {starts.shape}"
            )

    chunk = max(1, _CHUNK_POINT_STEPS // steps) if progress else n_runs
    jobs = [(name, rate) for name in names for rate in rates]
    total = len(jobs) * n_runs
    done = 0
    last_report = time.perf_counter()
    pieces, settled = [], []
    for name, rate in jobs:
        for begin in range(0, n_runs, chunk):
            result = descend(
                land,
                name,
                starts[begin : begin + chunk],
                rate,
                steps,
                record_path=False,
                tolerance=tolerance,
                schedule=chosen,
                schedule_params=schedule_params,
                noise=noise,
                # Without noise the seed stays unchecked, as it always was.
                noise_seed=seed if noise > 0 else 0,
                noise_offset=begin,
                **overrides[name],
            )
            pieces.append(result)
            if noise > 0 and settle_steps > 0:
                settled.append(
                    _settle(land, name, rate, result, settle_steps, overrides)
                )
            done += result.n_runs
            if progress and time.perf_counter() - last_report >= _REPORT_EVERY:
                progress(done / total, f"{get_optimizer(name).title}, rate {rate:g}")
                last_report = time.perf_counter()
    if progress:
        progress(1.0, "done")

    where = np.concatenate(settled) if settled else None
    table = _table(land, names, rates, starts, pieces, match_distance, where)
    table["schedule"] = pd.Categorical.from_codes(
        np.zeros(len(table), dtype=np.int8), categories=[chosen.name]
    )
    table["noise"] = noise
    return table


def _settle(
    land: Landscape,
    name: str,
    rate: float,
    noisy: Any,
    steps: int,
    overrides: dict[str, dict[str, Any]],
) -> np.ndarray:
    """Where noisy runs come to rest when the noise stops: ``steps`` more steps of
    the same optimizer and learning rate with the exact gradient.

    Noise keeps a run jittering around the bottom of its valley, usually further
    from the minimum than the matching tolerance; settling asks which valley it
    is in. Diverged runs stay where they are.
    """
    with np.errstate(all="ignore"):
        rest = descend(
            land,
            name,
            noisy.final_positions,
            rate,
            steps,
            record_path=False,
            **overrides[name],
        )
    return rest.final_positions


def _table(
    land: Landscape,
    names: list[str],
    rates: list[float],
    starts: np.ndarray,
    pieces: list,
    match_tolerance: float,
    where: np.ndarray | None = None,
) -> pd.DataFrame:
    """The run table from the descend results, in job order then run order.

    ``where`` (``(runs, 2)``), when given, is where each run is classified instead
    of its end point: for noisy runs, where it settles once the noise stops.
    """
    n_runs = len(starts)
    n_jobs = len(names) * len(rates)
    end = np.concatenate([r.final_positions for r in pieces])
    status = np.concatenate([r.status for r in pieces])
    diverged = status == "diverged"

    minimum = nearest_minimum(land, end if where is None else where, match_tolerance)
    minimum[diverged] = -1
    labels = [""] + [m.label for m in land.minima]
    is_global = np.array([False] + [m.is_global for m in land.minima])
    outcome = np.where(
        diverged,
        2,
        np.where(minimum < 0, 3, np.where(is_global[minimum + 1], 0, 1)),
    )

    return pd.DataFrame(
        {
            "optimizer": pd.Categorical.from_codes(
                np.repeat(np.arange(len(names)), len(rates) * n_runs), categories=names
            ),
            "learning_rate": np.tile(np.repeat(rates, n_runs), len(names)),
            "run": np.tile(np.arange(n_runs, dtype=np.int32), n_jobs),
            "start_x": np.tile(starts[:, 0], n_jobs),
            "start_y": np.tile(starts[:, 1], n_jobs),
            "end_x": end[:, 0],
            "end_y": end[:, 1],
            "end_value": np.concatenate([r.final_values for r in pieces]),
            "steps": np.concatenate([r.stopped_at for r in pieces]).astype(np.int32),
            "status": pd.Categorical(status, categories=STATUSES),
            "reason": pd.Categorical(np.concatenate([r.reason for r in pieces])),
            "minimum": _labels(labels, minimum + 1),
            "reached_global": outcome == 0,
            "outcome": pd.Categorical.from_codes(outcome, categories=OUTCOMES),
        }
    )


def _labels(labels: list[str], codes: np.ndarray) -> pd.Categorical:
    """A categorical of ``labels[codes]``; labels may repeat after rounding."""
    if len(set(labels)) == len(labels):
        return pd.Categorical.from_codes(codes, categories=labels)
    return pd.Categorical(np.array(labels, dtype=object)[codes])


def _group_keys(runs: pd.DataFrame) -> list[str]:
    """``optimizer`` and ``learning_rate``, then ``schedule`` and ``noise`` if they
    vary in ``runs`` (one experiment has one of each; a concatenation may not)."""
    extra = [
        column
        for column in ("schedule", "noise")
        if column in runs.columns and runs[column].nunique(dropna=False) > 1
    ]
    return ["optimizer", "learning_rate", *extra]


def summarize(runs: pd.DataFrame) -> pd.DataFrame:
    """Per optimizer and learning rate: how the runs ended.

    When ``runs`` mixes schedules or noise levels, the groups split by those too
    (columns ``schedule`` and ``noise`` after ``learning_rate``).

    Returns
    -------
    DataFrame with columns ``optimizer``, ``learning_rate``, ``runs``,
    ``share_global``, ``share_local``, ``share_diverged``, ``share_other`` (these four
    add up to 1), ``share_converged`` (status converged), ``median_steps`` and
    ``mean_end_value`` (over the runs that did not diverge and have a finite cost;
    NaN when there are none).
    """
    keys = _group_keys(runs)
    frame = pd.DataFrame(
        {
            **{key: runs[key] for key in keys},
            "global": runs["outcome"] == "global minimum",
            "local": runs["outcome"] == "local minimum",
            "diverged": runs["outcome"] == "diverged",
            "other": runs["outcome"] == "not at a known minimum",
            "converged": runs["status"] == "converged",
            "steps": runs["steps"],
            "end_value": runs["end_value"].where(
                (runs["status"] != "diverged") & np.isfinite(runs["end_value"])
            ),
        }
    )
    grouped = frame.groupby(keys, observed=True, sort=False)
    summary = grouped.agg(
        runs=("global", "size"),
        share_global=("global", "mean"),
        share_local=("local", "mean"),
        share_diverged=("diverged", "mean"),
        share_other=("other", "mean"),
        share_converged=("converged", "mean"),
        median_steps=("steps", "median"),
        mean_end_value=("end_value", "mean"),
    )
    return summary.reset_index()


def minimum_counts(runs: pd.DataFrame) -> pd.DataFrame:
    """Per optimizer and learning rate, how many runs ended where.

    Returns
    -------
    DataFrame with columns ``optimizer``, ``learning_rate``, ``ending`` (a minimum's
    label, ``"diverged"`` or ``"not at a known minimum"``), ``is_global``, ``runs``
    and ``share`` (of that optimizer and learning rate's runs; shares add up to 1).
    Endings no run reached are left out. When ``runs`` mixes schedules or noise
    levels, the groups split by those too, as in :func:`summarize`.
    """
    ending = (
        runs["minimum"]
        .astype(str)
        .where(runs["minimum"].astype(str) != "", runs["outcome"].astype(str))
    )
    groups = _group_keys(runs)
    frame = pd.DataFrame(
        {
            **{key: runs[key] for key in groups},
            "ending": ending,
            "is_global": runs["reached_global"],
        }
    )
    keys = [*groups, "ending", "is_global"]
    counts = frame.groupby(keys, observed=True, sort=False).size()
    counts = counts.rename("runs").reset_index()
    totals = counts.groupby(groups, observed=True)["runs"]
    counts["share"] = counts["runs"] / totals.transform("sum")
    return counts
