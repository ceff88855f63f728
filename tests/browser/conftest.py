"""Fixtures for the browser tests: one Streamlit server and one headless Chromium for
the whole session, a new tab (so a new Streamlit session) per test, and a table of
page load times printed and saved at the end.

The tests drive Debian's Chromium rather than a browser Playwright downloads, so
they need nothing from the network. Where Chromium or Playwright is missing they
skip, except in CI (``CI=true``), where a skipped browser suite would hide a broken
setup, so they fail instead.
"""

from __future__ import annotations

import csv
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

try:
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        ConsoleMessage,
        Locator,
        Page,
        expect,
        sync_playwright,
    )
    from playwright.sync_api import Error as PlaywrightError
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
LOAD_TIMES_CSV = ARTIFACTS / "browser_load_times.csv"

SERVER_START_TIMEOUT = 60.0
# Generous for a shared 2-core machine; a healthy page renders in about a second.
RENDER_TIMEOUT_MS = 30_000
VIEWPORT = {"width": 1400, "height": 900}
LOAD_TIME_GOAL = 2.0

LOAD_TIMES = pytest.StashKey[list]()

if sync_playwright is not None:
    # Playwright's assertions wait 5 s by default; a job or a rerun on a loaded
    # 2-core machine can take longer, so they wait as long as the page waits.
    expect.set_options(timeout=RENDER_TIMEOUT_MS)


