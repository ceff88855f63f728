"""Noisy gradients: reproducible draws, their statistics, and what noise teaches.

``descend(..., noise=s, noise_seed=seed)`` adds ``s`` times a standard normal to
each gradient component at each step. On a plane with slope (1, 1), gradient descent
at rate 1 moves by exactly ``-(1 + s * xi)`` per knob, so the draws can be read back
from the path.
"""

from __future__ import annotations

import numpy as np
import pytest

from core import optimizers
from core.landscapes import Landscape, Minimum, get_landscape
from core.optimizers import NOISE_TILE, OPTIMIZERS, descend

PLANE = Landscape(
    name="plane",
    title="Plane",
    latex="",
    description="",
    domain=((-50.0, 50.0), (-50.0, 50.0)),
    value_fn=lambda x, y: x + y,
    gradient_fn=lambda x, y: (1.0, 1.0),
)
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
RASTRIGIN = get_landscape("rastrigin")


def _draws(noise, n, steps, **kwargs):
    """The standard normals behind a gd walk on the plane, shape (steps, n, 2)."""
    result = descend(PLANE, "gd", np.zeros((n, 2)), 1.0, steps, noise=noise, **kwargs)
    return (-np.diff(result.positions, axis=0) - 1.0) / noise


def _mixed_walk(**kwargs):
    # With tolerance 0.5 about two thirds of the runs converge, at many different
    # steps, and the starts beyond the domain diverge at step 0: the working set is
    # compacted several times.
    starts = np.random.default_rng(3).uniform(-5, 5, (2_500, 2))
    starts[::100] = [200.0, 0.0]
    return descend(
        RASTRIGIN, "gd", starts, 0.004, 150, tolerance=0.5, noise=2.0, **kwargs
    )


def _assert_same(one, two, path=True):
    for field in ("final_positions", "final_values", "final_gradients", "stopped_at"):
        np.testing.assert_array_equal(getattr(one, field), getattr(two, field))
    np.testing.assert_array_equal(one.status, two.status)
    np.testing.assert_array_equal(one.reason, two.reason)
    if path:
        np.testing.assert_array_equal(one.positions, two.positions)
        np.testing.assert_array_equal(one.values, two.values)


# -- reproducible ------------------------------------------------------------------


def test_the_same_seed_gives_the_same_runs():
    first = _mixed_walk(noise_seed=11)
    again = _mixed_walk(noise_seed=11)
    _assert_same(first, again)
    assert first.noise == 2.0 and first.noise_seed == 11
    assert set(first.status) == {"converged", "diverged", "max_steps"}
    assert len(np.unique(first.stopped_at)) > 50


def test_another_seed_gives_other_runs():
    one = _mixed_walk(noise_seed=11, record_path=False)
    other = _mixed_walk(noise_seed=12, record_path=False)
    moved = one.final_positions != other.final_positions
    assert moved.all(axis=1).mean() > 0.9


@pytest.mark.parametrize("record_path", [False, True])
def test_threads_and_compaction_change_nothing(monkeypatch, record_path):
    monkeypatch.setattr(optimizers, "RUNS_PER_THREAD", 1_000)
    results = {}
    for threads in (1, 2):
        monkeypatch.setattr(optimizers, "THREADS", threads)
        for compact in (False, True):
            results[threads, compact] = _mixed_walk(
                noise_seed=5, record_path=record_path, compact=compact
            )
    reference = results[1, False]
    for result in results.values():
        _assert_same(reference, result, path=record_path)


def test_a_recorded_path_changes_nothing():
    with_path = _mixed_walk(noise_seed=2)
    without = _mixed_walk(noise_seed=2, record_path=False)
    assert without.positions is None
    _assert_same(with_path, without, path=False)
    np.testing.assert_array_equal(with_path.positions[-1], without.final_positions)


