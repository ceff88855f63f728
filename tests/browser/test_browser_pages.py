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
    expect(cards).to_have_count(4)
    for title in (
        "Surface",
        "Gradient calculator",
        "Descent trajectories",
        "Local vs global",
    ):
        expect(cards.filter(has_text=title)).to_have_count(1)
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
    app.assert_charts_drawn(plotly=0, vega=1)
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
    app.assert_charts_drawn(plotly=0, vega=1)
    assert chart.screenshot() != before, "the slope chart did not redraw"
    app.screenshot("gradient-bowl-1-4")
    app.assert_clean()


def test_descent_draws_the_walks_and_follows_the_optimizers(app: App):
    app.navigate("Descent trajectories", PLOTLY, "Descent trajectories")
    app.assert_charts_drawn(plotly=2, vega=1)
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
    app.assert_charts_drawn(plotly=2, vega=1)
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
    app.assert_charts_drawn(plotly=2, vega=1)
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
    app.set_number("You are here: y", 2)
    # 1 + 3 * 2^2 = 13.
    expect(app.metric("Cost here")).to_have_text("13")
    app.assert_charts_drawn(plotly=2, vega=0)
    app.screenshot("surface-typed-formula")
    app.assert_clean()
