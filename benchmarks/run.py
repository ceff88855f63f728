"""Downhill's speed benchmark: many descents, the peer torch.optim, pages and charts.

Usage::

    python -m benchmarks [--quick] [--only SECTION]
    python benchmarks/run.py [--quick] [--only SECTION]

Sections (``--only`` takes one name):

``descent``  10,000 starts x 1,000 steps of every optimizer on Rastrigin and
             Rosenbrock, end points only, as ``run_many`` calls ``descend``; the
             same work with ``torch.optim`` (when torch is installed), the ratio and
             a check that both end at the same points.
``loop``     The same work one start at a time in a Python loop (extrapolated).
``basins``   A 200 x 200 basin map of Himmelblau, 500 steps of gradient descent.
``pages``    Each page in Streamlit's AppTest: first run on a cold cache, and a
             rerun after changing one input.
``charts``   Bytes of every chart a page sends at its default settings.
``memory``   Peak memory and progress-report gaps of a 180,000-run statistics job.
``browser``  Page load times measured by the browser tests, if they left a file.

Times are wall-clock medians, min and max of several repetitions after a warm-up,
plus the median CPU time of this process (all its threads): on a shared machine the
wall time swings with the neighbours' load, the CPU time much less. The table is
printed and written as CSV to ``benchmarks/results/latest.csv``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import gc
import math
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from core.basins import basin_map  # noqa: E402
from core.experiments import random_starts, run_many  # noqa: E402
from core.landscapes import (  # noqa: E402
    RASTRIGIN_A,
    ROSENBROCK_A,
    ROSENBROCK_B,
    get_landscape,
)
from core.optimizers import DEFAULT_TOLERANCE, OPTIMIZERS, THREADS, descend  # noqa: E402
from dashboard.presets import PRESETS  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "latest.csv"
BROWSER_TIMES = ROOT / "artifacts" / "browser_load_times.csv"
SECTIONS = ("descent", "loop", "basins", "pages", "charts", "memory", "browser")
MB = 1024 * 1024
LOOP_OPTIMIZERS = ("gd", "adam")


@dataclass(frozen=True)
class Sizes:
    """How big each workload is: the full benchmark or a quick smoke run."""

    runs: int = 10_000
    steps: int = 1_000
    reps: int = 5
    loop_sample: int = 20
    basin_resolution: int = 200
    basin_steps: int = 500
    statistics_runs: int = 1_000
    memory_runs: int = 10_000
    memory_steps: int = 300


FULL = Sizes()
QUICK = Sizes(
    runs=2_000,
    steps=200,
    reps=3,
    loop_sample=5,
    basin_resolution=60,
    basin_steps=200,
    statistics_runs=200,
    memory_runs=1_000,
    memory_steps=100,
)


@dataclass
class Row:
    """One line of the results table."""

    section: str
    case: str
    median: float
    min: float
    max: float
    unit: str
    reps: int
    cpu: float = math.nan
    target: str = ""
    met: str = ""
    note: str = ""


def timed(work: Callable[[], object], reps: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of ``reps`` calls of ``work`` after one warm-up call."""
    work()
    walls, cpus = [], []
    for _ in range(reps):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus


def time_row(section, case, walls, cpus=None, *, scale=1.0, **extra) -> Row:
    """A row of seconds from repeated timings (``scale`` extrapolates a sample)."""
    walls = [w * scale for w in walls]
    cpu = statistics.median(cpus) * scale if cpus else math.nan
    return Row(
        section,
        case,
        statistics.median(walls),
        min(walls),
        max(walls),
        "s",
        len(walls),
        cpu,
        **extra,
    )


def check(value: float, limit: float, text: str) -> dict[str, str]:
    """Target columns for "value at most limit"."""
    return {"target": text, "met": "yes" if value <= limit else "NO"}


def rate_for(landscape: str) -> float:
    """The learning rate of the landscape's preset in ``dashboard/presets.py``."""
    return PRESETS[landscape].learning_rate


# -- 1 and 2: many descents, ours and torch.optim's ----------------------------------


