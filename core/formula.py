"""Landscapes from a formula a learner types, e.g. ``(1-x)^2 + 100(y-x^2)^2``.

The app is shared publicly, so the typed text is treated as data, never as code. A
small hand-written tokenizer accepts only a whitelist of characters and names; a
recursive-descent parser turns the tokens into a SymPy expression by calling SymPy's
constructors (``Symbol``, ``Integer``, ``Float``, ``Add``, ``Mul``, ``Pow``, ``sin``,
...) directly. No Python evaluator and no SymPy string parser ever sees the text.

Grammar (whitespace is spaces and tabs; positions in messages count characters from 1)::

    formula  := sum
    sum      := product (("+" | "-") product)*
    product  := signed (("*" | "/") signed | <implicit> factor)*
    signed   := ("+" | "-")* power          # -x^2 means -(x^2)
    power    := atom (("^" | "**") ("+" | "-")* atom)*   # right-associative
    atom     := number | "x" | "y" | "pi" | "e" | function "(" args ")" | "(" sum ")"

* numbers: ``3``, ``2.5``, ``.5``, ``1e-3`` (between 1e-100 and 1e100 in size).
* functions: see ``FUNCTIONS``; ``ln`` is ``log`` (natural), ``min``/``max`` take two
  arguments, all others one.
* implicit multiplication: a factor followed by a name or ``(`` with nothing between
  (``2x``, ``2 x``, ``x y``, ``3(x+y)``, ``(x+1)(x-1)``, ``2sin(x)``, ``sin(x)cos(y)``).
  It is refused where a reader could take it two ways: right after a division
  (``1/2x``) or a power (``x^2y``, ``e^2x``), before a number (``x 2``) and between a
  function call and ``(`` (``sin(x)(y)``). Names are never split: ``xy`` is an
  unknown name (the message suggests ``x*y``).
* the Unicode minus sign U+2212 (copied from papers and web pages) counts as ``-``;
  every other non-ASCII character is refused.

The gradient and Hessian are exact: SymPy differentiates the parsed expression and
``sympy.lambdify(..., modules="numpy")`` turns the results into vectorised numpy
functions. lambdify generates Python source from the expression tree and runs it;
that is safe here because the tree was built by this module from whitelisted pieces
(two real symbols, numbers, whitelisted functions), so its printed form cannot
contain anything but arithmetic on ``x`` and ``y`` and numpy calls.

Everything the public server could be made to choke on is refused with a
``FormulaError`` before any heavy work: long text, deep nesting, huge exponents or
constants (checked with logarithms, never by computing them), and derivative trees
that grow too large or take too long to build.
"""

from __future__ import annotations

import functools
import keyword
import math
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from core.critical_points import CriticalPoint, find_critical_points, to_minima
from core.landscapes import Domain, FormulaError, Landscape

MAX_LENGTH = 300
"""Longest formula accepted, in characters."""

MAX_DEPTH = 30
"""Deepest nesting accepted: parentheses, function calls and chained powers."""

MAX_EXPONENT = 100.0
"""Largest size of a constant exponent (``x^100`` is fine, ``x^101`` is refused)."""

MAX_LOG10_CONSTANT = 100.0
"""Constants typed or built from powers must stay below ``10**100`` in size."""

MAX_LOG10_NUMBER = 300.0
"""No number in the formula or its derivatives may exceed ``10**300`` (float range)."""

MAX_NODES = 3_000
"""Largest expression tree (formula or slopes) we are willing to compile."""

MAX_HESSIAN_NODES = 3_000
"""Largest curvature tree compiled; beyond it (or when the slopes alone exceed
``MAX_HESSIAN_SOURCE`` nodes) the Hessian comes from differences of the exact slopes."""

MAX_HESSIAN_SOURCE = 400
"""Slopes larger than this many nodes are not differentiated again symbolically."""

MAX_SECONDS = 1.0
"""Preparing a formula (parse, differentiate, compile) must take less CPU time."""

MAX_DOMAIN_BOUND = 1e6
"""Largest knob value a domain may reach."""

MIN_DOMAIN_SPAN = 1e-6
"""Narrowest domain span accepted (a thinner box cannot be drawn or searched)."""

X = sp.Symbol("x", real=True)
Y = sp.Symbol("y", real=True)


class RealAbs(sp.Function):
    """``|u|`` for a real ``u``, with slope ``sign(u) u'``.

    SymPy's ``Abs`` differentiates ``|u|`` as a complex modulus unless it can prove
    ``u`` real (it cannot for ``log(2 + sin(x))``), which leaves unevaluated
    derivatives of ``re`` and ``im``. Every formula here is real (complex values are
    nan), so this class states that; ``_abs`` uses ``Abs`` whenever SymPy can prove
    it too.
    """

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return _sign(self.args[0])

    def _latex(self, printer: object, exp: str | None = None) -> str:
        text = r"\left|{" + printer._print(self.args[0]) + r"}\right|"
        return text if exp is None else "{" + text + "}^{" + exp + "}"

    def _sympystr(self, printer: object) -> str:
        return f"abs({printer._print(self.args[0])})"


