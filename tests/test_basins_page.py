"""The basins page in Streamlit's AppTest: it draws the basin map with the right
share, reruns on new settings, and its sweep shows 2 / L beside the measured edge;
plus the chart builders of ``dashboard.maps`` on known inputs."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.basins import basin_map
from core.grids import cost_grid
from core.landscapes import HIMMELBLAU
from core.sweeps import Edge, learning_rate_sweep
from dashboard.maps import (
    DIVERGED_COLOUR,
    ELSEWHERE_COLOUR,
    GLOBAL_COLOUR,
    basin_figure,
    ending_colours,
    sweep_chart,
)

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "basins.py")


def open_page(query: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=60)
    app.query_params.update(query or {})
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def test_bowl_drains_entirely_to_its_minimum_and_settings_rerun():
    app = open_page()
    shown = metrics(app)
    assert shown["Area that drains to the global minimum"] == "100%"
    assert shown["Valleys reached"] == "1"
    assert len(app.get("plotly_chart")) == 1
    assert any("Run the sweep" in i.value for i in app.info)

    # A rate past the bowl's limit (2 / L = 1): every start flies off.
    app.number_input(key="basins_learning_rate").set_value(1.5).run()
    assert not app.exception
    assert metrics(app)["Diverged"] == "100%"
    assert metrics(app)["Area that drains to the global minimum"] == "0%"

    app.selectbox(key="basins_landscape").set_value("himmelblau").run()
    app.selectbox(key="basins_optimizer").set_value("adam").run()
    app.number_input(key="basins_learning_rate").set_value(0.05).run()
    assert not app.exception, [e.value for e in app.exception]
    # Himmelblau's four minima are all global: the whole map drains to one.
    assert metrics(app)["Valleys reached"] == "4"
    assert app.query_params["optimizer"] == "adam"
    assert app.query_params["landscape"] == "himmelblau"


def test_sweep_on_the_elongated_bowl_agrees_with_two_over_l():
    app = open_page({"landscape": "elongated_bowl"})
    app.button_group(key="basins_sweep_optimizers").set_value(["gd"])
    app.selectbox(key="basins_rate_from").set_value(1e-3)
    app.number_input(key="basins_runs").set_value(40)
    app.get("button")[0].click().run()
    assert not app.exception, [e.value for e in app.exception]
    shown = metrics(app)
    assert shown["Theory: 2 / L"] == "0.1"
    assert shown["Last stable rate swept"] == "0.1"
    # One sweep step above: 10^(1/6) / 10 = 0.1468.
    assert shown["Measured edge of divergence"] == "0.1468"
    assert any("agree" in s.value for s in app.success)
    assert len(app.get("vega_lite_chart")) == 1
    summary = app.dataframe[-1].value
    assert summary["theory limit"].iloc[0] == pytest.approx(0.1)
    assert summary["first diverging"].iloc[0] == pytest.approx(10 ** (1 / 6) / 10)
    assert app.query_params["sweep"] == "1"


def test_a_shared_sweep_link_reruns_the_sweep_with_the_heat_map():
    query = {
        "landscape": "two_valleys",
        "sweep_optimizers": "momentum",
        "from": "0.001",
        "to": "1.0",
        "per_decade": "3",
        "runs": "30",
        "sweep_steps": "100",
        "sweep": "1",
    }
    app = open_page(query)
    # The sweep and the momentum heat map; two_valleys is not quadratic.
    assert len(app.get("vega_lite_chart")) == 2
    assert "Theory: 2 / L" not in metrics(app)
    assert any("not quadratic" in c.value for c in app.caption)


def test_garbage_in_a_link_gives_notices_not_errors():
    app = open_page({"resolution": "5000", "from": "7", "optimizer": "sgd"})
    text = " ".join(w.value for w in app.warning)
    for name in ("resolution", "from", "optimizer"):
        assert name in text, (name, text)
    assert metrics(app)["Area that drains to the global minimum"] == "100%"


def test_a_one_knob_formula_shows_its_basins_on_the_curve():
    app = open_page()
    app.selectbox(key="basins_landscape").set_value("custom").run()
    app.text_input(key="basins_formula").input("x^4 - 3x^2 + x").run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("one knob" in i.value for i in app.info)
    share = float(
        metrics(app)["Area that drains to the lowest minimum found"].rstrip("%")
    )
    # x^4 - 3x^2 + x: minima near -1.30 (deeper) and 1.13, a ridge near 0.17; on
    # the default domain (-2, 2) a bit more than half the line lies left of it.
    assert 50 < share < 60


# -- chart builders --------------------------------------------------------------------


def test_basin_colours_mark_globals_warm_and_endings_grey_and_red():
    basins = basin_map("two_valleys", "gd", 0.05, 20, 200)
    colours = ending_colours(basins)
    assert colours[0] == GLOBAL_COLOUR
    assert colours[1] not in (GLOBAL_COLOUR, ELSEWHERE_COLOUR, DIVERGED_COLOUR)
    assert colours[-2:] == [ELSEWHERE_COLOUR, DIVERGED_COLOUR]


def test_basin_figure_draws_labels_rows_as_y():
    basins = basin_map(HIMMELBLAU, "gd", 0.01, (30, 20), 300)
    figure = basin_figure(cost_grid(HIMMELBLAU, 40), HIMMELBLAU, basins)
    heatmap = figure.data[0]
    assert heatmap.type == "heatmap"
    assert np.shape(heatmap.z) == (20, 30)
    assert len(heatmap.x) == 30 and len(heatmap.y) == 20
    # Code k gets exactly colour k: the scale has a flat band per ending.
    scale = heatmap.colorscale
    colours = ending_colours(basins)
    assert [band[1] for band in scale[::2]] == colours
    names = [trace.name for trace in figure.data]
    assert "drains to global (3, 2)" in names
    assert "global minimum" in names


def test_sweep_chart_puts_the_rules_where_asked():
    table = learning_rate_sweep("bowl", ["gd"], [0.01, 0.1, 1.0, 2.0], 20, 0, 50)
    chart = sweep_chart(
        table,
        {"gd": "Gradient descent"},
        limits={"gd": 1.0},
        edges={"gd": Edge(2.0, 1.0, 0.5)},
    )
    spec = chart.to_dict()
    rules = [
        dataset
        for dataset in spec["datasets"].values()
        if dataset and "text" in dataset[0]
    ]
    values = sorted((row["learning_rate"], row["text"]) for d in rules for row in d)
    assert values == [(1.0, "theory 1"), (2.0, "measured 2")]
    shares = pd.DataFrame(next(d for d in spec["datasets"].values() if len(d) > 4))
    assert shares.groupby("learning_rate")["share"].sum().to_numpy() == (
        pytest.approx(1.0)
    )