def torch_gradient(torch, landscape: str):
    """The landscape's analytic gradient in torch, with the same float operations
    in the same order as ``core.landscapes``."""
    if landscape == "rastrigin":

        def gradient(x, y):
            dx = 2 * x + 2 * math.pi * RASTRIGIN_A * torch.sin(2 * math.pi * x)
            dy = 2 * y + 2 * math.pi * RASTRIGIN_A * torch.sin(2 * math.pi * y)
            return dx, dy

    elif landscape == "rosenbrock":

        def gradient(x, y):
            bend = y - x**2
            dx = -2 * (ROSENBROCK_A - x) - 4 * ROSENBROCK_B * x * bend
            dy = 2 * ROSENBROCK_B * bend
            return dx, dy

    else:  # pragma: no cover
        raise ValueError(landscape)
    return gradient


def torch_optimizer(torch, name: str, params, learning_rate: float):
    """The torch.optim counterpart of one of ours, with our default settings."""
    hyper = dict(OPTIMIZERS[name].defaults)
    optim = torch.optim
    if name == "gd":
        return optim.SGD([params], lr=learning_rate)
    if name == "momentum":
        return optim.SGD([params], lr=learning_rate, momentum=hyper["momentum"])
    if name == "nesterov":
        return optim.SGD(
            [params], lr=learning_rate, momentum=hyper["momentum"], nesterov=True
        )
    if name == "adagrad":
        return optim.Adagrad([params], lr=learning_rate, eps=hyper["eps"])
    if name == "rmsprop":
        return optim.RMSprop(
            [params], lr=learning_rate, alpha=hyper["alpha"], eps=hyper["eps"]
        )
    if name == "adam":
        return optim.Adam(
            [params], lr=learning_rate, betas=hyper["betas"], eps=hyper["eps"]
        )
    raise ValueError(name)  # pragma: no cover


def torch_descend(torch, landscape, name, starts, learning_rate, steps) -> np.ndarray:
    """``steps`` torch.optim steps from every start; the final points (n, 2)."""
    gradient = torch_gradient(torch, landscape)
    params = torch.nn.Parameter(torch.tensor(starts, dtype=torch.float64))
    optimizer = torch_optimizer(torch, name, params, learning_rate)
    with torch.no_grad():
        for _ in range(steps):
            dx, dy = gradient(params[:, 0], params[:, 1])
            params.grad = torch.stack((dx, dy), dim=1)
            optimizer.step()
    return params.detach().numpy().copy()


def import_torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def descent_rows(sizes: Sizes, ours_medians: dict) -> list[Row]:
    rows = []
    torch = import_torch()
    if torch is None:
        print(
            "torch is not installed: skipping the torch.optim rows "
            "(pip install -r requirements-bench.txt)"
        )
    for landscape in ("rastrigin", "rosenbrock"):
        land = get_landscape(landscape)
        rate = rate_for(landscape)
        starts = random_starts(land, sizes.runs, 0)
        work = f"{sizes.runs:,} x {sizes.steps:,}"
        for name in OPTIMIZERS:
            # The call run_many makes (without a progress callback; with one it
            # makes the same call on blocks of starts).
            def ours(name=name, land=land, starts=starts, rate=rate):
                return descend(
                    land,
                    name,
                    starts,
                    rate,
                    sizes.steps,
                    record_path=False,
                    tolerance=DEFAULT_TOLERANCE,
                )

            walls, cpus = timed(ours, sizes.reps)
            result = ours()
            stopped = np.mean(result.status != "max_steps")
            case = f"{landscape} {name} ours"
            row = time_row(
                "descent",
                case,
                walls,
                cpus,
                note=f"{work}, lr {rate:g} (preset), {stopped:.0%} stopped early, "
                f"{THREADS} threads",
            )
            ours_medians[(landscape, name)] = row.median
            if name == "adam" and landscape == "rastrigin":
                row.target, row.met = check(row.median, 0.3, "<= 0.3 s").values()
            rows.append(row)
            if torch is not None:
                rows += torch_rows(torch, landscape, name, starts, rate, sizes, row)

    # The statistics page's own path: run_many with a progress callback (blocks of
    # starts) and the run table built at the end.
    land = get_landscape("rastrigin")
    rate = rate_for("rastrigin")

    def page_job():
        run_many(
            land,
            "adam",
            rate,
            sizes.runs,
            0,
            sizes.steps,
            progress=lambda fraction, message: None,
        )

    walls, cpus = timed(page_job, sizes.reps)
    rows.append(
        time_row(
            "descent",
            "rastrigin adam via run_many",
            walls,
            cpus,
            note="with progress callback and the run table",
        )
    )
    return rows


