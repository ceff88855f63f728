"""Grids and charts: the layout plotly expects, gaps for undefined costs, and charts
small enough to render outside Streamlit."""

import json

import numpy as np
import pytest

from core.experiments import run_many
from core.grids import cost_grid, log_heights, wants_log_colour
from core.landscapes import Landscape, get_landscape
from dashboard.charts import (
    Path,
    arrow_end,
    clip_to_domain,
    contour_figure,
    end_cost_chart,
    end_points_figure,
    minimum_share_chart,
    readable_costs,
    surface_figure,
)


def test_grid_rows_follow_y_and_columns_follow_x():
    # Rosenbrock is not symmetric in x and y, so a transposed grid shows up here.
    rosenbrock = get_landscape("rosenbrock")
    grid = cost_grid(rosenbrock, 25)
    row, col = 3, 17
    expected = (1 - grid.xs[col]) ** 2 + 100 * (grid.ys[row] - grid.xs[col] ** 2) ** 2
    assert grid.values[row, col] == pytest.approx(expected, rel=1e-12)
    assert grid.values[col, row] != pytest.approx(expected, rel=1e-3)
    assert grid.values.shape == (len(grid.ys), len(grid.xs))


def test_plotly_figures_carry_the_grid_untransposed():
    rosenbrock = get_landscape("rosenbrock")
    grid = cost_grid(rosenbrock, 30)
    for figure in (surface_figure(grid, rosenbrock), contour_figure(grid, rosenbrock)):
        trace = figure.data[0]
        z = np.asarray(trace.z)
        np.testing.assert_allclose(z, grid.values)
        # plotly reads z[row][col] as the point (y[row], x[col]).
        row, col = 5, 20
        x, y = np.asarray(trace.x)[col], np.asarray(trace.y)[row]
        assert z[row, col] == pytest.approx(float(rosenbrock.value(x, y)))


def test_log_scaled_charts_still_report_the_cost():
    rosenbrock = get_landscape("rosenbrock")
    grid = cost_grid(rosenbrock, 30)
    for make in (surface_figure, contour_figure):
        trace = make(grid, rosenbrock, log_colour=True).data[0]
        np.testing.assert_allclose(np.asarray(trace.customdata), grid.values)
        assert "customdata" in trace.hovertemplate
        assert np.nanmax(np.asarray(trace.z)) < np.log10(np.nanmax(grid.values)) + 1


def test_undefined_costs_become_gaps():
    def value(x, y):
        return np.log(x) + y**2

    def gradient(x, y):
        return 1 / x, 2 * y

    torn = Landscape(
        "torn", "torn", "", "", ((-1.0, 1.0), (-1.0, 1.0)), value, gradient
    )
    grid = cost_grid(torn, 21)
    assert np.isnan(grid.values[:, grid.xs <= 0]).all()
    assert np.isfinite(grid.values[:, grid.xs > 0]).all()
    json.loads(contour_figure(grid, torn).to_json())


def test_resolution_is_bounded():
    with pytest.raises(ValueError, match="between"):
        cost_grid(get_landscape("bowl"), 5000)


def test_log_colour_is_chosen_for_steep_walls_only():
    assert wants_log_colour(cost_grid(get_landscape("rosenbrock"), 60).values)
    assert not wants_log_colour(cost_grid(get_landscape("bowl"), 60).values)
    heights = log_heights(np.array([2.0, 3.0, 12.0]))
    assert np.all(np.isfinite(heights))
    assert heights[0] < heights[1] < heights[2]


def test_arrow_points_along_the_negative_gradient():
    end = arrow_end(3.0, 4.0, (6.0, 8.0), length=1.0)
    assert end == pytest.approx((3.0 - 0.6, 4.0 - 0.8))
    assert arrow_end(0.0, 0.0, (0.0, 0.0), length=1.0) is None
    assert arrow_end(0.0, 0.0, (np.nan, 1.0), length=1.0) is None


def test_a_walk_that_flies_off_is_cut_where_it_leaves():
    positions = np.array([[0.0, 0.0], [1.0, 1.0], [50.0, 0.0], [0.5, 0.5]])
    path = Path("gd", "red", positions, np.array([0.0, 2.0, 2500.0, 0.5]))
    clipped = clip_to_domain(path, ((-2.0, 2.0), (-2.0, 2.0)))
    np.testing.assert_array_equal(clipped.positions, positions[:2])


def test_runaway_costs_are_left_off_the_cost_chart():
    import pandas as pd

    frame = pd.DataFrame(
        {"optimizer": "gd", "step": [0, 1, 2, 3], "cost": [1.0, 4.0, 1e30, np.inf]}
    )
    kept = readable_costs(frame, np.array([[0.0, 5.0], [2.0, 3.0]]))
    assert kept["cost"].tolist() == [1.0, 4.0]


def test_statistics_charts_stay_small_for_many_runs():
    # Altair refuses more than 5,000 rows outside Streamlit; the charts aggregate.
    landscape = get_landscape("himmelblau")
    runs = run_many(landscape, ["gd", "adam"], [0.01], 6000, seed=1, steps=200)
    titles = {"gd": "Gradient descent", "adam": "Adam"}
    for chart in (minimum_share_chart(runs, titles), end_cost_chart(runs, titles)):
        spec = chart.to_dict()
        rows = sum(len(v) for v in spec.get("datasets", {}).values())
        assert 0 < rows < 200
    figure = end_points_figure(
        cost_grid(landscape, 60), landscape, runs, show="started"
    )
    drawn = sum(len(t.x) for t in figure.data if t.type == "scattergl")
    assert drawn == 4000
    assert len(figure.to_json()) < 1_500_000
