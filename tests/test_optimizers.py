"""Optimizers and ``descend``: hand-worked steps, statuses, paths and vectorisation.

The first steps of each optimizer are checked against arithmetic written out here from
the update rule, on f(x, y) = x^2 + 10 y^2 (gradient (2x, 20y)) started at (1, 1),
where the first gradient is (2, 20).
"""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pytest

from core.landscapes import Landscape, Minimum
from core.optimizers import (
    DEFAULT_TOLERANCE,
    ESCAPE_SPANS,
    MAX_LEARNING_RATE,
    MIN_LEARNING_RATE,
    OPTIMIZERS,
    DescentResult,
    descend,
    step_once,
)


def _landscape(value, gradient, domain=((-2.0, 2.0), (-2.0, 2.0)), minima=()):
    return Landscape(
        name="test",
        title="Test",
        latex="",
        description="",
        domain=domain,
        value_fn=value,
        gradient_fn=gradient,
        minima=list(minima),
    )


STRETCHED = _landscape(
    lambda x, y: x**2 + 10 * y**2,
    lambda x, y: (2 * x, 20 * y),
    minima=[Minimum(0.0, 0.0, 0.0, True)],
)
BOWL = _landscape(
    lambda x, y: x**2 + y**2,
    lambda x, y: (2 * x, 2 * y),
    minima=[Minimum(0.0, 0.0, 0.0, True)],
)
SADDLE = _landscape(lambda x, y: x**2 - y**2, lambda x, y: (2 * x, -2 * y))
TAU = 2 * np.pi
RASTRIGIN = _landscape(
    lambda x, y: 20 + x**2 - 10 * np.cos(TAU * x) + y**2 - 10 * np.cos(TAU * y),
    lambda x, y: (
        2 * x + 20 * np.pi * np.sin(TAU * x),
        2 * y + 20 * np.pi * np.sin(TAU * y),
    ),
    domain=((-5.12, 5.12), (-5.12, 5.12)),
    minima=[Minimum(0.0, 0.0, 0.0, True)],
)


def _path(optimizer, learning_rate, steps=2, start=(1.0, 1.0), **hyper):
    result = descend(STRETCHED, optimizer, [start], learning_rate, steps, **hyper)
    return result.positions[:, 0, :]


# -- the registry ------------------------------------------------------------------


def test_registry_holds_the_six_optimizers_with_torch_defaults():
    assert list(OPTIMIZERS) == [
        "gd",
        "momentum",
        "nesterov",
        "adagrad",
        "rmsprop",
        "adam",
    ]
    assert dict(OPTIMIZERS["gd"].defaults) == {}
    assert dict(OPTIMIZERS["momentum"].defaults) == {"momentum": 0.9}
    assert dict(OPTIMIZERS["nesterov"].defaults) == {"momentum": 0.9}
    assert dict(OPTIMIZERS["adagrad"].defaults) == {"eps": 1e-10}
    assert dict(OPTIMIZERS["rmsprop"].defaults) == {"alpha": 0.99, "eps": 1e-8}
    assert dict(OPTIMIZERS["adam"].defaults) == {"betas": (0.9, 0.999), "eps": 1e-8}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_each_optimizer_carries_its_words_and_is_frozen(name):
    optimizer = OPTIMIZERS[name]
    assert optimizer.name == name
    assert optimizer.title and optimizer.description and optimizer.latex
    assert "\n" not in optimizer.description
    assert r"\theta_{t}" in optimizer.latex
    assert MIN_LEARNING_RATE < optimizer.learning_rate < MAX_LEARNING_RATE
    with pytest.raises(dataclasses.FrozenInstanceError):
        optimizer.title = "changed"
    with pytest.raises(TypeError):
        optimizer.defaults["eps"] = 1.0


# -- first steps, by hand ------------------------------------------------------------


def test_gradient_descent_steps_by_hand():
    path = _path("gd", 0.01)
    # p1 = (1, 1) - 0.01 * (2, 20); g1 = (2 * 0.98, 20 * 0.8) = (1.96, 16)
    np.testing.assert_allclose(path[1], [0.98, 0.8], rtol=0, atol=1e-15)
    np.testing.assert_allclose(
        path[2], [0.98 - 0.01 * 1.96, 0.8 - 0.01 * 16], rtol=0, atol=1e-15
    )
    np.testing.assert_allclose(path[2], [0.9604, 0.64], rtol=0, atol=1e-15)