def torch_rows(torch, landscape, name, starts, rate, sizes, ours: Row) -> list[Row]:
    """torch.optim on the same work at its faster thread count, and the ratio."""
    best = None
    for threads in (1, 2):
        torch.set_num_threads(threads)
        walls, cpus = timed(
            lambda: torch_descend(torch, landscape, name, starts, rate, sizes.steps),
            sizes.reps,
        )
        if best is None or statistics.median(walls) < statistics.median(best[1]):
            best = (threads, walls, cpus)
    threads, walls, cpus = best
    torch.set_num_threads(threads)
    theirs = torch_descend(torch, landscape, name, starts, rate, sizes.steps)

    # Ours stops a run once it converged or diverged; torch keeps stepping it. So
    # the end points are compared on a run with tolerance 0, where nothing
    # converges, and only over the runs that took every step (diverged runs stop
    # in ours and turn to inf or nan in torch).
    same = descend(
        get_landscape(landscape),
        name,
        starts,
        rate,
        sizes.steps,
        record_path=False,
        tolerance=0.0,
    )
    full = same.status == "max_steps"
    gap = (
        float(np.max(np.abs(same.final_positions[full] - theirs[full])))
        if full.any()
        else math.nan
    )
    row = time_row(
        "descent",
        f"{landscape} {name} torch.optim",
        walls,
        cpus,
        note=f"torch {torch.__version__}, {threads} thread(s) (faster of 1 and 2); "
        f"same end points: max abs diff {gap:.1e} over {full.sum():,} runs",
        target="ends equal to 1e-9",
        met="yes" if gap <= 1e-9 else "NO",
    )
    ratio = ours.median / row.median
    goal = 0.25 if (landscape, name) == ("rastrigin", "adam") else 1.0
    ratio_row = Row(
        "descent",
        f"{landscape} {name} ours / torch",
        ratio,
        ours.min / row.max,
        ours.max / row.min,
        "x",
        sizes.reps,
        target=f"<= {goal:g}",
        met="yes" if ratio <= goal else "NO",
        note="median / median (min/max: extremes)",
    )
    return [row, ratio_row]


# -- 3: one start at a time ----------------------------------------------------------


def loop_rows(sizes: Sizes, ours_medians: dict) -> list[Row]:
    rows = []
    for landscape in ("rastrigin", "rosenbrock"):
        land = get_landscape(landscape)
        rate = rate_for(landscape)
        sample = random_starts(land, sizes.runs, 0)[: sizes.loop_sample]

        # Two optimizers keep this section to about a minute.
        for name in LOOP_OPTIMIZERS:

            def one_at_a_time(name=name, land=land, sample=sample, rate=rate):
                for start in sample:
                    descend(land, name, start[np.newaxis], rate, sizes.steps, False)

            walls, cpus = timed(one_at_a_time, sizes.reps)
            row = time_row(
                "loop",
                f"{landscape} {name} one start at a time",
                walls,
                cpus,
                scale=sizes.runs / sizes.loop_sample,
                note=f"extrapolated from {sizes.loop_sample} starts to {sizes.runs:,}",
            )
            if (landscape, name) in ours_medians:
                row.note += (
                    f"; vectorised is {row.median / ours_medians[landscape, name]:.0f}"
                    "x faster"
                )
            rows.append(row)
    return rows


# -- 4: a basin map ------------------------------------------------------------------


