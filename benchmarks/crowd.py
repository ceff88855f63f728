"""Crowd test: many learners on one Downhill server at the same time.

Usage::

    python -m benchmarks.crowd [--sessions 10] [--browsers 1] [--max-seconds 600]
    python benchmarks/crowd.py [...]

What it does:

1. Starts ``streamlit run dashboard/app.py`` on a free port of 127.0.0.1 (headless,
   no file watcher, no usage statistics) and waits for ``/_stcore/health``.
2. Opens ``--sessions`` headless Chromium tabs at once, each in its own browser
   context, so each is a separate learner with its own Streamlit session. Every
   session loads Home, then walks the sidebar navigation through Surface, Gradient
   calculator, Descent trajectories, Home and Local vs global, waiting each time
   until the page's charts are drawn; on Local vs global it runs the statistics
   job with 10,000 random starts (every session the same job, seed 0).
3. Meanwhile a thread samples the server's resident memory (its process and any
   children, from ``/proc``) every 0.2 s.
4. Checks every session: no Streamlit exception box, no error in the browser, the
   caption says "10,000 runs", and the map's per-minimum counts are the same in
   every session (same job, same seed, so the same numbers). At the end the server
   must still answer ``ok`` on its health check.

It prints a table, writes it to ``benchmarks/results/crowd.csv`` and exits with 1
when a session failed or did not finish, or the server died or stopped answering.

Everything is bounded: every wait has a timeout (``--timeout``), and the whole run
stops after ``--max-seconds``, reporting what had finished by then. The browser
only talks to 127.0.0.1: it resolves no other host name and sends any other
request to a closed local port (a dead proxy), where it fails.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.landscapes import LANDSCAPES  # noqa: E402

try:
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import Page, async_playwright
except ImportError:  # pragma: no cover - depends on the machine
    async_playwright = None

RESULTS = ROOT / "benchmarks" / "results"
CSV_PATH = RESULTS / "crowd.csv"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
HOST = "127.0.0.1"
VIEWPORT = {"width": 1400, "height": 900}
SERVER_START_TIMEOUT = 60.0
SAMPLE_EVERY = 0.2
RSS_GOAL_MIB = 1024.0
JOB_RUNS = 10_000
# Four minima, so the job's counts split between valleys and a wrong number in any
# session shows; the default landscape (a bowl) sends every run to its one minimum.
JOB_LANDSCAPE = "hills_and_valleys"

MAIN = '[data-testid="stMain"]'
# Streamlit keeps the previous page's elements on screen, marked stale, until the
# new run replaces them; only fresh elements count as the new page being drawn.
FRESH = f'{MAIN} [data-testid="stElementContainer"]:not([data-stale="true"])'
PLOTLY = f'{FRESH} [data-testid="stPlotlyChart"]'
VEGA = f'{FRESH} [data-testid="stVegaLiteChart"]'
PAGE_LINKS = f'{FRESH} [data-testid="stPageLink"]'
FORM = f'{MAIN} [data-testid="stForm"]'
TABLES = f'{FRESH} [data-testid="stDataFrame"]'
EXCEPTIONS = '[data-testid="stException"]'
IDLE = (
    '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
    '[data-test-script-state="notRunning"]'
)

FIRST_LOAD = "Home (first load)"
JOB = f"Statistics job ({JOB_RUNS:,} runs)"
# The walk through the sidebar: (link title, selector of the page's main element).
# The order matters a little: no page follows one with the same kind of main
# element, so a chart left over from the previous page can never be mistaken for
# the new page's, even in the instant before Streamlit marks it stale.
WALK = [
    ("Surface", PLOTLY),
    ("Gradient calculator", VEGA),
    ("Descent trajectories", PLOTLY),
    ("Home", PAGE_LINKS),
    ("Local vs global", FORM),
]
STEPS = [FIRST_LOAD] + [title for title, _ in WALK] + [JOB]

# A chart is drawn once plotly has made its SVG layer or Vega its canvas or SVG;
# anything else once it has an area on screen.
DRAWN_JS = """el => {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return false;
    const id = el.dataset.testid || "";
    if (id === "stPlotlyChart") return el.querySelector(".main-svg") !== null;
    if (id === "stVegaLiteChart")
        return el.querySelector(".vega-embed canvas, .vega-embed svg") !== null;
    return true;
}"""
# Records when the app's script starts and stops running, with the page's clock,
# so the server's part of a response (click to script finished) can be told from
# the browser's (drawing the charts) afterwards.
SCRIPT_STATE_JS = """(() => {
    window.__scriptStates = [];
    const watch = () => {
        const app = document.querySelector('[data-testid="stApp"]');
        if (!app) return setTimeout(watch, 20);
        const note = () => window.__scriptStates.push(
            [app.getAttribute("data-test-script-state"), performance.now()]);
        note();
        new MutationObserver(note).observe(app, {
            attributes: true, attributeFilter: ["data-test-script-state"]});
    };
    watch();
})();"""
# When the script first stopped running after a moment (page clock), if it has.
SCRIPT_DONE_JS = """since => {
    let ran = false;
    for (const [state, at] of window.__scriptStates || []) {
        if (at < since) continue;
        if (state === "running") ran = true;
        else if (ran && state === "notRunning") return at - since;
    }
    return null;
}"""
# The legend names of the end-point map, e.g. "global (3, 2): 4,890 runs".
LEGEND_JS = """el => el._fullData.map(t => t.name || "")"""
# The rows of a Streamlit data frame, from the grid's accessible table (the cells
# themselves are painted on a canvas): one " | "-joined string per shown row.
TABLE_ROWS_JS = """el => Array.from(el.querySelectorAll("table tbody tr"))
    .map(tr => Array.from(tr.querySelectorAll("td"))
        .map(td => td.textContent.trim()).join(" | "))"""
COUNTED = re.compile(r": ([\d,]+) runs$")
CAPTION = re.compile(r"Results: ([^\n]*?)\.?\n")


# --------------------------------------------------------------------------- server


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on (at the moment of asking)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def healthy(url: str) -> bool:
    """Whether Streamlit's health endpoint at ``url`` answers ``ok``."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as response:
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def start_server(port: int, log_path: Path) -> subprocess.Popen:
    """``streamlit run dashboard/app.py`` on ``127.0.0.1:port``, logging to a file."""
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "dashboard/app.py",
        "--server.headless",
        "true",
        "--server.address",
        HOST,
        "--server.port",
        str(port),
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]
    with log_path.open("w") as log:
        return subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def wait_until_healthy(server: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while not healthy(url):
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(
                f"Streamlit did not answer on {url} within {SERVER_START_TIMEOUT:.0f} "
                f"s:\n{log_path.read_text()[-3000:]}"
            )
        time.sleep(0.25)


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


# --------------------------------------------------------------------------- memory


def _children(pid: int) -> list[int]:
    """Every descendant of ``pid``, found through the parent ids in ``/proc``."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as handle:
                # The command name may hold spaces and parentheses; fields after
                # the last ")" are plain: state, then the parent's id.
                after = handle.read().rsplit(")", 1)[1].split()
            parents[int(entry.name)] = int(after[1])
        except (OSError, IndexError, ValueError):
            continue
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        kids = [p for p, pp in parents.items() if pp == parent]
        found.extend(kids)
        todo.extend(kids)
    return found


def rss_kib(pid: int) -> int:
    """Resident memory (VmRSS) of one process in KiB, 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of one process so far, 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            after = handle.read().rsplit(")", 1)[1].split()
        # After the ")": state is field 3 of stat(5), utime 14 and stime 15.
        ticks = int(after[11]) + int(after[12])
    except (OSError, IndexError, ValueError):
        return 0.0
    return ticks / os.sysconf("SC_CLK_TCK")


class MemorySampler(threading.Thread):
    """Samples the resident memory of a process and its children in the background.

    Children are looked up again every second rather than every sample: scanning
    ``/proc`` costs more than reading a few status files.
    """

    def __init__(self, pid: int, every: float = SAMPLE_EVERY) -> None:
        super().__init__(name="rss-sampler", daemon=True)
        self.pid = pid
        self.every = every
        self.peak_kib = 0
        self.peak_at = 0.0
        self.last_kib = 0
        self.samples = 0
        self.started = time.monotonic()
        self._stop_event = threading.Event()

    def run(self) -> None:
        children: list[int] = []
        looked_up = 0.0
        while True:
            now = time.monotonic()
            if now - looked_up >= 1.0:
                children, looked_up = _children(self.pid), now
            total = rss_kib(self.pid) + sum(rss_kib(child) for child in children)
            self.last_kib = total
            self.samples += 1
            if total > self.peak_kib:
                self.peak_kib, self.peak_at = total, now - self.started
            if self._stop_event.wait(self.every):
                return

    def stop(self) -> None:
        self._stop_event.set()
        if self.ident is not None:  # started
            self.join(timeout=5)


# --------------------------------------------------------------------------- sessions


@dataclass
class Session:
    """What one simulated learner saw: times per step, the job's result, problems."""

    index: int
    responses: dict[str, float] = field(default_factory=dict)
    scripts: dict[str, float] = field(default_factory=dict)
    complete: dict[str, float] = field(default_factory=dict)
    caption: str | None = None
    legend: tuple[str, ...] = ()
    summary: tuple[str, ...] = ()
    problems: list[str] = field(default_factory=list)
    step: str = "not started"
    finished: bool = False
    started_at: float = 0.0
    ended_at: float | None = None

    @property
    def ok(self) -> bool:
        return self.finished and not self.problems

    @property
    def counted(self) -> int:
        """Runs counted in the map's legend (diverged runs have no point on it)."""
        total = 0
        for name in self.legend:
            found = COUNTED.search(name)
            if found:
                total += int(found.group(1).replace(",", ""))
        return total

    def on_console(self, message, app_url: str) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "") if message.location else ""
        # Streamlit fetches its icon font from Google; offline (and here, on
        # purpose) that load fails. Failed loads from other hosts are noise; any
        # other error the page logs counts against the session.
        noise = message.text.startswith("Failed to load resource") and where
        if noise and urlsplit(where).netloc != urlsplit(app_url).netloc:
            return
        self.problems.append(f"console error at {self.step}: {message.text[:200]}")

    def on_page_error(self, error) -> None:
        self.problems.append(f"page error at {self.step}: {str(error)[:200]}")


