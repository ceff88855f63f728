"""Cost landscapes: functions of two knobs ``(x, y)`` that carry their own facts.

A landscape is the terrain a learner walks on. Each one knows its cost ``value(x, y)``,
its exact ``gradient(x, y)``, the box of knob settings worth looking at (``domain``),
its known ``minima`` and a few words and a LaTeX formula for the page.

``value`` and ``gradient`` are vectorised: ``x`` and ``y`` may be numpy arrays of any
(broadcastable) shape, a grid or a batch of points, and the results have that shape.
Outside the domain they still compute; callers decide what "too far" means.

The published test functions follow the Virtual Library of Simulation Experiments
(Surjanovic and Bingham, https://www.sfu.ca/~ssurjano/optimization.html) for their
formulas, usual domains and minima.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

ArrayLike = np.ndarray | float
Domain = tuple[tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class Minimum:
    """One known minimum of a landscape: where it is, how deep, and whether it is
    the deepest of all (global) or only the lowest point of its own valley (local)."""

    x: float
    y: float
    value: float
    is_global: bool
    proven: bool = True

    @property
    def kind(self) -> str:
        """ "global" or "local"; for minima found by a search rather than known,
        the deepest is only the "lowest found": a search cannot prove that
        nothing lies deeper."""
        if not self.is_global:
            return "local"
        return "global" if self.proven else "lowest found"

    @property
    def label(self) -> str:
        """A short name for tables and legends, e.g. ``global (3, 2)``."""
        return f"{self.kind} ({self.x:.3g}, {self.y:.3g})"


class FormulaError(ValueError):
    """A typed formula (or domain) cannot be used; the message says what and where.

    Defined here, beside ``Landscape``, so ``core.landscapes`` can offer
    ``from_formula`` without importing the parser at start-up.
    """


@dataclass(frozen=True, eq=False)
class Landscape:
    """A cost function of two knobs with its gradient, domain and known minima.

    Attributes
    ----------
    name : str
        Registry key, e.g. ``"rosenbrock"``.
    title : str
        Display name, e.g. ``"Rosenbrock's banana valley"``.
    latex : str
        The formula in LaTeX, for ``st.latex``.
    description : str
        One or two sentences on the shape of the terrain, for a learner.
    domain : ((x_min, x_max), (y_min, y_max))
        The box of knob settings that is drawn and sampled.
    minima : list of Minimum
        Every known minimum inside the domain (where the count is known).
    value_fn, gradient_fn : callables
        ``value_fn(x, y) -> cost`` and ``gradient_fn(x, y) -> (d/dx, d/dy)``.
    source : str
        Where the formula and minima come from.
    knobs : int
        2 for a terrain over ``(x, y)``; 1 for a curve over ``x`` alone, where the
        cost ignores ``y`` and its y-slope is zero.
    formula : str
        The text a custom landscape was typed as; empty for the built-ins.
    minima_proven : bool
        False where ``minima`` were found by a search (custom landscapes), so the
        deepest is "lowest found" rather than a proven global minimum.
    minima_complete : bool
        True when ``minima`` lists every minimum inside the domain; False when only
        some are known (Ackley's countless shallow dimples are not listed).
    """

    name: str
    title: str
    latex: str
    description: str
    domain: Domain
    value_fn: Callable[[np.ndarray, np.ndarray], np.ndarray] = field(repr=False)
    gradient_fn: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] = (
        field(repr=False)
    )
    minima: list[Minimum] = field(default_factory=list)
    source: str = ""
    knobs: int = 2
    formula: str = ""
    minima_proven: bool = True
    minima_complete: bool = True

    def value(self, x: ArrayLike, y: ArrayLike) -> np.ndarray:
        """The cost at ``(x, y)``; same shape as the broadcast of ``x`` and ``y``."""
        return self.value_fn(np.asarray(x, dtype=float), np.asarray(y, dtype=float))

    def gradient(self, x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """The partial slopes ``(d cost / dx, d cost / dy)`` at ``(x, y)``."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        dx, dy = self.gradient_fn(x, y)
        shape = np.broadcast_shapes(x.shape, y.shape)
        return np.broadcast_to(dx, shape), np.broadcast_to(dy, shape)

    @property
    def key(self) -> tuple[str, str, Domain]:
        """Plain, hashable facts that rebuild this landscape: name, typed formula
        and domain. Pages cache on this rather than on the object."""
        (x_min, x_max), (y_min, y_max) = self.domain
        domain = ((float(x_min), float(x_max)), (float(y_min), float(y_max)))
        return self.name, self.formula, domain

    @property
    def global_minima(self) -> list[Minimum]:
        """The listed minima that are global (several where there is a tie)."""
        return [m for m in self.minima if m.is_global]

    def hessian(self, x: ArrayLike, y: ArrayLike, h: float = 1e-5) -> np.ndarray:
        """The matrix of second slopes at ``(x, y)``, by central differences of the
        exact gradient.

        Its eigenvalues tell the shape of the terrain at a point where the slope is
        zero: both positive at a minimum, mixed signs at a saddle.

        Parameters
        ----------
        x, y : array_like
            Knob settings, broadcastable to a common shape ``S``.
        h : float
            Step of the central difference.

        Returns
        -------
        np.ndarray, shape ``S + (2, 2)``
            ``[[d2/dx2, d2/dxdy], [d2/dydx, d2/dy2]]``, made exactly symmetric by
            averaging the two mixed slopes.
        """
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        dx_right, dy_right = self.gradient(x + h, y)
        dx_left, dy_left = self.gradient(x - h, y)
        dx_up, dy_up = self.gradient(x, y + h)
        dx_down, dy_down = self.gradient(x, y - h)

        hxx = (dx_right - dx_left) / (2 * h)
        hyy = (dy_up - dy_down) / (2 * h)
        hxy = 0.5 * ((dy_right - dy_left) + (dx_up - dx_down)) / (2 * h)

        top = np.stack([hxx, hxy], axis=-1)
        bottom = np.stack([hxy, hyy], axis=-1)
        return np.stack([top, bottom], axis=-2)


VLSE = "Surjanovic and Bingham, Virtual Library of Simulation Experiments"
VLSE_URL = "https://www.sfu.ca/~ssurjano"

# Two minima whose values differ by less than this count as equally deep (a tie).
GLOBAL_TIE_TOLERANCE = 1e-9


def _minima(points: list[tuple[float, float, float]]) -> list[Minimum]:
    """Turn ``(x, y, value)`` triples into minima, deepest first, marking as global
    every one that ties with the lowest value."""
    lowest = min(value for _, _, value in points)
    ranked = sorted(points, key=lambda point: point[2])
    return [
        Minimum(x, y, value, is_global=value <= lowest + GLOBAL_TIE_TOLERANCE)
        for x, y, value in ranked
    ]


# --- bowl -----------------------------------------------------------------------


def _bowl_value(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return x**2 + y**2


def _bowl_gradient(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return 2 * x, 2 * y


BOWL = Landscape(
    name="bowl",
    title="Round bowl",
    latex=r"f(x, y) = x^2 + y^2",
    description=(
        "A perfectly round valley: the cost grows with the squared distance from the "
        "centre, so from any knob setting the downhill direction points straight at "
        "the single global minimum at (0, 0)."
    ),
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    value_fn=_bowl_value,
    gradient_fn=_bowl_gradient,
    minima=_minima([(0.0, 0.0, 0.0)]),
    source="The classic first example of a convex cost.",
)


# --- elongated bowl -----------------------------------------------------------------


def _elongated_value(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return x**2 + 10 * y**2


def _elongated_gradient(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return 2 * x, 20 * y


ELONGATED_BOWL = Landscape(
    name="elongated_bowl",
    title="Elongated bowl",
    latex=r"f(x, y) = x^2 + 10\,y^2",
    description=(
        "A long, narrow valley: the cost is ten times more sensitive to the y knob "
        "than to the x knob. Gradient descent zig-zags across the steep walls and "
        "diverges once the learning rate exceeds 2/20 = 0.1; the global minimum is "
        "at (0, 0)."
    ),
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    value_fn=_elongated_value,
    gradient_fn=_elongated_gradient,
    minima=_minima([(0.0, 0.0, 0.0)]),
    source=(
        "Ill-conditioned quadratic: Hessian diag(2, 20), condition number 10; "
        "plain gradient descent is stable only for learning rates below 2/20."
    ),
)


# --- two valleys --------------------------------------------------------------------

TWO_VALLEYS_TILT = 0.3


def _two_valleys_value(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (x**2 - 1) ** 2 + TWO_VALLEYS_TILT * x + 0.5 * y**2


def _two_valleys_gradient(
    x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    return 4 * x * (x**2 - 1) + TWO_VALLEYS_TILT, y


TWO_VALLEYS = Landscape(
    name="two_valleys",
    title="Two valleys",
    latex=r"f(x, y) = (x^2 - 1)^2 + 0.3\,x + \tfrac{1}{2}\,y^2",
    description=(
        "Two valleys side by side, separated by a ridge: the left one is deeper (the "
        "global minimum), the right one shallower (a local minimum). Start on the "
        "right with a small learning rate and descent settles in the shallow valley, "
        "never seeing the lower cost on the other side."
    ),
    domain=((-2.0, 2.0), (-2.0, 2.0)),
    value_fn=_two_valleys_value,
    gradient_fn=_two_valleys_gradient,
    # Roots of 4x^3 - 4x + 0.3 = 0, solved to 20 digits with Newton's method.
    minima=_minima(
        [
            (-1.0355787140888537, 0.0, -0.30542848374391597),
            (0.96014955551910552, 0.0, 0.29414648102826285),
        ]
    ),
    source="Defined for Downhill: a tilted double well; minima solved numerically.",
)


# --- hills and valleys --------------------------------------------------------------

# Gaussian features on a gentle bowl: (centre x, centre y, depth, width). A positive
# depth digs a dip, a negative one raises a bump. The four dips have clearly
# different depths so the learner can tell the global minimum from the locals.
HILLS_AND_VALLEYS_FEATURES = (
    (-2.5, 2.0, 3.0, 1.1),
    (2.5, 2.5, 2.0, 1.0),
    (2.0, -2.5, 1.4, 1.0),
    (-2.5, -2.5, 0.8, 0.9),
    (0.0, 0.0, -1.5, 1.2),
    (3.0, 0.0, -1.0, 0.8),
)
HILLS_AND_VALLEYS_BOWL = 0.05


def _hills_value(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    cost = HILLS_AND_VALLEYS_BOWL * (x**2 + y**2)
    for cx, cy, depth, width in HILLS_AND_VALLEYS_FEATURES:
        squared_distance = (x - cx) ** 2 + (y - cy) ** 2
        cost = cost - depth * np.exp(-squared_distance / (2 * width**2))
    return cost


def _hills_gradient(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dx = 2 * HILLS_AND_VALLEYS_BOWL * x
    dy = 2 * HILLS_AND_VALLEYS_BOWL * y
    for cx, cy, depth, width in HILLS_AND_VALLEYS_FEATURES:
        squared_distance = (x - cx) ** 2 + (y - cy) ** 2
        pull = depth * np.exp(-squared_distance / (2 * width**2)) / width**2
        dx = dx + pull * (x - cx)
        dy = dy + pull * (y - cy)
    return dx, dy


HILLS_AND_VALLEYS = Landscape(
    name="hills_and_valleys",
    title="Hills and valleys",
    latex=(
        r"f(x, y) = 0.05\,(x^2 + y^2) - \sum_i a_i \exp\!\left("
        r"-\frac{(x - c_{x,i})^2 + (y - c_{y,i})^2}{2 s_i^2}\right)"
    ),
    description=(
        "A gentle bowl dotted with four valleys of different depths and two hills. "
        "Only the deepest valley (upper left) holds the global minimum; the other "
        "three are local minima where descent can come to rest at a higher cost, "
        "depending on where the knobs start."
    ),
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    value_fn=_hills_value,
    gradient_fn=_hills_gradient,
    # Found by multistart descent and polished with Newton's method; no others
    # exist inside the domain.
    minima=_minima(
        [
            (-2.4363850340475248, 1.9491149808424897, -2.4539861365485893),
            (2.3975961603833995, 2.4158406816303861, -1.3686705845701583),
            (1.9110943512193468, -2.4063046250533189, -0.85544291125458727),
            (-2.3166880454213805, -2.3122820571470393, -0.19616683612673141),
        ]
    ),
    source=(
        "Defined for Downhill: Gaussian dips (a_i > 0) and bumps (a_i < 0) on a "
        "gentle bowl; minima found numerically."
    ),
)


# --- saddle -------------------------------------------------------------------------


def _saddle_value(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return x**2 - y**2


def _saddle_gradient(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return 2 * x, -2 * y


SADDLE = Landscape(
    name="saddle",
    title="Saddle",
    latex=r"f(x, y) = x^2 - y^2",
    description=(
        "A mountain pass: along x the cost curves up like a valley, along y it curves "
        "down like a ridge. There is no minimum at all; the flat point at (0, 0) is a "
        "saddle, and descent slides away along the y knob forever."
    ),
    domain=((-3.0, 3.0), (-3.0, 3.0)),
    value_fn=_saddle_value,
    gradient_fn=_saddle_gradient,
    minima=[],
    source="The textbook saddle point (a hyperbolic paraboloid).",
)


# --- Booth --------------------------------------------------------------------------


def _booth_value(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


def _booth_gradient(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    first = x + 2 * y - 7
    second = 2 * x + y - 5
    return 2 * first + 4 * second, 4 * first + 2 * second


BOOTH = Landscape(
    name="booth",
    title="Booth function",
    latex=r"f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2",
    description=(
        "A tilted, stretched bowl: the cost is a sum of two squares, so there is one "
        "valley and its floor is the single global minimum at (1, 3)."
    ),
    domain=((-10.0, 10.0), (-10.0, 10.0)),
    value_fn=_booth_value,
    gradient_fn=_booth_gradient,
    minima=_minima([(1.0, 3.0, 0.0)]),
    source=f"{VLSE}: Booth function, {VLSE_URL}/booth.html",
)


# --- Beale --------------------------------------------------------------------------


def _beale_terms(
    x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3


def _beale_value(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    first, second, third = _beale_terms(x, y)
    return first**2 + second**2 + third**2


def _beale_gradient(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    first, second, third = _beale_terms(x, y)
    dx = 2 * (first * (y - 1) + second * (y**2 - 1) + third * (y**3 - 1))
    dy = 2 * x * (first + 2 * y * second + 3 * y**2 * third)
    return dx, dy


BEALE = Landscape(
    name="beale",
    title="Beale function",
    latex=(r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2"),
    description=(
        "Flat plains cut by steep walls near the corners: far from the valley the cost "
        "changes hugely with the y knob. A narrow curved valley leads to the single "
        "global minimum at (3, 0.5)."
    ),
    domain=((-4.5, 4.5), (-4.5, 4.5)),
    value_fn=_beale_value,
    gradient_fn=_beale_gradient,
    # A multistart search finds no other minimum in the domain, only two saddles
    # (near (0, 1) and (0.1005, -2.6445)).
    minima=_minima([(3.0, 0.5, 0.0)]),
    source=f"{VLSE}: Beale function, {VLSE_URL}/beale.html",
)


# --- Rosenbrock ---------------------------------------------------------------------

ROSENBROCK_A = 1.0
ROSENBROCK_B = 100.0


def _rosenbrock_value(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (ROSENBROCK_A - x) ** 2 + ROSENBROCK_B * (y - x**2) ** 2


def _rosenbrock_gradient(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    bend = y - x**2
    dx = -2 * (ROSENBROCK_A - x) - 4 * ROSENBROCK_B * x * bend
    dy = 2 * ROSENBROCK_B * bend
    return dx, dy


ROSENBROCK = Landscape(
    name="rosenbrock",
    title="Rosenbrock's banana valley",
    latex=r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
    description=(
        "A long, curved, banana-shaped valley with steep walls and an almost flat "
        "floor. Finding the valley is easy; following its floor to the single global "
        "minimum at (1, 1) takes gradient descent many small steps."
    ),
    domain=((-2.0, 2.0), (-1.0, 3.0)),
    value_fn=_rosenbrock_value,
    gradient_fn=_rosenbrock_gradient,
    minima=_minima([(1.0, 1.0, 0.0)]),
    source=f"{VLSE}: Rosenbrock function (a = 1, b = 100), {VLSE_URL}/rosen.html",
)


# --- Himmelblau ---------------------------------------------------------------------


def _himmelblau_value(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _himmelblau_gradient(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    first = x**2 + y - 11
    second = x + y**2 - 7
    return 4 * x * first + 2 * second, 2 * first + 4 * y * second


HIMMELBLAU = Landscape(
    name="himmelblau",
    title="Himmelblau's function",
    latex=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    description=(
        "Four valleys of exactly the same depth around a central hill: every one of "
        "them is a global minimum with cost 0, and which valley descent ends in "
        "depends only on where the knobs start."
    ),
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    value_fn=_himmelblau_value,
    gradient_fn=_himmelblau_gradient,
    # The three irrational minima solved to 20 digits with Newton's method.
    minima=_minima(
        [
            (3.0, 2.0, 0.0),
            (-2.8051180869527449, 3.1313125182505730, 0.0),
            (-3.7793102533777469, -3.2831859912861694, 0.0),
            (3.5844283403304917, -1.8481265269644036, 0.0),
        ]
    ),
    source=(
        "Himmelblau, Applied Nonlinear Programming (1972); minima as commonly "
        "published, the irrational ones solved numerically."
    ),
)


# --- six-hump camel -----------------------------------------------------------------


def _camel_value(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2


def _camel_gradient(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return 8 * x - 8.4 * x**3 + 2 * x**5 + y, x - 8 * y + 16 * y**3


SIX_HUMP_CAMEL = Landscape(
    name="six_hump_camel",
    title="Six-hump camel",
    latex=(
        r"f(x, y) = \left(4 - 2.1x^2 + \tfrac{x^4}{3}\right)x^2 + xy"
        r" + (-4 + 4y^2)\,y^2"
    ),
    description=(
        "Six valleys on a humped back: two twin valleys near the centre hold the "
        "global minima (cost about -1.0316), and four shallower valleys further out "
        "are local minima that can trap descent."
    ),
    domain=((-3.0, 3.0), (-2.0, 2.0)),
    value_fn=_camel_value,
    gradient_fn=_camel_gradient,
    # Globals are published; the four locals are solved to 20 digits with Newton's
    # method. The function is symmetric under (x, y) -> (-x, -y).
    minima=_minima(
        [
            (0.089842013100318062, -0.71265640302073963, -1.0316284534898774),
            (-0.089842013100318062, 0.71265640302073963, -1.0316284534898774),
            (1.7036067149699808, -0.79608356867262512, -0.21546382438371764),
            (-1.7036067149699808, 0.79608356867262512, -0.21546382438371764),
            (1.6071047529201972, 0.56865145488413137, 2.1042503103112583),
            (-1.6071047529201972, -0.56865145488413137, 2.1042503103112583),
        ]
    ),
    source=f"{VLSE}: Six-hump camel function, {VLSE_URL}/camel6.html",
)


# --- Styblinski-Tang ----------------------------------------------------------------


def _styblinski_value(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return 0.5 * (x**4 - 16 * x**2 + 5 * x + y**4 - 16 * y**2 + 5 * y)


def _styblinski_gradient(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return 0.5 * (4 * x**3 - 32 * x + 5), 0.5 * (4 * y**3 - 32 * y + 5)


# The function is a sum of one-knob curves, so its minima are all pairs of the two
# one-knob minima (roots of 4t^3 - 32t + 5, solved to 20 digits): (knob, cost share).
_STYBLINSKI_1D = (
    (-2.9035340277711771, -39.166165703771415),
    (2.7468027709908370, -25.029446655283943),
)

STYBLINSKI_TANG = Landscape(
    name="styblinski_tang",
    title="Styblinski-Tang function",
    latex=r"f(x, y) = \tfrac{1}{2}\left(x^4 - 16x^2 + 5x + y^4 - 16y^2 + 5y\right)",
    description=(
        "Four valleys in the four quadrants of a square: the one at the lower left, "
        "about (-2.9035, -2.9035), holds the global minimum, its two neighbours are "
        "equally deep local minima and the upper right valley is the shallowest."
    ),
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    value_fn=_styblinski_value,
    gradient_fn=_styblinski_gradient,
    minima=_minima(
        [
            (x, y, cost_x + cost_y)
            for x, cost_x in _STYBLINSKI_1D
            for y, cost_y in _STYBLINSKI_1D
        ]
    ),
    source=f"{VLSE}: Styblinski-Tang function (d = 2), {VLSE_URL}/stybtang.html",
)


# --- Rastrigin ----------------------------------------------------------------------

RASTRIGIN_A = 10.0


def _rastrigin_value(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ripple_x = x**2 - RASTRIGIN_A * np.cos(2 * np.pi * x)
    ripple_y = y**2 - RASTRIGIN_A * np.cos(2 * np.pi * y)
    return 2 * RASTRIGIN_A + ripple_x + ripple_y


def _rastrigin_gradient(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dx = 2 * x + 2 * np.pi * RASTRIGIN_A * np.sin(2 * np.pi * x)
    dy = 2 * y + 2 * np.pi * RASTRIGIN_A * np.sin(2 * np.pi * y)
    return dx, dy


# Also a sum of one-knob curves t^2 - 10 cos(2 pi t) + 10. Each has 11 minima in
# [-5.12, 5.12], one near every integer -5..5 and pulled slightly towards 0 (roots
# of 2t + 20 pi sin(2 pi t) solved to 20 digits); the curve is even, so only t >= 0
# is stored: (knob, cost share).
_RASTRIGIN_1D_HALF = (
    (0.0, 0.0),
    (0.99495863765233480, 0.99495905709329139),
    (1.9899122337085496, 3.9798311905540875),
    (2.9848557010394812, 8.9546012414870106),
    (3.9797838603007538, 15.919243792461531),
    (4.9746913908950513, 24.873722934542224),
)
_RASTRIGIN_1D = tuple(
    sorted({(sign * t, cost) for t, cost in _RASTRIGIN_1D_HALF for sign in (-1, 1)})
)

RASTRIGIN = Landscape(
    name="rastrigin",
    title="Rastrigin function",
    latex=(
        r"f(x, y) = 20 + \left(x^2 - 10\cos 2\pi x\right)"
        r" + \left(y^2 - 10\cos 2\pi y\right)"
    ),
    description=(
        "An egg-crate: a bowl covered in regular ripples, with a small valley near "
        "every pair of whole-number knob settings. That makes 121 minima in the box: "
        "the one at (0, 0) is the global minimum, the other 120 are local minima."
    ),
    domain=((-5.12, 5.12), (-5.12, 5.12)),
    value_fn=_rastrigin_value,
    gradient_fn=_rastrigin_gradient,
    minima=_minima(
        [
            (x, y, cost_x + cost_y)
            for x, cost_x in _RASTRIGIN_1D
            for y, cost_y in _RASTRIGIN_1D
        ]
    ),
    source=f"{VLSE}: Rastrigin function (d = 2), {VLSE_URL}/rastr.html",
)


# --- Ackley -------------------------------------------------------------------------

ACKLEY_A = 20.0
ACKLEY_B = 0.2
ACKLEY_C = 2 * np.pi


def _ackley_value(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    radius = np.sqrt(0.5 * (x**2 + y**2))
    ripple = 0.5 * (np.cos(ACKLEY_C * x) + np.cos(ACKLEY_C * y))
    return -ACKLEY_A * np.exp(-ACKLEY_B * radius) - np.exp(ripple) + ACKLEY_A + np.e


def _ackley_gradient(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    radius = np.sqrt(0.5 * (x**2 + y**2))
    ripple = np.exp(0.5 * (np.cos(ACKLEY_C * x) + np.cos(ACKLEY_C * y)))

    # The funnel term has a cusp at the origin, where its slope is undefined; we
    # report 0 there (the origin is the global minimum) and divide by a safe
    # radius elsewhere so no warning is raised.
    at_origin = radius == 0
    safe_radius = np.where(at_origin, 1.0, radius)
    funnel = np.where(
        at_origin,
        0.0,
        ACKLEY_A * ACKLEY_B * np.exp(-ACKLEY_B * radius) * 0.5 / safe_radius,
    )

    dx = funnel * x + 0.5 * ACKLEY_C * np.sin(ACKLEY_C * x) * ripple
    dy = funnel * y + 0.5 * ACKLEY_C * np.sin(ACKLEY_C * y) * ripple
    return dx, dy


ACKLEY = Landscape(
    name="ackley",
    title="Ackley function",
    latex=(
        r"f(x, y) = -20\,e^{-0.2\sqrt{\frac{1}{2}(x^2 + y^2)}}"
        r" - e^{\frac{1}{2}(\cos 2\pi x + \cos 2\pi y)} + 20 + e"
    ),
    description=(
        "A nearly flat, bumpy plain that drops into a deep funnel in the middle. "
        "Countless shallow local minima dot the plain, so small steps get stuck far "
        "from the sharp global minimum at (0, 0)."
    ),
    domain=((-32.768, 32.768), (-32.768, 32.768)),
    value_fn=_ackley_value,
    gradient_fn=_ackley_gradient,
    # Only the global minimum is listed: the hundreds of shallow local minima on the
    # plain are not, hence minima_complete=False.
    minima=_minima([(0.0, 0.0, 0.0)]),
    source=(
        f"{VLSE}: Ackley function (a = 20, b = 0.2, c = 2 pi), {VLSE_URL}/ackley.html"
    ),
    minima_complete=False,
)


def _parabola_value(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return x**2 + 0 * y


def _parabola_gradient(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return 2 * x, np.zeros(np.broadcast_shapes(np.shape(x), np.shape(y)))


PARABOLA = Landscape(
    name="parabola",
    title="Parabola w²",
    latex=r"f(w) = w^2",
    description=(
        "The simplest cost of one knob: a U-shaped curve whose bottom, at w = 0, "
        "is the only minimum. The slope there is 2w."
    ),
    domain=((-4.0, 4.0), (-1.0, 1.0)),
    value_fn=_parabola_value,
    gradient_fn=_parabola_gradient,
    minima=[Minimum(0.0, 0.0, 0.0, True)],
    source="the worked example of every introduction to gradient descent",
    knobs=1,
)
"""The one-knob worked example (the knob is ``x``, read as ``w``; ``y`` is ignored).
Not in ``LANDSCAPES``, whose members all have two knobs."""


LANDSCAPES: dict[str, Landscape] = {
    landscape.name: landscape
    for landscape in (
        BOWL,
        ELONGATED_BOWL,
        TWO_VALLEYS,
        HILLS_AND_VALLEYS,
        SADDLE,
        BOOTH,
        BEALE,
        ROSENBROCK,
        HIMMELBLAU,
        SIX_HUMP_CAMEL,
        STYBLINSKI_TANG,
        RASTRIGIN,
        ACKLEY,
    )
}
"""Every built-in landscape by name, in the order the app offers them: simple shapes
first, then the published test functions from easy to hard."""


def get_landscape(name: str) -> Landscape:
    """The built-in landscape called ``name``.

    Raises
    ------
    ValueError
        If there is no such landscape; the message lists the valid names.
    """
    try:
        return LANDSCAPES[name]
    except KeyError:
        valid = ", ".join(LANDSCAPES)
        raise ValueError(
            f"Unknown landscape {name!r}; choose one of: {valid}."
        ) from None


def from_formula(text: str, domain: Domain = ((-5.0, 5.0), (-5.0, 5.0))) -> Landscape:
    """A landscape from a typed cost formula in ``x`` (and ``y``).

    The text is checked against a whitelist grammar before anything is built, the
    gradient is exact (symbolic), and ``minima`` are the ones a search found.
    Raises ``FormulaError`` (a ``ValueError``) saying what is wrong and where. See
    ``core.formula`` for the grammar and the limits.
    """
    from core.formula import from_formula as build

    return build(text, domain)


def landscape_from_key(key: tuple[str, str, Domain]) -> Landscape:
    """The landscape that ``Landscape.key`` describes: a built-in by name, or a
    custom one rebuilt from its formula and domain."""
    name, formula, domain = key
    if formula:
        return from_formula(formula, domain)
    return get_landscape(name)