def basin_rows(sizes: Sizes) -> list[Row]:
    n = sizes.basin_resolution

    def work():
        return basin_map("himmelblau", "gd", 0.01, n, sizes.basin_steps)

    walls, cpus = timed(work, sizes.reps)
    basins = work()
    counts = np.bincount(basins.labels.ravel(), minlength=len(basins.names))
    row = time_row(
        "basins",
        f"himmelblau gd basin map {n} x {n}",
        walls,
        cpus,
        note=f"{sizes.basin_steps} steps, lr 0.01; runs per basin "
        + ", ".join(str(c) for c in counts),
    )
    row.target, row.met = check(row.median, 1.0, "<= 1 s").values()
    return [row]


# -- 5: pages in AppTest -------------------------------------------------------------

# page script -> (what the rerun changes, how to change it)
PAGE_CHANGES = {
    "home.py": ("plain rerun (no inputs)", lambda app, i: app),
    "surface.py": (
        "point x",
        lambda app, i: app.number_input(key="surface_x").set_value(1.0 + 0.1 * i),
    ),
    "gradient.py": (
        "point x",
        lambda app, i: app.number_input(key="gradient_x").set_value(1.0 + 0.1 * i),
    ),
    "descent.py": (
        "start x",
        lambda app, i: app.number_input(key="descent_x").set_value(1.0 + 0.1 * i),
    ),
    "local_global.py": (
        "map shows: started/ended",
        lambda app, i: app.radio(key="local_global_show").set_value(
            ["started", "ended"][i % 2]
        ),
    ),
}


def page_rows(sizes: Sizes) -> list[Row]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    def fresh(script):
        return AppTest.from_file(str(ROOT / "pages" / script), default_timeout=300)

    def run(app):
        app.run()
        if app.exception:
            raise RuntimeError([e.value for e in app.exception])

    rows = []
    for script, (change, apply) in PAGE_CHANGES.items():
        firsts, reruns, jobs = [], [], []
        for i in range(sizes.reps + 1):  # the first round is the warm-up
            st.cache_data.clear()
            app = fresh(script)
            start = time.perf_counter()
            run(app)
            firsts.append(time.perf_counter() - start)
            if script == "local_global.py":
                app.number_input(key="local_global_n_runs").set_value(
                    sizes.statistics_runs
                )
                submit = next(b for b in app.button if b.label == "Run")
                start = time.perf_counter()
                submit.click()
                run(app)
                jobs.append(time.perf_counter() - start)
            apply(app, i)
            start = time.perf_counter()
            run(app)
            reruns.append(time.perf_counter() - start)
        name = script.removesuffix(".py")
        first = time_row("pages", f"{name} first run (cold cache)", firsts[1:])
        first.target, first.met = check(first.median, 1.5, "<= 1.5 s").values()
        first.note = (
            "shows the form only" if script == "local_global.py" else "defaults"
        )
        rerun = time_row("pages", f"{name} rerun ({change})", reruns[1:])
        rerun.target, rerun.met = check(rerun.median, 0.15, "<= 0.15 s").values()
        rows += [first, rerun]
        if jobs:
            rows.append(
                time_row(
                    "pages",
                    f"statistics job {sizes.statistics_runs:,} runs",
                    jobs[1:],
                    note="local_global Run with defaults (Bowl, GD and Adam, "
                    "300 steps)",
                )
            )
    return rows


# -- 6: chart sizes ------------------------------------------------------------------


