"""Fuzz the typed-formula parser for a while and report what happened.

Usage::

    python benchmarks/fuzz_formula.py --minutes 10 [--seed 1]

Feeds ``parse_formula`` a mix of random character soup, random sequences of formula
tokens, well-formed grammar trees and mutations of them. Every input must either parse
(and then evaluate silently to floats) or raise ``FormulaError``; anything else is
printed with the input that caused it. Also reports the slowest input.
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import time
import traceback
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.formula import (  # noqa: E402
    FUNCTIONS,
    FormulaError,
    from_formula,
    parse_formula,
)

TOKENS = [
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
    "0",
    "1",
    "2",
    "9",
    "100",
    "1e-3",
    "1e99",
    "1e999",
    ".5",
    "2.5",
    "__",
    "import",
    "lambda",
    "eval",
    "os",
    "[",
    "]",
    ".",
    "'",
    ":",
    "=",
    ";",
    "\n",
    "\u2212",
    "\u0445",
    "\uff58",
    "#",
]
FUNCTIONS = ["sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "atan", "sign"]
LEAVES = ["x", "y", "1", "2", "3", "0.5", "pi", "e", "10", "1e-3"]


def grammar_tree(rng: random.Random, depth: int = 0) -> str:
    """A formula from the accepted grammar (it may still be refused for its values)."""
    if depth > 4 or rng.random() < 0.3:
        return rng.choice(LEAVES)
    choice = rng.random()
    left = grammar_tree(rng, depth + 1)
    if choice < 0.4:
        op = rng.choice(["+", "-", "*", "/", " ", "^"])
        right = grammar_tree(rng, depth + 1)
        if op == " ":
            return f"({left})({right})"
        return f"({left}){op}({right})"
    if choice < 0.8:
        return f"{rng.choice(FUNCTIONS)}({left})"
    if choice < 0.9:
        return f"{rng.choice(['min', 'max'])}({left}, {grammar_tree(rng, depth + 1)})"
    return f"-{left}"


def mutate(rng: random.Random, text: str) -> str:
    """Insert, delete or replace a few characters."""
    chars = list(text)
    for _ in range(rng.randint(1, 3)):
        where = rng.randint(0, len(chars))
        action = rng.random()
        if action < 0.4:
            chars.insert(where, rng.choice(TOKENS))
        elif action < 0.7 and chars:
            del chars[min(where, len(chars) - 1)]
        elif chars:
            chars[min(where, len(chars) - 1)] = rng.choice(string.printable)
    return "".join(chars)


def make_input(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.2:
        alphabet = string.printable + "\u2212\u0445\uff58\u00b2\u03c0"
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
    if kind < 0.5:
        return "".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 25)))
    if kind < 0.8:
        return grammar_tree(rng)
    return mutate(rng, grammar_tree(rng))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    points = np.random.default_rng(args.seed).uniform(-5, 5, (2, 16))
    deadline = time.monotonic() + 60 * args.minutes
    tried = accepted = rejected = landscapes = 0
    failures: list[tuple[str, str]] = []
    slowest = (0.0, "")
    while time.monotonic() < deadline:
        text = make_input(rng)
        tried += 1
        started = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                parsed = parse_formula(text)
                value = parsed.value(*points)
                dx, dy = parsed.gradient_at(*points)
                if value.dtype != float or dx.dtype != float or dy.dtype != float:
                    raise TypeError("non-float result")
                if accepted % 50 == 0:
                    from_formula(text)
                    landscapes += 1
            accepted += 1
        except FormulaError:
            rejected += 1
        except Exception:  # noqa: BLE001 - the point is to catch anything else
            failures.append((text, traceback.format_exc(limit=3)))
        elapsed = time.perf_counter() - started
        if elapsed > slowest[0]:
            slowest = (elapsed, text)

    print(f"tried     {tried}")
    print(f"accepted  {accepted} (full landscapes built: {landscapes})")
    print(f"rejected  {rejected} (FormulaError)")
    print(f"other     {len(failures)}")
    print(f"slowest   {slowest[0]:.3f} s for {slowest[1]!r}")
    for text, trace in failures[:20]:
        print(f"\n--- input {text!r}\n{trace}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