async def wait_drawn(page: Page, selector: str, timeout_ms: float) -> None:
    """Wait until the first element for ``selector`` is visible and drawn; fail at
    once, with its text, if a Streamlit exception box shows up instead."""
    target = page.locator(selector).first
    exceptions = page.locator(EXCEPTIONS)
    await target.or_(exceptions).first.wait_for(state="visible", timeout=timeout_ms)
    if await exceptions.count():
        text = " | ".join(await exceptions.all_inner_texts())
        raise AssertionError(f"exception box: {text[:300]}")
    handle = await target.element_handle(timeout=timeout_ms)
    await page.wait_for_function(DRAWN_JS, arg=handle, timeout=timeout_ms)


async def wait_idle(page: Page, timeout_ms: float) -> None:
    """Wait until the app is connected and its script has finished running."""
    await page.wait_for_selector(IDLE, timeout=timeout_ms)


async def wait_all_charts(page: Page, timeout_ms: float) -> int:
    """Wait until every chart in the main area is drawn; return how many there are."""
    charts = page.locator(f"{PLOTLY}, {VEGA}")
    count = await charts.count()
    for i in range(count):
        handle = await charts.nth(i).element_handle(timeout=timeout_ms)
        await page.wait_for_function(DRAWN_JS, arg=handle, timeout=timeout_ms)
    return count


