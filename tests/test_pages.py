"""Every page runs in Streamlit's AppTest: it loads without an exception, reruns
when its main inputs change, and shows the numbers it should."""

import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.navigation import PAGES
from dashboard.text import number

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60


def page(name: str) -> AppTest:
    app = AppTest.from_file(str(ROOT / "pages" / name), default_timeout=TIMEOUT)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def metric(app: AppTest, label: str) -> str:
    for item in app.metric:
        if item.label == label:
            return item.value
    raise AssertionError(f"no metric {label!r}; have {[m.label for m in app.metric]}")


def test_entry_runs_home_and_switches_to_every_page():
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=TIMEOUT)
    app.run()
    assert not app.exception
    assert app.title[0].value == "Downhill"
    for script in ("surface.py", "gradient.py", "descent.py", "local_global.py"):
        app.switch_page(str(ROOT / "pages" / script))
        app.run()
        assert not app.exception, (script, [e.value for e in app.exception])


def test_home_has_a_card_per_page():
    app = page("home.py")
    labels = [link.proto.label for link in app.get("page_link")]
    assert sorted(labels) == sorted(f"**{info.title}**" for info in PAGES)
    assert {"Surface", "Gradient calculator", "Descent trajectories"} <= {
        info.title for info in PAGES
    }


def test_surface_shows_cost_at_the_point_and_follows_the_landscape():
    app = page("surface.py")
    # The bowl's preset point is (3, 4): cost 25, gradient length 10.
    assert metric(app, "Cost here") == "25"
    assert metric(app, "Gradient length (steepness)") == "10"

    app.selectbox(key="surface_landscape").set_value("rosenbrock").run()
    assert not app.exception
    # Rosenbrock's preset point (-1.5, 2): (1 + 1.5)^2 + 100 (2 - 2.25)^2 = 12.5.
    assert metric(app, "Cost here") == "12.5"

    app.number_input(key="surface_x").set_value(1.0).run()
    app.number_input(key="surface_y").set_value(1.0).run()
    assert metric(app, "Cost here") == "0"
    assert metric(app, "Downhill direction") == "flat here"


@pytest.mark.parametrize("view", ["both", "3d", "contours"])
def test_surface_views_draw_their_charts(view):
    app = page("surface.py")
    app.radio(key="surface_view").set_value(view).run()
    assert not app.exception
    charts = app.get("plotly_chart")
    assert len(charts) == (2 if view == "both" else 1)


def test_calculator_reproduces_the_bowl_worked_example():
    app = page("gradient.py")
    app.selectbox(key="gradient_landscape").set_value("bowl").run()
    app.number_input(key="gradient_x").set_value(3.0).run()
    app.number_input(key="gradient_y").set_value(4.0).run()
    assert metric(app, "Cost") == "25"
    assert metric(app, "Slope along x (∂cost/∂x)") == "6"
    assert metric(app, "Slope along y (∂cost/∂y)") == "8"
    assert metric(app, "Gradient length") == "10"
    text = " ".join(m.value for m in app.markdown)
    assert "(6, 8)" in text
    assert "(−6, −8)" in text
    assert "(−0.6, −0.8)" in text
    # One step of learning rate 0.1 lands on (2.4, 3.2), cost 16.
    assert metric(app, "Cost after one step") == "16"
    assert metric(app, "New point") == "(2.4, 3.2)"


def test_calculator_reproduces_the_parabola_worked_example():
    app = page("gradient.py")
    app.radio(key="gradient_mode").set_value("one")
    app.run()
    assert not app.exception
    assert metric(app, "Cost w²") == "9"
    assert metric(app, "Slope d cost / dw = 2w") == "6"
    assert metric(app, "Negative gradient") == "−6"
    text = " ".join(m.value for m in app.markdown)
    assert "toward 0" in text
    # w = 3 − 0.1 × 6 = 2.4, cost 5.76.
    assert "**2.4**" in text
    assert "**9** to **5.76**" in text


def test_calculator_warns_when_the_step_goes_uphill():
    app = page("gradient.py")
    app.number_input(key="gradient_learning_rate").set_value(1.5).run()
    assert not app.exception
    assert any("went **up**" in w.value for w in app.warning)


def test_descent_reports_outcomes_and_diverges_cleanly():
    app = page("descent.py")
    # The bowl from (3, 4) with learning rate 0.1: every chosen optimizer ends
    # in words, and gradient descent converges to the global minimum.
    assert any(
        "Gradient descent" in s.value and "converged" in s.value for s in app.success
    )
    assert len(app.get("plotly_chart")) == 2

    app.number_input(key="descent_learning_rate").set_value(1.5).run()
    assert not app.exception
    assert any("diverged" in e.value for e in app.error)
    assert len(app.get("plotly_chart")) == 2