def _unavailable(reason: str) -> None:
    """Skip with ``reason``, or fail in CI where the browser tests must run."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the browser tests must run, not skip)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium, shared by every test of the session."""
    if sync_playwright is None:
        _unavailable("playwright is not installed; pip install playwright")
    if not CHROMIUM.exists():
        _unavailable(f"Chromium not found at {CHROMIUM}; apt-get install -y chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def app_url(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The address of a headless ``streamlit run dashboard/app.py`` on a free port.

    Depends on ``browser`` so that a missing browser skips before a server starts.
    """
    port = _free_port()
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "dashboard/app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        # Nothing edits the sources during the tests; watching them only costs CPU.
        "--server.fileWatcherType",
        "none",
    ]
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _healthy(f"{url}/_stcore/health"):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"Streamlit did not answer on {url} within "
                    f"{SERVER_START_TIMEOUT:.0f} s:\n{log_path.read_text()[-3000:]}"
                )
            time.sleep(0.25)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def _is_network_noise(message: str, url: str, app_url: str) -> bool:
    """Whether a console error only reflects the sandbox's closed network.

    Kept deliberately tiny: anything else the page logs as an error fails the test.
    """
    # Streamlit fetches Material icons (the page icons in the navigation) from
    # fonts.gstatic.com; offline that fetch fails. Only failed loads from hosts
    # other than the app's own count as noise, never an error from the app itself.
    if message.startswith("Failed to load resource"):
        return bool(url) and urlsplit(url).netloc != urlsplit(app_url).netloc
    return False


@dataclass
class App:
    """One browser tab on the dashboard, with what it logged and helpers to drive it."""

    page: Page
    url: str
    load_times: list
    errors: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "") if message.location else ""
        if not _is_network_noise(message.text, where, self.url):
            self.errors.append(f"console error: {message.text} ({where})")

    def on_page_error(self, error: PlaywrightError) -> None:
        self.errors.append(f"page error: {error}")

    def open_home(self) -> None:
        """Load the entry page and wait until its script has run."""
        self.page.goto(self.url)
        expect(self.page.get_by_role("heading", name="Downhill")).to_be_visible(
            timeout=RENDER_TIMEOUT_MS
        )
        self.wait_for_run()

    def wait_for_run(self) -> None:
        """Wait until the app is connected and its script is not running.

        The attribute flips as soon as a rerun starts, so callers that change a
        widget should also wait for the text they expect.
        """
        self.page.wait_for_selector(
            '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
            '[data-test-script-state="notRunning"]',
            timeout=RENDER_TIMEOUT_MS,
        )

    def navigate(self, title: str, main: str, name: str | None = None) -> float:
        """Click ``title`` in the sidebar navigation and wait for ``main`` (a CSS
        selector for the page's main element) to be drawn; return the seconds this
        took, and record them under ``name`` when one is given."""
        link = self.page.locator('[data-testid="stSidebarNav"] a').filter(
            has_text=title
        )
        started = time.perf_counter()
        link.click()
        # An exception box instead of the page should fail at once, with its text.
        drawn = self.page.locator(main).first
        drawn.or_(self.exceptions()).first.wait_for(timeout=RENDER_TIMEOUT_MS)
        self.assert_clean()
        self.wait_for_drawn(drawn)
        seconds = time.perf_counter() - started
        if name is not None:
            self.record_time(name, seconds)
        self.wait_for_run()
        return seconds

    def wait_for_param(self, name: str, value: str) -> None:
        """Wait until the app has written ``name=value`` into the address (a
        whole number may be written with ".0"): the rerun for that choice has
        finished. Waiting for the script state alone can pass before the rerun
        even starts."""
        pattern = re.compile(rf"[?&]{re.escape(name)}={re.escape(value)}(\.0+)?(&|$)")
        self.page.wait_for_url(pattern, timeout=RENDER_TIMEOUT_MS)
        self.wait_for_run()

    def record_time(self, name: str, seconds: float) -> None:
        self.load_times.append((name, seconds))
        print(f"\n[browser] {name}: {seconds:.2f} s")

    def wait_for_drawn(self, element: Locator) -> None:
        """Wait until ``element`` is visible, has a size and holds its drawing.

        A plotly chart is drawn once its SVG layer exists; a Vega chart once its
        canvas or SVG exists; anything else once it has an area.
        """
        element.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
        self.page.wait_for_function(
            """el => {
                const box = el.getBoundingClientRect();
                if (box.width === 0 || box.height === 0) return false;
                const id = el.dataset.testid || "";
                if (id === "stPlotlyChart" || el.classList.contains("js-plotly-plot"))
                    return el.querySelector(".main-svg") !== null;
                if (id === "stVegaLiteChart")
                    return el.querySelector(".vega-embed canvas, .vega-embed svg")
                        !== null;
                return true;
            }""",
            arg=element.element_handle(),
            timeout=RENDER_TIMEOUT_MS,
        )

    def assert_charts_drawn(self, plotly: int, vega: int) -> None:
        """Exactly ``plotly`` plotly and ``vega`` Vega charts, each drawn."""
        main = self.page.locator('[data-testid="stMain"]')
        for test_id, count in (("stPlotlyChart", plotly), ("stVegaLiteChart", vega)):
            found = main.locator(f'[data-testid="{test_id}"]')
            expect(found).to_have_count(count, timeout=RENDER_TIMEOUT_MS)
            for i in range(count):
                self.wait_for_drawn(found.nth(i))

    def metric(self, label: str) -> Locator:
        """The value of the metric whose label is exactly ``label``."""
        label_ = self.page.locator('[data-testid="stMetricLabel"]').get_by_text(
            label, exact=True
        )
        card = self.page.locator('[data-testid="stMetric"]').filter(has=label_)
        return card.locator('[data-testid="stMetricValue"]')

    def set_number(self, label: str, value: float | int) -> None:
        """Type ``value`` into the number input labelled ``label`` and commit it."""
        box = self.page.locator('[data-testid="stNumberInput"]').filter(
            has=self.page.get_by_text(label, exact=True)
        )
        field_ = box.locator("input")
        field_.fill(str(value))
        field_.press("Enter")

    def choose(self, label: str, option: str) -> None:
        """Pick ``option`` in the select box labelled ``label``."""
        box = self.page.locator('[data-testid="stSelectbox"]').filter(
            has=self.page.get_by_text(label, exact=True)
        )
        box.click()
        self.page.get_by_role("option", name=option, exact=True).click()

    def options(self, label: str) -> list[str]:
        """The options of the select box labelled ``label``, read by opening it
        (and closed again with Escape)."""
        box = self.page.locator('[data-testid="stSelectbox"]').filter(
            has=self.page.get_by_text(label, exact=True)
        )
        # The box is a combo box; a click just after Playwright scrolled it into
        # view can be undone by the scroll (the list closes on scroll), while the
        # arrow key opens it wherever it is.
        combo = box.get_by_role("combobox")
        combo.scroll_into_view_if_needed()
        combo.focus()
        combo.press("ArrowDown")
        expect(combo).to_have_attribute("aria-expanded", "true")
        listed = self.page.get_by_role("option")
        listed.first.wait_for()
        texts = listed.all_inner_texts()
        self.page.keyboard.press("Escape")
        return texts

    def table_rows(self, table: Locator) -> tuple[list[str], list[list[str]]]:
        """The header and the rows of a ``st.dataframe``, as shown.

        The grid is drawn on a canvas; its cells are read from the accessible
        grid it keeps alongside (only the rows in view, so keep tables short).
        """
        header = table.locator('[role="columnheader"]').all_inner_texts()
        cells = table.locator('[role="gridcell"]').all_inner_texts()
        width = len(header)
        return header, [cells[i : i + width] for i in range(0, len(cells), width)]

    def pick(self, label: str, option: str) -> None:
        """Pick ``option`` in the radio group labelled ``label``."""
        group = self.page.locator('[data-testid="stRadio"]').filter(
            has=self.page.get_by_text(label, exact=True)
        )
        group.get_by_text(option, exact=True).click()

    def plotly_data(self, index: int = 0) -> list[dict]:
        """Type, name and first coordinates of every trace of a drawn plotly chart.

        Read from plotly's own graph div: Streamlit sends arrays base64-encoded,
        and ``_fullData`` holds them decoded, as plotly drew them.
        """
        chart = self.page.locator('[data-testid="stMain"] .js-plotly-plot').nth(index)
        return chart.evaluate(
            """gd => gd._fullData.map(t => {
                const head = a => (a ? Array.from(a).slice(0, 50).map(Number) : []);
                const row = t.z && t.z.length && t.z[0].length ? t.z[0] : t.z;
                return {type: t.type, name: t.name, x: head(t.x), y: head(t.y),
                        z: head(row)};
            })"""
        )

    def screenshot(self, name: str) -> Path:
        """A full-page screenshot at ``artifacts/screenshots/<name>.png``.

        Streamlit scrolls inside its main block, not the document, so a plain
        full-page capture stops at the window; the window is stretched to the
        content's height for the capture and put back afterwards.
        """
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        height = self.page.evaluate(
            """() => Math.max(window.innerHeight, ...[
                '[data-testid="stMain"]', '[data-testid="stSidebarContent"]'
            ].map(s => document.querySelector(s))
             .filter(Boolean).map(el => el.scrollHeight))"""
        )
        self.page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
        # Two animation frames let plotly and Vega lay out at the new size.
        self.page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => "
            "requestAnimationFrame(r)))"
        )
        self.page.screenshot(path=path, full_page=True)
        self.page.set_viewport_size(VIEWPORT)
        return path

    def exceptions(self) -> Locator:
        return self.page.locator('[data-testid="stException"]')

    def assert_clean(self) -> None:
        """No Streamlit exception box and no browser error so far."""
        exceptions = self.exceptions()
        assert exceptions.count() == 0, exceptions.all_inner_texts()
        assert not self.errors, self.errors


@pytest.fixture(scope="session")
def context(browser: Browser) -> Iterator[BrowserContext]:
    """One browser context for the session, so the app's scripts are fetched and
    compiled once, as in a learner's browser; every test opens its own tab, and
    each tab is its own Streamlit session."""
    shared = browser.new_context(viewport=VIEWPORT)
    yield shared
    shared.close()


@pytest.fixture
def app(
    context: BrowserContext, app_url: str, request: pytest.FixtureRequest
) -> Iterator[App]:
    """A new tab, so a new Streamlit session, on the home page."""
    page = context.new_page()
    page.set_default_timeout(RENDER_TIMEOUT_MS)
    tab = App(page, app_url, request.config.stash.setdefault(LOAD_TIMES, []))
    page.on("console", tab.on_console)
    page.on("pageerror", tab.on_page_error)
    tab.open_home()
    yield tab
    page.close()


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Print the page load times and save them to ``artifacts/``."""
    times = config.stash.get(LOAD_TIMES, [])
    if not times:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with LOAD_TIMES_CSV.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["page", "seconds", "under_goal"])
        for name, seconds in times:
            writer.writerow([name, f"{seconds:.3f}", seconds < LOAD_TIME_GOAL])

    width = max(len(name) for name, _ in times)
    terminalreporter.section(
        f"browser load times, click to main chart (aim: under {LOAD_TIME_GOAL:g} s)"
    )
    terminalreporter.write_line(f"{'page':<{width}}  seconds")
    for name, seconds in times:
        flag = "" if seconds < LOAD_TIME_GOAL else "  over the aim"
        terminalreporter.write_line(f"{name:<{width}}  {seconds:7.2f}{flag}")
    terminalreporter.write_line(f"saved to {LOAD_TIMES_CSV.relative_to(ROOT)}")
