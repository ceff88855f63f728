"""The built-in landscapes: exact gradients, published minima, complete minima lists.

Every check is run over the whole registry, so a new landscape is tested the moment
it is registered.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from core.landscapes import LANDSCAPES, Landscape, get_landscape

NAMES = list(LANDSCAPES)


def _random_points(landscape: Landscape, count: int, seed: int) -> np.ndarray:
    """``count`` seeded uniform points in the landscape's domain, shape (2, count)."""
    rng = np.random.default_rng(seed)
    (x_min, x_max), (y_min, y_max) = landscape.domain
    return np.stack(
        [rng.uniform(x_min, x_max, count), rng.uniform(y_min, y_max, count)]
    )


def _minima_arrays(landscape: Landscape) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xs = np.array([m.x for m in landscape.minima])
    ys = np.array([m.y for m in landscape.minima])
    values = np.array([m.value for m in landscape.minima])
    return xs, ys, values


def test_registry_order_is_the_one_the_app_shows():
    assert NAMES == [
        "bowl",
        "elongated_bowl",
        "two_valleys",
        "hills_and_valleys",
        "saddle",
        "booth",
        "beale",
        "rosenbrock",
        "himmelblau",
        "six_hump_camel",
        "styblinski_tang",
        "rastrigin",
        "ackley",
    ]


@pytest.mark.parametrize("name", NAMES)
def test_metadata_is_filled_in_and_minima_lie_in_the_domain(name):
    landscape = LANDSCAPES[name]

    assert landscape.name == name
    assert landscape.title and landscape.latex and landscape.source
    assert "minim" in landscape.description
    (x_min, x_max), (y_min, y_max) = landscape.domain
    assert x_min < x_max and y_min < y_max
    for minimum in landscape.minima:
        assert x_min <= minimum.x <= x_max
        assert y_min <= minimum.y <= y_max


def test_get_landscape_returns_the_registered_object():
    assert get_landscape("rosenbrock") is LANDSCAPES["rosenbrock"]


def test_get_landscape_unknown_name_lists_valid_choices():
    with pytest.raises(ValueError, match="rosenbrok") as caught:
        get_landscape("rosenbrok")

    for name in NAMES:
        assert name in str(caught.value)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_central_differences(name):
    # Central differences with h = 1e-6 are off by about h^2 * f''' (truncation) plus
    # eps * |f| / h (rounding); the tolerance below covers both for every landscape
    # while an analytic gradient with a wrong term is off by order 1.
    landscape = LANDSCAPES[name]
    x, y = _random_points(landscape, 50, seed=7)
    h = 1e-6

    dx, dy = landscape.gradient(x, y)
    fd_dx = (landscape.value(x + h, y) - landscape.value(x - h, y)) / (2 * h)
    fd_dy = (landscape.value(x, y + h) - landscape.value(x, y - h)) / (2 * h)

    atol = 1e-6 * (1 + np.abs(landscape.value(x, y)))
    assert np.all(np.abs(dx - fd_dx) <= atol + 1e-6 * np.abs(fd_dx))
    assert np.all(np.abs(dy - fd_dy) <= atol + 1e-6 * np.abs(fd_dy))


@pytest.mark.parametrize("name", [n for n in NAMES if LANDSCAPES[n].minima])
def test_every_listed_minimum_is_flat_curved_up_and_has_its_stored_value(name):
    landscape = LANDSCAPES[name]
    xs, ys, values = _minima_arrays(landscape)

    dx, dy = landscape.gradient(xs, ys)
    assert np.all(np.hypot(dx, dy) < 1e-6)

    eigenvalues = np.linalg.eigvalsh(landscape.hessian(xs, ys))
    assert np.all(eigenvalues > 0)

    np.testing.assert_allclose(landscape.value(xs, ys), values, rtol=0, atol=1e-10)


@pytest.mark.parametrize("name", NAMES)
def test_listed_minima_are_distinct(name):
    xs, ys, _ = _minima_arrays(LANDSCAPES[name])
    distance = np.hypot(xs[:, None] - xs[None, :], ys[:, None] - ys[None, :])
    np.fill_diagonal(distance, np.inf)
    assert np.all(distance > 1e-3)


