"""The gradient calculator's numbers, checked against hand-worked examples."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from core.calculus import (
    PointReport,
    describe_point,
    directional_derivatives,
    finite_difference_gradient,
)
from core.landscapes import LANDSCAPES, Landscape

# The one-knob example from the lessons: cost w^2, built here because it is a
# teaching aid, not a terrain the app lists.
PARABOLA = Landscape(
    name="parabola",
    title="Parabola",
    latex=r"f(w) = w^2",
    description="One knob, one valley, one global minimum at w = 0.",
    domain=((-5.0, 5.0), (-1.0, 1.0)),
    value_fn=lambda x, y: x**2 + 0 * y,
    gradient_fn=lambda x, y: (2 * x, 0 * y),
    knobs=1,
)
BOWL = LANDSCAPES["bowl"]


def test_parabola_step_from_w_3():
    # Slope 2w = 6; the step 3 - 0.1 * 6 = 2.4 lowers the cost from 9 to 2.4^2.
    report = describe_point(PARABOLA, 3.0, 0.0, learning_rate=0.1)

    assert report.value == 9.0
    assert report.gradient == (6.0, 0.0)
    assert report.negative_gradient == (-6.0, 0.0)
    assert report.descent_direction == (-1.0, 0.0)
    assert report.step_to == pytest.approx((2.4, 0.0), abs=1e-15)
    assert report.value_after == pytest.approx(5.76, abs=1e-12)


def test_bowl_at_3_4():
    # Gradient (2x, 2y) = (6, 8), a 6-8-10 triangle; the step lands on (2.4, 3.2)
    # where the cost is 5.76 + 10.24 = 16.
    report = describe_point(BOWL, 3.0, 4.0, learning_rate=0.1)

    assert report.value == 25.0
    assert report.gradient == (6.0, 8.0)
    assert report.gradient_norm == 10.0
    assert report.negative_gradient == (-6.0, -8.0)
    assert report.descent_direction == pytest.approx((-0.6, -0.8), abs=1e-15)
    assert report.step_to == pytest.approx((2.4, 3.2), abs=1e-15)
    assert report.value_after == pytest.approx(16.0, abs=1e-12)
    assert report.learning_rate == 0.1


def test_bowl_report_finite_differences_agree_with_the_exact_gradient():
    report = describe_point(BOWL, 3.0, 4.0, learning_rate=0.1)

    assert report.fd_gradient == pytest.approx((6.0, 8.0), abs=1e-6)
    assert 0 <= report.fd_error < 1e-6


def test_at_a_minimum_there_is_no_descent_direction_and_the_step_stays_put():
    report = describe_point(BOWL, 0.0, 0.0, learning_rate=0.5)

    assert report.gradient_norm == 0.0
    assert report.negative_gradient == (0.0, 0.0)
    assert report.descent_direction == (0.0, 0.0)
    assert report.step_to == (0.0, 0.0)
    assert report.value_after == report.value == 0.0


def test_too_large_a_step_raises_the_cost():
    # Learning rate 1.5 on w^2: w -> w - 1.5 * 2w = -2w, so the cost quadruples.
    report = describe_point(PARABOLA, 3.0, 0.0, learning_rate=1.5)

    assert report.step_to == pytest.approx((-6.0, 0.0))
    assert report.value_after == pytest.approx(36.0)


@pytest.mark.parametrize("learning_rate", [-0.1, float("nan"), float("inf")])
def test_bad_learning_rate_is_rejected(learning_rate):
    with pytest.raises(ValueError, match="learning_rate"):
        describe_point(BOWL, 1.0, 1.0, learning_rate)


def test_report_is_frozen():
    report = describe_point(BOWL, 1.0, 1.0, 0.1)

    assert isinstance(report, PointReport)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.value = 0.0


def test_directional_derivatives_of_the_bowl_at_3_4():
    gradient_angle = np.arctan2(8.0, 6.0)
    angles = np.array(
        [
            0.0,
            np.pi / 2,
            gradient_angle,
            gradient_angle + np.pi,
            gradient_angle + np.pi / 2,
            gradient_angle - np.pi / 2,
        ]
    )

    slopes = directional_derivatives(BOWL, 3.0, 4.0, angles)

    # Along +x the slope is the x-partial, along +y the y-partial; steepest up is
    # the gradient's length, steepest down its negative, sideways is flat.
    np.testing.assert_allclose(slopes, [6, 8, 10, -10, 0, 0], atol=1e-12)


@pytest.mark.parametrize(
    ("name", "point"),
    [
        ("rosenbrock", (-1.2, 1.0)),
        ("himmelblau", (0.5, -1.5)),
        ("six_hump_camel", (1.0, 1.0)),
        ("hills_and_valleys", (-1.0, 0.5)),
    ],
)
def test_steepest_directions_are_along_and_against_the_gradient(name, point):
    landscape = LANDSCAPES[name]
    dx, dy = landscape.gradient(*point)
    norm = float(np.hypot(dx, dy))
    angles = np.linspace(-np.pi, np.pi, 3601)

    slopes = directional_derivatives(landscape, *point, angles)

    assert slopes.shape == angles.shape
    assert slopes.max() == pytest.approx(norm, rel=1e-6)
    assert slopes.min() == pytest.approx(-norm, rel=1e-6)
    uphill_angle = angles[np.argmax(slopes)]
    assert np.cos(uphill_angle) * norm == pytest.approx(dx, abs=1e-3 * norm)
    assert np.sin(uphill_angle) * norm == pytest.approx(dy, abs=1e-3 * norm)


def test_finite_difference_gradient_of_the_bowl():
    dx, dy = finite_difference_gradient(BOWL, 3.0, 4.0)

    assert float(dx) == pytest.approx(6.0, abs=1e-6)
    assert float(dy) == pytest.approx(8.0, abs=1e-6)


@pytest.mark.parametrize("name", ["rosenbrock", "rastrigin", "ackley", "beale"])
def test_finite_difference_gradient_agrees_on_a_grid(name):
    landscape = LANDSCAPES[name]
    (x_min, x_max), (y_min, y_max) = landscape.domain
    # Offset grid, so Ackley's cusp at the origin is not on it.
    x, y = np.meshgrid(
        np.linspace(x_min, x_max, 5) + 0.013, np.linspace(y_min, y_max, 4) + 0.017
    )

    fd_dx, fd_dy = finite_difference_gradient(landscape, x, y)
    dx, dy = landscape.gradient(x, y)

    assert fd_dx.shape == fd_dy.shape == (4, 5)
    scale = 1 + np.abs(landscape.value(x, y))
    assert np.all(np.abs(fd_dx - dx) <= 1e-6 * scale + 1e-6 * np.abs(dx))
    assert np.all(np.abs(fd_dy - dy) <= 1e-6 * scale + 1e-6 * np.abs(dy))


def test_finite_difference_of_the_parabola_ignores_the_unused_knob():
    dx, dy = finite_difference_gradient(PARABOLA, np.array([-2.0, 3.0]), 0.7)

    np.testing.assert_allclose(dx, [-4.0, 6.0], atol=1e-6)
    np.testing.assert_array_equal(dy, [0.0, 0.0])