def test_each_run_draws_its_own_noise_whoever_shares_the_batch():
    # Runs in the first, second and third tile of a batch of 2,100, against the
    # same start walked alone with its index as noise_offset.
    starts = np.random.default_rng(8).uniform(-4, 4, (2_100, 2))
    batch = descend(RASTRIGIN, "adam", starts, 0.05, 40, noise=1.5, noise_seed=4)
    for run in (0, 5, NOISE_TILE - 1, NOISE_TILE, 1_500, 2_099):
        alone = descend(
            RASTRIGIN,
            "adam",
            starts[run],
            0.05,
            40,
            noise=1.5,
            noise_seed=4,
            noise_offset=run,
        )
        np.testing.assert_array_equal(alone.positions[:, 0], batch.positions[:, run])


@pytest.mark.parametrize("compact", [False, True])
def test_a_tile_whose_runs_all_stopped_is_skipped(compact):
    # Every run of the second tile starts at the bottom of the bowl and converges at
    # step 0 (its true slope is 0); compaction then leaves a gap of a whole tile.
    starts = np.tile([[1.0, -0.5]], (3 * NOISE_TILE, 1))
    starts[NOISE_TILE : 2 * NOISE_TILE] = 0.0
    batch = descend(
        BOWL, "gd", starts, 0.1, 20, noise=0.3, noise_seed=2, compact=compact
    )
    assert (batch.stopped_at[NOISE_TILE : 2 * NOISE_TILE] == 0).all()
    assert (batch.status[2 * NOISE_TILE :] == "max_steps").all()
    for run in (0, NOISE_TILE - 1, 2 * NOISE_TILE, 3 * NOISE_TILE - 1):
        alone = descend(
            BOWL, "gd", starts[run], 0.1, 20, noise=0.3, noise_seed=2, noise_offset=run
        )
        np.testing.assert_array_equal(alone.positions[:, 0], batch.positions[:, run])


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_zero_noise_is_the_exact_gradient(name):
    starts = np.random.default_rng(1).uniform(-5, 5, (50, 2))
    exact = descend(RASTRIGIN, name, starts, 0.003, 80)
    zero = descend(RASTRIGIN, name, starts, 0.003, 80, noise=0.0, noise_seed=9)
    _assert_same(exact, zero)
    assert exact.noise == 0.0 and exact.noise_seed == 0


# -- the draws ---------------------------------------------------------------------


def test_the_noise_is_standard_normal_times_the_level():
    xi = _draws(0.5, 4_000, 25, noise_seed=6)
    assert xi.shape == (25, 4_000, 2)
    # 200,000 draws: the sample mean is within 0.0023 of 0 one time in three, the
    # sample standard deviation within 0.0016 of 1.
    assert abs(xi.mean()) < 0.01
    assert abs(xi.std() - 1.0) < 0.01
    # A normal lies within one standard deviation 68.27% of the time.
    assert abs((np.abs(xi) < 1).mean() - 0.6827) < 0.01
    # Independent across knobs, steps and runs.
    flat_x, flat_y = xi[..., 0].ravel(), xi[..., 1].ravel()
    assert abs(np.corrcoef(flat_x, flat_y)[0, 1]) < 0.01
    assert abs(np.corrcoef(xi[1:, :, 0].ravel(), xi[:-1, :, 0].ravel())[0, 1]) < 0.01
    assert abs(np.corrcoef(xi[:, 1:, 0].ravel(), xi[:, :-1, 0].ravel())[0, 1]) < 0.01


def test_the_noise_level_scales_the_same_draws():
    small = _draws(0.5, 100, 5, noise_seed=3)
    large = _draws(4.0, 100, 5, noise_seed=3)
    np.testing.assert_allclose(small, large, rtol=0, atol=1e-12)


# -- convergence -------------------------------------------------------------------


