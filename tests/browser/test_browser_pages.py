"""Every page in a real browser: reached from the navigation, charts drawn, no
exception box or browser error, and the numbers and charts follow the main input.

AppTest runs the page scripts but never draws; these tests catch what only shows up
in the browser (a figure plotly refuses, a chart with no size, a front-end error).
Each test leaves a full-page screenshot under ``artifacts/screenshots/``.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import pytest

from dashboard.navigation import PAGES

if TYPE_CHECKING:
    from tests.browser.conftest import App

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip, or fail in CI, before it is needed
    expect = None

pytestmark = pytest.mark.browser

PLOTLY = '[data-testid="stMain"] [data-testid="stPlotlyChart"]'
VEGA = '[data-testid="stMain"] [data-testid="stVegaLiteChart"]'


def main_text(app: App) -> str:
    return app.page.locator('[data-testid="stMain"]').inner_text()


def test_home_shows_a_card_per_page(app: App):
    # Leave Home first, so coming back is a real navigation.
    app.navigate("Surface", PLOTLY)
    app.navigate("Home", '[data-testid="stPageLink"]', "Home")

    main = app.page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("heading", name="Downhill")).to_be_visible()
    cards = main.locator('[data-testid="stPageLink"]')
    expect(cards).to_have_count(len(PAGES))
    for info in PAGES:
        expect(cards.filter(has_text=info.title)).to_have_count(1)
    app.assert_charts_drawn(plotly=0, vega=0)
    app.screenshot("home-default")
    app.assert_clean()

    # A card is a working link too.
    cards.filter(has_text="Gradient calculator").click()
    expect(app.page.get_by_role("heading", name="Gradient calculator")).to_be_visible()
    app.assert_clean()


def test_surface_draws_the_terrain_and_follows_the_landscape(app: App):
    app.navigate("Surface", PLOTLY, "Surface")
    app.assert_charts_drawn(plotly=2, vega=0)
    # The bowl at its preset point (3, 4): cost 9 + 16 = 25, gradient (6, 8) of
    # length 10.
    expect(app.metric("Cost here")).to_have_text("25")
    expect(app.metric("Gradient length (steepness)")).to_have_text("10")
    bowl = app.plotly_data(1)
    app.screenshot("surface-bowl")
    app.assert_clean()

    app.choose("Landscape", "Himmelblau's function")
    # Himmelblau's preset point (0, 0): (0 + 0 - 11)^2 + (0 + 0 - 7)^2 = 170; the
    # gradient there is (2 * -7, 2 * -11) = (-14, -22), of length sqrt(680).
    expect(app.metric("Cost here")).to_have_text("170")
    expect(app.metric("Gradient length (steepness)")).to_have_text("26.08")
    app.wait_for_run()
    app.assert_charts_drawn(plotly=2, vega=0)

    himmelblau = app.plotly_data(1)
    assert himmelblau[0]["type"] == "contour"
    assert himmelblau[0]["z"] != bowl[0]["z"], "the contour map kept the bowl"
    # Himmelblau's four minima are all global (cost 0): four stars on the map.
    stars = [t for t in himmelblau if t["name"] == "global minimum"]
    assert len(stars) == 1 and len(stars[0]["x"]) == 4, himmelblau
    app.screenshot("surface-himmelblau")
    app.assert_clean()


def test_calculator_shows_the_bowl_gradient_and_follows_the_point(app: App):
    app.navigate("Gradient calculator", VEGA, "Gradient calculator")
    app.assert_charts_drawn(plotly=0, vega=2)
    # The bowl x^2 + y^2 at its default point (3, 4): gradient (2x, 2y) = (6, 8).
    expect(app.metric("Slope along x (∂cost/∂x)")).to_have_text("6")
    expect(app.metric("Slope along y (∂cost/∂y)")).to_have_text("8")
    assert "(6, 8)" in main_text(app)
    chart = app.page.locator(VEGA).first
    before = chart.screenshot()
    app.screenshot("gradient-bowl-3-4")
    app.assert_clean()

    app.set_number("Point x", 1)
    # At (1, 4) the gradient is (2, 8) and one step of 0.1 lands on (0.8, 3.2).
    expect(app.metric("Slope along x (∂cost/∂x)")).to_have_text("2")
    expect(app.metric("Slope along y (∂cost/∂y)")).to_have_text("8")
    expect(app.metric("New point")).to_have_text("(0.8, 3.2)")
    app.wait_for_run()
    assert "(2, 8)" in main_text(app)
    app.assert_charts_drawn(plotly=0, vega=2)
    assert chart.screenshot() != before, "the slope chart did not redraw"
    app.screenshot("gradient-bowl-1-4")
    app.assert_clean()


def test_descent_draws_the_walks_and_follows_the_optimizers(app: App):
    app.navigate("Descent trajectories", PLOTLY, "Descent trajectories")
    app.assert_charts_drawn(plotly=2, vega=2)
    # Every walk's outcome is said in words.
    alerts = app.page.locator('[data-testid="stMain"] [data-testid="stAlert"]')
    for title in ("Gradient descent", "Momentum", "Adam"):
        expect(alerts.filter(has_text=title)).to_have_count(1)
    drawn = app.plotly_data(0)
    walks = {t["name"]: t for t in drawn}
    assert {"Gradient descent", "Momentum", "Adam"} <= set(walks), walks
    assert "RMSProp" not in walks
    # The bowl's preset: from (3, 4) with learning rate 0.1 the first step is
    # (3, 4) - 0.1 * (6, 8) = (2.4, 3.2).
    assert walks["Gradient descent"]["x"][:2] == pytest.approx([3.0, 2.4])
    assert walks["Gradient descent"]["y"][:2] == pytest.approx([4.0, 3.2])
    app.screenshot("descent-bowl")
    app.assert_clean()

    app.page.locator('[data-testid="stMain"] button').filter(
        has_text=re.compile(r"^RMSProp$")
    ).click()
    expect(alerts.filter(has_text="RMSProp")).to_have_count(1)
    expect(alerts).to_have_count(4)
    app.wait_for_run()
    app.assert_charts_drawn(plotly=2, vega=2)
    walks = {t["name"] for t in app.plotly_data(0)}
    assert "RMSProp" in walks, walks
    app.screenshot("descent-bowl-with-rmsprop")
    app.assert_clean()


def test_descent_says_when_a_learning_rate_diverges(app: App):
    app.navigate("Descent trajectories", PLOTLY)
    before = app.plotly_data(0)

    # On the bowl a gradient step multiplies the point by 1 - 2 * 1.5 = -2.
    app.set_number("Learning rate", 1.5)
    errors = app.page.locator('[data-testid="stAlertContentError"]')
    expect(errors.filter(has_text="Gradient descent diverged")).to_have_count(1)
    app.wait_for_run()
    app.assert_charts_drawn(plotly=2, vega=2)
    after = app.plotly_data(0)
    walk = next(t for t in after if t["name"] == "Gradient descent")
    assert walk["x"][:3] == pytest.approx([3.0, -6.0, 12.0])
    assert walk != next(t for t in before if t["name"] == "Gradient descent")
    app.screenshot("descent-diverged")
    app.assert_clean()


def test_local_global_runs_a_job_and_shows_the_tables(app: App):
    app.navigate("Local vs global", '[data-testid="stForm"]', "Local vs global")
    expect(app.page.get_by_text("press Run", exact=False)).to_be_visible()
    app.choose("Landscape", "Two valleys")
    app.wait_for_run()
    app.screenshot("local-vs-global-ready")

    # Inside a form Enter would submit at once; the value is typed, then the click
    # on Run commits it and submits, so the job runs exactly once.
    box = app.page.locator('[data-testid="stNumberInput"]').filter(
        has=app.page.get_by_text("Runs (random starts)", exact=True)
    )
    box.locator("input").fill("500")
    run = app.page.get_by_role("button", name="Run", exact=True)
    started = time.perf_counter()
    run.click()
    tables = app.page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]')
    expect(tables).to_have_count(2)
    app.wait_for_drawn(tables.last)
    app.record_time("Local vs global: 500 runs job", time.perf_counter() - started)
    app.wait_for_run()
    app.assert_charts_drawn(plotly=1, vega=2)

    assert "500 runs × 2 optimizers" in main_text(app)
    # Every one of the 500 runs of the shown setting is counted on the map once.
    counted = 0
    for trace in app.plotly_data(0):
        found = re.search(r": ([\d,]+) runs$", trace["name"] or "")
        if found:
            counted += int(found.group(1).replace(",", ""))
    assert counted == 500
    app.screenshot("local-vs-global-500-runs")
    app.assert_clean()


def test_a_typed_formula_draws_and_a_bad_one_explains_itself(app: App):
    app.navigate("Surface", PLOTLY)
    app.choose("Landscape", "Custom: type your own formula")
    app.wait_for_run()
    app.assert_charts_drawn(plotly=2, vega=0)
    box = app.page.locator('[data-testid="stTextInput"] input')

    box.fill("x^2 + z")
    box.press("Enter")
    errors = app.page.locator('[data-testid="stAlertContentError"]')
    expect(errors.filter(has_text="unknown name 'z'")).to_have_count(1)
    app.wait_for_run()
    app.assert_charts_drawn(plotly=2, vega=0)
    app.screenshot("surface-bad-formula")
    app.assert_clean()

    box.fill("x^2 + 3y^2")
    box.press("Enter")
    expect(errors).to_have_count(0)
    app.wait_for_run()
    app.set_number("You are here: x", 1)
    app.wait_for_param("x", "1")
    app.set_number("You are here: y", 2)
    app.wait_for_param("y", "2")
    # 1 + 3 * 2^2 = 13.
    expect(app.metric("Cost here")).to_have_text("13")
    app.assert_charts_drawn(plotly=2, vega=0)
    app.screenshot("surface-typed-formula")
    app.assert_clean()


def metric_number(app: App, label: str) -> float:
    """A metric's value as a float ("1.136e+05", "−3", "13,000")."""
    text = app.metric(label).inner_text().strip()
    return float(text.replace("−", "-").replace(",", ""))