async def page_clock(page: Page) -> float:
    return await page.evaluate("performance.now()")


async def finish_page(
    session: Session,
    page: Page,
    name: str,
    started: float,
    t: float,
    mark: float | None = None,
) -> None:
    """After the main element: wait for the run to end and every chart to be drawn,
    record the time to a complete page and to the script's end (from ``mark`` on
    the page's clock), and check for exception boxes."""
    await wait_idle(page, t)
    await wait_all_charts(page, t)
    session.complete[name] = time.perf_counter() - started
    if mark is not None:
        done = await page.evaluate(SCRIPT_DONE_JS, mark)
        if done is not None:
            session.scripts[name] = done / 1000
    if await page.locator(EXCEPTIONS).count():
        text = " | ".join(await page.locator(EXCEPTIONS).all_inner_texts())
        session.problems.append(f"exception box on {name}: {text[:300]}")


async def drive(
    session: Session, context, url: str, landscape: str, timeout_ms: float
) -> None:
    """One learner: load Home, walk the sidebar, run the statistics job, check it."""
    t = timeout_ms
    page = await context.new_page()
    page.set_default_timeout(t)
    page.on("console", lambda message: session.on_console(message, url))
    page.on("pageerror", session.on_page_error)
    session.started_at = time.monotonic()

    session.step = FIRST_LOAD
    started = time.perf_counter()
    await page.goto(url, timeout=t)
    await wait_drawn(page, PAGE_LINKS, t)
    session.responses[FIRST_LOAD] = time.perf_counter() - started
    # The page's clock starts with the navigation, a moment before the goto.
    await finish_page(session, page, FIRST_LOAD, started, t, mark=0.0)

    links = page.locator('[data-testid="stSidebarNav"] a')
    for title, selector in WALK:
        session.step = title
        mark = await page_clock(page)
        started = time.perf_counter()
        await links.filter(has_text=title).first.click(timeout=t)
        await wait_drawn(page, selector, t)
        session.responses[title] = time.perf_counter() - started
        await finish_page(session, page, title, started, t, mark)

    # A landscape with several minima. Its number of steps is a widget keyed by
    # the landscape's name: once that is drawn, the page runs on the new landscape.
    session.step = f"{JOB}: choosing {landscape}"
    await (
        page.locator('[data-testid="stSelectbox"]')
        .filter(has=page.get_by_text("Landscape", exact=True))
        .click(timeout=t)
    )
    title = LANDSCAPES[landscape].title
    await page.get_by_role("option", name=title, exact=True).click(timeout=t)
    await page.locator(f".st-key-local_global_steps_{landscape}").wait_for(timeout=t)
    await wait_idle(page, t)

    # Inside a form Enter would submit at once; the value is typed and the click
    # on Run commits it and submits, so the job runs exactly once.
    session.step = JOB
    box = page.locator('[data-testid="stNumberInput"]').filter(
        has=page.get_by_text("Runs (random starts)", exact=True)
    )
    await box.locator("input").fill(str(JOB_RUNS), timeout=t)
    mark = await page_clock(page)
    started = time.perf_counter()
    await page.get_by_role("button", name="Run", exact=True).click(timeout=t)
    # The summary and the table of every run: the last one drawn means both are.
    await page.locator(TABLES).nth(1).wait_for(state="visible", timeout=t)
    await wait_drawn(page, f"{TABLES} >> nth=1", t)
    session.responses[JOB] = time.perf_counter() - started
    await finish_page(session, page, JOB, started, t, mark)

    session.step = "checking"
    text = await page.locator(MAIN).inner_text(timeout=t)
    found = CAPTION.search(text)
    session.caption = found.group(1) if found else None
    if f"{JOB_RUNS:,} runs" not in (session.caption or ""):
        session.problems.append(f"caption is {session.caption!r}, not {JOB_RUNS:,}")
    # The grid fills its accessible table a moment after it paints the canvas.
    summary = await page.locator(TABLES).first.element_handle(timeout=t)
    with contextlib.suppress(PlaywrightError):
        await page.wait_for_function(
            f"el => ({TABLE_ROWS_JS})(el).length > 0", arg=summary, timeout=t
        )
    session.summary = tuple(await summary.evaluate(TABLE_ROWS_JS))
    if not session.summary:
        session.problems.append("the summary table shows no rows")
    plot = page.locator(f"{MAIN} .js-plotly-plot").first
    names = await plot.evaluate(LEGEND_JS)
    session.legend = tuple(sorted(n for n in names if COUNTED.search(n)))
    if not session.legend:
        session.problems.append("the end-point map shows no per-minimum counts")
    if await page.locator(EXCEPTIONS).count():
        session.problems.append("an exception box is on the statistics page")
    session.step = "done"
    session.finished = True
    # The tab stays open until every session is done: closing it would end its
    # renderer process, and with it the count of the CPU time the browser used.