class RealSign(sp.Function):
    """``sign(u)`` for a real ``u``: slope 0 except at ``u = 0``, where it jumps."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Integer(0)

    def _latex(self, printer: object, exp: str | None = None) -> str:
        name = (
            r"\operatorname{sign}"
            if exp is None
            else r"\operatorname{sign}^{" + exp + "}"
        )
        return name + r"{\left(" + printer._print(self.args[0]) + r" \right)}"

    def _sympystr(self, printer: object) -> str:
        return f"sign({printer._print(self.args[0])})"


def _abs(u: sp.Expr) -> sp.Expr:
    """``|u|``: SymPy's ``Abs`` where it knows ``u`` is real, else ``RealAbs``."""
    return sp.Abs(u) if u.is_number or u.is_extended_real else RealAbs(u)


def _sign(u: sp.Expr) -> sp.Expr:
    """``sign(u)``: SymPy's ``sign`` where it knows ``u`` is real, else ``RealSign``."""
    return sp.sign(u) if u.is_number or u.is_extended_real else RealSign(u)


class Step(sp.Function):
    """The unit step ``H(u)`` (1/2 at 0) that slopes of min and max contain.

    SymPy's ``Heaviside`` is printed for numpy through a Piecewise whose conditions
    it simplifies, which can take minutes for nested arguments; this stand-in is
    compiled straight to ``numpy.heaviside``. Its own slope is 0 (away from the jump).
    """

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Integer(0)


def _step(u: np.ndarray) -> np.ndarray:
    return np.heaviside(u, 0.5)


CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "e": sp.E}
"""Named constants a formula may use."""

FUNCTIONS: dict[str, tuple[int, Callable[..., sp.Expr]]] = {
    "sin": (1, sp.sin),
    "cos": (1, sp.cos),
    "tan": (1, sp.tan),
    "exp": (1, sp.exp),
    "log": (1, sp.log),
    "ln": (1, sp.log),
    "log10": (1, lambda u: sp.log(u) / sp.log(10)),
    "sqrt": (1, sp.sqrt),
    "abs": (1, _abs),
    "sign": (1, _sign),
    "sinh": (1, sp.sinh),
    "cosh": (1, sp.cosh),
    "tanh": (1, sp.tanh),
    "arcsin": (1, sp.asin),
    "asin": (1, sp.asin),
    "arccos": (1, sp.acos),
    "acos": (1, sp.acos),
    "arctan": (1, sp.atan),
    "atan": (1, sp.atan),
    "min": (2, sp.Min),
    "max": (2, sp.Max),
}
"""Functions a formula may call: name -> (number of arguments, SymPy constructor)."""

_UNICODE_MINUS = "\u2212"
_OPERAND_HINT = "a number, x, y, a function or '('"
_INFINITE = (sp.zoo, sp.oo, -sp.oo, sp.nan)
_GROWING = ("exp", "sinh", "cosh")  # e^|c| in size: check constant arguments first


# FormulaError lives beside Landscape (core.landscapes) and is re-exported here.


# -------------------------------------------------------------------------------------
# Tokens


@dataclass(frozen=True)
class _Token:
    kind: str  # "number", "name", "op", "(", ")", ",", "end"
    text: str
    pos: int  # 1-based position of the first character


def _show_char(char: str) -> str:
    """A character as a message shows it: quoted, escaped, with its code if unusual."""
    shown = repr(char)
    if char.isascii():
        return shown
    name = unicodedata.name(char, "unnamed character")
    return f"{shown} (U+{ord(char):04X} {name})"


def _read_number(text: str, start: int) -> int:
    """Index just past the number literal that starts at ``text[start]``."""
    i = start
    n = len(text)
    while i < n and text[i] in "0123456789":
        i += 1
    if i < n and text[i] == ".":
        i += 1
        while i < n and text[i] in "0123456789":
            i += 1

    # An exponent only when digits follow: ``2e`` and ``2ex`` are 2 times e (or a name).
    if i < n and text[i] in "eE":
        j = i + 1
        if j < n and text[j] in "+-":
            j += 1
        if j < n and text[j] in "0123456789":
            while j < n and text[j] in "0123456789":
                j += 1
            i = j
    return i


def _tokenize(text: str) -> list[_Token]:
    """Split ``text`` into whitelisted tokens, refusing any other character."""
    tokens: list[_Token] = []
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char in " \t":
            i += 1
        elif char in "0123456789" or (
            char == "." and i + 1 < n and text[i + 1] in "0123456789"
        ):
            end = _read_number(text, i)
            tokens.append(_Token("number", text[i:end], i + 1))
            i = end
        elif char.isascii() and (char.isalpha() or char == "_"):
            end = i + 1
            while (
                end < n
                and text[end].isascii()
                and (text[end].isalnum() or text[end] == "_")
            ):
                end += 1
            tokens.append(_Token("name", text[i:end], i + 1))
            i = end
        elif text.startswith("**", i):
            tokens.append(_Token("op", "^", i + 1))
            i += 2
        elif char in "+-*/^":
            tokens.append(_Token("op", char, i + 1))
            i += 1
        elif char == _UNICODE_MINUS:
            tokens.append(_Token("op", "-", i + 1))
            i += 1
        elif char in "(),":
            tokens.append(_Token(char, char, i + 1))
            i += 1
        else:
            hint = ""
            if char == ".":
                hint = " (a dot may only be part of a number such as 2.5)"
            elif not char.isascii():
                hint = " (type plain keyboard characters only)"
            elif char in "'\"":
                hint = " (quotes are not allowed)"
            raise FormulaError(
                f"unexpected character {_show_char(char)} at position {i + 1}{hint}"
            )
    tokens.append(_Token("end", "", n + 1))
    return tokens