# (landscape, x, y, published value, tolerance): points and values as published in
# Surjanovic and Bingham's Virtual Library (Himmelblau: the usual literature values),
# to the digits given there.
PUBLISHED_GLOBAL_MINIMA = [
    ("bowl", 0.0, 0.0, 0.0, 1e-12),
    ("elongated_bowl", 0.0, 0.0, 0.0, 1e-12),
    ("booth", 1.0, 3.0, 0.0, 1e-12),
    ("beale", 3.0, 0.5, 0.0, 1e-12),
    ("rosenbrock", 1.0, 1.0, 0.0, 1e-12),
    ("himmelblau", 3.0, 2.0, 0.0, 1e-12),
    ("himmelblau", -2.805118, 3.131312, 0.0, 1e-6),
    ("himmelblau", -3.779310, -3.283186, 0.0, 1e-6),
    ("himmelblau", 3.584428, -1.848126, 0.0, 1e-6),
    ("six_hump_camel", 0.0898, -0.7126, -1.031628, 1e-6),
    ("six_hump_camel", -0.0898, 0.7126, -1.031628, 1e-6),
    ("styblinski_tang", -2.903534, -2.903534, -78.33233, 1e-5),
    ("rastrigin", 0.0, 0.0, 0.0, 1e-12),
    ("ackley", 0.0, 0.0, 0.0, 1e-12),
]


@pytest.mark.parametrize(
    ("name", "x", "y", "published", "tolerance"), PUBLISHED_GLOBAL_MINIMA
)
def test_published_global_minima_are_listed_with_their_values(
    name, x, y, published, tolerance
):
    landscape = LANDSCAPES[name]
    nearest = min(landscape.minima, key=lambda m: np.hypot(m.x - x, m.y - y))

    # Published coordinates carry 4 to 7 digits.
    assert np.hypot(nearest.x - x, nearest.y - y) < 1e-4
    assert nearest.is_global
    assert nearest.value == pytest.approx(published, abs=tolerance)
    assert landscape.value(nearest.x, nearest.y) == pytest.approx(
        published, abs=tolerance
    )


EXPECTED_COUNTS = {
    "bowl": 1,
    "elongated_bowl": 1,
    "two_valleys": 2,
    "hills_and_valleys": 4,
    "saddle": 0,
    "booth": 1,
    "beale": 1,
    "rosenbrock": 1,
    "himmelblau": 4,
    "six_hump_camel": 6,
    "styblinski_tang": 4,
    "rastrigin": 121,
}


def test_every_complete_landscape_has_a_count_check():
    complete = {n for n in NAMES if LANDSCAPES[n].minima_complete}
    assert complete == set(EXPECTED_COUNTS)
    assert not LANDSCAPES["ackley"].minima_complete


@pytest.mark.parametrize(("name", "count"), EXPECTED_COUNTS.items())
def test_minima_counts(name, count):
    assert len(LANDSCAPES[name].minima) == count


@pytest.mark.parametrize(
    ("name", "global_count"),
    [("himmelblau", 4), ("six_hump_camel", 2), ("rastrigin", 1), ("saddle", 0)],
)
def test_ties_for_deepest_are_all_global(name, global_count):
    assert len(LANDSCAPES[name].global_minima) == global_count


@pytest.mark.parametrize("name", NAMES)
def test_is_global_marks_exactly_the_lowest_minima(name):
    landscape = LANDSCAPES[name]
    if not landscape.minima:
        assert landscape.global_minima == []
        return

    lowest = min(m.value for m in landscape.minima)
    for minimum in landscape.minima:
        assert minimum.is_global == (minimum.value <= lowest + 1e-9)


def _descend_to_minima(
    landscape: Landscape, x: np.ndarray, y: np.ndarray, steps: int = 60
) -> tuple[np.ndarray, np.ndarray]:
    """Run many starts downhill at once with a safeguarded Newton method.

    Each step solves with the Hessian whose eigenvalues are replaced by their
    absolute values (so the step always goes downhill, even on a ridge), is at most
    half a unit long, and is halved until the cost drops (Armijo rule). Starts that
    reach a flat point with positive curvature have found a minimum.
    """
    step_fractions = 0.5 ** np.arange(20)
    for _ in range(steps):
        dx, dy = landscape.gradient(x, y)
        gradient = np.stack([dx, dy], axis=-1)
        curvature, axes = np.linalg.eigh(landscape.hessian(x, y))
        curvature = np.maximum(np.abs(curvature), 1e-8)

        along_axes = np.einsum("nij,ni->nj", axes, gradient) / curvature
        step = -np.einsum("nij,nj->ni", axes, along_axes)
        length = np.linalg.norm(step, axis=-1)
        step *= np.minimum(1.0, 0.5 / np.maximum(length, 1e-300))[:, None]

        cost = landscape.value(x, y)
        slope = np.einsum("ni,ni->n", step, gradient)
        trial = landscape.value(
            x[:, None] + step_fractions * step[:, :1],
            y[:, None] + step_fractions * step[:, 1:],
        )
        accepted = trial <= cost[:, None] + 1e-4 * step_fractions * slope[:, None]
        fraction = np.where(
            accepted.any(axis=1), step_fractions[np.argmax(accepted, axis=1)], 0.0
        )
        x = x + fraction * step[:, 0]
        y = y + fraction * step[:, 1]
    return x, y