def chart_rows(sizes: Sizes) -> list[Row]:
    import pandas as pd

    from core.calculus import directional_derivatives
    from core.grids import cost_grid, wants_log_colour
    from dashboard.charts import (
        OPTIMIZER_COLOURS,
        Path,
        clip_to_domain,
        contour_figure,
        cost_chart,
        end_cost_chart,
        end_points_figure,
        minimum_share_chart,
        readable_costs,
        slope_by_direction_chart,
        surface_figure,
    )
    from dashboard.presets import preset_for

    charts = {}
    titles = {name: opt.title for name, opt in OPTIMIZERS.items()}

    # Surface page: the default landscape (Bowl) at the default resolution 100, and
    # the largest it offers (Rastrigin at 200) for scale.
    for name, resolution in (("bowl", 100), ("rastrigin", 200)):
        land = get_landscape(name)
        preset = preset_for(land)
        grid = cost_grid(land, resolution)
        gradient = tuple(float(g) for g in land.gradient(preset.x, preset.y))
        marks = {
            "point": (preset.x, preset.y),
            "gradient": gradient,
            "log_colour": wants_log_colour(grid.values),
        }
        label = f"surface: {name} {resolution}"
        charts[f"{label} 3-D"] = surface_figure(grid, land, **marks).to_json()
        charts[f"{label} contours"] = contour_figure(grid, land, **marks).to_json()

    # Descent page: Bowl, GD, momentum and Adam from the preset, grid 80.
    land = get_landscape("bowl")
    preset = preset_for(land)
    grid = cost_grid(land, 80)
    paths, frames = [], []
    for name in ("gd", "momentum", "adam"):
        walk = descend(land, name, [(preset.x, preset.y)], 0.1, preset.steps)
        last = int(walk.stopped_at[0])
        positions, values = walk.positions[: last + 1, 0], walk.values[: last + 1, 0]
        paths.append(Path(titles[name], OPTIMIZER_COLOURS[name], positions, values))
        frames.append(
            pd.DataFrame(
                {"optimizer": titles[name], "step": np.arange(last + 1), "cost": values}
            )
        )
    charts["descent: contours"] = contour_figure(grid, land, paths=paths).to_json()
    clipped = [clip_to_domain(p, land.domain) for p in paths]
    charts["descent: 3-D"] = surface_figure(grid, land, paths=clipped).to_json()
    costs = readable_costs(pd.concat(frames, ignore_index=True), grid.values)
    colours = {titles[n]: OPTIMIZER_COLOURS[n] for n in ("gd", "momentum", "adam")}
    charts["descent: cost (Altair)"] = cost_chart(
        costs, colours, current_step=preset.steps
    ).to_json()

    # Gradient page: slope in 361 directions at the preset point.
    angles = np.linspace(0.0, 2 * np.pi, 361)
    slopes = directional_derivatives(land, preset.x, preset.y, angles)
    gx, gy = land.gradient(preset.x, preset.y)
    angle = float(np.degrees(np.arctan2(gy, gx)))
    charts["gradient: slope by direction (Altair)"] = slope_by_direction_chart(
        np.degrees(angles), slopes, angle
    ).to_json()

    # Local vs global: the default job (Bowl, GD and Adam, lr 0.1, 300 steps).
    runs = run_many(land, ("gd", "adam"), 0.1, sizes.statistics_runs, 0, 300)
    subset = runs[runs["optimizer"] == "gd"]
    for show in ("ended", "started"):
        charts[f"local_global: map ({show})"] = end_points_figure(
            grid, land, subset, show=show
        ).to_json()
    charts["local_global: shares (Altair)"] = minimum_share_chart(
        runs, titles
    ).to_json()
    charts["local_global: end cost (Altair)"] = end_cost_chart(runs, titles).to_json()

    rows = []
    for case, text in charts.items():
        size = len(text.encode()) / MB
        row = Row("charts", case, size, size, size, "MB", 1)
        row.target, row.met = check(size, 1.5, "<= 1.5 MB").values()
        rows.append(row)
    return rows


# -- 7: memory and progress of a big statistics job ----------------------------------