async def run_session(
    session: Session, context, url: str, landscape: str, timeout_ms: float
) -> None:
    """``drive`` with its failures recorded on the session rather than raised."""
    try:
        await drive(session, context, url, landscape, timeout_ms)
    except asyncio.CancelledError:
        session.problems.append(f"stopped by --max-seconds at {session.step}")
        raise
    except (PlaywrightError, AssertionError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        session.problems.append(f"{type(error).__name__} at {session.step}: {first}")
    finally:
        session.ended_at = time.monotonic()


async def crowd(
    url: str,
    sessions: list[Session],
    browsers: int,
    landscape: str,
    timeout_ms: float,
    budget: float,
    server_pid: int,
) -> tuple[set[str], float]:
    """Drive every session at once, for at most ``budget`` seconds; return the hosts
    other than 127.0.0.1 the browsers tried to reach (all blocked) and the CPU
    seconds the browsers' processes used."""
    dead_proxy = free_port()
    args = CHROMIUM_ARGS + [
        # Only loopback: no other name resolves, and anything else goes to a
        # closed local port. Chromium never sends loopback through a proxy.
        f"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE {HOST}",
        f"--proxy-server=http://{HOST}:{dead_proxy}",
    ]
    outside: set[str] = set()

    def note_request(request) -> None:
        host = urlsplit(request.url).hostname
        if host and host != HOST:
            outside.add(host)

    async with async_playwright() as playwright:
        launched = [
            await playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=args, headless=True
            )
            for _ in range(max(1, min(browsers, len(sessions))))
        ]
        contexts = []
        for session in sessions:
            browser = launched[session.index % len(launched)]
            context = await browser.new_context(viewport=VIEWPORT)
            context.on("request", note_request)
            await context.add_init_script(SCRIPT_STATE_JS)
            contexts.append(context)
        tasks = [
            asyncio.create_task(run_session(s, c, url, landscape, timeout_ms))
            for s, c in zip(sessions, contexts, strict=True)
        ]
        _, pending = await asyncio.wait(tasks, timeout=max(budget, 1.0))
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        # Everything this program started except the server: the Playwright
        # driver and the browsers with their renderer and GPU processes.
        server_tree = {server_pid, *_children(server_pid)}
        browser_cpu = sum(
            cpu_seconds(pid) for pid in _children(os.getpid()) if pid not in server_tree
        )
        for item in [*contexts, *launched]:
            with contextlib.suppress(TimeoutError, PlaywrightError):
                await asyncio.wait_for(item.close(), timeout=30)
    return outside, browser_cpu