@pytest.mark.parametrize("name", list(EXPECTED_COUNTS))
def test_multistart_search_finds_exactly_the_listed_minima(name):
    # 400 starts on a grid over the domain (1600 for Rastrigin's 121 small basins).
    # Every converged minimum inside the domain must be a listed one, and every
    # listed one must be reached from some start.
    landscape = LANDSCAPES[name]
    per_side = 40 if name == "rastrigin" else 20
    (x_min, x_max), (y_min, y_max) = landscape.domain
    grid_x, grid_y = np.meshgrid(
        np.linspace(x_min, x_max, per_side), np.linspace(y_min, y_max, per_side)
    )

    x, y = _descend_to_minima(landscape, grid_x.ravel(), grid_y.ravel())

    dx, dy = landscape.gradient(x, y)
    lowest_curvature = np.linalg.eigvalsh(landscape.hessian(x, y))[:, 0]
    inside = (x >= x_min) & (x <= x_max) & (y >= y_min) & (y <= y_max)
    converged = inside & (np.hypot(dx, dy) < 1e-7) & (lowest_curvature > 0)
    xs, ys, _ = _minima_arrays(landscape)

    found = np.stack([x[converged], y[converged]], axis=-1)
    if not landscape.minima:
        assert len(found) == 0
        return
    distance = np.hypot(
        found[:, :1] - xs[None, :], found[:, 1:] - ys[None, :]
    )  # (found, listed)
    assert np.all(distance.min(axis=1) < 1e-6), "found a minimum that is not listed"
    assert np.all(distance.min(axis=0) < 1e-6), "a listed minimum was never reached"


def test_saddle_has_a_flat_point_that_is_not_a_minimum():
    saddle = LANDSCAPES["saddle"]

    assert saddle.minima == []
    assert np.allclose(saddle.gradient(0.0, 0.0), 0.0)
    assert np.linalg.eigvalsh(saddle.hessian(0.0, 0.0)) == pytest.approx([-2, 2])


@pytest.mark.parametrize(
    ("name", "point", "expected"),
    [
        ("bowl", (1.0, -2.0), [[2, 0], [0, 2]]),
        ("elongated_bowl", (3.0, 1.0), [[2, 0], [0, 20]]),
        ("saddle", (1.0, 1.0), [[2, 0], [0, -2]]),
        # d2/dx2 = 2 - 400 (y - x^2) + 800 x^2, d2/dxdy = -400 x, d2/dy2 = 200.
        ("rosenbrock", (1.0, 1.0), [[802, -400], [-400, 200]]),
        ("rosenbrock", (0.0, 1.0), [[-398, 0], [0, 200]]),
    ],
)
def test_hessian_matches_hand_derived_second_slopes(name, point, expected):
    hessian = LANDSCAPES[name].hessian(*point)
    np.testing.assert_allclose(hessian, expected, rtol=1e-6, atol=1e-4)


def test_hessian_of_a_grid_has_a_2_by_2_matrix_per_point():
    x, y = np.meshgrid(np.linspace(-1, 1, 4), np.linspace(-1, 1, 3))
    hessian = LANDSCAPES["rosenbrock"].hessian(x, y)

    assert hessian.shape == (3, 4, 2, 2)
    np.testing.assert_array_equal(hessian, np.swapaxes(hessian, -1, -2))