def test_basins_paint_the_map_and_the_sweep_finds_two_over_l(app: App):
    app.navigate("Basins and learning rates", PLOTLY, "Basins and learning rates")
    app.assert_charts_drawn(plotly=1, vega=0)
    # Every start on the round bowl drains to its one minimum at (0, 0).
    expect(app.metric("Area that drains to the global minimum")).to_have_text("100%")
    expect(app.metric("Valleys reached")).to_have_text("1")
    expect(app.metric("Diverged")).to_have_text("0%")
    bowl = app.plotly_data(0)
    app.screenshot("basins-bowl")
    app.assert_clean()

    # Himmelblau's four minima are all global, so the map has four basins and
    # every start still drains to a global minimum.
    app.choose("Landscape", "Himmelblau's function")
    expect(app.metric("Valleys reached")).to_have_text("4")
    expect(app.metric("Area that drains to the global minimum")).to_have_text("100%")
    app.wait_for_run()
    app.assert_charts_drawn(plotly=1, vega=0)
    himmelblau = app.plotly_data(0)
    assert himmelblau != bowl, "the basin map kept the bowl"
    app.screenshot("basins-himmelblau")
    app.assert_clean()

    # On x^2 + 10 y^2 the Hessian is diag(2, 20): L = 20, so gradient descent is
    # stable below 2 / L = 0.1. Of the swept rates (6 per factor of 10), 0.1 itself
    # only bounces (1 - 0.1 * 20 = -1), and the next, 10^(-5/6) = 0.1468, grows
    # the y distance by |1 - 0.1468 * 20| = 1.94 per step.
    app.choose("Landscape", "Elongated bowl")
    app.wait_for_run()
    expect(app.page.get_by_text("press Run the sweep", exact=False)).to_be_visible()
    started = time.perf_counter()
    app.page.get_by_role("button", name="Run the sweep", exact=True).click()
    expect(app.metric("Theory: 2 / L")).to_have_text("0.1")
    app.record_time(
        "Basins: default sweep on the elongated bowl", time.perf_counter() - started
    )
    app.wait_for_run()
    expect(app.metric("Last stable rate swept")).to_have_text("0.1")
    expect(app.metric("Measured edge of divergence")).to_have_text("0.1468")
    assert "2 / L = 0.1" in main_text(app)
    expect(app.page.get_by_text("Theory and measurement agree")).to_be_visible()
    # The basin map, the sweep chart and the momentum heat map (momentum is among
    # the swept optimizers).
    app.assert_charts_drawn(plotly=1, vega=2)
    app.screenshot("basins-elongated-sweep")
    app.assert_clean()