# --------------------------------------------------------------------------- report


Result = tuple[str | None, tuple[str, ...], tuple[str, ...]]


def check_agreement(sessions: list[Session]) -> Result | None:
    """The caption, map legend and summary rows most finished sessions show; every
    finished session that shows something else gets a problem. The same job with
    the same seed must give the same numbers, however many run at once."""
    done = [s for s in sessions if s.finished]
    if not done:
        return None
    votes: dict[Result, int] = {}
    for s in done:
        result = (s.caption, s.legend, s.summary)
        votes[result] = votes.get(result, 0) + 1
    common = max(votes, key=votes.__getitem__)
    for s in done:
        if (s.caption, s.legend, s.summary) != common:
            s.problems.append(
                f"results differ from the other sessions: {s.caption!r}, "
                f"{s.legend}, {s.summary}"
            )
    return common


def summarise_step(sessions: list[Session], step: str) -> tuple[int, float, float, int]:
    """Sessions that reached ``step``'s main element, the median and the slowest
    time, and which session was slowest."""
    times = [(s.responses[step], s.index) for s in sessions if step in s.responses]
    if not times:
        return 0, float("nan"), float("nan"), -1
    slowest, who = max(times)
    return len(times), statistics.median(t for t, _ in times), slowest, who


nan = float("nan")


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else nan


def _max(values: list[float]) -> float:
    return max(values) if values else nan


