"""Starting points and learning rates that make each built-in landscape teach.

These are choices about the lesson, not facts about the maths, so they live with
the pages rather than in ``core``. A landscape without a preset gets a point up the
slope from the centre of its domain and a cautious learning rate.
"""

from dataclasses import dataclass

from core.landscapes import Landscape


@dataclass(frozen=True)
class Preset:
    """A "you are here" point, a learning rate and a number of steps."""

    x: float
    y: float
    learning_rate: float
    steps: int = 100


PRESETS = {
    "bowl": Preset(3.0, 4.0, 0.1, 100),
    "elongated_bowl": Preset(-4.0, 2.0, 0.09, 100),
    "two_valleys": Preset(1.6, 1.5, 0.05, 100),
    "hills_and_valleys": Preset(3.5, 3.5, 0.1, 200),
    "saddle": Preset(2.0, 0.1, 0.1, 60),
    "booth": Preset(-8.0, 8.0, 0.05, 100),
    "beale": Preset(1.0, 1.5, 0.01, 500),
    "rosenbrock": Preset(-1.5, 2.0, 0.001, 1000),
    "himmelblau": Preset(0.0, 0.0, 0.01, 200),
    "six_hump_camel": Preset(-1.5, 1.0, 0.02, 200),
    "styblinski_tang": Preset(4.0, 4.0, 0.01, 200),
    "rastrigin": Preset(2.3, -3.4, 0.002, 300),
    "ackley": Preset(3.0, 2.0, 0.1, 300),
}


def preset_for(landscape: Landscape) -> Preset:
    """The preset of a landscape, or a generic one inside its domain."""
    if landscape.name in PRESETS:
        return PRESETS[landscape.name]
    (x_min, x_max), (y_min, y_max) = landscape.domain
    return Preset(
        x_min + 0.8 * (x_max - x_min),
        y_min + 0.7 * (y_max - y_min),
        0.01,
        200,
    )
