"""Our optimizers against ``torch.optim`` itself, step by step, in float64.

torch is not a dependency of Downhill; without it these tests are skipped.
"""

from __future__ import annotations

import numpy as np
import pytest

from core.landscapes import Landscape
from core.optimizers import OPTIMIZERS, descend
from core.schedules import learning_rates

torch = pytest.importorskip("torch")


def _himmelblau_gradient(x, y):
    a = x**2 + y - 11
    b = x + y**2 - 7
    return 4 * x * a + 2 * b, 2 * a + 4 * y * b


HIMMELBLAU = Landscape(
    name="himmelblau",
    title="Himmelblau",
    latex="",
    description="",
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    value_fn=lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
    gradient_fn=_himmelblau_gradient,
)

# (our name, our hyper-parameters, learning rate, torch class, torch keywords)
CASES = [
    ("gd", {}, 0.002, "SGD", {}),
    ("momentum", {}, 0.002, "SGD", {"momentum": 0.9}),
    ("momentum", {"momentum": 0.5}, 0.002, "SGD", {"momentum": 0.5}),
    ("nesterov", {}, 0.002, "SGD", {"momentum": 0.9, "nesterov": True}),
    ("adagrad", {}, 0.3, "Adagrad", {}),
    ("rmsprop", {}, 0.02, "RMSprop", {}),
    (
        "rmsprop",
        {"alpha": 0.9, "eps": 1e-6},
        0.02,
        "RMSprop",
        {"alpha": 0.9, "eps": 1e-6},
    ),
    ("adam", {}, 0.1, "Adam", {}),
    ("adam", {"betas": (0.5, 0.9)}, 0.1, "Adam", {"betas": (0.5, 0.9)}),
]


def test_every_optimizer_is_covered():
    assert {case[0] for case in CASES} == set(OPTIMIZERS)


@pytest.mark.parametrize(
    ("name", "hyper", "rate", "torch_class", "torch_kwargs"), CASES
)
def test_fifty_steps_agree_with_torch(name, hyper, rate, torch_class, torch_kwargs):
    steps = 50
    starts = np.random.default_rng(11).uniform(-4, 4, (64, 2))
    ours = descend(HIMMELBLAU, name, starts, rate, steps, tolerance=0.0, **hyper)
    assert (ours.status == "max_steps").all()

    params = torch.nn.Parameter(torch.tensor(starts.T.copy(), dtype=torch.float64))
    optimizer = getattr(torch.optim, torch_class)([params], lr=rate, **torch_kwargs)
    theirs = [starts.T.copy()]
    for _ in range(steps):
        x, y = params.detach().numpy()
        params.grad = torch.tensor(np.stack(_himmelblau_gradient(x, y)))
        optimizer.step()
        theirs.append(params.detach().numpy().copy())
    theirs = np.stack(theirs).transpose(0, 2, 1)

    # The same arithmetic; only torch's fused multiply-add in Adam's lerp rounds
    # differently, by about 1e-16 a step.
    np.testing.assert_allclose(ours.positions, theirs, rtol=0, atol=1e-10)


# (our schedule, its parameters, torch scheduler class, its keywords); T_max = 20
# with 50 steps runs the cosine past its low point and up again.
SCHEDULE_CASES = [
    (
        "step",
        {"step_size": 10, "gamma": 0.5},
        "StepLR",
        {"step_size": 10, "gamma": 0.5},
    ),
    ("exponential", {"gamma": 0.95}, "ExponentialLR", {"gamma": 0.95}),
    ("cosine", {}, "CosineAnnealingLR", {"T_max": 50}),
    (
        "cosine",
        {"T_max": 20, "eta_min": 1e-4},
        "CosineAnnealingLR",
        {"T_max": 20, "eta_min": 1e-4},
    ),
]


@pytest.mark.parametrize(
    ("schedule", "params", "scheduler_class", "scheduler_kwargs"), SCHEDULE_CASES
)
@pytest.mark.parametrize(
    ("name", "hyper", "rate", "torch_class", "torch_kwargs"), CASES
)
def test_fifty_scheduled_steps_agree_with_torch(
    schedule,
    params,
    scheduler_class,
    scheduler_kwargs,
    name,
    hyper,
    rate,
    torch_class,
    torch_kwargs,
):
    steps = 50
    starts = np.random.default_rng(12).uniform(-4, 4, (16, 2))
    ours = descend(
        HIMMELBLAU,
        name,
        starts,
        rate,
        steps,
        tolerance=0.0,
        schedule=schedule,
        schedule_params=params,
        **hyper,
    )
    assert (ours.status == "max_steps").all()

    params_ = torch.nn.Parameter(torch.tensor(starts.T.copy(), dtype=torch.float64))
    optimizer = getattr(torch.optim, torch_class)([params_], lr=rate, **torch_kwargs)
    scheduler = getattr(torch.optim.lr_scheduler, scheduler_class)(
        optimizer, **scheduler_kwargs
    )
    theirs, their_rates = [starts.T.copy()], []
    for _ in range(steps):
        x, y = params_.detach().numpy()
        params_.grad = torch.tensor(np.stack(_himmelblau_gradient(x, y)))
        their_rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
        theirs.append(params_.detach().numpy().copy())
    theirs = np.stack(theirs).transpose(0, 2, 1)

    # torch updates its rate recursively, the closed form here rounds differently.
    rates = learning_rates(schedule, rate, steps, **params)
    np.testing.assert_allclose(rates, their_rates, rtol=1e-13, atol=1e-18)
    np.testing.assert_allclose(ours.positions, theirs, rtol=0, atol=1e-10)
