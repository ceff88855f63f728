"""Learning-rate schedules: hand-worked rates, the registry, checks, and descend.

The rates are compared with numbers written out here from torch's formulas; the
comparison with ``torch.optim.lr_scheduler`` itself is in test_torch_agreement.py.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from core.landscapes import Landscape, Minimum
from core.optimizers import OPTIMIZERS, descend
from core.schedules import SCHEDULES, get_schedule, learning_rates

BOWL = Landscape(
    name="bowl",
    title="Bowl",
    latex="",
    description="",
    domain=((-2.0, 2.0), (-2.0, 2.0)),
    value_fn=lambda x, y: x**2 + y**2,
    gradient_fn=lambda x, y: (2 * x, 2 * y),
    minima=[Minimum(0.0, 0.0, 0.0, True)],
)


# -- the registry ------------------------------------------------------------------


def test_registry_holds_the_four_schedules_with_torch_names():
    assert list(SCHEDULES) == ["constant", "step", "exponential", "cosine"]
    assert dict(SCHEDULES["constant"].defaults) == {}
    assert dict(SCHEDULES["step"].defaults) == {"step_size": 100, "gamma": 0.1}
    assert dict(SCHEDULES["exponential"].defaults) == {"gamma": 0.99}
    assert dict(SCHEDULES["cosine"].defaults) == {"T_max": None, "eta_min": 0.0}
    assert [s.torch_name for s in SCHEDULES.values()] == [
        "",
        "StepLR",
        "ExponentialLR",
        "CosineAnnealingLR",
    ]


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_each_schedule_carries_its_words_and_is_frozen(name):
    schedule = SCHEDULES[name]
    assert schedule.name == name and get_schedule(name) is schedule
    assert get_schedule(schedule) is schedule
    assert schedule.title and schedule.description and schedule.latex
    assert "\n" not in schedule.description
    assert schedule.latex.startswith(r"\eta_k = ")
    with pytest.raises(dataclasses.FrozenInstanceError):
        schedule.title = "changed"
    with pytest.raises(TypeError):
        schedule.defaults["gamma"] = 0.5


# -- rates by hand -----------------------------------------------------------------


def test_constant_is_the_base_rate_at_every_step():
    rates = learning_rates("constant", 0.03, 5)
    assert rates.shape == (5,) and rates.dtype == float
    np.testing.assert_array_equal(rates, [0.03] * 5)


def test_step_decay_is_a_staircase():
    # gamma^floor(k / 3): k = 0, 1, 2 -> 1; 3, 4, 5 -> 0.5; 6 -> 0.25
    rates = learning_rates("step", 2.0, 7, step_size=3, gamma=0.5)
    np.testing.assert_array_equal(rates, [2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 0.5])


def test_step_decay_defaults_to_a_tenth_every_hundred_steps():
    rates = learning_rates("step", 1.0, 250)
    np.testing.assert_allclose(
        rates[[0, 99, 100, 199, 200, 249]], [1, 1, 0.1, 0.1, 0.01, 0.01], rtol=1e-15
    )


def test_exponential_decay_multiplies_by_gamma_every_step():
    rates = learning_rates("exponential", 0.1, 4, gamma=0.5)
    np.testing.assert_allclose(rates, [0.1, 0.05, 0.025, 0.0125], rtol=1e-15)
    # Default gamma 0.99: after 100 steps 0.99^100 = 0.36603...
    np.testing.assert_allclose(
        learning_rates("exponential", 1.0, 101)[100], 0.366032341273229, rtol=1e-13
    )


def test_cosine_glides_from_the_base_rate_to_eta_min():
    # T_max = 4: (1 + cos(pi k / 4)) / 2 = 1, (2 + sqrt 2) / 4, 1/2, (2 - sqrt 2) / 4
    rates = learning_rates("cosine", 1.0, 4, T_max=4)
    root = math.sqrt(2)
    np.testing.assert_allclose(
        rates, [1.0, (2 + root) / 4, 0.5, (2 - root) / 4], rtol=0, atol=1e-15
    )
    # With eta_min the same curve is squeezed into [eta_min, eta]: 0.1 + 0.9 * ...
    squeezed = learning_rates("cosine", 1.0, 4, T_max=4, eta_min=0.1)
    np.testing.assert_allclose(squeezed, 0.1 + 0.9 * rates, rtol=0, atol=1e-15)


def test_cosine_t_max_defaults_to_the_number_of_steps():
    rates = learning_rates("cosine", 0.2, 10)
    np.testing.assert_array_equal(rates, learning_rates("cosine", 0.2, 10, T_max=10))
    # Halfway it is half the rate; the last step, k = 9, is still above eta_min.
    assert rates[5] == pytest.approx(0.1, abs=1e-16)
    assert 0 < rates[-1] < 0.2 * 0.025
    np.testing.assert_array_less(rates[1:], rates[:-1])
    assert get_schedule("cosine").parameters(10, 0.2)["T_max"] == 10


def test_cosine_past_t_max_rises_again_as_torch_does():
    # cos(pi k / 2) for k = 0..4: 1, 0, -1, 0, 1.
    rates = learning_rates("cosine", 1.0, 5, T_max=2)
    np.testing.assert_allclose(rates, [1.0, 0.5, 0.0, 0.5, 1.0], rtol=0, atol=1e-15)


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_every_schedule_starts_at_the_base_rate_and_never_rises(name):
    rates = learning_rates(name, 0.05, 300)
    assert rates[0] == 0.05
    assert (np.diff(rates) <= 0).all() and (rates >= 0).all()
    assert learning_rates(name, 0.05, 0).shape == (0,)


# -- checks ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "params", "message"),
    [
        ("linear", {}, "unknown schedule 'linear'; choose one of constant, step"),
        ("constant", {"gamma": 0.5}, "has no parameter 'gamma'; allowed: none"),
        ("cosine", {"gamma": 0.5}, "allowed: T_max, eta_min"),
        ("step", {"step_size": 0}, "step_size must be a whole number >= 1"),
        ("step", {"step_size": 2.5}, "step_size must be a whole number >= 1"),
        ("step", {"step_size": True}, "step_size must be a whole number >= 1"),
        ("step", {"gamma": 0.0}, r"gamma must be a number in \(0, 1\]"),
        ("exponential", {"gamma": 1.5}, r"gamma must be a number in \(0, 1\]"),
        ("exponential", {"gamma": float("nan")}, r"gamma must be a number in \(0, 1\]"),
        ("exponential", {"gamma": "0.9"}, r"gamma must be a number in \(0, 1\]"),
        ("cosine", {"T_max": 0}, "T_max must be a whole number >= 1"),
        ("cosine", {"eta_min": -0.1}, "eta_min must be a number between 0 and"),
        ("cosine", {"eta_min": 0.2}, "eta_min .* learning rate 0.1, got 0.2"),
    ],
)
def test_bad_schedules_are_refused(schedule, params, message):
    with pytest.raises(ValueError, match=message):
        learning_rates(schedule, 0.1, 10, **params)
    with pytest.raises(ValueError, match=message):
        descend(
            BOWL, "gd", [[1.0, 1.0]], 0.1, 10, schedule=schedule, schedule_params=params
        )


@pytest.mark.parametrize(
    ("rate", "steps", "message"),
    [
        (0.0, 5, "learning_rate must be finite and > 0"),
        (float("inf"), 5, "learning_rate must be finite and > 0"),
        ("0.1", 5, "learning_rate must be a number"),
        (0.1, -1, "steps must be >= 0"),
        (0.1, 2.0, "steps must be a whole number"),
    ],
)
def test_bad_rates_and_steps_are_refused(rate, steps, message):
    with pytest.raises(ValueError, match=message):
        learning_rates("step", rate, steps)


def test_schedule_params_must_be_a_mapping():
    with pytest.raises(ValueError, match="schedule_params must be a mapping"):
        descend(BOWL, "gd", [[1.0, 1.0]], 0.1, 5, schedule="step", schedule_params=[3])


# -- in descend --------------------------------------------------------------------


def test_gradient_descent_on_a_bowl_follows_the_staircase():
    # On x^2 + y^2, gd moves p to (1 - 2 lr) p. Step decay with step_size 2 and gamma
    # 0.5 from 0.1: rates 0.1, 0.1, 0.05, 0.05, 0.025 -> factors 0.8, 0.8, 0.9, 0.9,
    # 0.95.
    result = descend(
        BOWL,
        "gd",
        [[0.6, 0.8]],
        0.1,
        5,
        schedule="step",
        schedule_params={"step_size": 2, "gamma": 0.5},
    )
    factors = np.cumprod([1.0, 0.8, 0.8, 0.9, 0.9, 0.95])
    np.testing.assert_allclose(
        result.positions[:, 0], factors[:, None] * [0.6, 0.8], rtol=1e-15
    )
    assert result.schedule == "step"
    assert result.schedule_params == {"step_size": 2, "gamma": 0.5}
    assert result.learning_rate == 0.1


def test_adam_scales_its_whole_step_by_the_scheduled_rate():
    # Adam's first step moves each knob by about lr; with the cosine over T_max = 2
    # the second rate is lr / 2. From the same state, the second step of a run with
    # the schedule is half that of a constant run at the same first rate.
    start = [[1.0, -1.0]]
    cosine = descend(BOWL, "adam", start, 0.1, 2, schedule="cosine")
    constant = descend(BOWL, "adam", start, 0.1, 2)
    np.testing.assert_array_equal(cosine.positions[1], constant.positions[1])
    half = cosine.positions[2] - cosine.positions[1]
    full = constant.positions[2] - constant.positions[1]
    np.testing.assert_allclose(half, full / 2, rtol=1e-14)
    assert cosine.schedule_params == {"T_max": 2, "eta_min": 0.0}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_the_constant_schedule_is_the_default_walk(name):
    starts = np.random.default_rng(4).uniform(-2, 2, (20, 2))
    plain = descend(BOWL, name, starts, 0.01, 60)
    named = descend(BOWL, name, starts, 0.01, 60, schedule="constant")
    np.testing.assert_array_equal(plain.positions, named.positions)
    assert plain.schedule == "constant" and plain.schedule_params == {}


def test_a_rate_that_decays_too_fast_stalls_short_of_the_minimum():
    # Rates 0.1 * 0.5^k add up to 0.2 at most: each step multiplies p by
    # 1 - 0.2 * 0.5^k, and the product of those stays near 0.65 however long it runs.
    result = descend(
        BOWL,
        "gd",
        [[0.6, 0.8]],
        0.1,
        200,
        schedule="exponential",
        schedule_params={"gamma": 0.5},
    )
    factor = np.prod(1 - 0.2 * 0.5 ** np.arange(200))
    assert 0.64 < factor < 0.66
    np.testing.assert_allclose(
        result.final_positions[0], factor * np.array([0.6, 0.8]), rtol=1e-13
    )
    assert result.status[0] == "max_steps"
    # A constant rate 0.1 gets there: 0.8^k shrinks below the tolerance at step 66.
    assert descend(BOWL, "gd", [[0.6, 0.8]], 0.1, 200).status[0] == "converged"