def _check_parentheses(tokens: list[_Token]) -> None:
    """Refuse unbalanced or too deeply nested parentheses before parsing."""
    open_positions: list[int] = []
    for token in tokens:
        if token.kind == "(":
            open_positions.append(token.pos)
            if len(open_positions) > MAX_DEPTH:
                raise FormulaError(
                    f"too deeply nested at position {token.pos}: at most {MAX_DEPTH} "
                    "levels of parentheses"
                )
        elif token.kind == ")":
            if not open_positions:
                raise FormulaError(
                    f"unbalanced parenthesis: ')' at position {token.pos} has no "
                    "matching '('"
                )
            open_positions.pop()
    if open_positions:
        raise FormulaError(
            f"unbalanced parenthesis: '(' at position {open_positions[-1]} is never "
            "closed"
        )


# -------------------------------------------------------------------------------------
# Parser


def _unknown_name_message(name: str, pos: int) -> str:
    """Explain an unknown name, suggesting what the learner probably meant."""
    if keyword.iskeyword(name):
        return (
            f"'{name}' is not allowed (at position {pos}): a formula holds only "
            "numbers, x, y, pi, e, + - * / ^, parentheses and the listed functions"
        )
    hint = "use x and y"
    lower = name.lower()
    if lower != name and (
        lower in ("x", "y") or lower in CONSTANTS or lower in FUNCTIONS
    ):
        hint += f"; names are lower case: {lower}"
    else:
        parts = _split_known(name)
        if parts:
            hint += f"; write {'*'.join(parts)} to multiply"
    return f"unknown name '{name}' at position {pos} ({hint})"


def _split_known(name: str) -> list[str] | None:
    """Split a name into x, y, e and pi if it is made of nothing else (``xy``)."""
    parts: list[str] = []
    i = 0
    while i < len(name):
        if name.startswith("pi", i):
            parts.append("pi")
            i += 2
        elif name[i] in "xye":
            parts.append(name[i])
            i += 1
        else:
            return None
    return parts if len(parts) > 1 else None


def _constant_value(expr: sp.Expr) -> complex:
    """The numeric value of a constant expression (built from bounded pieces).

    Sizes beyond the float range come back infinite.
    """
    try:
        return complex(sp.N(expr, 17))
    except (OverflowError, TypeError, ValueError):
        return complex(math.inf, 0.0)


def _log10_size(value: complex) -> float:
    """``log10 |value|``, with ``-inf`` for zero."""
    size = abs(value)
    return math.log10(size) if size > 0 else -math.inf


@dataclass
class _Factor:
    """A parsed factor and what the implicit-multiplication rules need to know."""

    expr: sp.Expr
    has_power: bool = False
    is_call: bool = False


