"""``run_many`` and its summaries: reproducible tables, shared starts, minimum labels.

The test terrain is a tilted double well, f = (x^2 - 1)^2 + 0.3 x + y^2, whose
minima sit where 4x^3 - 4x + 0.3 = 0 (and y = 0): the left one is global, the right
one local, and the ridge between them is the middle root.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core import experiments
from core.experiments import (
    MAX_RUNS,
    MAX_STEPS,
    OUTCOMES,
    match_minimum,
    minimum_counts,
    run_many,
    summarize,
)
from core.landscapes import Landscape, Minimum
from core.optimizers import descend

LEFT, RIDGE, RIGHT = np.sort(np.roots([4.0, 0.0, -4.0, 0.3]).real)


def _well_value(x, y):
    return (x**2 - 1) ** 2 + 0.3 * x + y**2


WELLS = Landscape(
    name="wells",
    title="Tilted double well",
    latex="",
    description="",
    domain=((-2.0, 2.0), (-1.0, 1.0)),
    value_fn=_well_value,
    gradient_fn=lambda x, y: (4 * x * (x**2 - 1) + 0.3, 2 * y),
    minima=[
        Minimum(LEFT, 0.0, _well_value(LEFT, 0.0), True),
        Minimum(RIGHT, 0.0, _well_value(RIGHT, 0.0), False),
    ],
)


def test_the_test_terrain_is_what_the_docstring_says():
    roots = np.array([LEFT, RIDGE, RIGHT])
    np.testing.assert_allclose(4 * roots**3 - 4 * roots + 0.3, 0.0, atol=1e-12)
    # f'' = 12 x^2 - 4: valleys at the outer roots, the ridge in the middle.
    assert list(12 * roots**2 - 4 > 0) == [True, False, True]
    np.testing.assert_allclose(roots, [-1.0356, 0.0754, 0.9601], atol=1e-4)
    assert _well_value(LEFT, 0) < _well_value(RIGHT, 0)


@pytest.fixture(scope="module")
def table():
    return run_many(WELLS, ["gd", "adam"], [0.01, 0.05], 300, seed=5, steps=1500)


def test_one_row_per_run_with_compact_columns(table):
    assert len(table) == 300 * 2 * 2
    for column in (
        "optimizer",
        "learning_rate",
        "run",
        "start_x",
        "start_y",
        "end_x",
        "end_y",
        "end_value",
        "steps",
        "status",
        "minimum",
        "reached_global",
        "outcome",
    ):
        assert column in table.columns
    for column in ("optimizer", "status", "minimum", "outcome", "reason"):
        assert isinstance(table[column].dtype, pd.CategoricalDtype), column
    assert table["reached_global"].dtype == bool
    assert list(table["optimizer"].cat.categories) == ["gd", "adam"]
    assert list(table["outcome"].cat.categories) == list(OUTCOMES)


def test_same_seed_same_table_and_another_seed_another(table):
    again = run_many(WELLS, ["gd", "adam"], [0.01, 0.05], 300, seed=5, steps=1500)
    pd.testing.assert_frame_equal(table, again)

    other = run_many(WELLS, ["gd"], [0.01], 300, seed=6, steps=10)
    assert not np.array_equal(other["start_x"], table["start_x"][:300])


def test_starts_are_uniform_draws_from_the_seed(table):
    rng = np.random.default_rng(5)
    xs = rng.uniform(-2.0, 2.0, 300)
    ys = rng.uniform(-1.0, 1.0, 300)
    first = table[(table["optimizer"] == "gd") & (table["learning_rate"] == 0.01)]
    np.testing.assert_array_equal(first["start_x"], xs)
    np.testing.assert_array_equal(first["start_y"], ys)
    np.testing.assert_array_equal(first["run"], np.arange(300))


def test_every_optimizer_and_rate_starts_from_the_same_points(table):
    groups = [
        g for _, g in table.groupby(["optimizer", "learning_rate"], observed=True)
    ]
    assert len(groups) == 4
    for group in groups[1:]:
        np.testing.assert_array_equal(group["start_x"], groups[0]["start_x"])
        np.testing.assert_array_equal(group["start_y"], groups[0]["start_y"])


def test_gradient_descent_ends_in_the_valley_it_started_in(table):
    gd = table[(table["optimizer"] == "gd") & (table["learning_rate"] == 0.05)]
    assert (gd["status"] == "converged").all()
    # Clear of the ridge, the downhill walk cannot cross it.
    clear = (gd["start_x"] - RIDGE).abs() > 0.05
    left = gd[clear & (gd["start_x"] < RIDGE)]
    right = gd[clear & (gd["start_x"] > RIDGE)]
    assert len(left) > 100 and len(right) > 80
    assert (left["minimum"] == WELLS.minima[0].label).all()
    assert (left["outcome"] == "global minimum").all() and left["reached_global"].all()
    assert (right["minimum"] == WELLS.minima[1].label).all()
    assert (right["outcome"] == "local minimum").all()
    assert not right["reached_global"].any()
    np.testing.assert_allclose(left["end_x"], LEFT, atol=1e-6)
    np.testing.assert_allclose(left["end_value"], _well_value(LEFT, 0.0), atol=1e-12)


def test_diverged_and_unfinished_runs_have_no_minimum():
    wild = run_many(WELLS, ["gd"], [5.0], 50, seed=1, steps=100)
    assert (wild["status"] == "diverged").all()
    assert (wild["minimum"] == "").all() and (wild["outcome"] == "diverged").all()
    assert (wild["reason"] != "").all()

    # One tiny step from the ridge top leaves runs nowhere near a minimum.
    starts = np.tile([[RIDGE, 0.5]], (4, 1))
    short = run_many(WELLS, ["gd"], [0.001], 4, seed=1, steps=1, starts=starts)
    assert (short["status"] == "max_steps").all()
    assert (short["outcome"] == "not at a known minimum").all()
    assert (short["minimum"] == "").all() and not short["reached_global"].any()


def test_match_tolerance_decides_what_counts_as_at_a_minimum():
    # 0.03 from the global minimum is inside the default tolerance, 1% of the larger
    # span 4 (0.04); with a tolerance of 0.02 it no longer counts.
    starts = [[LEFT + 0.03, 0.0]]
    at = run_many(WELLS, ["gd"], [1e-9], 1, seed=0, steps=1, starts=starts)
    assert at["minimum"].iloc[0] == WELLS.minima[0].label
    off = run_many(
        WELLS, ["gd"], [1e-9], 1, seed=0, steps=1, starts=starts, match_tolerance=0.02
    )
    assert off["minimum"].iloc[0] == ""


def test_match_minimum_names_the_minimum_under_one_point():
    assert match_minimum(WELLS, LEFT + 0.03, 0.0) is WELLS.minima[0]
    assert match_minimum(WELLS, RIGHT, -0.039) is WELLS.minima[1]
    assert match_minimum(WELLS, RIGHT, -0.041) is None
    assert match_minimum(WELLS, RIDGE, 0.0) is None
    assert match_minimum(WELLS, LEFT + 0.03, 0.0, match_tolerance=0.02) is None


def test_summary_shares_add_up(table):
    summary = summarize(table)
    assert len(summary) == 4
    assert (summary["runs"] == 300).all()
    shares = summary[["share_global", "share_local", "share_diverged", "share_other"]]
    assert ((shares >= 0) & (shares <= 1)).all().all()
    np.testing.assert_allclose(shares.sum(axis=1), 1.0, rtol=0, atol=1e-12)

    row = summary[(summary["optimizer"] == "gd") & (summary["learning_rate"] == 0.05)]
    runs = table[(table["optimizer"] == "gd") & (table["learning_rate"] == 0.05)]
    assert row["median_steps"].iloc[0] == np.median(runs["steps"])
    assert row["share_global"].iloc[0] == (runs["outcome"] == "global minimum").mean()
    np.testing.assert_allclose(row["mean_end_value"].iloc[0], runs["end_value"].mean())


def test_summary_mean_cost_skips_diverged_runs():
    wild = run_many(WELLS, ["gd"], [5.0, 0.05], 20, seed=1, steps=300)
    summary = summarize(wild)
    assert summary["share_diverged"].tolist() == [1.0, 0.0]
    assert np.isnan(summary["mean_end_value"].iloc[0])
    assert np.isfinite(summary["mean_end_value"].iloc[1])


def test_minimum_counts_add_up(table):
    counts = minimum_counts(table)
    assert set(counts.columns) >= {
        "optimizer",
        "learning_rate",
        "ending",
        "runs",
        "share",
    }
    per_group = counts.groupby(["optimizer", "learning_rate"], observed=True)
    np.testing.assert_array_equal(per_group["runs"].sum(), 300)
    np.testing.assert_allclose(per_group["share"].sum(), 1.0, rtol=0, atol=1e-12)

    runs = table[(table["optimizer"] == "adam") & (table["learning_rate"] == 0.01)]
    mine = counts[(counts["optimizer"] == "adam") & (counts["learning_rate"] == 0.01)]
    label = WELLS.minima[0].label
    expected = (runs["minimum"] == label).sum()
    assert mine.loc[mine["ending"] == label, "runs"].sum() == expected
    assert mine.loc[mine["ending"] == label, "is_global"].all()


def test_progress_reports_and_chunking_change_nothing(monkeypatch):
    plain = run_many(WELLS, ["momentum", "rmsprop"], [0.02], 120, seed=2, steps=200)

    monkeypatch.setattr(experiments, "_CHUNK_POINT_STEPS", 200 * 25)
    monkeypatch.setattr(experiments, "_REPORT_EVERY", 0.0)
    reports = []
    chunked = run_many(
        WELLS,
        ["momentum", "rmsprop"],
        [0.02],
        120,
        seed=2,
        steps=200,
        progress=lambda fraction, message: reports.append((fraction, message)),
    )
    pd.testing.assert_frame_equal(plain, chunked)
    fractions = [fraction for fraction, _ in reports]
    # 2 jobs of 5 chunks of 25 runs (the last one 20), then the closing report.
    assert len(reports) == 11
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert fractions[0] == pytest.approx(25 / 240)
    assert all(isinstance(message, str) and message for _, message in reports)


def test_hyperparameters_reach_their_optimizer():
    base = run_many(WELLS, ["momentum", "gd"], [0.01], 30, seed=3, steps=50)
    tuned = run_many(
        WELLS,
        ["momentum", "gd"],
        [0.01],
        30,
        seed=3,
        steps=50,
        hyperparameters={"momentum": {"momentum": 0.5}},
    )
    is_gd = base["optimizer"] == "gd"
    pd.testing.assert_frame_equal(base[is_gd], tuned[is_gd])
    assert not np.array_equal(base.loc[~is_gd, "end_x"], tuned.loc[~is_gd, "end_x"])


def test_a_big_table_stays_small():
    # 6 optimizers x 3 rates x 10,000 runs = 180,000 rows.
    runs = run_many(
        WELLS,
        ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"],
        [0.001, 0.01, 0.1],
        10_000,
        seed=0,
        steps=3,
    )
    assert len(runs) == 180_000
    assert runs.memory_usage(deep=True).sum() / len(runs) < 100


def test_built_in_landscapes_by_name():
    landscapes = pytest.importorskip("core.landscapes")
    if "bowl" not in getattr(landscapes, "LANDSCAPES", {}):
        pytest.skip("no built-in bowl yet")
    runs = run_many("bowl", ["gd"], [0.1], 20, seed=0, steps=500)
    assert (runs["outcome"] == "global minimum").all()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"n_runs": 0}, "n_runs must be between 1 and 20,000"),
        ({"n_runs": MAX_RUNS + 1}, "n_runs must be between 1 and 20,000"),
        ({"n_runs": 2.5}, "n_runs must be a whole number"),
        ({"steps": 0}, "steps must be between 1 and 5,000"),
        ({"steps": MAX_STEPS + 1}, "steps must be between 1 and 5,000"),
        ({"learning_rates": [0.1, -0.1]}, "learning_rate must be finite and > 0"),
        ({"learning_rates": [float("nan")]}, "learning_rate must be finite and > 0"),
        ({"learning_rates": []}, "at least one learning rate"),
        ({"learning_rates": [0.1, 0.1]}, "learning rates repeat"),
        ({"optimizers": ["gd", "sgd"]}, "unknown optimizer 'sgd'"),
        ({"optimizers": []}, "at least one optimizer"),
        ({"optimizers": ["gd", "gd"]}, "optimizers repeat"),
        ({"hyperparameters": {"adam": {"eps": 1e-8}}}, "hyperparameters given for"),
        ({"hyperparameters": {"gd": {"momentum": 0.9}}}, "allowed: none"),
        ({"starts": np.zeros((3, 2))}, r"starts must have shape \(10, 2\)"),
        ({"match_tolerance": 0.0}, "match_tolerance must be finite and > 0"),
    ],
)
def test_bad_settings_are_refused(changes, message):
    arguments = {
        "landscape": WELLS,
        "optimizers": ["gd"],
        "learning_rates": [0.1],
        "n_runs": 10,
        "seed": 0,
        "steps": 10,
    } | changes
    with pytest.raises(ValueError, match=message):
        run_many(**arguments)


def test_limits_are_the_documented_ones():
    assert (MAX_RUNS, MAX_STEPS) == (20_000, 5_000)


# -- schedules and noise -------------------------------------------------------------


def test_default_experiments_are_unchanged():
    # Pinned before schedules and noise were added: the same numbers, bit for bit.
    runs = run_many("two_valleys", ["gd", "adam"], [0.01, 0.05], 50, seed=4, steps=300)
    assert runs["end_x"].sum() == 0.5267057628135765
    assert runs["end_y"].sum() == -0.023052927730264045
    assert runs["steps"].sum() == 54831
    assert (runs["schedule"] == "constant").all() and (runs["noise"] == 0.0).all()
    assert list(runs["schedule"].cat.categories) == ["constant"]

    summary = summarize(runs)
    assert list(summary.columns) == [
        "optimizer",
        "learning_rate",
        "runs",
        "share_global",
        "share_local",
        "share_diverged",
        "share_other",
        "share_converged",
        "median_steps",
        "mean_end_value",
    ]
    assert summary["share_global"].tolist() == [0.24, 0.48, 0.36, 0.48]
    assert summary["median_steps"].tolist() == [300.0, 265.5, 300.0, 256.5]
    assert list(minimum_counts(runs).columns) == [
        "optimizer",
        "learning_rate",
        "ending",
        "is_global",
        "runs",
        "share",
    ]


def test_schedule_reaches_every_run():
    runs = run_many(
        WELLS,
        ["gd", "adam"],
        [0.01, 0.05],
        40,
        seed=2,
        steps=100,
        schedule="cosine",
        schedule_params={"eta_min": 0.001},
    )
    assert (runs["schedule"] == "cosine").all()
    starts = experiments.random_starts(WELLS, 40, 2)
    for (name, rate), group in runs.groupby(
        ["optimizer", "learning_rate"], observed=True
    ):
        alone = descend(
            WELLS,
            name,
            starts,
            rate,
            100,
            record_path=False,
            schedule="cosine",
            schedule_params={"eta_min": 0.001},
        )
        np.testing.assert_array_equal(group["end_x"], alone.final_positions[:, 0])
        np.testing.assert_array_equal(group["steps"], alone.stopped_at)


def test_noise_is_seeded_by_the_experiment_seed():
    runs = run_many(WELLS, ["gd", "momentum"], [0.02], 60, seed=7, steps=200, noise=0.5)
    assert (runs["noise"] == 0.5).all()
    pd.testing.assert_frame_equal(
        runs,
        run_many(WELLS, ["gd", "momentum"], [0.02], 60, seed=7, steps=200, noise=0.5),
    )
    starts = experiments.random_starts(WELLS, 60, 7)
    gd = descend(
        WELLS, "gd", starts, 0.02, 200, record_path=False, noise=0.5, noise_seed=7
    )
    np.testing.assert_array_equal(
        runs.loc[runs["optimizer"] == "gd", "end_x"], gd.final_positions[:, 0]
    )
    quiet = run_many(WELLS, ["gd"], [0.02], 60, seed=7, steps=200)
    assert not np.array_equal(quiet["end_x"], gd.final_positions[:, 0])
    other = run_many(WELLS, ["gd"], [0.02], 60, seed=8, steps=200, noise=0.5)
    assert not np.array_equal(other["end_x"], quiet["end_x"])


def test_chunking_changes_nothing_with_noise_and_a_schedule(monkeypatch):
    settings = {"noise": 1.0, "schedule": "step", "schedule_params": {"step_size": 50}}
    plain = run_many(WELLS, ["adam"], [0.02], 120, seed=2, steps=200, **settings)
    monkeypatch.setattr(experiments, "_CHUNK_POINT_STEPS", 200 * 25)
    chunked = run_many(
        WELLS,
        ["adam"],
        [0.02],
        120,
        seed=2,
        steps=200,
        progress=lambda fraction, message: None,
        **settings,
    )
    pd.testing.assert_frame_equal(plain, chunked)


def test_summaries_split_by_noise_and_schedule_only_when_they_vary():
    quiet = run_many(WELLS, ["gd"], [0.05], 100, seed=1, steps=300)
    loud = run_many(WELLS, ["gd"], [0.05], 100, seed=1, steps=300, noise=2.0)
    decayed = run_many(
        WELLS, ["gd"], [0.05], 100, seed=1, steps=300, schedule="exponential"
    )
    assert "noise" not in summarize(loud).columns

    mixed = pd.concat([quiet, loud], ignore_index=True)
    summary = summarize(mixed)
    assert list(summary.columns[:3]) == ["optimizer", "learning_rate", "noise"]
    assert summary["noise"].tolist() == [0.0, 2.0]
    assert (summary["runs"] == 100).all()
    assert summary["share_converged"].iloc[0] == (quiet["status"] == "converged").mean()
    assert summary["share_converged"].iloc[1] == (loud["status"] == "converged").mean()
    counts = minimum_counts(mixed)
    per_group = counts.groupby("noise")["share"].sum()
    np.testing.assert_allclose(per_group, 1.0, rtol=0, atol=1e-12)

    both = summarize(pd.concat([quiet, loud, decayed], ignore_index=True))
    assert list(both.columns[:4]) == ["optimizer", "learning_rate", "schedule", "noise"]
    assert len(both) == 3


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"schedule": "linear"}, "unknown schedule 'linear'"),
        ({"schedule": "step", "schedule_params": {"gamma": 2.0}}, "gamma must be"),
        (
            {"schedule": "cosine", "schedule_params": {"eta_min": 0.05}},
            "eta_min must be a number between 0 and the learning rate 0.01",
        ),
        ({"noise": -1.0}, "noise must be finite and >= 0"),
        ({"noise": 1.0, "seed": -1}, "seed must be a whole number >= 0 for noise"),
        ({"noise": 1.0, "seed": 1.5}, "seed must be a whole number >= 0 for noise"),
    ],
)
def test_bad_schedules_and_noise_are_refused(changes, message):
    arguments = {
        "landscape": WELLS,
        "optimizers": ["gd"],
        "learning_rates": [0.1, 0.01],
        "n_runs": 10,
        "seed": 0,
        "steps": 10,
    } | changes
    with pytest.raises(ValueError, match=message):
        run_many(**arguments)
