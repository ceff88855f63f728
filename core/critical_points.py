"""Finding the critical points of a landscape numerically: minima, maxima and saddles.

For a typed formula nobody knows the minima in advance, so we search for them:

1. many short descents (an Adam-like normalised step with a shrinking step size)
   from a grid of starts plus a seeded random sample, so every valley in the box is
   likely to catch at least one walker;
2. Newton steps on the exact gradient and Hessian, from both the descent end points
   (to polish minima, e.g. down Rosenbrock's flat valley floor) and the original
   starts (Newton heads for the nearest critical point of any kind, which finds the
   saddles and maxima too);
3. end points that agree to ``1e-3`` of the box are grouped, only those inside the
   box where the slope is (numerically) zero are kept, and each is classified by the
   Hessian's eigenvalues: minimum (all > 0), maximum (all < 0), saddle (mixed).

Where the Hessian is singular or the slope undefined (``x^4``, ``abs(x)``) the kind is
decided by comparing the cost with a small ring of neighbours instead. A result is
only what the search found: it may miss critical points, so callers must present the
lowest minimum as "lowest found", not as proven global.

All work happens in unit coordinates ``u = (p - low) / span`` so that long, thin boxes
are searched as evenly as square ones.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.landscapes import Domain, Minimum

KINDS = ("minimum", "maximum", "saddle", "degenerate")
"""Kinds of critical point, in the order results are listed."""

MAX_DEGENERATE = 10
"""At most this many degenerate points are returned (the lowest)."""

GROUP_RADIUS = 1e-3
"""End points closer than this (fraction of the box span) are one critical point."""


@dataclass(frozen=True)
class CriticalPoint:
    """A point where the slope is zero (or a kink bottoms out), and its kind.

    Attributes
    ----------
    x, y : float
        Where it is (for a one-knob landscape ``y`` is a fixed placeholder).
    value : float
        The cost there.
    kind : str
        One of ``KINDS``: "degenerate" where the cost is flat in some direction.
    curvatures : tuple of float
        Eigenvalues of the Hessian there, smallest first (nan where undefined).
    """

    x: float
    y: float
    value: float
    kind: str
    curvatures: tuple[float, ...]

    @property
    def label(self) -> str:
        """A short name for tables and legends, e.g. ``saddle (-0.271, -0.923)``."""
        return f"{self.kind} ({self.x:.3g}, {self.y:.3g})"


ValueFn = Callable[[np.ndarray, np.ndarray], np.ndarray]
GradientFn = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
HessianFn = Callable[
    [np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]
]


class _Box:
    """Evaluate the landscape in unit coordinates ``u`` of shape ``(n, knobs)``."""

    def __init__(
        self,
        value_fn: ValueFn,
        gradient_fn: GradientFn,
        hessian_fn: HessianFn | None,
        domain: Domain,
        knobs: int,
    ) -> None:
        self.value_fn = value_fn
        self.gradient_fn = gradient_fn
        self.hessian_fn = hessian_fn
        self.knobs = knobs
        (x_min, x_max), (y_min, y_max) = domain
        self.low = np.array([x_min, y_min][:knobs], dtype=float)
        self.span = np.array([x_max - x_min, y_max - y_min][:knobs], dtype=float)

        # A one-knob curve ignores y; report its points on y = 0 when that is drawn.
        self.y_fixed = 0.0 if y_min <= 0.0 <= y_max else (y_min + y_max) / 2

    def knob_xy(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p = self.low + u * self.span
        if self.knobs == 1:
            return p[:, 0], np.full(len(p), self.y_fixed)
        return p[:, 0], p[:, 1]

    def value(self, u: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(self.value_fn(*self.knob_xy(u)), dtype=float)

    def gradient(self, u: np.ndarray) -> np.ndarray:
        """Slopes in unit coordinates, shape ``(n, knobs)``."""
        with np.errstate(all="ignore"):
            dx, dy = self.gradient_fn(*self.knob_xy(u))
            g = np.stack([dx, dy][: self.knobs], axis=1).astype(float)
            return g * self.span

    def hessian(self, u: np.ndarray) -> np.ndarray:
        """Second derivatives in unit coordinates, shape ``(n, knobs, knobs)``."""
        with np.errstate(all="ignore"):
            if self.hessian_fn is None:
                return self._hessian_by_differences(u)
            hxx, hxy, hyy = self.hessian_fn(*self.knob_xy(u))
            h = np.empty((len(u), 2, 2))
            h[:, 0, 0] = hxx
            h[:, 0, 1] = h[:, 1, 0] = hxy
            h[:, 1, 1] = hyy
            h = h[:, : self.knobs, : self.knobs]
            return h * self.span[:, None] * self.span[None, :]

    def _hessian_by_differences(self, u: np.ndarray) -> np.ndarray:
        step = 1e-5
        columns = []
        for k in range(self.knobs):
            offset = np.zeros(self.knobs)
            offset[k] = step
            columns.append(
                (self.gradient(u + offset) - self.gradient(u - offset)) / 2 / step
            )
        h = np.stack(columns, axis=2)
        return (h + np.swapaxes(h, 1, 2)) / 2


def _starts(knobs: int, grid_size: int, random_starts: int, seed: int) -> np.ndarray:
    """A grid of starts plus a seeded random sample, in unit coordinates."""
    rng = np.random.default_rng(seed)
    if knobs == 1:
        grid = np.linspace(0.0, 1.0, 3 * grid_size)[:, None]
        sample = rng.uniform(0.0, 1.0, (max(random_starts // 2, 1), 1))
    else:
        axis = np.linspace(0.0, 1.0, grid_size)
        gx, gy = np.meshgrid(axis, axis)
        grid = np.column_stack([gx.ravel(), gy.ravel()])
        sample = rng.uniform(0.0, 1.0, (random_starts, 2))
    return np.vstack([grid, sample])


def _descend(box: _Box, starts: np.ndarray, steps: int, deadline: float) -> np.ndarray:
    """Adam-like descent: steps of 1% of the box, then shrinking to 1e-7 of it.

    Adam's normalised step moves at the same pace on steep walls and flat floors,
    which is what a search over unknown terrain needs. Walkers whose slope becomes
    undefined stop where they are. Past ``deadline`` the walk jumps to its last,
    finest steps so slow formulas still end with settled walkers.
    """
    u = starts.copy()
    first = np.zeros_like(u)
    second = np.zeros_like(u)
    alive = np.ones(len(u), dtype=bool)
    cruise = steps // 2
    rates = np.concatenate(
        [np.full(cruise, 0.01), np.geomspace(0.01, 1e-7, steps - cruise)]
    )
    beta1, beta2 = 0.9, 0.999
    t = 0
    while t < steps:
        if t < steps - 20 and time.thread_time() > deadline:
            t = steps - 20
        rate = rates[t]
        t += 1
        g = box.gradient(u)
        alive &= np.isfinite(g).all(axis=1)
        g[~alive] = 0.0
        first = beta1 * first + (1 - beta1) * g
        second = beta2 * second + (1 - beta2) * g**2
        mean = first / (1 - beta1**t)
        size = np.sqrt(second / (1 - beta2**t))
        step = np.divide(mean, size, out=np.zeros_like(mean), where=size > 0)
        u = np.clip(u - rate * step, 0.0, 1.0)
    return u


def _newton_step(g: np.ndarray, h: np.ndarray, curvature_floor: float) -> np.ndarray:
    """Newton steps ``-H^+ g`` for a batch, skipping flat directions of ``H``."""
    eigenvalues, vectors = np.linalg.eigh(h)
    size = np.abs(eigenvalues)
    usable = size > np.maximum(1e-9 * size.max(axis=1, keepdims=True), curvature_floor)
    along = np.einsum("nij,ni->nj", vectors, g)
    along = np.divide(along, eigenvalues, out=np.zeros_like(along), where=usable)
    step = -np.einsum("nij,nj->ni", vectors, along)

    # Trust region: Newton steps far from a critical point can be wild.
    length = np.linalg.norm(step, axis=1, keepdims=True)
    return step * np.minimum(1.0, 0.1 / np.maximum(length, 1e-300))


def _newton(
    box: _Box, u: np.ndarray, steps: int, curvature_floor: float, deadline: float
) -> tuple[np.ndarray, np.ndarray]:
    """Run Newton from ``u``; return the end points and the size of the last step."""
    u = u.copy()
    last = np.full(len(u), np.inf)
    for _ in range(steps):
        g = box.gradient(u)
        h = box.hessian(u)
        ok = np.isfinite(g).all(axis=1) & np.isfinite(h).all(axis=(1, 2))
        step = np.zeros_like(u)
        if ok.any():
            step[ok] = _newton_step(g[ok], h[ok], curvature_floor)
        last = np.where(ok, np.linalg.norm(step, axis=1), np.inf)
        u = np.clip(u + step, -0.05, 1.05)
        if time.thread_time() > deadline:
            break
    return u, last


def _directions(knobs: int, count: int = 16) -> np.ndarray:
    """Unit directions around a point: 2 on a line, ``count`` on a circle."""
    if knobs == 1:
        return np.array([[1.0], [-1.0]])
    angles = np.linspace(0.0, 2 * np.pi, count, endpoint=False)
    return np.column_stack([np.cos(angles), np.sin(angles)])


def _ring_kind(box: _Box, centre: np.ndarray) -> str:
    """Kind of a point judged by the cost on small rings around it (no derivatives).

    The outer ring (1e-3 of the box) decides; the inner one (1e-4) must not disagree.
    Equal costs on the outer ring mean a flat direction: "degenerate".
    """
    directions = _directions(box.knobs)
    centre_value = box.value(centre[None, :])[0]
    if not np.isfinite(centre_value):
        return "degenerate"
    tolerance = 1e-12 * max(1.0, abs(centre_value))
    inner = box.value(centre + 1e-4 * directions) - centre_value
    outer = box.value(centre + 1e-3 * directions) - centre_value
    inner, outer = inner[np.isfinite(inner)], outer[np.isfinite(outer)]
    if outer.size == 0 or (np.abs(outer) <= tolerance).any():
        return "degenerate"
    if (outer > 0).all() and (inner >= -tolerance).all():
        return "minimum"
    if (outer < 0).all() and (inner <= tolerance).all():
        return "maximum"
    return "saddle"


def _refine_minimum(box: _Box, centre: np.ndarray) -> np.ndarray:
    """Compass search down to 1e-12 of the box: pins a kink minimum (``abs``, cones)
    where Newton cannot help because the slope jumps there."""
    directions = _directions(box.knobs, 8)
    best = centre.copy()
    best_value = box.value(best[None, :])[0]
    step = 1e-3
    while step > 1e-12:
        trial = best + step * directions
        values = box.value(trial)
        k = int(np.nanargmin(values)) if np.isfinite(values).any() else 0
        if values[k] < best_value:
            best, best_value = trial[k], values[k]
        else:
            step /= 2
    return best


def _typical(values: np.ndarray) -> float:
    """Median of the finite positive entries, or 1 when there are none."""
    values = values[np.isfinite(values) & (values > 0)]
    return float(np.median(values)) if values.size else 1.0


def _tidy(x: float, span: float) -> float:
    """Round a coordinate to the shortest decimal within ``1e-9`` of the span."""
    for digits in range(7):
        rounded = round(x, digits)
        if abs(rounded - x) <= 1e-9 * span:
            return rounded + 0.0
    return x + 0.0


def find_critical_points(
    value_fn: ValueFn,
    gradient_fn: GradientFn,
    domain: Domain,
    *,
    hessian_fn: HessianFn | None = None,
    knobs: int = 2,
    grid_size: int = 15,
    random_starts: int = 64,
    descent_steps: int = 300,
    newton_steps: int = 50,
    seed: int = 0,
    time_budget: float = 0.5,
) -> list[CriticalPoint]:
    """Search the box for critical points and classify them.

    Parameters
    ----------
    value_fn, gradient_fn : callables
        Vectorised ``value_fn(x, y) -> cost`` and ``gradient_fn(x, y) -> (dx, dy)`` over
        1-d arrays of shape ``(n,)``.
    domain : ((x_min, x_max), (y_min, y_max))
        The box to search; points outside it are dropped.
    hessian_fn : callable, optional
        ``hessian_fn(x, y) -> (dxx, dxy, dyy)``; central differences of the gradient
        when missing.
    knobs : int
        2, or 1 for a curve over ``x`` (y ignored, points reported on a fixed y).
    grid_size, random_starts, descent_steps, newton_steps, seed : int
        Search effort: a ``grid_size`` by ``grid_size`` grid of starts plus
        ``random_starts`` seeded random ones.
    time_budget : float
        CPU seconds the search may take (roughly; CPU time so a busy machine does not
        change the answer); formulas slow to evaluate get fewer steps, so their
        results may be less complete.

    Returns
    -------
    list of CriticalPoint
        Grouped by kind (``KINDS`` order), lowest cost first within a kind.
    """
    if knobs not in (1, 2):
        raise ValueError(f"knobs must be 1 or 2, not {knobs!r}")

    # Wild terrains overflow in the step arithmetic too; such walkers just drop out.
    with np.errstate(all="ignore"):
        return _search(
            value_fn,
            gradient_fn,
            domain,
            hessian_fn,
            knobs,
            (grid_size, random_starts, descent_steps, newton_steps, seed),
            time_budget,
        )


def _search(
    value_fn: ValueFn,
    gradient_fn: GradientFn,
    domain: Domain,
    hessian_fn: HessianFn | None,
    knobs: int,
    effort: tuple[int, int, int, int, int],
    time_budget: float,
) -> list[CriticalPoint]:
    """The body of ``find_critical_points``."""
    grid_size, random_starts, descent_steps, newton_steps, seed = effort
    started = time.thread_time()
    box = _Box(value_fn, gradient_fn, hessian_fn, domain, knobs)
    starts = _starts(knobs, grid_size, random_starts, seed)

    # Scales of slope and curvature on this terrain, so tolerances are relative.
    slope_scale = _typical(np.abs(box.gradient(starts)).max(axis=1))
    start_hessians = box.hessian(starts)
    finite = np.isfinite(start_hessians).all(axis=(1, 2))
    curvature_scale = _typical(
        np.abs(np.linalg.eigvalsh(start_hessians[finite])).max(axis=1)
        if finite.any()
        else np.array([])
    )
    curvature_floor = 1e-9 * curvature_scale

    ends = _descend(box, starts, descent_steps, started + 0.4 * time_budget)
    polished, last_step = _newton(
        box,
        np.vstack([ends, starts]),
        newton_steps,
        curvature_floor,
        started + 0.8 * time_budget,
    )

    # Candidates: Newton end points with zero slope, then raw descent ends (kinks).
    g = box.gradient(polished)
    slope = np.abs(g).max(axis=1)
    converged = (slope <= 1e-7 * slope_scale) & (last_step <= 1e-6)
    inside = ((polished >= -1e-9) & (polished <= 1 + 1e-9)).all(axis=1)
    newton_points = polished[converged & inside]
    newton_points = newton_points[np.argsort(slope[converged & inside], kind="stable")]
    candidates = [(point, True) for point in newton_points]
    # A descent end from which Newton converged is represented by its polished point.
    stuck = ~converged[: len(ends)]
    candidates += [(point, False) for point in ends[stuck]]

    groups: list[tuple[np.ndarray, bool]] = []
    for point, by_newton in candidates:
        if any(np.abs(point - kept).max() <= GROUP_RADIUS for kept, _ in groups):
            continue
        groups.append((point, by_newton))

    points = []
    for point, by_newton in groups:
        kind, curvatures = _classify(box, point, by_newton, 1e-6 * curvature_scale)
        if kind is None:
            continue
        points.append(_as_critical_point(box, point, kind, curvatures))
    points.sort(key=lambda p: (KINDS.index(p.kind), p.value, p.x, p.y))

    # Flat valleys (``(x - y)^2``) give a whole line of degenerate points; a sample do.
    degenerate = [p for p in points if p.kind == "degenerate"]
    return [p for p in points if p.kind != "degenerate"] + degenerate[:MAX_DEGENERATE]


def _classify(
    box: _Box, point: np.ndarray, by_newton: bool, flat: float
) -> tuple[str | None, tuple[float, ...]]:
    """Kind of a grouped end point (None to drop it) and its curvatures (knob units)."""
    h = box.hessian(point[None, :])[0]
    if np.isfinite(h).all():
        eigenvalues = np.linalg.eigvalsh(h)
        curvatures = tuple(
            float(c) for c in np.linalg.eigvalsh(h / np.outer(box.span, box.span))
        )
    else:
        eigenvalues = np.full(box.knobs, np.nan)
        curvatures = tuple(float("nan") for _ in range(box.knobs))

    if by_newton and np.isfinite(eigenvalues).all():
        largest = np.abs(eigenvalues).max()
        if (np.abs(eigenvalues) > max(flat, 1e-8 * largest)).all():
            if (eigenvalues > 0).all():
                return "minimum", curvatures
            if (eigenvalues < 0).all():
                return "maximum", curvatures
            return "saddle", curvatures

    # Singular Hessian or a kink: let the neighbouring costs decide. A raw descent end
    # is kept only when it really is a minimum (walkers stop short elsewhere).
    kind = _ring_kind(box, point)
    if not by_newton and kind == "minimum":
        point[:] = _refine_minimum(box, point)
    if not by_newton and kind != "minimum":
        return None, curvatures
    if not ((point >= -1e-9) & (point <= 1 + 1e-9)).all():
        return None, curvatures
    return kind, curvatures


def _as_critical_point(
    box: _Box, point: np.ndarray, kind: str, curvatures: tuple[float, ...]
) -> CriticalPoint:
    """A CriticalPoint in knob units, with coordinates tidied where it costs nothing."""
    x, y = (float(c[0]) for c in box.knob_xy(point[None, :]))
    value = float(box.value(point[None, :])[0])
    x_span = float(box.span[0])
    y_span = float(box.span[1]) if box.knobs == 2 else 1.0
    tidy_x, tidy_y = _tidy(x, x_span), _tidy(y, y_span)
    u = (np.array([tidy_x, tidy_y][: box.knobs]) - box.low) / box.span
    tidy_value = float(box.value(u[None, :])[0])
    # Keep the tidy coordinates when they cost nothing (or are even lower: a kink).
    if tidy_value <= value + 1e-15 * (1 + abs(value)):
        x, y, value = tidy_x, tidy_y, tidy_value
    return CriticalPoint(x, y, value, kind, curvatures)


def to_minima(points: list[CriticalPoint] | tuple[CriticalPoint, ...]) -> list[Minimum]:
    """The minima among ``points`` as ``Minimum`` objects, lowest first.

    The lowest (and any tied with it to ``1e-9`` relative) get ``is_global=True``:
    that means "lowest found", since the search cannot prove nothing is lower.
    """
    minima = sorted((p for p in points if p.kind == "minimum"), key=lambda p: p.value)
    if not minima:
        return []
    lowest = minima[0].value
    tie = 1e-9 * (1 + abs(lowest))
    return [
        Minimum(p.x, p.y, p.value, p.value <= lowest + tie, proven=False)
        for p in minima
    ]
