"""Slopes by hand: the numbers behind the gradient calculator page.

The gradient of a cost is the pair of partial slopes ``(d cost / dx, d cost / dy)``.
It points uphill, steepest; its negative points downhill, and one step of gradient
descent moves the knobs a ``learning_rate`` multiple of it. These helpers compute
those quantities at a point, and check the exact gradient against finite
differences of the cost so a learner can see both agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.landscapes import ArrayLike, Landscape


def finite_difference_gradient(
    landscape: Landscape, x: ArrayLike, y: ArrayLike, h: float = 1e-6
) -> tuple[np.ndarray, np.ndarray]:
    """The gradient estimated from the cost alone, by central differences.

    ``(f(x + h, y) - f(x - h, y)) / 2h`` and likewise in ``y``: the slope of the
    chord across a tiny interval, which is what "derivative" means before calculus
    rules make it exact. The error shrinks like ``h**2`` until rounding takes over.

    Parameters
    ----------
    landscape : Landscape
        The cost to differentiate (only ``value`` is used).
    x, y : array_like
        Knob settings, broadcastable to a common shape ``S``.
    h : float
        Half-width of the interval.

    Returns
    -------
    (np.ndarray, np.ndarray), each of shape ``S``
        Estimated ``(d cost / dx, d cost / dy)``.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    dx = (landscape.value(x + h, y) - landscape.value(x - h, y)) / (2 * h)
    dy = (landscape.value(x, y + h) - landscape.value(x, y - h)) / (2 * h)
    shape = np.broadcast_shapes(x.shape, y.shape)
    return np.broadcast_to(dx, shape), np.broadcast_to(dy, shape)


def directional_derivatives(
    landscape: Landscape, x: ArrayLike, y: ArrayLike, angles: ArrayLike
) -> np.ndarray:
    """The slope of the cost when walking from ``(x, y)`` in each given direction.

    For the unit direction ``u = (cos theta, sin theta)`` the slope is
    ``gradient . u``. It is largest, ``|gradient|``, when ``u`` points along the
    gradient (steepest uphill), smallest, ``-|gradient|``, opposite to it (steepest
    downhill), and zero at right angles to it (walking along a contour line).

    Parameters
    ----------
    landscape : Landscape
        The cost.
    x, y : array_like
        The point (usually scalars).
    angles : array_like
        Directions in radians, measured counter-clockwise from the +x axis.

    Returns
    -------
    np.ndarray
        Slopes, shape of the broadcast of ``x``, ``y`` and ``angles`` (for a scalar
        point: the shape of ``angles``).
    """
    dx, dy = landscape.gradient(x, y)
    angles = np.asarray(angles, dtype=float)
    return dx * np.cos(angles) + dy * np.sin(angles)


@dataclass(frozen=True)
class PointReport:
    """Everything the gradient calculator shows about one point and one step.

    Attributes
    ----------
    x, y : float
        The knob settings.
    value : float
        The cost there.
    gradient : (float, float)
        The exact partial slopes ``(d cost / dx, d cost / dy)``; points uphill.
    gradient_norm : float
        The gradient's length: the slope along the steepest direction.
    negative_gradient : (float, float)
        ``-gradient``: the steepest downhill direction, not yet of unit length.
    descent_direction : (float, float)
        ``-gradient / |gradient|``, a unit vector; ``(0, 0)`` where the gradient is
        zero and no direction is downhill.
    fd_gradient : (float, float)
        The gradient estimated by central differences of the cost.
    fd_error : float
        Largest absolute difference between ``gradient`` and ``fd_gradient``.
    learning_rate : float
        The step size used for ``step_to``.
    step_to : (float, float)
        Where one gradient descent step lands: ``(x, y) - learning_rate * gradient``.
    value_after : float
        The cost at ``step_to``; lower than ``value`` for a small enough step.
    """

    x: float
    y: float
    value: float
    gradient: tuple[float, float]
    gradient_norm: float
    negative_gradient: tuple[float, float]
    descent_direction: tuple[float, float]
    fd_gradient: tuple[float, float]
    fd_error: float
    learning_rate: float
    step_to: tuple[float, float]
    value_after: float


def describe_point(
    landscape: Landscape, x: float, y: float, learning_rate: float
) -> PointReport:
    """Work out the gradient at ``(x, y)`` and one gradient descent step from it.

    Parameters
    ----------
    landscape : Landscape
        The cost.
    x, y : float
        The point (scalars).
    learning_rate : float
        Step size of the descent step; must be finite and not negative.

    Returns
    -------
    PointReport

    Raises
    ------
    ValueError
        If ``learning_rate`` is negative or not finite.
    """
    if not np.isfinite(learning_rate) or learning_rate < 0:
        raise ValueError(
            f"learning_rate must be a finite number >= 0, got {learning_rate!r}."
        )
    x = float(x)
    y = float(y)

    dx, dy = (float(slope) for slope in landscape.gradient(x, y))
    norm = float(np.hypot(dx, dy))
    # Adding 0.0 turns -0.0 into 0.0, so a flat point does not display as "-0".
    negative = (-dx + 0.0, -dy + 0.0)
    descent = (negative[0] / norm, negative[1] / norm) if norm > 0 else (0.0, 0.0)

    fd_dx, fd_dy = (float(s) for s in finite_difference_gradient(landscape, x, y))
    fd_error = max(abs(dx - fd_dx), abs(dy - fd_dy))

    x_next = x - learning_rate * dx
    y_next = y - learning_rate * dy

    return PointReport(
        x=x,
        y=y,
        value=float(landscape.value(x, y)),
        gradient=(dx, dy),
        gradient_norm=norm,
        negative_gradient=negative,
        descent_direction=descent,
        fd_gradient=(fd_dx, fd_dy),
        fd_error=fd_error,
        learning_rate=float(learning_rate),
        step_to=(x_next, y_next),
        value_after=float(landscape.value(x_next, y_next)),
    )


def slice_along(
    landscape: Landscape,
    x: float,
    y: float,
    angle: float,
    half_length: float,
    points: int = 201,
) -> tuple[np.ndarray, np.ndarray]:
    """The cost along a straight cut through ``(x, y)`` in direction ``angle``.

    Returns ``(t, cost)``, both shape ``(points,)``: ``t`` runs from
    ``-half_length`` to ``half_length`` and ``cost[i]`` is the cost at
    ``(x, y) + t[i] · (cos angle, sin angle)``. Its slope at ``t = 0`` is the
    directional derivative at the point in that direction.
    """
    t = np.linspace(-half_length, half_length, points)
    with np.errstate(all="ignore"):
        cost = np.asarray(
            landscape.value(x + t * np.cos(angle), y + t * np.sin(angle)), dtype=float
        )
    return t, np.where(np.isfinite(cost), cost, np.nan)
