"""A syntax check for JSONata expressions (the text between ``{%`` and ``%}``).

Not an evaluator: a tokenizer and a precedence-climbing (Pratt) parser that
follow JSONata's grammar closely enough to reject what Step Functions rejects
when it creates a state machine (``10 + * 2``, ``(1``, ``420.``, ``'open``)
and to accept what real definitions use: paths, ``$states.input.x``, calls,
object/array constructors, ``? :``, ``&``, comparisons, ``and``/``or``/``in``,
predicates, lambdas, regex literals, ``~>`` chains, ``:=`` bindings, blocks.

``syntax_error(text)`` returns one line saying what is wrong, or None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Binding powers of the infix operators, as in JSONata's own parser.
_INFIX = {
    ".": 75,
    "[": 80,
    "{": 70,
    "(": 80,
    "@": 80,
    "#": 80,
    "?": 20,
    "+": 50,
    "-": 50,
    "*": 60,
    "/": 60,
    "%": 60,
    "=": 40,
    "!=": 40,
    "<": 40,
    "<=": 40,
    ">": 40,
    ">=": 40,
    "^": 40,
    "..": 20,
    ":=": 10,
    "~>": 40,
    "?:": 40,
    "??": 40,
    "&": 50,
    "and": 30,
    "or": 25,
    "in": 40,
}
_OPERATORS = sorted(
    {*_INFIX, "]", "}", ")", ",", ";", ":", "|", "**", "!", "~"} - {"and", "or", "in"}, key=len, reverse=True
)
_NUMBER = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
# a name runs until whitespace or a character that starts an operator, string or quoted name
_NAME = re.compile(r"[^\s.\[\]{}()@#;:?+\-*/%|=<>^&!~,\"'`]+")
_MAX_DEPTH = 200  # deeper nesting is not a real expression; stop before Python's recursion limit


class JsonataSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class _Token:
    kind: str  # "op", "name", "var", "string", "number", "regex", "value", "end"
    text: str
    pos: int


def _closes_value(token: _Token | None) -> bool:
    """True when the previous token ends an operand, so ``/`` is division rather than a regex."""
    if token is None:
        return False
    if token.kind == "op":
        return token.text in (")", "]", "}", "*", "%")
    return token.kind != "name" or token.text not in ("and", "or", "in")


def tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise JsonataSyntaxError(f"unterminated comment at {i}")
            i = end + 2
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise JsonataSyntaxError(f"unterminated string at {i}")
            tokens.append(_Token("string", text[i : j + 1], i))
            i = j + 1
        elif c == "`":
            end = text.find("`", i + 1)
            if end < 0:
                raise JsonataSyntaxError(f"unterminated `name` at {i}")
            tokens.append(_Token("name", text[i : end + 1], i))
            i = end + 1
        elif c == "/" and not _closes_value(tokens[-1] if tokens else None):
            j = i + 1
            while j < n and text[j] != "/":
                j += 2 if text[j] == "\\" else 1
            if j >= n or j == i + 1:
                raise JsonataSyntaxError(f"unterminated or empty regular expression at {i}")
            j += 1
            while j < n and text[j] in "im":
                j += 1
            tokens.append(_Token("regex", text[i:j], i))
            i = j
        elif c in "0123456789":  # not str.isdigit(): that is true of '²' too
            match = _NUMBER.match(text, i)
            assert match is not None  # an ASCII digit always starts a number
            tokens.append(_Token("number", match.group(0), i))
            i = match.end()
        elif c == "$":
            match = _NAME.match(text, i + 1)
            j = match.end() if match else i + 1
            if j == i + 1 and text.startswith("$", j):
                j += 1  # $$ is the root
            tokens.append(_Token("var", text[i:j], i))
            i = j
        elif c == "λ":
            tokens.append(_Token("name", "function", i))
            i += 1
        else:
            op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
            if op is not None:
                tokens.append(_Token("op", op, i))
                i += len(op)
                continue
            match = _NAME.match(text, i)
            if match is None:
                raise JsonataSyntaxError(f"unexpected character {c!r} at {i}")
            word = match.group(0)
            kind = "value" if word in ("true", "false", "null") else "name"
            tokens.append(_Token(kind, word, i))
            i = match.end()
    tokens.append(_Token("end", "", n))
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.i]

    def _describe(self, token: _Token) -> str:
        return "the end of the expression" if token.kind == "end" else f"{token.text!r} at {token.pos}"

    def fail(self, expected: str) -> JsonataSyntaxError:
        return JsonataSyntaxError(f"expected {expected}, found {self._describe(self.token)}")

    def is_op(self, *ops: str) -> bool:
        return self.token.kind == "op" and self.token.text in ops

    def advance(self, op: str | None = None) -> _Token:
        token = self.token
        if op is not None and not self.is_op(op):
            raise self.fail(repr(op))
        if token.kind != "end":
            self.i += 1
        return token

    def infix_power(self) -> int:
        token = self.token
        if token.kind == "op":
            return _INFIX.get(token.text, 0)
        if token.kind == "name" and token.text in ("and", "or", "in"):
            return _INFIX[token.text]
        return 0

    def expression(self, rbp: int = 0) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise JsonataSyntaxError(f"nested more than {_MAX_DEPTH} levels deep")
        self.prefix()
        while rbp < self.infix_power():
            self.infix()
        self.depth -= 1

    def separated(self, close: str, item: str = "expression") -> None:
        """Items up to ``close``, separated by commas (an empty list is fine)."""
        if not self.is_op(close):
            while True:
                if item == "pair":
                    self.expression()
                    self.advance(":")
                    self.expression()
                elif item == "argument" and self.is_op("?"):
                    self.advance()  # a partial-application placeholder
                else:
                    self.expression()
                if not self.is_op(","):
                    break
                self.advance()
        self.advance(close)

    def prefix(self) -> None:
        token = self.advance()
        if token.kind in ("number", "string", "value", "regex", "var"):
            return
        if token.kind == "name":
            if token.text == "function" and self.is_op("("):
                self.lambda_rest()
            return  # a field name (``and``/``or``/``in`` too, in operand position)
        if token.kind == "op":
            if token.text == "-":
                self.expression(70)
                return
            if token.text in ("*", "**", "%"):
                return  # wildcard, descendants, parent
            if token.text == "(":
                if not self.is_op(")"):
                    while True:
                        self.expression()
                        if not self.is_op(";"):
                            break
                        self.advance()
                        if self.is_op(")"):
                            break  # a trailing ; is allowed
                self.advance(")")
                return
            if token.text == "[":
                self.separated("]")
                return
            if token.text == "{":
                self.separated("}", "pair")
                return
            if token.text == "|":
                self.expression()
                self.advance("|")
                self.expression()
                if self.is_op(","):
                    self.advance()
                    self.expression()
                self.advance("|")
                return
        if token.kind != "end":
            self.i -= 1  # report the token that can't start an expression
        raise self.fail("an expression")

    def lambda_rest(self) -> None:
        self.advance("(")
        if not self.is_op(")"):
            while True:
                if self.token.kind != "var":
                    raise self.fail("a $parameter")
                self.advance()
                if not self.is_op(","):
                    break
                self.advance()
        self.advance(")")
        if self.is_op("<"):  # a type signature: skip to its matching >
            depth = 0
            while True:
                token = self.advance()
                if token.kind == "end":
                    raise JsonataSyntaxError("unterminated function signature")
                if token.kind == "op" and token.text in ("<", "<="):
                    depth += 1
                elif token.kind == "op" and token.text in (">", ">="):
                    depth -= 1
                    if depth == 0:
                        break
        self.advance("{")
        self.expression()
        self.advance("}")

    def infix(self) -> None:
        token = self.advance()
        op = token.text
        power = _INFIX[op]
        if op == "[":
            if not self.is_op("]"):
                self.expression()
            self.advance("]")
        elif op == "{":
            self.separated("}", "pair")
        elif op == "(":
            self.separated(")", "argument")
        elif op == "?":
            self.expression()
            if self.is_op(":"):
                self.advance()
                self.expression()
        elif op in ("@", "#"):
            if self.token.kind != "var":
                raise self.fail(f"a $variable after {op}")
            self.advance()
        elif op == "^":
            self.advance("(")
            while True:
                if self.is_op("<", ">"):
                    self.advance()
                self.expression()
                if not self.is_op(","):
                    break
                self.advance()
            self.advance(")")
        elif op == ":=":
            self.expression(power - 1)  # right-associative
        else:
            self.expression(power)

    def parse(self) -> None:
        if self.token.kind == "end":
            raise JsonataSyntaxError("empty expression")
        self.expression()
        if self.token.kind != "end":
            raise self.fail("an operator or the end of the expression")


def syntax_error(text: str) -> str | None:
    """Why ``text`` is not a JSONata expression, in one line; None if it parses."""
    try:
        _Parser(tokenize(text)).parse()
    except JsonataSyntaxError as exc:
        return str(exc)
    return None