def test_momentum_second_step_uses_the_running_velocity():
    path = _path("momentum", 0.01)
    # b1 = g0 = (2, 20): the first step is plain gradient descent.
    np.testing.assert_allclose(path[1], [0.98, 0.8], rtol=0, atol=1e-15)
    # b2 = 0.9 * b1 + g1 = 0.9 * (2, 20) + (1.96, 16) = (3.76, 34)
    np.testing.assert_allclose(
        path[2], [0.98 - 0.01 * 3.76, 0.8 - 0.01 * 34], rtol=0, atol=1e-15
    )


def test_momentum_hyperparameter_changes_the_velocity():
    path = _path("momentum", 0.01, momentum=0.5)
    # b2 = 0.5 * (2, 20) + (1.96, 16) = (2.96, 26)
    np.testing.assert_allclose(
        path[2], [0.98 - 0.01 * 2.96, 0.8 - 0.01 * 26], rtol=0, atol=1e-15
    )


def test_nesterov_steps_along_gradient_plus_velocity():
    path = _path("nesterov", 0.01)
    # b1 = (2, 20); step g0 + 0.9 b1 = (3.8, 38)
    np.testing.assert_allclose(path[1], [0.962, 0.62], rtol=0, atol=1e-15)
    # g1 = (1.924, 12.4); b2 = 0.9 (2, 20) + g1 = (3.724, 30.4)
    # step g1 + 0.9 b2 = (1.924 + 3.3516, 12.4 + 27.36) = (5.2756, 39.76)
    np.testing.assert_allclose(
        path[2], [0.962 - 0.01 * 5.2756, 0.62 - 0.01 * 39.76], rtol=0, atol=1e-15
    )


def test_adagrad_steps_by_hand():
    path = _path("adagrad", 0.1)
    # torch: first step = lr * g / (|g| + 1e-10), so each knob moves by 0.1.
    np.testing.assert_allclose(
        path[1], [1 - 0.1 * 2 / (2 + 1e-10), 1 - 0.1 * 20 / (20 + 1e-10)], atol=1e-15
    )
    np.testing.assert_allclose(path[1], [0.9, 0.9], rtol=0, atol=1e-10)
    # g1 = (2 x1, 20 y1) ~ (1.8, 18); sums of squares ~ (4 + 3.24, 400 + 324)
    x1, y1 = 1 - 0.1 * 2 / (2 + 1e-10), 1 - 0.1 * 20 / (20 + 1e-10)
    gx, gy = 2 * x1, 20 * y1
    expected = [
        x1 - 0.1 * gx / (math.sqrt(4 + gx**2) + 1e-10),
        y1 - 0.1 * gy / (math.sqrt(400 + gy**2) + 1e-10),
    ]
    np.testing.assert_allclose(path[2], expected, rtol=0, atol=1e-15)
    np.testing.assert_allclose(
        path[2], [0.9 - 0.1 * 1.8 / math.sqrt(7.24)] * 2, rtol=0, atol=1e-10
    )


def test_rmsprop_steps_by_hand():
    path = _path("rmsprop", 0.01)
    # v1 = 0.01 g^2, so the first step is lr * g / (sqrt(0.01) |g| + 1e-8) ~ 0.1.
    np.testing.assert_allclose(
        path[1],
        [1 - 0.01 * 2 / (0.1 * 2 + 1e-8), 1 - 0.01 * 20 / (0.1 * 20 + 1e-8)],
        rtol=0,
        atol=1e-14,
    )
    # g1 = (2 x1, 20 y1) ~ (1.8, 18); v2 = 0.99 v1 + 0.01 g1^2 ~ (0.072, 7.2)
    x1, y1 = 1 - 0.01 * 2 / (0.1 * 2 + 1e-8), 1 - 0.01 * 20 / (0.1 * 20 + 1e-8)
    gx, gy = 2 * x1, 20 * y1
    expected = [
        x1 - 0.01 * gx / (math.sqrt(0.99 * 0.01 * 4 + 0.01 * gx**2) + 1e-8),
        y1 - 0.01 * gy / (math.sqrt(0.99 * 0.01 * 400 + 0.01 * gy**2) + 1e-8),
    ]
    np.testing.assert_allclose(path[2], expected, rtol=0, atol=1e-15)
    np.testing.assert_allclose(
        path[2], [0.9 - 0.01 * 1.8 / math.sqrt(0.072)] * 2, rtol=0, atol=1e-7
    )