def _proc_status(field: str) -> float | None:
    """A field of /proc/self/status in MB (Linux only)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def memory_rows(sizes: Sizes) -> list[Row]:
    rates = [0.001, 0.003, 0.01]
    names = list(OPTIMIZERS)
    total = sizes.memory_runs * len(names) * len(rates)

    def job(progress=None):
        return run_many(
            "rastrigin",
            names,
            rates,
            sizes.memory_runs,
            0,
            sizes.memory_steps,
            progress=progress,
        )

    # First pass: time, progress gaps and resident-set growth.
    calls = []
    gc.collect()
    # Reset the resident-set high-water mark, where the kernel allows it.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    rss_before = _proc_status("VmRSS")
    start = time.perf_counter()
    job(lambda fraction, message: calls.append(time.perf_counter()))
    wall = time.perf_counter() - start
    peak_rss = _proc_status("VmHWM")
    moments = [start, *calls]
    gap = max(b - a for a, b in zip(moments[:-1], moments[1:], strict=True))

    # Second pass under tracemalloc (numpy reports its buffers to it).
    gc.collect()
    tracemalloc.start()
    job(lambda fraction, message: None)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    label = (
        f"statistics job {sizes.memory_runs:,} x {len(names)} optimizers x "
        f"{len(rates)} rates"
    )
    work = f"{total:,} runs, Rastrigin, {sizes.memory_steps} steps"
    rows = [
        Row("memory", f"{label}: time", wall, wall, wall, "s", 1, note=work),
        Row(
            "memory",
            f"{label}: tracemalloc peak",
            peak / MB,
            peak / MB,
            peak / MB,
            "MB",
            1,
            **check(peak / MB, 500, "< 500 MB"),
        ),
        Row(
            "memory",
            f"{label}: longest progress gap",
            gap,
            gap,
            gap,
            "s",
            1,
            note=f"{len(calls)} progress calls",
            **check(gap, 0.5, "<= 0.5 s"),
        ),
    ]
    if rss_before is not None and peak_rss is not None:
        growth = peak_rss - rss_before
        rows.append(
            Row(
                "memory",
                f"{label}: resident-set growth",
                growth,
                growth,
                growth,
                "MB",
                1,
                note=f"peak RSS {peak_rss:.0f} MB, before {rss_before:.0f} MB",
                **check(growth, 500, "< 500 MB"),
            )
        )
    return rows


# -- output --------------------------------------------------------------------------


def show(value: float) -> str:
    if isinstance(value, float) and math.isnan(value):
        return ""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def table(rows: list[Row], markdown: bool = False) -> str:
    header = ["section", "case", "median", "min", "max", "unit", "reps", "cpu s"]
    header += ["target", "met", "note"]
    body = [
        [
            r.section,
            r.case,
            show(r.median),
            show(r.min),
            show(r.max),
            r.unit,
            str(r.reps),
            show(r.cpu),
            r.target,
            r.met,
            r.note,
        ]
        for r in rows
    ]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(cells) + " |" for cells in body]
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(10)]
    lines = []
    for cells in [header, *body]:
        lead = "  ".join(c.ljust(w) for c, w in zip(cells[:10], widths, strict=True))
        lines.append(f"{lead}  {cells[10]}")
    return "\n".join(lines)


def write_csv(rows: list[Row], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([f.name for f in fields(Row)])
        for row in rows:
            writer.writerow([getattr(row, f.name) for f in fields(Row)])


def machine_note() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",) * 3
    return (
        f"{os.cpu_count()} cores, shared, noisy (load average at start "
        f"{load[0]:.1f}); Python {platform.python_version()}, numpy {np.__version__}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--only", choices=SECTIONS, help="run one section")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    wanted = [args.only] if args.only else list(SECTIONS)

    print(f"Downhill benchmark, {datetime.datetime.now():%Y-%m-%d %H:%M}")
    print(machine_note())
    rows: list[Row] = []
    ours_medians: dict = {}
    for section in wanted:
        print(f"... {section}", flush=True)
        if section == "descent":
            rows += descent_rows(sizes, ours_medians)
        elif section == "loop":
            rows += loop_rows(sizes, ours_medians)
        elif section == "basins":
            rows += basin_rows(sizes)
        elif section == "pages":
            rows += page_rows(sizes)
        elif section == "charts":
            rows += chart_rows(sizes)
        elif section == "memory":
            rows += memory_rows(sizes)

    print()
    print(table(rows))
    write_csv(rows, RESULTS)
    print(f"\nWrote {RESULTS}")

    if "browser" in wanted:
        print("\nBrowser load times (from the browser tests):")
        if BROWSER_TIMES.exists():
            print(BROWSER_TIMES.read_text().rstrip())
        else:
            print(f"  none: {BROWSER_TIMES} does not exist")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
