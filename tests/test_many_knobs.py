"""Many-knob landscapes and descent: hand-worked values, exact gradients, and the
same steps as the two-knob optimizers applied knob by knob."""

import warnings

import numpy as np
import pytest

from core.landscapes import get_landscape
from core.many_knobs import (
    ESCAPE,
    LANDSCAPES,
    REASONS,
    START_HALF_WIDTH,
    curvatures,
    descend_n,
    make_landscape,
    random_start,
)
from core.optimizers import OPTIMIZERS, descend


@pytest.mark.parametrize("name", LANDSCAPES)
def test_gradient_matches_central_differences(name):
    landscape = make_landscape(name, 7)
    rng = np.random.default_rng(7)
    h = 1e-6
    for w in rng.uniform(-START_HALF_WIDTH, START_HALF_WIDTH, (5, 7)):
        # Rows of w + h e_i and w - h e_i: one (7, 7) batch each.
        ahead = landscape.value(w + h * np.eye(7))
        behind = landscape.value(w - h * np.eye(7))
        numeric = (ahead - behind) / (2 * h)
        np.testing.assert_allclose(landscape.gradient(w), numeric, rtol=1e-6, atol=1e-5)


def test_values_by_hand():
    w = np.array([1.0, 2.0, 3.0])
    assert make_landscape("bowl", 3).value(w) == pytest.approx(14.0, rel=1e-15)
    # c = (1, sqrt 10, 10) for three knobs.
    np.testing.assert_allclose(curvatures(3), [1.0, np.sqrt(10.0), 10.0], rtol=1e-15)
    stretched = make_landscape("stretched_bowl", 3)
    assert stretched.value(np.ones(3)) == pytest.approx(11.0 + np.sqrt(10.0))
    np.testing.assert_allclose(
        stretched.gradient(np.ones(3)), [2.0, 2 * np.sqrt(10.0), 20.0], rtol=1e-15
    )
    # Rastrigin: a whole-number knob adds t^2 (cos 2 pi t = 1); a half adds
    # 0.25 + 10 (1 - cos pi) = 20.25.
    rastrigin = make_landscape("rastrigin", 3)
    assert rastrigin.value(np.array([1.0, -2.0, 0.5])) == pytest.approx(25.25)
    # Two runs at once give one cost each.
    runs = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(make_landscape("bowl", 3).value(runs), [14.0, 1.0])
    assert rastrigin.gradient(runs).shape == (2, 3)


@pytest.mark.parametrize("name", LANDSCAPES)
def test_minimum_is_zero_at_the_origin_with_zero_gradient(name):
    landscape = make_landscape(name, 50)
    origin = np.zeros(50)
    assert landscape.value(origin) == 0.0
    assert np.all(landscape.gradient(origin) == 0.0)
    result = descend_n(landscape, "adam", origin, 0.1, 10)
    assert (result.status, result.stopped_at) == ("converged", 0)
    assert result.final_cost == 0.0


def test_gradient_descent_on_the_bowl_shrinks_every_knob_by_0_8():
    # w - 0.1 * 2w = 0.8 w, so the cost keeps 0.64 of itself each step.
    start = random_start(1_000, 3)
    result = descend_n(make_landscape("bowl", 1_000), "gd", start, 0.1, 30)
    k = np.arange(31)
    np.testing.assert_allclose(result.cost, 0.64**k * result.cost[0], rtol=1e-12)
    np.testing.assert_allclose(
        result.gradient_norm, 0.8**k * 2 * np.linalg.norm(start), rtol=1e-12
    )
    np.testing.assert_allclose(result.final_params, 0.8**30 * start, rtol=1e-12)
    assert (result.status, result.stopped_at) == ("max_steps", 30)


def test_gradient_descent_on_the_stretched_bowl_shrinks_each_knob_by_its_own_factor():
    # w_i - lr * 2 c_i w_i = (1 - 2 lr c_i) w_i.
    start = random_start(40, 5)
    c = curvatures(40)
    result = descend_n(make_landscape("stretched_bowl", 40), "gd", start, 0.04, 12)
    np.testing.assert_allclose(
        result.final_params, (1 - 0.08 * c) ** 12 * start, rtol=1e-12
    )


def test_adam_first_step_moves_every_knob_by_the_learning_rate():
    # After one step the bias-corrected averages are m = g and sqrt(v) = |g|, so
    # each knob moves by lr * g / (|g| + eps): the learning rate, against its slope.
    start = random_start(500, 11)
    landscape = make_landscape("rastrigin", 500)
    result = descend_n(landscape, "adam", start, 0.01, 1)
    g = landscape.gradient(start)
    expected = start - 0.01 * g / (np.abs(g) + 1e-8)
    np.testing.assert_allclose(result.final_params, expected, rtol=1e-12)
    steps = np.abs(result.final_params - start)
    assert np.median(steps) == pytest.approx(0.01, rel=1e-6)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("name", ["bowl", "rastrigin"])
