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

from core.experiments import nearest_minimum
from core.optimizers import descend, resolve_landscape

if TYPE_CHECKING:
    from core.landscapes import Landscape

ELSEWHERE = "not at a known minimum"
DIVERGED = "diverged"

MAX_RESOLUTION = 1_000
"""Most grid points per side; 1,000 x 1,000 starts is already a big batch."""


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
    """

    xs: np.ndarray
    ys: np.ndarray
    labels: np.ndarray
    names: tuple[str, ...]


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
    return BasinMap(xs=xs, ys=ys, labels=codes.reshape(ny, nx), names=names)
