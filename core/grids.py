"""Grids of cost values for drawing a landscape, and heights that colour well.

Plotly reads ``z[row][col]`` as the point ``(y[row], x[col])``, so every grid here is
laid out that way: rows follow ``y``, columns follow ``x``. Getting this backwards
draws a terrain mirrored across the diagonal, which looks plausible and is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.landscapes import Domain, Landscape

MIN_RESOLUTION = 20
MAX_RESOLUTION = 300


@dataclass(frozen=True, eq=False)
class Grid:
    """Cost values on a regular grid over a domain.

    Attributes
    ----------
    xs : (nx,) array
        Knob ``x`` at each column.
    ys : (ny,) array
        Knob ``y`` at each row.
    values : (ny, nx) array
        ``values[row, col]`` is the cost at ``(xs[col], ys[row])``; NaN where the
        cost is undefined or infinite, so charts show a gap instead of failing.
    """

    xs: np.ndarray
    ys: np.ndarray
    values: np.ndarray


def check_resolution(resolution: int) -> int:
    """The resolution as an int, or ValueError when it is outside the allowed range."""
    resolution = int(resolution)
    if not MIN_RESOLUTION <= resolution <= MAX_RESOLUTION:
        raise ValueError(
            f"grid resolution must be between {MIN_RESOLUTION} and {MAX_RESOLUTION}, "
            f"not {resolution}"
        )
    return resolution


def cost_grid(
    landscape: Landscape, resolution: int, domain: Domain | None = None
) -> Grid:
    """The cost on a ``resolution`` × ``resolution`` grid over the domain.

    Parameters
    ----------
    landscape : Landscape
        The terrain to sample.
    resolution : int
        Points per side, between ``MIN_RESOLUTION`` and ``MAX_RESOLUTION``.
    domain : ((x_min, x_max), (y_min, y_max)), optional
        The box to sample; the landscape's own domain by default.
    """
    resolution = check_resolution(resolution)
    (x_min, x_max), (y_min, y_max) = domain or landscape.domain
    xs = np.linspace(x_min, x_max, resolution)
    ys = np.linspace(y_min, y_max, resolution)

    # meshgrid's default "xy" indexing gives rows along y and columns along x,
    # which is the layout plotly expects.
    grid_x, grid_y = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        values = np.asarray(landscape.value(grid_x, grid_y), dtype=float)
    values = np.where(np.isfinite(values), values, np.nan)
    return Grid(xs, ys, values)


def wants_log_colour(values: np.ndarray) -> bool:
    """Whether colouring by log height shows the terrain better than linear height.

    Steep-walled landscapes (Rosenbrock, Beale) put almost all of the colour range
    into their walls and leave the valley floor one flat colour. When the highest
    walls stand far above the low tenth of the map (80 times, a threshold that
    picks out Rosenbrock, Beale and the six-hump camel among the built-ins), a log
    scale helps.
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return False
    above_floor = finite - finite.min()
    low, top = np.percentile(above_floor, [10, 99])
    return bool(top > 80 * low)


def log_heights(
    values: np.ndarray | float, reference: np.ndarray | None = None
) -> np.ndarray:
    """``log10`` of the height above the lowest point, for drawing only.

    The floor itself would be ``log10(0)``; an offset of 1e-4 of the range keeps
    it finite and the deepest valley floors four decades below the top, deep
    enough to show detail, shallow enough not to draw the floor as a spike.
    ``reference`` (the grid, by default ``values`` itself) sets
    the floor and the offset, so points and paths drawn on a log-scaled terrain
    get the same transform as the terrain.
    """
    values = np.asarray(values, dtype=float)
    reference = values if reference is None else reference
    finite = reference[np.isfinite(reference)]
    if finite.size == 0:
        return values
    floor = finite.min()
    offset = max((finite.max() - floor) * 1e-4, 1e-12)
    with np.errstate(all="ignore"):
        return np.log10(np.maximum(values - floor, 0.0) + offset)