def test_convergence_is_judged_on_the_true_gradient():
    # At the bottom of the bowl the true slope is 0: the run converges at step 0
    # however loud the noise.
    at_bottom = descend(BOWL, "gd", [[0.0, 0.0]], 0.1, 50, noise=5.0)
    assert (at_bottom.status[0], at_bottom.stopped_at[0]) == ("converged", 0)

    # Further out the noisy walk reaches the ball |gradient| < 0.5 and stops there;
    # the reported gradient is the true one, 2 p.
    walk = descend(BOWL, "gd", [[0.6, 0.8]] * 20, 0.1, 200, tolerance=0.5, noise=0.2)
    assert (walk.status == "converged").all()
    np.testing.assert_allclose(walk.final_gradients, 2 * walk.final_positions)
    assert (np.hypot(*walk.final_gradients.T) < 0.5).all()
    assert len(np.unique(walk.stopped_at)) > 1


# -- the lesson --------------------------------------------------------------------


def test_noise_shakes_runs_out_of_the_shallow_valley():
    # Two valleys: from (1, 0.5) in the shallow right one, plain gradient descent at
    # rate 0.05 settles at the local minimum every time. With gradient noise of 3
    # most runs hop the ridge (at x = 0.0754) into the deeper left valley within
    # 1,000 steps, and few hop back: its wall is higher.
    land = get_landscape("two_valleys")
    ridge = 0.0754
    starts = np.tile([[1.0, 0.5]], (200, 1))
    exact = descend(land, "gd", starts, 0.05, 1_000, record_path=False)
    noisy = descend(
        land, "gd", starts, 0.05, 1_000, record_path=False, noise=3.0, noise_seed=1
    )
    local = land.minima[1]
    assert not local.is_global
    assert (exact.status == "converged").all()
    np.testing.assert_allclose(exact.final_positions[:, 0], local.x, atol=1e-5)

    left = (noisy.final_positions[:, 0] < ridge).mean()
    assert left > 0.5
    # The share depends on the draws, not on luck of one seed.
    other = descend(
        land, "gd", starts, 0.05, 1_000, record_path=False, noise=3.0, noise_seed=2
    )
    assert (other.final_positions[:, 0] < ridge).mean() > 0.5


# -- checks ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"noise": -0.1}, "noise must be finite and >= 0"),
        ({"noise": float("nan")}, "noise must be finite and >= 0"),
        ({"noise": float("inf")}, "noise must be finite and >= 0"),
        ({"noise": "1"}, "noise must be a number"),
        ({"noise": True}, "noise must be a number"),
        ({"noise_seed": -1}, "noise_seed must be >= 0"),
        ({"noise_seed": 1.5}, "noise_seed must be a whole number"),
        ({"noise_offset": -3}, "noise_offset must be >= 0"),
    ],
)
def test_bad_noise_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        descend(BOWL, "gd", [[1.0, 1.0]], 0.1, 5, **kwargs)


def test_settled_noisy_runs_are_classified_by_their_valley():
    # From the shallow right valley of two_valleys, exact descent always stays;
    # with noise some runs are shaken over the ridge. Settling (300 noise-free
    # steps) then names the valley each run is in, instead of "not at a known
    # minimum" for a run still jittering near the bottom.
    from core.experiments import run_many
    from core.landscapes import get_landscape

    landscape = get_landscape("two_valleys")
    starts = np.tile([[1.0, 0.5]], (300, 1))
    common = {"starts": starts, "n_runs": 300, "seed": 4, "steps": 1000}
    exact = run_many(landscape, ["gd"], [0.05], **common)
    noisy = run_many(landscape, ["gd"], [0.05], noise=3.0, settle_steps=300, **common)
    assert (exact["outcome"] == "local minimum").all()
    shares = noisy["outcome"].value_counts(normalize=True)
    assert shares["global minimum"] > 0.2
    assert shares["global minimum"] + shares["local minimum"] > 0.95
    # The table keeps the noisy end points themselves.
    assert not np.allclose(noisy["end_y"], 0.0, atol=1e-3)
