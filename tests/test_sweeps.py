"""Learning-rate sweeps: the grid of rates, the shares per outcome, the measured
edge of divergence against the theory for quadratic costs, and the cap on work."""

import numpy as np
import pytest

from core.experiments import OUTCOMES, run_many
from core.landscapes import from_formula
from core.sweeps import (
    MAX_SWEEP_WORK,
    MIN_SWEEP_RUNS,
    SHARE_COLUMNS,
    Edge,
    check_work,
    divergence_edge,
    edge_from_shares,
    largest_curvature,
    learning_rate_sweep,
    log_rates,
    momentum_sweep,
    outcome_codes,
    rate_limit,
    runs_within_cap,
    stability_limit,
)

SIX_PER_DECADE = log_rates(1e-3, 10.0, 6)
STEP = 10 ** (1 / 6)


# -- the grid of rates -----------------------------------------------------------------


def test_log_rates_hit_round_values_exactly():
    rates = log_rates(1e-4, 10.0, 6)
    assert len(rates) == 31
    assert rates[0] == 1e-4
    assert 0.1 in rates
    assert 1.0 in rates
    assert rates[-1] == 10.0
    np.testing.assert_allclose(rates[1:] / rates[:-1], STEP, rtol=1e-12)


def test_log_rates_start_at_the_first_grid_value_inside_the_range():
    # 10^(k/2) for k = -3 .. 0: 0.0316, 0.1, 0.316, 1.
    np.testing.assert_allclose(log_rates(0.02, 1.5, 2), [10**-1.5, 0.1, 10**-0.5, 1])


@pytest.mark.parametrize(
    ("low", "high", "per_decade", "message"),
    [
        (1.0, 0.1, 6, "above"),
        (0.0, 1.0, 6, "learning_rate"),
        (0.11, 0.12, 2, "widen"),
        (1e-5, 10.0, 24, "at most"),
        (1e-3, 1.0, 0, "per_decade"),
        (1e-3, 1.0, 2.5, "whole number"),
    ],
)
def test_bad_rate_ranges_are_refused(low, high, per_decade, message):
    with pytest.raises(ValueError, match=message):
        log_rates(low, high, per_decade)


# -- theory for quadratics -------------------------------------------------------------


@pytest.mark.parametrize(
    ("landscape", "curvature"),
    [
        ("bowl", 2.0),  # Hessian 2 I
        ("elongated_bowl", 20.0),  # diag(2, 20)
        # (x + 2y - 7)^2 + (2x + y - 5)^2: Hessian [[10, 8], [8, 10]], eigenvalues
        # 2 and 18.
        ("booth", 18.0),
        ("himmelblau", None),
        ("two_valleys", None),
        ("rosenbrock", None),
    ],
)
def test_largest_curvature_of_quadratics_only(landscape, curvature):
    found = largest_curvature(landscape)
    if curvature is None:
        assert found is None
    else:
        assert found == pytest.approx(curvature, rel=1e-8)


def test_a_typed_quadratic_and_a_one_knob_parabola_have_their_curvature():
    assert largest_curvature(from_formula("x^2 + 3y^2")) == pytest.approx(6.0)
    assert largest_curvature(from_formula("x^2", ((-2, 2), (-1, 1)))) == (
        pytest.approx(2.0)
    )


def test_stability_limits_by_hand():
    # L = 20: gradient descent 2/20; momentum 0.9: 2 * 1.9 / 20; Nesterov 0.5:
    # 2 * 1.5 / (2 * 20).
    assert stability_limit("elongated_bowl") == pytest.approx(0.1, rel=1e-8)
    assert stability_limit("bowl") == pytest.approx(1.0, rel=1e-8)
    assert rate_limit(20.0, "momentum", 0.9) == pytest.approx(0.19)
    assert rate_limit(20.0, "momentum") == pytest.approx(0.19)
    assert rate_limit(20.0, "nesterov", 0.5) == pytest.approx(0.075)
    assert rate_limit(20.0, "adam") is None
    assert stability_limit("himmelblau") is None


# -- the measured edge -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("landscape", "limit", "last_stable"),
    [("elongated_bowl", 0.1, 0.1), ("bowl", 1.0, 1.0), ("booth", 1 / 9, 0.1)],
)
def test_gradient_descent_diverges_one_sweep_step_above_two_over_l(
    landscape, limit, last_stable
):
    edge = divergence_edge(landscape, rates=SIX_PER_DECADE, n_runs=60, steps=200)
    assert stability_limit(landscape) == pytest.approx(limit, rel=1e-8)
    # Exactly at 2/L the walk bounces between mirror points and never diverges,
    # so the limit is the last stable rate and the first diverging is one step up.
    assert edge.brackets(limit)
    assert edge.last_stable == pytest.approx(last_stable)
    assert edge.first_diverging == pytest.approx(last_stable * STEP)


@pytest.mark.parametrize(
    ("optimizer", "momentum", "limit"),
    [("momentum", 0.9, 0.19), ("nesterov", 0.5, 0.075)],
)
def test_momentum_edges_match_their_theory(optimizer, momentum, limit):
    edge = divergence_edge(
        "elongated_bowl",
        optimizer,
        rates=SIX_PER_DECADE,
        n_runs=60,
        steps=200,
        hyperparameters={"momentum": momentum},
    )
    assert rate_limit(20.0, optimizer, momentum) == pytest.approx(limit)
    assert edge.brackets(limit)
    assert edge.first_diverging / edge.last_stable == pytest.approx(STEP)