def test_adam_first_step_moves_each_knob_by_the_learning_rate():
    path = _path("adam", 0.1, steps=3)
    # m1 = 0.1 g, v1 = 0.001 g^2; after bias correction the step is lr * g / |g|.
    np.testing.assert_allclose(path[1], [0.9, 0.9], rtol=0, atol=1e-8)
    # Step 2 from the exact p1: g1 = (2 x1, 20 y1) ~ (1.8, 18),
    # m2 = 0.9 * 0.1 * g0 + 0.1 * g1 ~ (0.36, 3.6),
    # v2 = 0.999 * 0.001 * g0^2 + 0.001 * g1^2 ~ (0.007236, 0.7236).
    x1, y1 = 1 - 0.1 * 2 / (2 + 1e-8), 1 - 0.1 * 20 / (20 + 1e-8)
    step_size = 0.1 / (1 - 0.9**2)
    correction = math.sqrt(1 - 0.999**2)
    expected = []
    for p1, g0, g1 in [(x1, 2.0, 2 * x1), (y1, 20.0, 20 * y1)]:
        m2 = 0.9 * 0.1 * g0 + 0.1 * g1
        v2 = 0.999 * 0.001 * g0**2 + 0.001 * g1**2
        expected.append(p1 - step_size * m2 / (math.sqrt(v2) / correction + 1e-8))
    np.testing.assert_allclose(path[2], expected, rtol=0, atol=1e-14)
    step_size, correction = 0.1 / 0.19, math.sqrt(0.001999)
    np.testing.assert_allclose(
        path[2],
        [
            0.9 - step_size * 0.36 / (math.sqrt(0.007236) / correction),
            0.9 - step_size * 3.6 / (math.sqrt(0.7236) / correction),
        ],
        rtol=0,
        atol=1e-7,
    )


def test_adam_first_step_ignores_the_size_of_the_gradient():
    # Whatever the slope, Adam's first move is lr in each knob, against the slope.
    result = descend(STRETCHED, "adam", [[1.5, -0.01], [-0.2, 1e-3]], 0.05, 1)
    moved = result.positions[1] - result.positions[0]
    np.testing.assert_allclose(moved, [[-0.05, 0.05], [0.05, -0.05]], atol=1e-7)


def test_step_once_matches_descend_and_leaves_its_inputs_alone():
    params = np.array([1.0, 1.0])
    gradient = np.array([2.0, 20.0])
    new, state = step_once("adam", params, gradient, 0.1)
    np.testing.assert_allclose(new, _path("adam", 0.1, steps=1)[1], rtol=0, atol=0)
    np.testing.assert_array_equal(params, [1.0, 1.0])
    np.testing.assert_allclose(state[0], 0.1 * gradient)

    before = tuple(s.copy() for s in state)
    slope = np.array([2 * new[0], 20 * new[1]])
    second, _ = step_once("adam", new, slope, 0.1, state, step=2)
    np.testing.assert_allclose(second, _path("adam", 0.1)[2], rtol=0, atol=1e-15)
    for kept, original in zip(state, before, strict=True):
        np.testing.assert_array_equal(kept, original)


# -- statuses ------------------------------------------------------------------------


