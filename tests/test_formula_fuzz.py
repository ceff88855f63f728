"""Property tests for typed formulas: any text parses or raises FormulaError, grammar
trees always parse, and exact slopes agree with finite differences."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core.formula import FUNCTIONS, MAX_LENGTH, FormulaError, parse_formula

# The grammar strategies are big nested one_of's; Hypothesis warns about their repr.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

VOCABULARY = [
    # Every name the grammar knows, straight from its whitelist.
    "x",
    "y",
    "pi",
    "e",
    *FUNCTIONS,
    "(",
    ")",
    ",",
    "+",
    "-",
    "*",
    "/",
    "^",
    "**",
    " ",
    "2",
    "0",
    "1e-3",
    "1e999",
    "9",
    ".5",
    "__",
    "import",
    "lambda",
    "eval",
    "[",
    "]",
    ".",
    "'",
    ":",
    "=",
    "\\u2212",
    "\u2212",
    "\u0445",
    "\uff58",
]

any_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60),
    st.lists(st.sampled_from(VOCABULARY), max_size=30).map("".join),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_text)
def test_any_text_parses_or_raises_formula_error(text):
    try:
        parsed = parse_formula(text)
    except FormulaError as error:
        assert str(error).strip()
        return
    # Whatever parses evaluates silently to floats.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = parsed.value(np.array([0.5, -1.5]), np.array([2.0, 0.0]))
        dx, dy = parsed.gradient_at(0.3, -0.7)
    assert value.dtype == float and value.shape == (2,)
    assert dx.dtype == float and dy.dtype == float


LEAVES = st.sampled_from(["x", "y", "2", "3", "9", "0.5", "2.5", "1e-3", "pi", "e"])


def _grow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """One grammar step over smaller formulas, each kept inside parentheses."""
    space = st.sampled_from(["", " "])
    pair = st.tuples(children, children, space)
    return st.one_of(
        pair.map(lambda t: f"({t[0]}{t[2]}+{t[2]}{t[1]})"),
        pair.map(lambda t: f"({t[0]}{t[2]}-{t[2]}{t[1]})"),
        pair.map(lambda t: f"({t[0]}{t[2]}*{t[2]}{t[1]})"),
        pair.map(lambda t: f"({t[0]})({t[1]})"),
        pair.map(lambda t: f"({t[0]})/(2 + cos({t[1]}))"),
        pair.map(lambda t: f"min({t[0]}, {t[1]})"),
        pair.map(lambda t: f"max({t[0]},{t[1]})"),
        children.map(lambda a: f"-({a})"),
        children.map(lambda a: f"3({a})"),
        children.map(lambda a: f"sin({a})"),
        children.map(lambda a: f"cos({a})"),
        children.map(lambda a: f"tanh({a})"),
        children.map(lambda a: f"atan({a})"),
        children.map(lambda a: f"exp(sin({a}))"),
        children.map(lambda a: f"abs({a})"),
        children.map(lambda a: f"sqrt(({a})^2 + 1)"),
        children.map(lambda a: f"log(2 + sin({a}))"),
        st.tuples(LEAVES, st.sampled_from(["2", "3", "-1", "0.5"])).map(
            lambda t: f"({t[0]}^{t[1]})" if t[0] != "x" or t[1] != "-1" else "x^2"
        ),
    )


TREES = st.recursive(LEAVES, _grow, max_leaves=8)


def _depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        depth += (char == "(") - (char == ")")
        deepest = max(deepest, depth)
    return deepest


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TREES)
def test_grammar_trees_always_parse(tree):
    # exp(x y) cannot be cancelled by anything the tree can build, so x and y stay.
    text = f"{tree} + exp(x y)"
    assume(len(text) <= MAX_LENGTH and _depth(text) <= 25)
    parsed = parse_formula(text)
    assert parsed.variables == ("x", "y")
    assert parsed.knobs == 2


SMOOTH_LEAVES = st.sampled_from(["x", "y", "1", "2", "3", "0.5"])


def _grow_smooth(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pair = st.tuples(children, children)
    return st.one_of(
        pair.map(lambda t: f"({t[0]} + {t[1]})"),
        pair.map(lambda t: f"({t[0]} - {t[1]})"),
        pair.map(lambda t: f"({t[0]})*({t[1]})"),
        st.tuples(st.sampled_from(["x", "y"]), st.sampled_from(["2", "3"])).map(
            lambda t: f"{t[0]}^{t[1]}"
        ),
        children.map(lambda a: f"sin({a})"),
        children.map(lambda a: f"cos({a})"),
        children.map(lambda a: f"exp(sin({a}))"),
    )


SMOOTH = st.recursive(SMOOTH_LEAVES, _grow_smooth, max_leaves=6)
POINTS = st.tuples(st.floats(-2, 2, allow_nan=False), st.floats(-2, 2, allow_nan=False))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SMOOTH, POINTS)
def test_exact_slopes_match_central_differences(tree, point):
    text = f"{tree} + x y"
    assume(len(text) <= MAX_LENGTH and _depth(text) <= 25)
    parsed = parse_formula(text)
    x, y = point
    value = float(parsed.value(x, y))
    dx, dy = (float(d) for d in parsed.gradient_at(x, y))
    assume(all(math.isfinite(v) for v in (value, dx, dy)))

    step = 1e-6
    fd_x = (parsed.value(x + step, y) - parsed.value(x - step, y)) / (2 * step)
    fd_y = (parsed.value(x, y + step) - parsed.value(x, y - step)) / (2 * step)
    tolerance = 1e-5 * (1 + abs(value) + abs(dx) + abs(dy))
    assert abs(fd_x - dx) <= tolerance
    assert abs(fd_y - dy) <= tolerance
