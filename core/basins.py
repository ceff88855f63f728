"""Basins of attraction: which minimum each start of a grid descends to.

A basin map colours every point of the domain by where a descent started there
ends. It shows at a glance why the start decides the valley: the boundaries between
basins run along ridges and through saddles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from core.experiments import nearest_minimum
from core.optimizers import descend, resolve_landscape

if TYPE_CHECKING:
    from core.landscapes import Landscape

ELSEWHERE = "not at a known minimum"
DIVERGED = "diverged"

MAX_RESOLUTION = 1_000
"""Most grid points per side; 1,000 x 1,000 starts is already a big batch."""

MAX_BASIN_WORK = 20_000_000
"""Most planned work of a basin map drawn on request: grid points x steps. A few
seconds of descent at worst; most runs stop early, when they converge."""


@dataclass(frozen=True, eq=False)
class BasinMap:
    """Where the descents from a grid of starts ended.

    Attributes
    ----------
    xs : array (nx,)
        The starts' x values, left to right.
    ys : array (ny,)
        The starts' y values, bottom to top.
    labels : int array (ny, nx)
        ``labels[i, j]`` is the ending of the run started at ``(xs[j], ys[i])``:
        rows follow y and columns follow x, as in an image or a heatmap. Each code
        indexes ``names``.
    names : tuple of str
        The landscape's minima labels, in the order of ``landscape.minima``, then
        ``"not at a known minimum"`` and ``"diverged"``.
    is_global : tuple of bool
        Per name, whether it is a global minimum (False for the last two).
    stopped_at : int array (ny, nx) or None
        The step at which each run stopped, laid out like ``labels``.
    """

    xs: np.ndarray
    ys: np.ndarray
    labels: np.ndarray
    names: tuple[str, ...]
    is_global: tuple[bool, ...] = ()
    stopped_at: np.ndarray | None = None

    def shares(self) -> np.ndarray:
        """The share of the grid's starts that ends in each of ``names``, shape
        ``(len(names),)``; the shares add up to 1.

        The starts are evenly spaced, so this is the share of the domain's area
        that drains to each ending (up to the grid's resolution).
        """
        counts = np.bincount(self.labels.ravel(), minlength=len(self.names))
        return counts / self.labels.size

    @property
    def global_share(self) -> float:
        """The share of the starts that ends in a global minimum (any of them,
        where several tie)."""
        flags = np.zeros(len(self.names), dtype=bool)
        flags[: len(self.is_global)] = self.is_global
        return float(self.shares()[flags].sum())

    def table(self) -> pd.DataFrame:
        """One row per ending that some start reached, largest share first.

        Columns: ``ending`` (a name), ``code`` (its index in ``names``),
        ``is_global``, ``starts`` (how many grid points) and ``share``.
        """
        counts = np.bincount(self.labels.ravel(), minlength=len(self.names))
        flags = np.zeros(len(self.names), dtype=bool)
        flags[: len(self.is_global)] = self.is_global
        frame = pd.DataFrame(
            {
                "ending": self.names,
                "code": np.arange(len(self.names)),
                "is_global": flags,
                "starts": counts,
                "share": counts / self.labels.size,
            }
        )
        frame = frame[frame["starts"] > 0]
        return frame.sort_values(
            ["is_global", "starts"], ascending=False, kind="stable"
        ).reset_index(drop=True)


def _check_resolution(resolution: Any) -> tuple[int, int]:
    pair = (resolution, resolution) if np.ndim(resolution) == 0 else resolution
    if isinstance(pair, str) or len(pair) != 2:
        raise ValueError(f"resolution must be n or (nx, ny), got {resolution!r}")
    for side in pair:
        if isinstance(side, bool) or not isinstance(side, int | np.integer):
            raise ValueError(f"resolution must be whole numbers, got {resolution!r}")
        if not 2 <= side <= MAX_RESOLUTION:
            raise ValueError(
                f"resolution must be between 2 and {MAX_RESOLUTION:,} per side, "
                f"got {resolution!r}"
            )
    return int(pair[0]), int(pair[1])


def resolution_within_cap(resolution: int, steps: int) -> int:
    """``resolution``, or the largest smaller one whose ``resolution ** 2 * steps``
    stays within ``MAX_BASIN_WORK`` (never below 2)."""
    fitting = int(np.sqrt(MAX_BASIN_WORK / max(int(steps), 1)))
    return max(2, min(int(resolution), fitting))


def basin_map(
    landscape: str | Landscape,
    optimizer: str,
    learning_rate: float,
    resolution: int | Sequence[int],
    steps: int,
    *,
    match_tolerance: float | None = None,
    **hyperparameters: Any,
) -> BasinMap:
    """Descend from every point of a grid over the domain and label where it ends.

    Parameters
    ----------
    landscape : Landscape or str
        The terrain, or the name of a built-in one.
    optimizer : str
        A key of ``core.optimizers.OPTIMIZERS``.
    learning_rate : float
        Finite and > 0.
    resolution : int or (nx, ny)
        Grid points per side, 2 to ``MAX_RESOLUTION``; the grid includes the
        domain's edges.
    steps : int
        Step budget per run.
    match_tolerance : float, optional
        How close an ending must be to a listed minimum to count as there (see
        ``core.experiments.nearest_minimum``).
    **hyperparameters
        Overrides of the optimizer's defaults.

    Returns
    -------
    BasinMap
    """
    land = resolve_landscape(landscape)
    nx, ny = _check_resolution(resolution)
    (x_min, x_max), (y_min, y_max) = land.domain
    xs = np.linspace(x_min, x_max, nx)
    ys = np.linspace(y_min, y_max, ny)

    # meshgrid's default "xy" indexing gives (ny, nx) arrays: rows follow y.
    grid_x, grid_y = np.meshgrid(xs, ys)
    starts = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    result = descend(
        land,
        optimizer,
        starts,
        learning_rate,
        steps,
        record_path=False,
        **hyperparameters,
    )

    n_minima = len(land.minima)
    codes = nearest_minimum(land, result.final_positions, match_tolerance)
    codes[codes < 0] = n_minima
    codes[result.status == "diverged"] = n_minima + 1
    names = (*(m.label for m in land.minima), ELSEWHERE, DIVERGED)
    is_global = (*(m.is_global for m in land.minima), False, False)
    return BasinMap(
        xs=xs,
        ys=ys,
        labels=codes.reshape(ny, nx),
        names=names,
        is_global=is_global,
        stopped_at=result.stopped_at.reshape(ny, nx),
    )