class _Parser:
    """Recursive descent over the token list, building SymPy objects directly."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> sp.Expr:
        expr = self.sum()
        token = self.token
        if token.kind != "end":
            raise FormulaError(
                f"unexpected '{token.text}' at position {token.pos}"
                + (
                    " (a comma only separates the two arguments of min and max)"
                    if token.kind == ","
                    else ""
                )
            )
        return expr

    def expected_operand(self) -> FormulaError:
        token = self.token
        if token.kind == "end":
            previous = self.tokens[self.index - 1] if self.index else None
            after = f" after '{previous.text}'" if previous else ""
            return FormulaError(
                f"the formula ends too early{after} at position {token.pos}: "
                f"expected {_OPERAND_HINT}"
            )
        return FormulaError(
            f"unexpected '{token.text}' at position {token.pos}: "
            f"expected {_OPERAND_HINT}"
        )

    def sum(self) -> sp.Expr:
        start = self.token.pos
        terms = [self.product()]
        while self.token.kind == "op" and self.token.text in "+-":
            op = self.advance()
            term = self.product()
            terms.append(-term if op.text == "-" else term)
        return _checked(sp.Add(*terms), start, "the expression")

    def product(self) -> sp.Expr:
        left = self.signed()
        expr = left.expr
        after_division = False
        while True:
            token = self.token
            if token.kind == "op" and token.text in "*/":
                self.advance()
                right = self.signed()
                if token.text == "*":
                    expr = sp.Mul(expr, right.expr)
                else:
                    if right.expr.is_number and right.expr == 0:
                        raise FormulaError(f"division by zero at position {token.pos}")
                    expr = _checked(
                        sp.Mul(expr, sp.Pow(right.expr, -1)), token.pos, "the division"
                    )
                after_division = token.text == "/"
                left = right
            elif token.kind in ("name", "("):
                self.check_implicit(left, after_division, token)
                right = self.factor()
                expr = sp.Mul(expr, right.expr)
                after_division = False
                left = right
            elif token.kind == "number":
                raise FormulaError(
                    f"a number cannot follow directly at position {token.pos}: "
                    "write * (or ^) in front of it"
                )
            else:
                return expr

    def check_implicit(
        self, left: _Factor, after_division: bool, token: _Token
    ) -> None:
        """Refuse implicit multiplication where a reader could take it two ways."""
        where = f"at position {token.pos}"
        if after_division:
            raise FormulaError(
                f"ambiguous product after a division {where}: write 1/(2*x) or "
                "(1/2)*x, with explicit * and parentheses"
            )
        if left.has_power:
            raise FormulaError(
                f"ambiguous product after a power {where}: write x^2*y or x^(2*y), "
                "with explicit * and parentheses"
            )
        if left.is_call and token.kind == "(":
            raise FormulaError(
                f"'(' right after a function call {where}: write * to multiply"
            )

    def signed(self) -> _Factor:
        negative = False
        while self.token.kind == "op" and self.token.text in "+-":
            negative ^= self.advance().text == "-"
        factor = self.factor()
        if negative:
            factor.expr = -factor.expr
        return factor

    def factor(self) -> _Factor:
        """An atom and any chain of powers after it, folded right to left."""
        first = self.atom()
        links: list[tuple[_Token, bool, _Factor]] = []
        while self.token.kind == "op" and self.token.text == "^":
            caret = self.advance()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise FormulaError(
                    f"too deeply nested at position {caret.pos}: at most {MAX_DEPTH} "
                    "levels of powers, parentheses and functions"
                )
            negative = False
            while self.token.kind == "op" and self.token.text in "+-":
                negative ^= self.advance().text == "-"
            links.append((caret, negative, self.atom()))
        self.depth -= len(links)
        if not links:
            return first

        # a ^ -b ^ c means a^(-(b^c)): fold from the right, signs after each power.
        exponent: sp.Expr | None = None
        caret_pos = 0
        for caret, negative, operand in reversed(links):
            if exponent is None:
                exponent = operand.expr
            else:
                exponent = _power(operand.expr, exponent, caret_pos)
            if negative:
                exponent = -exponent
            caret_pos = caret.pos
        return _Factor(_power(first.expr, exponent, caret_pos), has_power=True)

    def atom(self) -> _Factor:
        token = self.token
        if token.kind == "number":
            self.advance()
            return _Factor(_number(token))
        if token.kind == "(":
            self.advance()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise FormulaError(
                    f"too deeply nested at position {token.pos}: at most {MAX_DEPTH} "
                    "levels of powers, parentheses and functions"
                )
            expr = self.sum()
            self.depth -= 1
            self.expect_close(token)
            return _Factor(expr)
        if token.kind == "name":
            self.advance()
            name = token.text
            if name == "x":
                return _Factor(X)
            if name == "y":
                return _Factor(Y)
            if name in CONSTANTS:
                return _Factor(CONSTANTS[name])
            if name in FUNCTIONS:
                return _Factor(self.call(token), is_call=True)
            raise FormulaError(_unknown_name_message(name, token.pos))
        raise self.expected_operand()

    def expect_close(self, opening: _Token) -> None:
        token = self.token
        if token.kind != ")":
            raise FormulaError(
                f"unexpected '{token.text}' at position {token.pos}: expected ')' to "
                f"close the '(' at position {opening.pos}"
            )
        self.advance()

    def call(self, name: _Token) -> sp.Expr:
        arity, build = FUNCTIONS[name.text]
        opening = self.token
        if opening.kind != "(":
            raise FormulaError(
                f"'{name.text}' at position {name.pos} needs parentheses, "
                f"e.g. {name.text}(x)"
            )
        self.advance()
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(
                f"too deeply nested at position {opening.pos}: at most {MAX_DEPTH} "
                "levels of powers, parentheses and functions"
            )
        args: list[sp.Expr] = []
        if self.token.kind != ")":
            args.append(self.sum())
            while self.token.kind == ",":
                self.advance()
                args.append(self.sum())
        self.depth -= 1
        self.expect_close(opening)
        if len(args) != arity:
            wanted = "1 argument" if arity == 1 else f"{arity} arguments"
            raise FormulaError(
                f"{name.text}(...) at position {name.pos} takes {wanted}, "
                f"not {len(args)}"
            )
        if name.text in _GROWING and args[0].is_number:
            growth = abs(_constant_value(args[0]).real) * math.log10(math.e)
            _check_size(growth, name.pos)
        result = build(*args)
        return _checked(result, name.pos, f"{name.text}(...)")


def _number(token: _Token) -> sp.Expr:
    """A SymPy number for a literal, refusing sizes no landscape needs."""
    text = token.text
    value = float(text)
    mantissa = text.lower().split("e")[0]
    if not math.isfinite(value) or abs(value) > 10**MAX_LOG10_CONSTANT:
        raise FormulaError(
            f"number {text} at position {token.pos} is too large (at most 1e100)"
        )
    if (value == 0 and mantissa.strip("0.")) or 0 < abs(
        value
    ) < 10**-MAX_LOG10_CONSTANT:
        raise FormulaError(
            f"number {text} at position {token.pos} is too small (at least 1e-100)"
        )
    if "." not in text and "e" not in text.lower():
        return sp.Integer(int(text))
    if "." not in text and value.is_integer() and abs(value) <= 1e15:
        return sp.Integer(int(value))
    return sp.Float(value)


def _check_size(log10_size: float, pos: int) -> None:
    if log10_size > MAX_LOG10_CONSTANT:
        raise FormulaError(
            f"the number built at position {pos} would be about 10^{log10_size:.3g}, "
            "far too large (at most 1e100)"
        )


def _power(base: sp.Expr, exponent: sp.Expr, pos: int) -> sp.Expr:
    """``base ** exponent``, refusing huge exponents before SymPy can compute them."""
    if exponent.is_number:
        value = _constant_value(exponent)
        if not (math.isfinite(value.real) and math.isfinite(value.imag)):
            raise FormulaError(f"the exponent at position {pos} is not a finite number")
        if abs(value) > MAX_EXPONENT:
            raise FormulaError(
                f"exponent {abs(value):.6g} at position {pos} is too large "
                f"(at most {MAX_EXPONENT:g})"
            )
        if base.is_number:
            base_value = _constant_value(base)
            if base_value == 0 and value.real < 0:
                raise FormulaError(
                    f"division by zero at position {pos} (0 to a negative power)"
                )
            if base_value != 0:
                _check_size(value.real * _log10_size(base_value), pos)
            if base_value.real < 0 and not float(value.real).is_integer():
                raise FormulaError(
                    f"a negative number to a fractional power at position {pos} is "
                    "not a real number"
                )
    return _checked(sp.Pow(base, exponent), pos, "the power")


def _checked(expr: sp.Expr, pos: int, what: str) -> sp.Expr:
    """Refuse constants that came out infinite, undefined or complex."""
    if expr.has(*_INFINITE):
        raise FormulaError(
            f"{what} at position {pos} is infinite or undefined (e.g. 1/0 or log(0))"
        )
    if expr.has(sp.I):
        raise FormulaError(
            f"{what} at position {pos} is not a real number (e.g. sqrt of a negative "
            "number)"
        )
    if expr.is_number:
        value = _constant_value(expr)
        if abs(value.imag) > 1e-12 * (1 + abs(value.real)):
            raise FormulaError(f"{what} at position {pos} is not a real number")
        if not math.isfinite(value.real):
            raise FormulaError(f"{what} at position {pos} is infinite or undefined")
    return expr


# -------------------------------------------------------------------------------------
# Derivatives, notes and compiled functions


def _tree_size(expr: sp.Expr, cap: int) -> int:
    """Number of nodes in the expression tree, counting stops just past ``cap``."""
    count = 0
    for _ in sp.preorder_traversal(expr):
        count += 1
        if count > cap:
            break
    return count


def _drop_delta(expr: sp.Expr) -> sp.Expr:
    """Replace Dirac deltas (from differentiating sign or a kink twice) by 0.

    They are zero everywhere except on the kink itself, where the slope is undefined
    anyway and the notes say so.
    """
    if expr.has(sp.DiracDelta):
        return expr.replace(sp.DiracDelta, lambda *args: sp.Integer(0))
    return expr


def _plain(expr: sp.Expr) -> str:
    """A short plain-text form of an expression for notes (``x^2 - 1``)."""
    return sp.sstr(expr).replace("**", "^")


def _smoothness_notes(expr: sp.Expr) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Where the slope is undefined though the cost is (kinks), and where the cost
    itself is undefined or infinite.

    Returns
    -------
    kinks, undefined : tuple of str
        Human-readable conditions such as ``"where x = 0"``, without duplicates.
    """
    kinks: list[str] = []
    undefined: list[str] = []
    for node in sp.preorder_traversal(expr):
        args = getattr(node, "args", ())
        if not args or all(arg.is_number for arg in args):
            continue
        if isinstance(node, (sp.Abs, RealAbs)):
            kinks.append(f"where {_plain(args[0])} = 0 (corner of |...|)")
        elif isinstance(node, (sp.sign, RealSign)):
            kinks.append(f"where {_plain(args[0])} = 0 (sign jumps)")
        elif isinstance(node, (sp.Min, sp.Max)):
            name = "min" if isinstance(node, sp.Min) else "max"
            kinks.append(
                f"where {_plain(args[0])} = {_plain(args[1])} ({name} switches)"
            )
        elif isinstance(node, sp.log) and not args[0].is_positive:
            undefined.append(f"where {_plain(args[0])} <= 0 (log)")
        elif isinstance(node, sp.tan):
            undefined.append(f"where cos({_plain(args[0])}) = 0 (tan)")
        elif isinstance(node, (sp.asin, sp.acos)):
            undefined.append(f"where |{_plain(args[0])}| > 1 (arcsin/arccos)")
            kinks.append(f"where |{_plain(args[0])}| = 1 (slope of arcsin/arccos)")
        elif isinstance(node, sp.Pow):
            base, exponent = node.args
            if base.is_number:
                continue
            if exponent.is_number:
                power = float(exponent)
                if power < 0 and not base.is_positive:
                    undefined.append(f"where {_plain(base)} = 0 (division by zero)")
                if not power.is_integer() and not base.is_positive:
                    if not base.is_nonnegative:
                        undefined.append(f"where {_plain(base)} < 0 (fractional power)")
                    if 0 < power < 1:
                        kinks.append(f"where {_plain(base)} = 0 (slope of a root)")
            elif not base.is_positive:
                undefined.append(f"where {_plain(base)} <= 0 (power with a variable)")
    return tuple(dict.fromkeys(kinks)), tuple(dict.fromkeys(undefined))