def test_descent_step_slider_moves_the_walk():
    app = page("descent.py")
    app.slider(key="descent_current_step").set_value(1).run()
    assert not app.exception
    table = app.dataframe[0].value
    gd = table[table["optimizer"] == "Gradient descent"].iloc[0]
    # One step of 0.1 from (3, 4) on the bowl: (3, 4) − 0.1 × (6, 8) = (2.4, 3.2).
    assert gd["x"] == pytest.approx(2.4)
    assert gd["y"] == pytest.approx(3.2)
    assert gd["cost"] == pytest.approx(16.0)


def test_local_global_runs_a_job_and_shows_tables():
    app = page("local_global.py")
    assert any("Run" in i.value for i in app.info)
    app.selectbox(key="local_global_landscape").set_value("two_valleys").run()
    app.number_input(key="local_global_n_runs").set_value(200)
    app.button[0].click().run()
    assert not app.exception, [e.value for e in app.exception]
    runs = app.dataframe[-1].value
    summary = app.dataframe[0].value
    assert len(runs) == 200 * len(summary)
    shares = summary[["share_global", "share_local", "share_diverged", "share_other"]]
    assert shares.sum(axis=1).to_numpy() == pytest.approx(1.0)
    # two_valleys has a shallow and a deep valley: random starts find both.
    assert (summary["share_global"] > 0).all()
    assert (summary["share_local"] > 0).all()


PAGES_WITH_PICKER = ["surface", "gradient", "descent", "local_global"]


def choose_custom(app: AppTest, page_key: str, formula: str) -> AppTest:
    app.selectbox(key=f"{page_key}_landscape").set_value("custom").run()
    assert not app.exception, [e.value for e in app.exception]
    app.text_input(key=f"{page_key}_formula").input(formula).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


@pytest.mark.parametrize("page_key", PAGES_WITH_PICKER)
def test_a_typed_formula_reaches_every_page(page_key):
    app = page(f"{page_key}.py")
    choose_custom(app, page_key, "x^2 + 3y^2")
    latex = [item.value for item in app.get("latex")]
    assert any("3 y^{2}" in text for text in latex), latex
    assert not app.error


def test_surface_of_a_typed_formula_shows_its_cost():
    app = page("surface.py")
    choose_custom(app, "surface", "x^2 + 3y^2")
    app.number_input(key="surface_x").set_value(1.0).run()
    app.number_input(key="surface_y").set_value(2.0).run()
    # 1 + 3 * 4 = 13; gradient (2, 12) has length sqrt(148) = 12.17.
    assert metric(app, "Cost here") == "13"
    assert metric(app, "Gradient length (steepness)") == "12.17"
    kinds = app.dataframe[0].value["kind"].tolist()
    assert kinds == ["lowest found"]


@pytest.mark.parametrize("page_key", PAGES_WITH_PICKER)
def test_a_bad_formula_shows_its_message_and_keeps_the_last_good_one(page_key):
    app = page(f"{page_key}.py")
    choose_custom(app, page_key, "x^2 + y^2")
    app.text_input(key=f"{page_key}_formula").input("x^2 + z").run()
    assert not app.exception
    messages = [e.value for e in app.error]
    assert any("unknown name 'z'" in m for m in messages), messages
    assert any("x^{2} + y^{2}" in item.value for item in app.get("latex"))


def test_a_one_knob_formula_draws_a_curve():
    app = page("surface.py")
    choose_custom(app, "surface", "x^4 - 3x^2 + x")
    assert not app.exception
    assert len(app.number_input) >= 1
    assert "surface_y" not in [n.key for n in app.number_input]
    kinds = sorted(app.dataframe[0].value["kind"].tolist())
    assert kinds == ["local", "lowest found"]


def test_calculator_shows_the_exact_partial_derivatives_of_a_formula():
    app = page("gradient.py")
    choose_custom(app, "gradient", "x^2*y")
    latex = [item.value for item in app.get("latex")]
    assert any("partial x} = 2 x y" in text for text in latex), latex
    assert any("partial y} = x^{2}" in text for text in latex), latex


def test_descent_walks_down_a_typed_rosenbrock_with_adam():
    app = page("descent.py")
    choose_custom(app, "descent", "(1-x)^2 + 100(y-x^2)^2")
    app.number_input(key="descent_learning_rate").set_value(0.02).run()
    app.number_input(key="descent_steps").set_value(2000).run()
    assert not app.exception
    table = app.dataframe[0].value
    adam = table[table["optimizer"] == "Adam"].iloc[0]
    assert adam["x"] == pytest.approx(1.0, abs=0.05)
    assert adam["y"] == pytest.approx(1.0, abs=0.1)