def test_many_knobs_follows_the_number_of_knobs(app: App):
    app.navigate("Many knobs", VEGA, "Many knobs")
    app.assert_charts_drawn(plotly=0, vega=2)
    expect(app.metric("Knobs")).to_have_text("1,000")
    table = app.page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]')
    expect(table).to_have_count(1)
    chart = app.page.locator(VEGA).first
    before = chart.screenshot()
    app.screenshot("many-knobs-1000")
    app.assert_clean()

    app.set_number("Number of knobs", 13000)
    expect(app.metric("Knobs")).to_have_text("13,000")
    expect(app.page.get_by_text("Round bowl, 13,000 knobs.")).to_be_visible()
    app.wait_for_run()
    app.assert_charts_drawn(plotly=0, vega=2)
    # Each knob starts uniform on [-5.12, 5.12], so it adds 5.12^2 / 3 = 8.738 to
    # the bowl's cost on average (standard deviation 7.8 per knob, so 0.8% of
    # the total over 13,000 knobs); the gradient (2 w_1, ..., 2 w_n) has length
    # 2 sqrt(cost).
    cost = metric_number(app, "Starting cost")
    assert cost == pytest.approx(13000 * 5.12**2 / 3, rel=0.03)
    gradient = metric_number(app, "Starting gradient length")
    assert gradient == pytest.approx(2 * cost**0.5, rel=1e-3)
    assert chart.screenshot() != before, "the cost chart did not redraw"
    app.screenshot("many-knobs-13000")
    app.assert_clean()