def _real_array(result: object, shape: tuple[int, ...]) -> np.ndarray:
    """A float array of ``shape`` from a compiled function's result.

    Constants come back as scalars and are broadcast; any complex value (numpy
    should not produce one from float input, this is a safety net) becomes nan.
    """
    array = np.asarray(result)
    if np.iscomplexobj(array):
        array = np.where(array.imag == 0, array.real, np.nan)
    return np.array(np.broadcast_to(array.astype(float), shape))


def _to_numpy_function(exprs: sp.Expr | list[sp.Expr]) -> Callable[..., object]:
    """Vectorised numpy function of ``(x, y)`` returning ``exprs`` (one or a list).

    lambdify prints the (validated, whitelisted) trees as numpy code and runs that
    generated code; no user text is involved.
    """
    # An exact integer too big for int64 (cos(10^20) stays unevaluated in SymPy)
    # would reach numpy as a Python int it cannot take a cosine of: make it a float.
    if isinstance(exprs, list):
        exprs = [_float_huge(e) for e in exprs]
    else:
        exprs = _float_huge(exprs)
    return sp.lambdify(
        (X, Y),
        exprs,
        modules=[{"RealAbs": np.abs, "RealSign": np.sign, "Step": _step}, "numpy"],
    )


def _float_huge(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every integer beyond 2**31 in size written as a float."""
    huge = {n: sp.Float(n) for n in expr.atoms(sp.Integer) if abs(n) > 2**31}
    return expr.xreplace(huge) if huge else expr


def _for_numpy(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every Heaviside step swapped for the quick-to-print ``Step``."""
    if expr.has(sp.Heaviside):
        return expr.replace(sp.Heaviside, lambda u, *rest: Step(u))
    return expr


# -------------------------------------------------------------------------------------
# Public results


@dataclass(frozen=True, eq=False)
class ParsedFormula:
    """A validated formula with its exact slopes, ready to evaluate.

    Attributes
    ----------
    text : str
        The formula as typed.
    expr : sympy.Expr
        The cost as a SymPy expression in the real symbols ``x`` and ``y``.
    variables : tuple of str
        The knobs the formula uses: ``("x",)``, ``("y",)`` or ``("x", "y")``.
    knobs : int
        1 for a formula in ``x`` alone (a curve), else 2.
    latex, gradient_latex : str, (str, str)
        LaTeX of the cost and of its partial derivatives d/dx and d/dy.
    gradient : (sympy.Expr, sympy.Expr)
        The exact partial derivatives.
    hessian : ((Expr, Expr), (Expr, Expr)) or None
        The exact second derivatives (deltas from kinks dropped); None when too
        large, in which case ``hessian_at`` uses differences of the exact slopes.
    kinks, undefined : tuple of str
        Conditions (``"where x = 0 (corner of |...|)"``) where the slope is undefined
        though the cost is defined, and where the cost itself is undefined or infinite.
    """

    text: str
    expr: sp.Expr
    variables: tuple[str, ...]
    knobs: int
    latex: str
    gradient_latex: tuple[str, str]
    gradient: tuple[sp.Expr, sp.Expr]
    hessian: tuple[tuple[sp.Expr, sp.Expr], tuple[sp.Expr, sp.Expr]] | None
    kinks: tuple[str, ...]
    undefined: tuple[str, ...]
    _value: Callable[..., object] = field(repr=False)
    _gradient: Callable[..., list] = field(repr=False)
    _hessian: Callable[..., list] | None = field(repr=False)

    @property
    def smooth(self) -> bool:
        """True when the slope is defined wherever the cost is."""
        return not self.kinks

    @property
    def smoothness_note(self) -> str:
        """One sentence for the page on where the slope (or the cost) is undefined."""
        parts = []
        if self.kinks:
            parts.append("The slope is undefined " + "; ".join(self.kinks) + ".")
        if self.undefined:
            parts.append(
                "The cost is undefined or infinite " + "; ".join(self.undefined) + "."
            )
        if not parts:
            return "Smooth everywhere: the slope is defined at every point."
        return " ".join(parts)

    def value(self, x: np.ndarray | float, y: np.ndarray | float) -> np.ndarray:
        """The cost at ``(x, y)``, shaped like the inputs; nan or inf if undefined."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        with np.errstate(all="ignore"):
            result = self._value(x, y)
            return _real_array(result, np.broadcast_shapes(x.shape, y.shape))

    def gradient_at(
        self, x: np.ndarray | float, y: np.ndarray | float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact slopes ``(d/dx, d/dy)`` at ``(x, y)``; nan/inf where undefined."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        shape = np.broadcast_shapes(x.shape, y.shape)
        with np.errstate(all="ignore"):
            dx, dy = self._gradient(x, y)
            return _real_array(dx, shape), _real_array(dy, shape)

    def hessian_at(
        self, x: np.ndarray | float, y: np.ndarray | float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Second derivatives ``(d2/dx2, d2/dxdy, d2/dy2)`` at ``(x, y)``."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        shape = np.broadcast_shapes(x.shape, y.shape)
        if self._hessian is None:
            return self._hessian_by_differences(x, y)
        with np.errstate(all="ignore"):
            hxx, hxy, hyy = self._hessian(x, y)
            return (
                _real_array(hxx, shape),
                _real_array(hxy, shape),
                _real_array(hyy, shape),
            )

    def _hessian_by_differences(
        self, x: np.ndarray, y: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Central differences of the exact slopes, step ``1e-6 (1 + |knob|)``."""
        hx = 1e-6 * (1 + np.abs(x))
        hy = 1e-6 * (1 + np.abs(y))
        with np.errstate(all="ignore"):
            gx_right, gy_right = self.gradient_at(x + hx, y)
            gx_left, gy_left = self.gradient_at(x - hx, y)
            gx_up, gy_up = self.gradient_at(x, y + hy)
            gx_down, gy_down = self.gradient_at(x, y - hy)
            hxx = (gx_right - gx_left) / (2 * hx)
            hyy = (gy_up - gy_down) / (2 * hy)
            hxy = ((gy_right - gy_left) / (2 * hx) + (gx_up - gx_down) / (2 * hy)) / 2
            return hxx, hxy, hyy

    def critical_points(
        self, domain: Domain = ((-5.0, 5.0), (-5.0, 5.0))
    ) -> tuple[CriticalPoint, ...]:
        """Minima, maxima, saddles (and degenerate points) found inside ``domain``.

        Found numerically (see ``core.critical_points``), so the list may miss some.
        """
        return _critical_points_cached(self.text, validate_domain(domain))


_REFUSED: OrderedDict[str, str] = OrderedDict()
"""Texts recently refused for growing too large, so a repeat costs nothing."""


def parse_formula(text: str) -> ParsedFormula:
    """Parse, check, differentiate and compile a typed formula.

    Parameters
    ----------
    text : str
        The formula, e.g. ``"x^2 + 3y^2"``; see the module docstring for the grammar.

    Returns
    -------
    ParsedFormula

    Raises
    ------
    FormulaError
        With a message saying what is wrong and where (1-based character position).
    """
    if not isinstance(text, str):
        raise FormulaError("the formula must be text")
    if text in _REFUSED:
        raise FormulaError(_REFUSED[text])
    try:
        return _parse_cached(text)
    except FormulaError:
        raise
    except RecursionError:
        raise FormulaError("the formula is nested too deeply") from None
    except (ArithmeticError, ValueError, TypeError, NotImplementedError) as error:
        # SymPy can trip over corner cases of its own (e.g. printing a Min that holds
        # an infinity); the learner gets a refusal, never a crash.
        raise FormulaError(
            f"this formula cannot be handled ({type(error).__name__}); try writing it "
            "differently"
        ) from None


@functools.lru_cache(maxsize=64)
def _parse_cached(text: str) -> ParsedFormula:
    # CPU time of this thread: a busy shared server must not turn good formulas away.
    started = time.thread_time()
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            f"the formula is {len(text)} characters long; at most {MAX_LENGTH} are "
            "allowed"
        )
    if not text.strip(" \t"):
        raise FormulaError("empty formula")

    tokens = _tokenize(text)
    _check_parentheses(tokens)
    expr = _Parser(tokens).parse()

    symbols = expr.free_symbols
    if not symbols:
        raise FormulaError(
            "the formula must use x (and y); this one is the constant "
            + _plain(expr)[:40]
        )
    variables = tuple(name for name, sym in (("x", X), ("y", Y)) if sym in symbols)
    knobs = 1 if variables == ("x",) else 2

    gradient = (_drop_delta(sp.diff(expr, X)), _drop_delta(sp.diff(expr, Y)))
    _check_budget((expr, *gradient), started, text)
    hessian = _symbolic_hessian(gradient)
    _check_budget((), started, text)

    kinks, undefined = _smoothness_notes(expr)
    parsed = ParsedFormula(
        text=text,
        expr=expr,
        variables=variables,
        knobs=knobs,
        latex=sp.latex(expr),
        gradient_latex=(sp.latex(gradient[0]), sp.latex(gradient[1])),
        gradient=gradient,
        hessian=hessian,
        kinks=kinks,
        undefined=undefined,
        _value=_to_numpy_function(_for_numpy(expr)),
        _gradient=_to_numpy_function([_for_numpy(g) for g in gradient]),
        _hessian=None
        if hessian is None
        else _to_numpy_function(
            [_for_numpy(h) for h in (hessian[0][0], hessian[0][1], hessian[1][1])]
        ),
    )
    _check_budget((), started, text)
    return parsed