def test_descent_narrates_the_step_on_the_slider():
    app = page("descent.py")
    app.slider(key="descent_current_step").set_value(2).run()
    app.selectbox(key="descent_narrated").set_value("momentum").run()
    assert not app.exception
    text = " ".join(m.value for m in app.markdown)
    # Momentum's second step on the bowl from (3, 4) with learning rate 0.1: the
    # velocity is 0.9 × (6, 8) + (4.8, 6.4) = (10.2, 13.6).
    assert "(10.2, 13.6)" in text
    assert "(-1.02, -1.36)" in text


def test_calculator_cuts_the_terrain_along_the_chosen_direction():
    app = page("gradient.py")
    gradient_angle = math.degrees(math.atan2(8, 6))
    for angle in (53, 143, 233):
        app.slider(key="gradient_cut_angle").set_value(angle).run()
        text = " ".join(m.value for m in app.markdown)
        # The bowl at (3, 4): the slope along angle θ is 10 cos(θ − 53.13°).
        expected = 10 * math.cos(math.radians(angle - gradient_angle))
        assert f"is **{number(expected)}**" in text, (angle, expected)


def test_descent_race_animates_every_walk():
    import json

    app = page("descent.py")
    app.radio(key="descent_view").set_value("race").run()
    assert not app.exception
    (chart,) = app.get("plotly_chart")
    figure = json.loads(chart.proto.spec)
    steps = [int(frame["name"]) for frame in figure["frames"]]
    assert steps[0] == 0 and steps == sorted(steps)
    # Three optimizers, each with a marker on the map and on the surface.
    assert all(len(frame["data"]) == 6 for frame in figure["frames"])
    buttons = figure["layout"]["updatemenus"][0]["buttons"]
    assert [b["label"] for b in buttons] == ["▶ Play", "❚❚ Pause"]


def test_a_click_on_the_map_moves_the_start():
    def script():
        from types import SimpleNamespace

        import streamlit as st

        from dashboard.widgets import start_from_click

        # What Streamlit stores for a chart whose point (-1, 2) was clicked.
        st.session_state["descent_contour_chart"] = SimpleNamespace(
            selection=SimpleNamespace(points=[{"x": -1.0, "y": 2.0}])
        )
        start_from_click("descent")()
        st.write(st.session_state["descent_x"], st.session_state["descent_y"])

    app = AppTest.from_function(script, default_timeout=TIMEOUT)
    app.run()
    assert not app.exception
    assert app.markdown[0].value == "`-1.0` `2.0`"


def test_descent_draws_the_schedule_beside_the_walk():
    app = page("descent.py")
    app.selectbox(key="descent_schedule").set_value("step").run()
    app.number_input(key="descent_step_size").set_value(10).run()
    app.number_input(key="descent_gamma").set_value(0.5).run()
    assert not app.exception
    charts = app.get("arrow_vega_lite_chart") or app.get("vega_lite_chart")
    rates = None
    for chart in charts:
        spec = chart.proto.spec
        if "learning rate" in spec:
            rates = spec
    assert rates is not None
    table = app.dataframe[0].value
    gd = table[table["optimizer"] == "Gradient descent"].iloc[0]
    # On the bowl each step multiplies the point by 1 - 2 lr_k, and step decay
    # halves lr_k = 0.1 every 10 steps: the walk slows down before the bottom.
    shrink = math.prod(1 - 2 * 0.1 * 0.5 ** (k // 10) for k in range(100))
    assert gd["status"] == "still moving"
    assert gd["x"] == pytest.approx(3 * shrink, rel=1e-9)
    assert gd["y"] == pytest.approx(4 * shrink, rel=1e-9)


def test_descent_noise_is_seeded():
    first = page("descent.py")
    first.number_input(key="descent_noise").set_value(2.0).run()
    again = page("descent.py")
    again.number_input(key="descent_noise").set_value(2.0).run()
    assert not first.exception
    one, two = first.dataframe[0].value, again.dataframe[0].value
    assert one.equals(two)
    first.number_input(key="descent_noise_seed").set_value(5).run()
    assert not first.dataframe[0].value.equals(two)


def test_local_global_compares_with_and_without_noise():
    app = page("local_global.py")
    app.selectbox(key="local_global_landscape").set_value("two_valleys").run()
    app.number_input(key="local_global_n_runs").set_value(200)
    app.number_input(key="local_global_noise").set_value(3.0)
    app.checkbox(key="local_global_compare").check()
    app.button[0].click().run()
    assert not app.exception, [e.value for e in app.exception]
    summary = app.dataframe[0].value
    assert sorted(summary["noise"].unique()) == [0.0, 3.0]
    runs = app.dataframe[-1].value
    assert len(runs) == 200 * len(summary)
    shares = summary[["share_global", "share_local", "share_diverged", "share_other"]]
    assert shares.sum(axis=1).to_numpy() == pytest.approx(1.0)