def test_bowl_with_small_rate_converges_at_the_predicted_step():
    # With lr 0.1 each step multiplies the point, and so the gradient 2p, by 0.8.
    # From (0.6, 0.8), |g_k| = 2 * 0.8^k: the first k with that below 1e-6.
    predicted = math.ceil(math.log(DEFAULT_TOLERANCE / 2) / math.log(0.8))
    assert predicted == 66
    assert 2 * 0.8 ** (predicted - 1) > 1.001e-6 and 2 * 0.8**predicted < 0.9e-6

    result = descend(BOWL, "gd", [[0.6, 0.8]], 0.1, 200)
    assert result.status[0] == "converged"
    assert result.stopped_at[0] == predicted
    np.testing.assert_allclose(
        result.final_positions[0], np.array([0.6, 0.8]) * 0.8**predicted, atol=1e-15
    )
    assert np.hypot(*result.final_gradients[0]) < DEFAULT_TOLERANCE
    assert result.reason[0] == ""


def test_bowl_with_rate_above_one_diverges_when_it_leaves_the_domain():
    # lr 1.1: p_{k+1} = p_k - 2.2 p_k = -1.2 p_k. The domain [-2, 2] spans 4, so a
    # run counts as gone beyond |y| = 2 + 10 * 4 = 42: 0.8 * 1.2^k > 42 first at k=22.
    assert ESCAPE_SPANS == 10
    assert 0.8 * 1.2**21 < 42 < 0.8 * 1.2**22

    result = descend(BOWL, "gd", [[0.6, 0.8]], 1.1, 100)
    assert result.status[0] == "diverged"
    assert result.reason[0] == "left the domain far behind"
    assert result.stopped_at[0] == 22
    # The offending point is dropped: the run ends at its last accepted point p_21.
    np.testing.assert_allclose(
        result.final_positions[0], np.array([0.6, 0.8]) * (-1.2) ** 21, rtol=1e-12
    )
    np.testing.assert_allclose(
        result.positions[21:, 0], np.broadcast_to(result.final_positions[0], (80, 2))
    )


def test_a_start_at_the_minimum_converges_at_step_zero():
    for steps in (0, 5):
        result = descend(BOWL, "adam", [[0.0, 0.0]], 0.1, steps)
        assert result.status[0] == "converged"
        assert result.stopped_at[0] == 0
        np.testing.assert_array_equal(result.final_positions[0], [0.0, 0.0])


def test_saddle_lets_a_small_rate_slide_off():
    # lr 0.1 on x^2 - y^2: x shrinks by 0.8, y grows by 1.2 per step, from y = 0.1
    # beyond 42 first at k = 34 (0.1 * 1.2^33 = 41.1, 0.1 * 1.2^34 = 49.4).
    assert 0.1 * 1.2**33 < 42 < 0.1 * 1.2**34
    result = descend(SADDLE, "gd", [[1.0, 0.1]], 0.1, 100)
    assert result.status[0] == "diverged"
    assert result.stopped_at[0] == 34
    np.testing.assert_allclose(
        result.final_positions[0], [0.8**33, 0.1 * 1.2**33], rtol=1e-12
    )