def test_every_optimizer_steps_each_knob_as_on_two_knobs(optimizer, name):
    # A separable landscape and an elementwise rule: knobs (0, 1) and (2, 3) of
    # the n-D walk are two runs of the 2-D walk on the same formula.
    start = random_start(6, 2)
    learning_rate = 0.05 if name == "bowl" else 0.002
    hyper = {"momentum": 0.8} if optimizer in ("momentum", "nesterov") else {}
    many = descend_n(
        make_landscape(name, 6), optimizer, start, learning_rate, 5, **hyper
    )
    for steps in (1, 5):
        two = descend(
            get_landscape(name),
            optimizer,
            start[:4].reshape(2, 2),
            learning_rate,
            steps,
            record_path=False,
            tolerance=0.0,
            **hyper,
        )
        assert list(two.status) == ["max_steps", "max_steps"]
        if steps == 1:
            one_step = descend_n(
                make_landscape(name, 6), optimizer, start, learning_rate, 1, **hyper
            )
            np.testing.assert_allclose(
                one_step.final_params[:4], two.final_positions.ravel(), rtol=1e-13
            )
        else:
            np.testing.assert_allclose(
                many.final_params[:4], two.final_positions.ravel(), rtol=1e-12
            )


def test_a_huge_learning_rate_diverges_and_keeps_the_last_point_inside():
    # Gradient descent with lr 5 on the bowl: w -> w - 10 w = -9 w. From 1 the
    # knobs go -9, 81, -729; -729 is beyond the escape box, so the run stops at
    # step 3 and keeps 81.
    landscape = make_landscape("bowl", 4)
    result = descend_n(landscape, "gd", np.ones(4), 5.0, 100)
    assert 81 < ESCAPE < 729
    assert (result.status, result.stopped_at) == ("diverged", 3)
    assert result.reason == REASONS["escaped"]
    np.testing.assert_array_equal(result.final_params, np.full(4, 81.0))
    np.testing.assert_allclose(result.cost[:3], [4.0, 4 * 81.0, 4 * 81.0**2])
    assert np.all(result.cost[3:] == 4 * 81.0**2)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_overflow_never_warns_and_shows_as_diverged(optimizer):
    landscape = make_landscape("rastrigin", 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        far = descend_n(landscape, optimizer, np.full(3, 1e200), 0.1, 5)
        wild = descend_n(landscape, optimizer, np.full(3, 4.5), 10.0, 200)
    assert (far.status, far.stopped_at) == ("diverged", 0)
    assert far.reason == REASONS["escaped"]
    assert far.final_cost == np.inf
    if optimizer in ("gd", "momentum", "nesterov"):
        # Steps of 10 times a slope of about 70 leave the box at once.
        assert wild.status == "diverged"


@pytest.mark.parametrize("name", LANDSCAPES)
def test_thirteen_thousand_knobs_walk_downhill(name):
    start = random_start(13_000, 0)
    result = descend_n(make_landscape(name, 13_000), "adam", start, 0.01, 100)
    assert result.cost.shape == result.gradient_norm.shape == (101,)
    assert result.final_params.shape == (13_000,)
    assert result.status == "max_steps"
    assert result.final_cost < 0.9 * result.cost[0]
    assert np.all(np.isfinite(result.cost))


def test_random_start_is_seeded_and_inside_the_box():
    a, b = random_start(2_000, 42), random_start(2_000, 42)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, random_start(2_000, 43))
    assert a.shape == (2_000,)
    assert np.all(np.abs(a) <= START_HALF_WIDTH)


def test_convergence_freezes_the_record():
    result = descend_n(make_landscape("bowl", 10), "gd", np.ones(10), 0.1, 500)
    assert result.status == "converged"
    # 0.8^k * 2 sqrt(10) < 1e-6 first at k = 71 (0.8^71 = 1.35e-7).
    assert result.stopped_at == 71
    assert result.final_gradient_norm < 1e-6 <= result.gradient_norm[70]
    assert np.all(result.cost[71:] == result.final_cost)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: make_landscape("valley", 3), "unknown landscape"),
        (lambda: make_landscape("bowl", 0), "knobs must be >= 1"),
        (lambda: random_start(3, -1), "seed"),
        (lambda: make_landscape("bowl", 3).value(np.ones(4)), "shape"),
        (
            lambda: descend_n(make_landscape("bowl", 3), "gd", np.ones(2), 0.1, 5),
            "start must have shape",
        ),
        (
            lambda: descend_n(make_landscape("bowl", 2), "gd", [np.nan, 0], 0.1, 5),
            "finite",
        ),
        (
            lambda: descend_n(make_landscape("bowl", 2), "gd", np.ones(2), -1.0, 5),
            "learning_rate",
        ),
        (
            lambda: descend_n(
                make_landscape("bowl", 2), "gd", np.ones(2), 0.1, 5, momentum=0.9
            ),
            "no hyper-parameter",
        ),
    ],
)
def test_bad_configuration_raises_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