def _symbolic_hessian(
    gradient: tuple[sp.Expr, sp.Expr],
) -> tuple[tuple[sp.Expr, sp.Expr], tuple[sp.Expr, sp.Expr]] | None:
    """The exact Hessian, or None when it would be too large to build and compile.

    Differentiating twice can multiply the size of an expression many times over
    (towers like ``x^x^x``), so past a size the Hessian is left to finite differences.
    """
    if max(_tree_size(g, MAX_HESSIAN_SOURCE) for g in gradient) > MAX_HESSIAN_SOURCE:
        return None
    dxx = _drop_delta(sp.diff(gradient[0], X))
    dxy = _drop_delta(sp.diff(gradient[0], Y))
    dyy = _drop_delta(sp.diff(gradient[1], Y))
    if not all(_compilable(h) for h in (dxx, dxy, dyy)):
        return None
    return ((dxx, dxy), (dxy, dyy))


def _compilable(expr: sp.Expr) -> bool:
    """True when ``expr`` is finite, fully evaluated, small and float-sized."""
    if expr.has(*_INFINITE) or expr.has(sp.Derivative, sp.Subs):
        return False
    if _tree_size(expr, MAX_HESSIAN_NODES) > MAX_HESSIAN_NODES:
        return False
    limit = sp.Integer(10) ** int(MAX_LOG10_NUMBER)
    return all(abs(number) <= limit for number in expr.atoms(sp.Number))