def test_too_few_steps_leave_the_run_still_moving():
    result = descend(BOWL, "gd", [[0.6, 0.8]], 0.1, 10)
    assert result.status[0] == "max_steps"
    assert result.stopped_at[0] == 10
    np.testing.assert_allclose(
        result.final_positions[0], np.array([0.6, 0.8]) * 0.8**10, rtol=1e-13
    )
    # The gradient is the one at the final position.
    np.testing.assert_allclose(
        result.final_gradients[0], 2 * result.final_positions[0], rtol=1e-15
    )
    np.testing.assert_allclose(result.final_values[0], 0.8**20, rtol=1e-13)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_overflow_is_divergence_without_warnings(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = descend(BOWL, name, [[1.0, 1.0], [0.0, 0.0]], 1e308, 50)
    assert list(result.status) == ["diverged", "converged"]
    assert result.stopped_at[0] == 1
    assert result.reason[0] in ("position not finite", "left the domain far behind")
    # The non-finite point is kept out: the run ends where it started.
    np.testing.assert_array_equal(result.final_positions[0], [1.0, 1.0])
    assert np.isfinite(result.positions).all() and np.isfinite(result.values).all()


def test_a_step_to_infinity_is_a_non_finite_position():
    # 1e308 * 2 overflows to inf, so p1 = -inf.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = descend(BOWL, "gd", [[1.0, 1.0]], 1e308, 5)
    assert result.reason[0] == "position not finite"


def test_an_overflowing_gradient_diverges_at_that_step():
    steep = _landscape(
        lambda x, y: 1e300 * (x**2 + y**2), lambda x, y: (2e300 * x, 2e300 * y)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = descend(steep, "adam", [[1.0, 1.0]], 0.1, 5, record_path=False)
    assert result.status[0] == "diverged"
    assert result.stopped_at[0] == 0
    assert result.reason[0] == (
        "cost or gradient not finite (undefined there, or overflowing)"
    )
    np.testing.assert_array_equal(result.final_positions[0], [1.0, 1.0])


def test_a_non_finite_cost_at_the_end_counts_as_diverged():
    cliff = _landscape(
        lambda x, y: np.full(np.broadcast(x, y).shape, np.inf),
        lambda x, y: (2 * x, 2 * y),
    )
    result = descend(cliff, "gd", [[0.6, 0.8]], 0.1, 5, record_path=False)
    assert result.status[0] == "diverged"
    assert result.reason[0] == "cost not finite"


def test_a_constant_slope_from_the_gradient_function_is_broadcast():
    # A one-knob curve may return a plain 0 for its y-slope.
    curve = _landscape(lambda x, y: x**2 + 0 * y, lambda x, y: (2 * x, 0.0))
    result = descend(curve, "momentum", [[1.0, 0.5], [-1.0, -0.3]], 0.1, 500)
    assert list(result.status) == ["converged", "converged"]
    np.testing.assert_array_equal(result.final_positions[:, 1], [0.5, -0.3])


def test_tolerance_is_the_gradient_length_that_counts_as_flat():
    # At (0.3, 0.4) the gradient is (0.6, 0.8), length 1.
    loose = descend(BOWL, "gd", [[0.3, 0.4]], 0.1, 10, tolerance=1.0 + 1e-9)
    assert (loose.status[0], loose.stopped_at[0]) == ("converged", 0)
    tight = descend(BOWL, "gd", [[0.3, 0.4]], 0.1, 10, tolerance=1.0 - 1e-9)
    assert (tight.status[0], tight.stopped_at[0]) == ("converged", 1)


# -- paths ---------------------------------------------------------------------------


def test_recorded_path_shapes_and_repeats_after_stopping():
    starts = [[0.6, 0.8], [0.0, 0.0], [0.6, 0.8]]
    rates = 0.1
    result = descend(BOWL, "gd", starts, rates, 80)
    assert isinstance(result, DescentResult)
    assert result.positions.shape == (81, 3, 2)
    assert result.values.shape == (81, 3)
    assert result.final_positions.shape == (3, 2)
    assert result.final_values.shape == (3,)
    assert result.final_gradients.shape == (3, 2)
    assert result.stopped_at.dtype.kind == "i"
    np.testing.assert_array_equal(result.positions[0], starts)
    np.testing.assert_array_equal(result.stopped_at, [66, 0, 66])

    for run in range(3):
        after = result.positions[result.stopped_at[run] :, run]
        np.testing.assert_array_equal(
            after, np.broadcast_to(result.final_positions[run], after.shape)
        )
    # Before stopping, the path is the walk itself: p_k = 0.8^k p_0.
    np.testing.assert_allclose(
        result.positions[:67, 0], 0.8 ** np.arange(67)[:, None] * [0.6, 0.8], rtol=1e-13
    )
    np.testing.assert_allclose(
        result.values, BOWL.value(result.positions[..., 0], result.positions[..., 1])
    )


def test_without_a_recorded_path_the_ending_is_the_same():
    starts = np.random.default_rng(3).uniform(-5, 5, (200, 2))
    with_path = descend(RASTRIGIN, "adam", starts, 0.05, 300)
    without = descend(RASTRIGIN, "adam", starts, 0.05, 300, record_path=False)
    assert without.positions is None and without.values is None
    for field in ("final_positions", "final_values", "final_gradients", "stopped_at"):
        np.testing.assert_array_equal(
            getattr(with_path, field), getattr(without, field)
        )
    np.testing.assert_array_equal(with_path.status, without.status)
    np.testing.assert_array_equal(with_path.positions[-1], without.final_positions)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_compaction_changes_nothing(name):
    # Runs stop at many different steps (and some diverge), so the working set is
    # compacted several times along the way.
    starts = np.random.default_rng(7).uniform(-5, 5, (300, 2))
    starts[::50] = [200.0, 0.0]  # beyond the domain: diverged at step 0
    rates = {"gd": 0.004, "momentum": 0.002, "nesterov": 0.002, "rmsprop": 0.003}
    rate = rates.get(name, 0.05)
    packed = descend(RASTRIGIN, name, starts, rate, 400, tolerance=1e-4)
    loose = descend(RASTRIGIN, name, starts, rate, 400, tolerance=1e-4, compact=False)
    assert len(np.unique(packed.stopped_at)) > 10
    assert (packed.stopped_at < 300).mean() > 0.5
    assert (packed.status == "diverged").sum() == 6
    for field in ("final_positions", "final_values", "stopped_at", "positions"):
        np.testing.assert_array_equal(getattr(packed, field), getattr(loose, field))
    np.testing.assert_array_equal(packed.status, loose.status)
    np.testing.assert_array_equal(packed.reason, loose.reason)


@pytest.mark.parametrize("record_path", [False, True])
def test_threads_change_nothing(monkeypatch, record_path):
    # 2,500 runs split into two blocks on two threads, against one thread;
    # some runs converge, some diverge (the starts beyond the domain) and some run
    # out of steps, so each block stops runs of every kind.
    from core import optimizers

    starts = np.random.default_rng(3).uniform(-5, 5, (2_500, 2))
    starts[::100] = [200.0, 0.0]
    results = {}
    monkeypatch.setattr(optimizers, "RUNS_PER_THREAD", 1_000)
    for threads in (1, 2):
        monkeypatch.setattr(optimizers, "THREADS", threads)
        results[threads] = descend(
            RASTRIGIN, "rmsprop", starts, 0.003, 120, record_path, tolerance=1e-3
        )
    one, two = results[1], results[2]
    assert set(one.status) == {"converged", "diverged", "max_steps"}
    for field in ("final_positions", "final_values", "final_gradients", "stopped_at"):
        np.testing.assert_array_equal(getattr(one, field), getattr(two, field))
    np.testing.assert_array_equal(one.status, two.status)
    np.testing.assert_array_equal(one.reason, two.reason)
    if record_path:
        np.testing.assert_array_equal(one.positions, two.positions)
        np.testing.assert_array_equal(one.values, two.values)


def test_a_batch_equals_each_start_run_alone():
    starts = np.array([[0.6, 0.8], [4.0, -3.0], [-1.2, 0.3], [0.0, 0.0], [2.5, 2.5]])
    batch = descend(RASTRIGIN, "nesterov", starts, 0.003, 150)
    for run, start in enumerate(starts):
        alone = descend(RASTRIGIN, "nesterov", [start], 0.003, 150)
        np.testing.assert_array_equal(alone.positions[:, 0], batch.positions[:, run])
        assert alone.status[0] == batch.status[run]
        assert alone.stopped_at[0] == batch.stopped_at[run]


def test_a_landscape_name_is_looked_up():
    landscapes = pytest.importorskip("core.landscapes")
    if "bowl" not in getattr(landscapes, "LANDSCAPES", {}):
        pytest.skip("no built-in bowl yet")
    bowl = landscapes.get_landscape("bowl")
    by_name = descend("bowl", "gd", [[0.5, 0.5]], 0.01, 20)
    by_object = descend(bowl, "gd", [[0.5, 0.5]], 0.01, 20)
    np.testing.assert_array_equal(by_name.positions, by_object.positions)


# -- validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("optimizer", "hyper", "message"),
    [
        ("gd", {"momentum": 0.9}, "allowed: none"),
        ("adam", {"beta1": 0.9}, "allowed: betas, eps"),
        ("momentum", {"momentum": 1.0}, r"momentum must be in \[0, 1\)"),
        ("nesterov", {"momentum": -0.1}, r"momentum must be in \[0, 1\)"),
        ("adam", {"betas": (0.9, 1.0)}, r"betas\[1\] must be in \[0, 1\)"),
        ("adam", {"betas": 0.9}, "pair"),
        ("rmsprop", {"alpha": 1.5}, r"alpha must be in \[0, 1\)"),
        ("adagrad", {"eps": 0.0}, "eps must be finite and > 0"),
        ("rmsprop", {"eps": float("nan")}, "eps must be finite and > 0"),
    ],
)
def test_bad_hyperparameters_are_refused(optimizer, hyper, message):
    with pytest.raises(ValueError, match=message):
        descend(BOWL, optimizer, [[1.0, 1.0]], 0.1, 5, **hyper)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"optimizer": "sgd"}, "unknown optimizer 'sgd'; choose one of gd, momentum"),
        ({"learning_rate": 0.0}, "learning_rate must be finite and > 0"),
        ({"learning_rate": -0.1}, "learning_rate must be finite and > 0"),
        ({"learning_rate": float("inf")}, "learning_rate must be finite and > 0"),
        ({"learning_rate": float("nan")}, "learning_rate must be finite and > 0"),
        ({"steps": -1}, "steps must be >= 0"),
        ({"steps": 2.5}, "steps must be a whole number"),
        ({"starts": [[1.0, 2.0, 3.0]]}, r"starts must have shape \(n, 2\)"),
        ({"starts": [[np.nan, 0.0]]}, "starts must be finite"),
        ({"tolerance": -1.0}, "tolerance must be finite and >= 0"),
    ],
)
def test_bad_arguments_are_refused(kwargs, message):
    arguments = {
        "landscape": BOWL,
        "optimizer": "gd",
        "starts": [[1.0, 1.0]],
        "learning_rate": 0.1,
        "steps": 5,
    } | kwargs
    with pytest.raises(ValueError, match=message):
        descend(**arguments)


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_descend_leaves_the_callers_starts_untouched(name, n):
    # Regression: with one start, the working array was a view of ``starts`` and
    # the walk moved the caller's start to its end point.
    starts = np.tile([[3.0, 4.0]], (n, 1))
    descend(BOWL, name, starts, 0.1, 20)
    np.testing.assert_array_equal(starts, np.tile([[3.0, 4.0]], (n, 1)))