def report(
    sessions: list[Session],
    sampler: MemorySampler,
    facts: dict[str, object],
    common: Result | None,
) -> list[list[object]]:
    """Print the tables and return the CSV rows."""
    rows: list[list[object]] = []
    n = len(sessions)
    print()
    print(
        f"Crowd: {n} sessions in {facts['browsers']} browser(s), "
        f"{facts['wall']:.1f} s wall, load average {facts['load_before']} before, "
        f"{facts['load_after']} after"
    )
    peak = sampler.peak_kib / 1024
    print(
        f"Server RSS: {facts['rss_idle']:.0f} MiB idle, peak {peak:.0f} MiB at "
        f"{sampler.peak_at:.1f} s (goal under {RSS_GOAL_MIB:.0f} MiB: "
        f"{'met' if peak < RSS_GOAL_MIB else 'MISSED'}), {sampler.last_kib / 1024:.0f}"
        f" MiB at the end; {sampler.samples} samples.\nCPU time: server "
        f"{facts['server_cpu']:.1f} s, browsers {facts['browser_cpu']:.1f} s "
        f"(Playwright and Chromium, software WebGL)."
    )
    print(
        f"Server at the end: {'alive' if facts['alive'] else 'DEAD'}, health "
        f"{'ok' if facts['healthy'] else 'NOT ok'}; log lines with Traceback: "
        f"{facts['tracebacks']}. Hosts other than {HOST} the browsers tried (all "
        f"blocked): {', '.join(sorted(facts['outside'])) or 'none'}."
    )

    print()
    print(
        "Response: click on the link (or Run) to the page's main chart or table "
        "drawn.\nScript: click to the app's script finished (the server's part, "
        "seen from the browser).\nComplete: click to every chart drawn and the "
        "script finished. Times in seconds."
    )
    header = (
        f"{'step':<28} {'done':>6} {'resp med':>9} {'slowest':>8} {'(session)':>9}"
        f" {'scr med':>7} {'slowest':>8} {'comp med':>9} {'slowest':>8}"
    )
    print(header)
    print("-" * len(header))
    for step in STEPS:
        done, median, slowest, who = summarise_step(sessions, step)
        script = [s.scripts[step] for s in sessions if step in s.scripts]
        complete = [s.complete[step] for s in sessions if step in s.complete]
        print(
            f"{step:<28} {done:>3}/{n:<2} {median:>9.2f} {slowest:>8.2f} {who:>9} "
            f"{_median(script):>7.2f} {_max(script):>8.2f} "
            f"{_median(complete):>9.2f} {_max(complete):>8.2f}"
        )
        rows.append(
            ["step", step, "all", f"{slowest:.3f}", f"{_max(script):.3f}"]
            + [f"{_max(complete):.3f}", "", done == n]
            + [
                f"{done}/{n} sessions; slowest of each; medians: response "
                f"{median:.3f}, script {_median(script):.3f}, complete "
                f"{_median(complete):.3f}; slowest response: session {who}"
            ]
        )

    print()
    header = f"{'session':>7} {'ok':>4} {'job s':>7} {'total s':>8}  result / problems"
    print(header)
    print("-" * len(header))
    for s in sessions:
        total = (s.ended_at or time.monotonic()) - s.started_at if s.started_at else 0
        job = s.responses.get(JOB, float("nan"))
        result = f"{s.caption}; counted {s.counted:,} on the map"
        notes = "; ".join(s.problems) if s.problems else result
        if not s.finished and not s.problems:
            notes = f"unfinished at {s.step}"
        mark = "yes" if s.ok else "NO"
        print(f"{s.index:>7} {mark:>4} {job:>7.2f} {total:>8.1f}  {notes}")
        rows.append(
            ["session", "whole session", s.index, "", "", f"{total:.3f}", "", s.ok]
            + [notes]
        )
        for step in STEPS:
            if step in s.responses:
                rows.append(
                    ["response", step, s.index, f"{s.responses[step]:.3f}"]
                    + [f"{s.scripts.get(step, nan):.3f}"]
                    + [f"{s.complete.get(step, nan):.3f}", "", "", ""]
                )

    done = [s for s in sessions if s.finished]
    matched = bool(done) and all(
        (s.caption, s.legend, s.summary) == common for s in done
    )
    legend = common[1] if common else ()
    print()
    if common is not None:
        print(
            f"Result of the job in {len(done)} finished sessions, identical in all: "
            f"{matched}"
        )
        print(f"  caption: {common[0]}")
        for name in common[1]:
            print(f"  map: {name}")
        for row in common[2]:
            print(f"  summary: {row}")
    rows.append(
        ["memory", "server RSS peak", "all", "", "", "", f"{peak:.1f}"]
        + [peak < RSS_GOAL_MIB]
        + [f"idle {facts['rss_idle']:.1f} MiB; end {sampler.last_kib / 1024:.1f} MiB"]
    )
    rows.append(
        ["server", "alive and healthy at the end", "all", "", "", "", ""]
        + [facts["ok"]]
        + [
            f"CPU {facts['server_cpu']:.1f} s (browsers {facts['browser_cpu']:.1f} "
            f"s); tracebacks {facts['tracebacks']}"
        ]
    )
    rows.append(
        ["legend", "map legend", "all", "", "", "", "", matched, "; ".join(legend)]
    )
    rows.append(
        ["summary", "summary rows", "all", "", "", "", "", matched]
        + ["; ".join(common[2] if common else ())]
    )
    return rows