def _check_budget(exprs: tuple[sp.Expr, ...], started: float, text: str) -> None:
    """Refuse expressions that are too large to compile or took too long to build."""
    for expr in exprs:
        if expr.has(*_INFINITE) or expr.has(sp.Derivative, sp.Subs):
            raise FormulaError("the slopes of this formula cannot be computed exactly")
        if _tree_size(expr, MAX_NODES) > MAX_NODES:
            _refuse(text, "the formula's slopes grow too large to compute quickly")
        for number in expr.atoms(sp.Number):
            if abs(number) > sp.Integer(10) ** int(MAX_LOG10_NUMBER):
                raise FormulaError(
                    "numbers in this formula or its slopes grow too large"
                )
    if time.thread_time() - started > MAX_SECONDS:
        raise FormulaError("the formula takes too long to prepare; try a simpler one")


def _refuse(text: str, message: str) -> None:
    _REFUSED[text] = message
    while len(_REFUSED) > 64:
        _REFUSED.popitem(last=False)
    raise FormulaError(message)


def validate_domain(domain: object) -> Domain:
    """Check a domain ``((x_min, x_max), (y_min, y_max))`` and return it as floats.

    Raises
    ------
    FormulaError
        Unless both ranges are two finite numbers with ``min < max``, bounds within
        ``1e6`` in size and a span of at least ``1e-6``.
    """
    try:
        (x_min, x_max), (y_min, y_max) = domain  # type: ignore[misc]
    except (TypeError, ValueError):
        raise FormulaError(
            "the domain must be ((x_min, x_max), (y_min, y_max))"
        ) from None
    bounds = []
    for name, low, high in (("x", x_min, x_max), ("y", y_min, y_max)):
        for bound in (low, high):
            if isinstance(bound, bool) or not isinstance(
                bound, (int, float, np.number)
            ):
                raise FormulaError(f"the {name} range must hold two numbers")
            if not math.isfinite(float(bound)) or abs(float(bound)) > MAX_DOMAIN_BOUND:
                raise FormulaError(
                    f"the {name} range must stay within ±{MAX_DOMAIN_BOUND:g}"
                )
        low, high = float(low), float(high)
        if not high - low >= MIN_DOMAIN_SPAN:
            raise FormulaError(
                f"the {name} range needs min < max (and a span of at least "
                f"{MIN_DOMAIN_SPAN:g})"
            )
        bounds.append((low, high))
    return (bounds[0], bounds[1])


