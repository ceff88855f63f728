"""Cached computations for the pages, keyed by small plain inputs.

Streamlit hashes large arrays by sampling them, so caching on arrays is both slow
and risky; every cached function here takes names and numbers and rebuilds what it
needs from them. Each cache is bounded so a long-running server stays flat.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from core.grids import Grid, cost_grid
from core.landscapes import Domain, landscape_from_key
from core.narration import narrate, replay_step
from core.optimizers import descend

LandscapeKey = tuple[str, str, Domain]


@dataclass(frozen=True, eq=False)
class Walk:
    """One recorded descent: positions ``(steps + 1, 2)``, costs ``(steps + 1,)``,
    how it ended and at which step."""

    positions: np.ndarray
    values: np.ndarray
    status: str
    stopped_at: int
    reason: str


@st.cache_data(max_entries=64, show_spinner=False)
def load_grid(key: LandscapeKey, resolution: int) -> Grid:
    """The cost grid of a landscape (given by ``Landscape.key``) at a resolution."""
    return cost_grid(landscape_from_key(key), resolution)


@st.cache_data(max_entries=64, show_spinner=False)
def load_walks(
    key: LandscapeKey,
    optimizer_names: tuple[str, ...],
    start: tuple[float, float],
    learning_rate: float,
    steps: int,
    hyperparameters: tuple[tuple[str, tuple[tuple[str, object], ...]], ...] = (),
    schedule: str = "constant",
    schedule_params: tuple[tuple[str, object], ...] = (),
    noise: float = 0.0,
    noise_seed: int = 0,
) -> dict[str, Walk]:
    """One walk per optimizer from the same start, recorded step by step.

    ``hyperparameters`` is ``((optimizer, ((name, value), ...)), ...)``: tuples,
    not dicts, so the cache key is plain and hashable.
    """
    landscape = landscape_from_key(key)
    settings = {name: dict(pairs) for name, pairs in hyperparameters}
    starts = np.array([start], dtype=float)
    walks = {}
    for name in optimizer_names:
        result = descend(
            landscape,
            name,
            starts,
            learning_rate,
            steps,
            record_path=True,
            schedule=schedule,
            schedule_params=dict(schedule_params),
            noise=noise,
            noise_seed=noise_seed,
            **settings.get(name, {}),
        )
        walks[name] = Walk(
            positions=result.positions[:, 0, :],
            values=result.values[:, 0],
            status=str(result.status[0]),
            stopped_at=int(result.stopped_at[0]),
            reason=str(result.reason[0]),
        )
    return walks


@st.cache_data(max_entries=64, show_spinner=False)
def load_step_story(
    key: LandscapeKey,
    optimizer: str,
    start: tuple[float, float],
    learning_rate: float,
    step: int,
    hyperparameters: tuple[tuple[str, object], ...] = (),
) -> list[str]:
    """Step ``step`` of one walk, told in plain sentences (see core.narration)."""
    story = replay_step(
        landscape_from_key(key),
        optimizer,
        start,
        learning_rate,
        step,
        **dict(hyperparameters),
    )
    return narrate(story)