def write_csv(rows: list[list[object]]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    with CSV_PATH.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["kind", "name", "session", "response_s", "script_s", "complete_s"]
            + ["mib", "ok", "detail"]
        )
        writer.writerows(rows)


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Many browser sessions at once on one Downhill server."
    )
    parser.add_argument("--sessions", type=int, default=10, help="default 10")
    parser.add_argument(
        "--browsers",
        type=int,
        default=1,
        help="Chromium processes to spread the sessions over (default 1)",
    )
    parser.add_argument(
        "--landscape",
        default=JOB_LANDSCAPE,
        choices=sorted(LANDSCAPES),
        help=f"landscape of the statistics job (default {JOB_LANDSCAPE})",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=180.0,
        help="seconds any single wait may take (default 180)",
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=600.0,
        help="stop everything after this many seconds (default 600)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= 50:
        parser.error("--sessions must be between 1 and 50")
    if args.browsers < 1:
        parser.error("--browsers must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.monotonic()
    if async_playwright is None:
        print("playwright is not installed: pip install playwright", file=sys.stderr)
        return 2
    if not CHROMIUM.exists():
        print(f"Chromium not found at {CHROMIUM}", file=sys.stderr)
        return 2

    port = free_port()
    url = f"http://{HOST}:{port}"
    log_path = Path(tempfile.mkdtemp(prefix="downhill-crowd-")) / "server.log"
    server = start_server(port, log_path)

    # A last resort in case something hangs past every timeout: stop the server
    # this run started and leave; the browsers die with the Playwright driver.
    def hard_stop() -> None:
        print(f"\ncrowd: still running after {args.max_seconds + 90:.0f} s; giving up")
        server.kill()
        os._exit(3)

    watchdog = threading.Timer(args.max_seconds + 90, hard_stop)
    watchdog.daemon = True
    watchdog.start()

    sampler = MemorySampler(server.pid)
    sessions = [Session(i) for i in range(args.sessions)]
    try:
        try:
            wait_until_healthy(server, url, log_path)
        except RuntimeError as error:
            print(f"crowd: {error}", file=sys.stderr)
            return 1
        sampler.start()
        time.sleep(1.0)
        rss_idle = sampler.last_kib / 1024
        cpu_before = cpu_seconds(server.pid)
        load_before = " ".join(f"{v:.2f}" for v in os.getloadavg())
        print(
            f"crowd: server on {url} (pid {server.pid}, {rss_idle:.0f} MiB); "
            f"{args.sessions} sessions, timeout {args.timeout:.0f} s per wait, "
            f"{args.max_seconds:.0f} s in all; load average {load_before}",
            flush=True,
        )
        started = time.monotonic()
        budget = args.max_seconds - (started - began) - 30
        try:
            outside, browser_cpu = asyncio.run(
                crowd(
                    url,
                    sessions,
                    args.browsers,
                    args.landscape,
                    args.timeout * 1000,
                    budget,
                    server.pid,
                )
            )
        except PlaywrightError as error:
            print(f"crowd: the browser failed: {error}", file=sys.stderr)
            return 1
        wall = time.monotonic() - started
        alive = server.poll() is None
        is_healthy = alive and healthy(url)
        server_cpu = cpu_seconds(server.pid) - cpu_before
    finally:
        sampler.stop()
        stop_server(server)
        watchdog.cancel()

    log_text = log_path.read_text(errors="replace")
    common = check_agreement(sessions)
    facts = {
        "browsers": min(args.browsers, args.sessions),
        "wall": wall,
        "load_before": load_before,
        "load_after": " ".join(f"{v:.2f}" for v in os.getloadavg()),
        "rss_idle": rss_idle,
        "server_cpu": server_cpu,
        "browser_cpu": browser_cpu,
        "alive": alive,
        "healthy": is_healthy,
        "ok": alive and is_healthy,
        "tracebacks": log_text.count("Traceback"),
        "outside": outside,
    }
    rows = report(sessions, sampler, facts, common)
    write_csv(rows)
    print(f"\nwritten to {CSV_PATH.relative_to(ROOT)}; server log {log_path}")
    failed = [s.index for s in sessions if not s.ok]
    if failed or not facts["ok"]:
        print(f"FAILED: sessions {failed or 'none'}; server ok: {facts['ok']}")
        return 1
    print(f"OK: all {len(sessions)} sessions finished with the same results.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