@functools.lru_cache(maxsize=64)
def _critical_points_cached(text: str, domain: Domain) -> tuple[CriticalPoint, ...]:
    parsed = parse_formula(text)
    return tuple(
        find_critical_points(
            parsed.value,
            parsed.gradient_at,
            domain,
            hessian_fn=parsed.hessian_at,
            knobs=parsed.knobs,
        )
    )


def _slopes_where_defined(parsed: ParsedFormula) -> Callable[..., tuple]:
    """The gradient, made not-a-number wherever the cost itself is undefined.

    ``log(x) + y^2`` has the slope 1/x, which is finite at x = -0.5 where the cost
    is not: a walk would step on through the gap. With the slope undefined there
    too, descent stops at that step and reports the run as diverged.
    """

    def gradient(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        dx, dy = parsed.gradient_at(x, y)
        undefined = ~np.isfinite(parsed.value(x, y))
        if np.any(undefined):
            dx = np.where(undefined, np.nan, dx)
            dy = np.where(undefined, np.nan, dy)
        return dx, dy

    return gradient


def _describe(parsed: ParsedFormula, points: tuple[CriticalPoint, ...]) -> str:
    """A few sentences for the page: what was typed and what the search found."""
    knob_words = "a curve over x" if parsed.knobs == 1 else "a terrain over x and y"
    text = f"Your formula, {knob_words}. Its minima are not known in advance: "
    minima = [p for p in points if p.kind == "minimum"]
    if minima:
        plural = {"minimum": "minima", "maximum": "maxima", "saddle": "saddle points"}
        found = []
        for kind, kinds in plural.items():
            count = sum(p.kind == kind for p in points)
            if count:
                found.append(f"{count} {kind if count == 1 else kinds}")
        lowest = min(minima, key=lambda p: p.value)
        where = (
            f"x = {lowest.x:.4g}"
            if parsed.knobs == 1
            else (f"({lowest.x:.4g}, {lowest.y:.4g})")
        )
        text += (
            f"a numerical search of the box found {', '.join(found)}; the lowest "
            f"found is at {where} with cost {lowest.value:.4g}. There may be others "
            "it missed."
        )
    else:
        text += (
            "a numerical search found no minimum inside the box (the cost may keep "
            "falling towards an edge)."
        )
    if parsed.kinks or parsed.undefined:
        text += " " + parsed.smoothness_note
    return text


def from_formula(text: str, domain: Domain = ((-5.0, 5.0), (-5.0, 5.0))) -> Landscape:
    """A landscape from a typed formula, with numerically found minima.

    Parameters
    ----------
    text : str
        The formula in ``x`` (and ``y``), e.g. ``"(1-x)^2 + 100(y-x^2)^2"``.
    domain : ((x_min, x_max), (y_min, y_max))
        The box to draw and search. For a formula in ``x`` alone the y range is kept
        but plays no part.

    Returns
    -------
    Landscape
        ``name="custom"``, ``source="typed by you"``, ``minima_proven=False``: the
        minima are the ones a search found (the lowest is flagged ``is_global`` but
        must be shown as "lowest found").

    Raises
    ------
    FormulaError
        When the formula or the domain cannot be used; the message says why.
    """
    parse_formula(text)
    return _landscape_cached(text, validate_domain(domain))


@functools.lru_cache(maxsize=64)
def _landscape_cached(text: str, domain: Domain) -> Landscape:
    parsed = parse_formula(text)
    points = _critical_points_cached(text, domain)
    return Landscape(
        name="custom",
        title="Your formula",
        latex=parsed.latex,
        description=_describe(parsed, points),
        domain=domain,
        value_fn=parsed.value,
        gradient_fn=_slopes_where_defined(parsed),
        minima=to_minima(points),
        source="typed by you",
        knobs=parsed.knobs,
        formula=parsed.text,
        minima_proven=False,
    )
