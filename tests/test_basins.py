"""Basin maps: which minimum each start of a grid ends in, laid out rows = y."""

import numpy as np
import pytest

from core.basins import DIVERGED, ELSEWHERE, basin_map, resolution_within_cap
from core.landscapes import HIMMELBLAU, Landscape, Minimum

SQUARE = ((-2.0, 2.0), (-2.0, 2.0))

# Two valleys side by side, at x = -1 and x = +1: the basin depends on x only.
LEFT_RIGHT = Landscape(
    name="left_right",
    title="Left or right",
    latex="",
    description="",
    domain=SQUARE,
    value_fn=lambda x, y: (x**2 - 1) ** 2 + y**2,
    gradient_fn=lambda x, y: (4 * x * (x**2 - 1), 2 * y),
    minima=[Minimum(-1.0, 0.0, 0.0, True), Minimum(1.0, 0.0, 0.0, True)],
)

# The same turned a quarter: valleys at y = -1 and y = +1, a ridge along y = 0.
DOWN_UP = Landscape(
    name="down_up",
    title="Down or up",
    latex="",
    description="",
    domain=SQUARE,
    value_fn=lambda x, y: x**2 + (y**2 - 1) ** 2,
    gradient_fn=lambda x, y: (2 * x, 4 * y * (y**2 - 1)),
    minima=[Minimum(0.0, -1.0, 0.0, True), Minimum(0.0, 1.0, 0.0, True)],
)


def test_the_bowl_is_one_basin():
    basins = basin_map("bowl", "gd", 0.1, 21, 300)
    assert basins.labels.shape == (21, 21)
    assert (basins.labels == 0).all()
    assert basins.names == ("global (0, 0)", ELSEWHERE, DIVERGED)
    np.testing.assert_allclose(basins.xs, np.linspace(-5, 5, 21))


def test_a_rate_too_large_for_the_bowl_diverges_everywhere():
    # Each step doubles the distance from 0 (|1 - 2 * 1.5| = 2); no start of a 4 x 4
    # grid over [-5, 5] sits at 0, so every run flies off.
    basins = basin_map("bowl", "gd", 1.5, 4, 100)
    assert (basins.labels == 2).all()
    assert basins.names[2] == DIVERGED


@pytest.mark.parametrize(
    ("landscape", "shape", "expected"),
    [
        # nx = 4 columns at x = -2, -2/3, 2/3, 2; ny = 3 rows at y = -2, 0, 2.
        (LEFT_RIGHT, (4, 3), [[0, 0, 1, 1]] * 3),
        # Row y = 0 lies on the ridge: the slope across it is exactly 0, so those
        # runs settle at the saddle (0, 0), which is not a listed minimum (code 2).
        (DOWN_UP, (4, 3), [[0] * 4, [2] * 4, [1] * 4]),
    ],
)
def test_rows_follow_y_and_columns_follow_x(landscape, shape, expected):
    basins = basin_map(landscape, "gd", 0.05, shape, 500)
    np.testing.assert_array_equal(basins.labels, expected)
    np.testing.assert_allclose(basins.xs, [-2, -2 / 3, 2 / 3, 2])
    np.testing.assert_allclose(basins.ys, [-2, 0, 2])


def test_himmelblau_has_four_basins_each_around_its_minimum():
    basins = basin_map(HIMMELBLAU, "gd", 0.01, 41, 500)
    counts = np.bincount(basins.labels.ravel(), minlength=len(basins.names))
    assert len(HIMMELBLAU.minima) == 4
    assert (counts[:4] > 0).all()
    # Every start within 0.5 of a minimum ends in that minimum.
    grid_x, grid_y = np.meshgrid(basins.xs, basins.ys)
    for code, minimum in enumerate(HIMMELBLAU.minima):
        near = np.hypot(grid_x - minimum.x, grid_y - minimum.y) < 0.5
        assert near.any()
        assert (basins.labels[near] == code).all(), minimum.label


@pytest.mark.parametrize("resolution", [1, 0, (3,), (3, 4, 5), 2.5, "10", 1001])
def test_bad_resolutions_are_refused(resolution):
    with pytest.raises(ValueError, match="resolution"):
        basin_map("bowl", "gd", 0.1, resolution, 10)


# -- shares of the area ----------------------------------------------------------------


def test_all_of_the_bowl_drains_to_its_global_minimum():
    basins = basin_map("bowl", "gd", 0.1, 30, 300)
    assert basins.global_share == 1.0
    np.testing.assert_array_equal(basins.shares(), [1.0, 0.0, 0.0])
    table = basins.table()
    assert table["ending"].tolist() == ["global (0, 0)"]
    assert table["starts"].tolist() == [900]
    # Every run converges: (1 - 0.2)^k * 7.1 falls below 1e-6 / 2 within 80 steps.
    assert basins.stopped_at.shape == (30, 30)
    assert basins.stopped_at.max() < 300


def test_two_valleys_deeper_left_valley_drains_a_bit_more_than_half():
    # f = (x^2 - 1)^2 + 0.3 x + y^2 / 2: the ridge between the valleys is the
    # middle root of f_x = 4x^3 - 4x + 0.3 = 0, at x = 0.0754, just right of 0. With
    # small steps every start left of it ends in the deep (global) valley.
    ridge = sorted(np.roots([4.0, 0.0, -4.0, 0.3]).real)[1]
    assert ridge == pytest.approx(0.07543, abs=1e-5)
    basins = basin_map("two_valleys", "gd", 0.05, (100, 7), 300)
    left = np.mean(basins.xs < ridge)
    # x = -2 + 4j/99 < 0.0754 for j = 0 .. 51: 52 of the 100 columns.
    assert left == 0.52
    assert basins.global_share == pytest.approx(left)
    assert basins.shares()[1] == pytest.approx(1 - left)


def test_himmelblau_four_equal_minima_share_the_whole_map():
    basins = basin_map(HIMMELBLAU, "gd", 0.01, 41, 500)
    assert basins.is_global == (True, True, True, True, False, False)
    assert basins.global_share == 1.0
    shares = basins.shares()[:4]
    assert shares.sum() == pytest.approx(1.0)
    # The four valleys are of similar size: each holds 20% to 30% of the map.
    assert ((shares > 0.2) & (shares < 0.3)).all(), shares


def test_shares_follow_the_asymmetric_layout():
    # 5 columns at x = -2, -1, 0, 1, 2 and 2 rows: the column x = 0 sits on the
    # ridge of LEFT_RIGHT (slope exactly 0), so it stays there: not a minimum.
    basins = basin_map(LEFT_RIGHT, "gd", 0.05, (5, 2), 500)
    assert basins.labels.shape == (2, 5)
    np.testing.assert_array_equal(basins.labels, [[0, 0, 2, 1, 1]] * 2)
    np.testing.assert_allclose(basins.shares(), [0.4, 0.4, 0.2, 0.0])
    assert basins.global_share == pytest.approx(0.8)


@pytest.mark.parametrize(
    ("resolution", "steps", "expected"),
    [(100, 100, 100), (200, 500, 200), (200, 2000, 100), (50, 10**9, 2)],
)
def test_resolution_is_capped_by_the_work(resolution, steps, expected):
    # MAX_BASIN_WORK = 2e7: 200^2 * 500 = 2e7 fits, 2e7 / 2000 = 100^2.
    assert resolution_within_cap(resolution, steps) == expected
