"""The narrated step: replayed state and moves against hand-worked numbers, and the
cut through the terrain against the directional derivative."""

import math

import numpy as np
import pytest

from core.calculus import directional_derivatives, slice_along
from core.landscapes import get_landscape
from core.narration import narrate, replay_step

BOWL = get_landscape("bowl")
START = (3.0, 4.0)


@pytest.mark.parametrize(
    ("optimizer", "step", "move", "state"),
    [
        # -0.1 × (6, 8).
        ("gd", 1, (-0.6, -0.8), {}),
        # Step 2: gradient at (2.4, 3.2) is (4.8, 6.4); velocity 0.9 × (6, 8) plus
        # that is (10.2, 13.6); the step is -0.1 times the velocity.
        ("momentum", 2, (-1.02, -1.36), {"velocity (momentum buffer)": (10.2, 13.6)}),
        # Velocity (6, 8); the step uses (6, 8) + 0.9 × (6, 8) = (11.4, 15.2).
        ("nesterov", 1, (-1.14, -1.52), {"velocity (momentum buffer)": (6.0, 8.0)}),
        # Sum of squares (36, 64): each knob moves by 0.1 × g / |g|.
        ("adagrad", 1, (-0.1, -0.1), {"sum of squared slopes so far": (36.0, 64.0)}),
        # Average of squares 0.01 × (36, 64) = (0.36, 0.64): 0.1 × 6 / 0.6 = 1.
        (
            "rmsprop",
            1,
            (-1.0, -1.0),
            {"running average of squared slopes": (0.36, 0.64)},
        ),
        # m = 0.1 g, v = 0.001 g²; after bias correction the step is lr × sign(g).
        (
            "adam",
            1,
            (-0.1, -0.1),
            {
                "running average of slopes (m)": (0.6, 0.8),
                "running average of squared slopes (v)": (0.036, 0.064),
            },
        ),
    ],
)
def test_replayed_steps_match_the_update_rules(optimizer, step, move, state):
    story = replay_step(BOWL, optimizer, START, 0.1, step)
    np.testing.assert_allclose(story.move, move, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(story.after, story.before + story.move)
    assert set(story.state) == set(state)
    for name, expected in state.items():
        np.testing.assert_allclose(story.state[name], expected, rtol=1e-12)
    assert story.cost_before == pytest.approx(float(BOWL.value(*story.before)))


def test_the_story_tells_the_numbers():
    story = replay_step(BOWL, "gd", START, 0.1, 1)
    text = " ".join(narrate(story))
    assert "gradient is (6, 8)" in text
    assert "(-0.6, -0.8)" in text
    assert "cost is 16" in text
    assert "went down by 9" in text


def test_replay_refuses_step_zero_and_runaway_walks():
    with pytest.raises(ValueError, match="count from 1"):
        replay_step(BOWL, "gd", START, 0.1, 0)
    with pytest.raises(ValueError, match="no longer finite"):
        replay_step(BOWL, "gd", START, 5.0, 2000)


def test_cut_along_the_gradient_is_the_parabola_worked_by_hand():
    angle = math.atan2(4.0, 3.0)
    t, cost = slice_along(BOWL, 3.0, 4.0, angle, half_length=2.0, points=5)
    # (3 + 0.6 t)^2 + (4 + 0.8 t)^2 = 25 + 10 t + t^2.
    np.testing.assert_allclose(t, [-2, -1, 0, 1, 2])
    np.testing.assert_allclose(cost, 25 + 10 * t + t**2)


@pytest.mark.parametrize("angle", [0.0, 0.7, 2.0, 4.5])
def test_the_cut_has_the_directional_derivative_as_its_slope(angle):
    rosenbrock = get_landscape("rosenbrock")
    h = 1e-5
    t, cost = slice_along(rosenbrock, -0.5, 1.5, angle, half_length=h, points=3)
    slope = (cost[2] - cost[0]) / (2 * h)
    expected = directional_derivatives(rosenbrock, -0.5, 1.5, np.array([angle]))[0]
    assert slope == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    "optimizer", ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
)
def test_the_replay_follows_the_recorded_walk_exactly(optimizer):
    from core.optimizers import descend

    himmelblau = get_landscape("himmelblau")
    walk = descend(himmelblau, optimizer, np.array([[0.5, -1.0]]), 0.01, 30)
    for step in (1, 7, 30):
        story = replay_step(himmelblau, optimizer, (0.5, -1.0), 0.01, step)
        np.testing.assert_array_equal(story.after, walk.positions[step, 0])