def test_descent_race_animates_the_walks(app: App):
    app.navigate("Descent trajectories", PLOTLY)
    app.pick("Show", "Race (animated)")
    # One figure (contours and surface side by side) replaces the two charts.
    app.assert_charts_drawn(plotly=1, vega=2)
    app.wait_for_run()
    race = app.page.locator('[data-testid="stMain"] .js-plotly-plot').first
    controls = race.evaluate(
        """gd => ({
            frames: gd._transitionData._frames.map(f => f.name),
            buttons: gd._fullLayout.updatemenus[0].buttons.map(b => b.label),
            slider: gd._fullLayout.sliders[0].steps.map(s => s.label),
        })"""
    )
    frames = controls["frames"]
    # A frame per shown step, from the start, at most 60, one slider stop each.
    assert 2 <= len(frames) <= 60, frames
    assert frames[0] == "0"
    assert controls["slider"] == frames
    assert controls["buttons"] == ["▶ Play", "❚❚ Pause"]
    buttons = race.locator(".updatemenu-button")
    expect(buttons).to_have_count(2)

    def gd_marker() -> list[float]:
        # The moving marker of plain gradient descent on the contour map.
        return race.evaluate(
            """gd => {
                const t = gd.data.find(t => t.type === "scatter"
                    && t.mode === "markers" && t.name === "Gradient descent");
                return [Number(t.x[0]), Number(t.y[0])];
            }"""
        )

    # Every walk starts at the bowl's preset point (3, 4).
    assert gd_marker() == pytest.approx([3.0, 4.0])
    app.screenshot("descent-race-start")
    buttons.filter(has_text="Play").click()
    app.page.wait_for_function(
        """gd => gd.data.some(t => t.type === "scatter" && t.mode === "markers"
            && t.name === "Gradient descent" && Number(t.x[0]) !== 3)""",
        arg=race.element_handle(),
    )
    # Pausing interrupts plotly's running animation, and plotly rejects that
    # animation's promise with no reason and nothing to catch it: the browser
    # reports an uncaught "undefined". That, and only that, is expected here.
    logged = len(app.errors)
    buttons.filter(has_text="Pause").click()
    app.page.wait_for_timeout(300)
    paused = app.errors[logged:]
    assert set(paused) <= {"page error: undefined"}, paused
    del app.errors[logged:]
    x, y = gd_marker()
    # Gradient descent on the bowl shrinks the point towards (0, 0) along the
    # straight line through the start.
    assert 0 <= x < 3 and y == pytest.approx(4 / 3 * x, abs=1e-9)
    app.screenshot("descent-race-paused")
    app.assert_clean()


def test_local_global_compares_runs_with_and_without_noise(app: App):
    app.navigate("Local vs global", '[data-testid="stForm"]')
    app.choose("Landscape", "Two valleys")
    app.wait_for_param("landscape", "two_valleys")
    form = app.page.locator('[data-testid="stForm"]')
    for label, value in (("Runs (random starts)", 300), ("Gradient noise", 3)):
        box = form.locator('[data-testid="stNumberInput"]').filter(
            has=app.page.get_by_text(label, exact=True)
        )
        box.locator("input").fill(str(value))
    form.get_by_text("Also run without noise, to compare", exact=True).click()
    started = time.perf_counter()
    app.page.get_by_role("button", name="Run", exact=True).click()
    tables = app.page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]')
    expect(tables).to_have_count(2)
    app.wait_for_drawn(tables.last)
    app.record_time(
        "Local vs global: 300 runs, noise 3 and 0", time.perf_counter() - started
    )
    app.wait_for_run()
    app.assert_charts_drawn(plotly=1, vega=2)
    assert "300 runs × 2 optimizers" in main_text(app)

    # Each optimizer and learning rate once without noise and once with noise 3,
    # in the summary and in the map's choices.
    header, rows = app.table_rows(tables.first)
    assert header[:4] == ["optimizer", "learning rate", "noise", "runs"], header
    summary = sorted((row[0], row[2], row[3]) for row in rows)
    assert summary == [
        (optimizer, noise, "300")
        for optimizer in ("Adam", "Gradient descent")
        for noise in ("0", "3")
    ], rows
    options = app.options("Show")
    assert len(options) == 4, options
    noisy = [o for o in options if o.endswith(", noise 3")]
    assert len(noisy) == 2, options
    assert {o.removesuffix(", noise 3") for o in noisy} == set(options) - set(noisy)
    counted = 0
    for trace in app.plotly_data(0):
        found = re.search(r": ([\d,]+) runs$", trace["name"] or "")
        if found:
            counted += int(found.group(1).replace(",", ""))
    assert counted == 300
    app.screenshot("local-vs-global-noise")
    app.assert_clean()