@pytest.mark.parametrize("name", NAMES)
def test_value_and_gradient_work_elementwise_on_grids(name):
    landscape = LANDSCAPES[name]
    (x_min, x_max), (y_min, y_max) = landscape.domain
    x, y = np.meshgrid(np.linspace(x_min, x_max, 4), np.linspace(y_min, y_max, 3))

    values = landscape.value(x, y)
    dx, dy = landscape.gradient(x, y)

    assert values.shape == dx.shape == dy.shape == (3, 4)
    for i in range(3):
        for j in range(4):
            assert values[i, j] == landscape.value(x[i, j], y[i, j])
            slope_x, slope_y = landscape.gradient(x[i, j], y[i, j])
            assert (dx[i, j], dy[i, j]) == (slope_x, slope_y)


@pytest.mark.parametrize("name", NAMES)
def test_outputs_take_the_broadcast_shape(name):
    landscape = LANDSCAPES[name]
    x = np.linspace(-1.0, 1.0, 5)[:, None]
    y = np.array([0.5, -0.5])

    assert landscape.value(x, y).shape == (5, 2)
    assert all(slope.shape == (5, 2) for slope in landscape.gradient(x, y))
    assert landscape.value(1.0, 2.0).shape == ()
    assert landscape.gradient(1.0, y)[0].shape == (2,)


# Hand-computed costs at a point and at its mirror image across the diagonal: a grid
# or batch that swaps x and y somewhere would give the second number.
ASYMMETRIC_VALUES = [
    ("elongated_bowl", (1.0, 0.0), 1.0, 10.0),
    ("two_valleys", (1.0, 0.0), 0.3, 1.5),
    ("saddle", (1.0, 0.0), 1.0, -1.0),
    ("booth", (1.0, 3.0), 0.0, 8.0),
    ("beale", (3.0, 0.5), 0.0, 289.453125),
    ("rosenbrock", (1.0, 0.0), 100.0, 101.0),
    ("himmelblau", (3.0, 2.0), 0.0, 32.0),
    ("six_hump_camel", (1.0, 0.0), 4 - 2.1 + 1 / 3, 0.0),
]


@pytest.mark.parametrize(("name", "point", "at_point", "at_mirror"), ASYMMETRIC_VALUES)
def test_x_and_y_are_not_swapped(name, point, at_point, at_mirror):
    landscape = LANDSCAPES[name]
    x, y = point

    assert landscape.value(x, y) == pytest.approx(at_point, abs=1e-12)
    assert landscape.value(y, x) == pytest.approx(at_mirror, abs=1e-12)


def test_hills_and_valleys_is_not_symmetric_either():
    landscape = LANDSCAPES["hills_and_valleys"]
    deepest = landscape.global_minima[0]

    mirrored = landscape.value(deepest.y, deepest.x)
    assert mirrored > deepest.value + 0.5


@pytest.mark.parametrize("name", NAMES)
def test_no_numpy_warnings_in_a_generous_box(name):
    # Three times the domain's width around it, on a grid that hits the origin
    # (Ackley's cusp) and every listed minimum.
    landscape = LANDSCAPES[name]
    (x_min, x_max), (y_min, y_max) = landscape.domain
    x_width, y_width = x_max - x_min, y_max - y_min
    x, y = np.meshgrid(
        np.linspace(x_min - x_width, x_max + x_width, 41),
        np.linspace(y_min - y_width, y_max + y_width, 41),
    )
    xs, ys, _ = _minima_arrays(landscape)
    x = np.concatenate([x.ravel(), xs, [0.0]])
    y = np.concatenate([y.ravel(), ys, [0.0]])

    with (
        warnings.catch_warnings(),
        np.errstate(divide="raise", over="raise", invalid="raise"),
    ):
        warnings.simplefilter("error")
        values = landscape.value(x, y)
        dx, dy = landscape.gradient(x, y)

    assert np.all(np.isfinite(values))
    assert np.all(np.isfinite(dx)) and np.all(np.isfinite(dy))


def test_ackley_gradient_at_its_cusp_is_zero():
    ackley = LANDSCAPES["ackley"]
    with np.errstate(divide="raise", invalid="raise"):
        dx, dy = ackley.gradient(np.array([0.0, 1e-100]), np.array([0.0, 0.0]))

    assert (dx[0], dy[0]) == (0.0, 0.0)
    # Just beside the cusp the funnel's slope is a * b / sqrt(2) towards the centre.
    assert dx[1] == pytest.approx(20 * 0.2 / np.sqrt(2), rel=1e-12)