# -- defaults pinned -----------------------------------------------------------------

# End points of the first two of six runs on Rastrigin, 200 steps, computed before
# schedules and noise were added: with those options at their defaults, descend
# must give these exact floats.
PINNED = {
    "gd": (0.004, [-3.9797838591927945, -2.984855699673878], 33),
    "momentum": (0.002, [-3.9797885393344616, -2.984856980959669], 200),
    "nesterov": (0.002, [-3.979783860026735, -2.9848556986054087], 24),
    "adagrad": (0.3, [-3.979783860299779, -2.9848556989661152], 43),
    "rmsprop": (0.003, [-3.9797838603007545, -2.984855568860636], 200),
    "adam": (0.05, [-3.9797807363020143, -2.9848552325705833], 200),
}
PINNED_SECOND = {
    "gd": [2.984855700607642, 0.9949586393347388],
    "momentum": [2.984856084492497, 0.9949549141461771],
    "nesterov": [2.9848557017333595, 0.9949586361883973],
    "adagrad": [2.9848556987198753, 0.9949586376523348],
    "rmsprop": [2.984855701039481, 0.9949586353853135],
    "adam": [2.9848561690900772, 0.9949625033621179],
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_default_walks_are_unchanged(name):
    from core.landscapes import get_landscape

    rate, first, stopped = PINNED[name]
    starts = np.random.default_rng(3).uniform(-5, 5, (6, 2))
    for record_path in (False, True):
        result = descend(
            get_landscape("rastrigin"), name, starts, rate, 200, record_path
        )
        np.testing.assert_array_equal(result.final_positions[0], first)
        np.testing.assert_array_equal(result.final_positions[1], PINNED_SECOND[name])
        assert result.stopped_at[0] == stopped
        assert (result.schedule, result.schedule_params) == ("constant", {})
        assert (result.noise, result.noise_seed) == (0.0, 0)