def test_edge_from_shares_by_hand():
    rates = [0.01, 0.1, 1.0, 10.0]
    assert edge_from_shares(rates, [0, 0.2, 0.7, 1]) == Edge(1.0, 0.1, 0.5)
    assert edge_from_shares(rates, [0, 0.2, 0.7, 1], share=0.1) == Edge(0.1, 0.01, 0.1)
    assert edge_from_shares(rates, [0, 0, 0, 0]) == Edge(None, 10.0, 0.5)
    first = edge_from_shares(rates, [1, 1, 1, 1])
    assert first == Edge(0.01, None, 0.5)
    assert not first.brackets(0.005)
    with pytest.raises(ValueError, match="share"):
        edge_from_shares(rates, [0, 0, 0, 0], share=0)


# -- the sweep table -------------------------------------------------------------------


def test_bowl_sweep_shows_slow_arriving_and_diverging_bands():
    # On the bowl one step multiplies the distance to 0 by |1 - 2 lr|.
    # lr = 0.001: 0.998^100 = 0.82, still far away. lr = 0.5: one step lands on 0.
    # lr = 2: each step triples the distance, out of the map in a few steps.
    table = learning_rate_sweep("bowl", ["gd"], [0.001, 0.5, 2.0], 50, 1, 100)
    shares = table[list(SHARE_COLUMNS)].to_numpy()
    np.testing.assert_array_equal(shares, [[0, 0, 0, 1], [1, 0, 0, 0], [0, 0, 1, 0]])
    assert table["runs"].tolist() == [50, 50, 50]
    assert table["optimizer"].tolist() == ["gd"] * 3


def test_sweep_outcomes_agree_with_run_many():
    rates = [0.01, 0.1, 0.4]
    table = learning_rate_sweep(
        "two_valleys", ["gd", "adam"], rates, 200, 3, 150
    ).set_index(["optimizer", "learning_rate"])
    runs = run_many("two_valleys", ["gd", "adam"], rates, 200, 3, 150)
    for (name, rate), part in runs.groupby(
        ["optimizer", "learning_rate"], observed=True
    ):
        expected = part["outcome"].value_counts(normalize=True)
        for column, outcome in zip(SHARE_COLUMNS, OUTCOMES, strict=True):
            assert table.loc[(name, rate), column] == pytest.approx(
                expected.get(outcome, 0.0)
            ), (name, rate, outcome)
    assert table[list(SHARE_COLUMNS)].sum(axis=1).to_numpy() == pytest.approx(1.0)


def test_outcome_codes_by_hand():
    from core.landscapes import TWO_VALLEYS

    deep, shallow = TWO_VALLEYS.minima
    ends = np.array([[deep.x, 0.0], [shallow.x, 0.0], [0.0, 0.0], [deep.x, 0.0]])
    status = np.array(["converged", "max_steps", "converged", "diverged"])
    np.testing.assert_array_equal(
        outcome_codes(TWO_VALLEYS, ends, status), [0, 1, 3, 2]
    )


def test_momentum_zero_is_gradient_descent():
    # With momentum 0 the velocity is the gradient itself: the same steps as
    # plain descent, so the same shares.
    rates = [0.01, 0.1, 0.3]
    heat = momentum_sweep("two_valleys", "momentum", rates, [0.0, 0.9], 100, 2, 200)
    gd = learning_rate_sweep("two_valleys", ["gd"], rates, 100, 2, 200)
    at_zero = heat[heat["momentum"] == 0.0].reset_index(drop=True)
    for column in SHARE_COLUMNS:
        np.testing.assert_array_equal(at_zero[column], gd[column])
    assert len(heat) == 6
    assert set(heat["momentum"]) == {0.0, 0.9}


def test_momentum_sweep_refuses_optimizers_without_momentum():
    with pytest.raises(ValueError, match="no momentum"):
        momentum_sweep("bowl", "adam", [0.1], [0.5], 50, 0, 10)
    with pytest.raises(ValueError, match="momentum"):
        momentum_sweep("bowl", "momentum", [0.1], [1.5], 50, 0, 10)


# -- the cap on work -------------------------------------------------------------------


def test_the_cap_on_work():
    check_work(1000, 60, 1000)  # 6e7: exactly at the cap
    with pytest.raises(ValueError, match="at most 60,000,000"):
        check_work(1000, 61, 1000)
    with pytest.raises(ValueError, match="steps of work"):
        learning_rate_sweep("bowl", ["gd"], log_rates(1e-4, 10, 12), 20_000, 0, 100)
    # 93 settings x 1000 steps: 60e6 / 93e3 = 645 runs fit.
    assert runs_within_cap(1000, 93, 1000) == 645
    assert runs_within_cap(300, 93, 1000) == 300
    with pytest.raises(ValueError, match="too much work"):
        runs_within_cap(100, 100, MAX_SWEEP_WORK // (100 * MIN_SWEEP_RUNS) + 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"optimizers": []}, "at least one optimizer"),
        ({"optimizers": ["sgd"]}, "unknown optimizer"),
        ({"rates": [0.1, 0.01]}, "increasing"),
        ({"rates": [0.1, -1.0]}, "learning_rate"),
        ({"n_runs": 5}, "runs"),
        ({"steps": 0}, "steps"),
    ],
)
def test_bad_sweeps_are_refused(kwargs, message):
    settings = {
        "optimizers": ["gd"],
        "rates": [0.01, 0.1],
        "n_runs": 50,
        "seed": 0,
        "steps": 10,
    }
    settings.update(kwargs)
    with pytest.raises(ValueError, match=message):
        learning_rate_sweep("bowl", **settings)
