"""Intrinsic functions (``States.Format(...)`` and friends): arity and argument types.

``call_problem(text)`` parses one call, its nested calls included, and says in
one line what Step Functions would reject: a wrong number of arguments, a
literal of the wrong type (``States.MathAdd(1, '-1')``), an unknown hash
algorithm, a ``States.Format`` template whose ``{}`` count differs from its
arguments. A path argument (``$.x``, ``$$.Execution.Id``, ``$var``) is only
known at run time, so it fits any type; so does a call returning JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# argument kinds: a literal or the return type of a nested call
STRING, INTEGER, NUMBER, BOOLEAN, NULL, ARRAY, OBJECT, ANY = (
    "string",
    "integer",
    "number",
    "boolean",
    "null",
    "array",
    "object",
    "any",
)
HASH_ALGORITHMS = ("MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512")
MAX_NESTING = 10  # AWS allows up to 10 nested intrinsic functions in one field
MAX_RANGE_ITEMS = 1000  # States.ArrayRange may produce at most 1000 items


@dataclass(frozen=True)
class Signature:
    params: tuple[str, ...]  # the expected kind of each positional argument
    returns: str
    optional: int = 0  # how many trailing params may be left out
    variadic: str | None = None  # the kind of any further arguments


SIGNATURES: dict[str, Signature] = {
    "Format": Signature((STRING,), STRING, variadic=ANY),
    "StringToJson": Signature((STRING,), ANY),
    "JsonToString": Signature((ANY,), STRING),
    "Array": Signature((), ARRAY, variadic=ANY),
    "ArrayPartition": Signature((ARRAY, INTEGER), ARRAY),
    "ArrayContains": Signature((ARRAY, ANY), BOOLEAN),
    "ArrayRange": Signature((INTEGER, INTEGER, INTEGER), ARRAY),
    "ArrayGetItem": Signature((ARRAY, INTEGER), ANY),
    "ArrayLength": Signature((ARRAY,), INTEGER),
    "ArrayUnique": Signature((ARRAY,), ARRAY),
    "Base64Encode": Signature((STRING,), STRING),
    "Base64Decode": Signature((STRING,), STRING),
    "Hash": Signature((ANY, STRING), STRING),
    "JsonMerge": Signature((OBJECT, OBJECT, BOOLEAN), OBJECT),
    "MathRandom": Signature((INTEGER, INTEGER, INTEGER), INTEGER, optional=1),
    "MathAdd": Signature((INTEGER, INTEGER), INTEGER),
    "StringSplit": Signature((STRING, STRING), ARRAY),
    "UUID": Signature((), STRING),
}

_NAME = re.compile(r"States\.([A-Za-z0-9]+)\(")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_WORD = re.compile(r"[A-Za-z]+")


class IntrinsicError(ValueError):
    pass


@dataclass(frozen=True)
class _Arg:
    kind: str
    value: object = None  # the literal's value, for the checks that need it
    literal: bool = False


def _fits(kind: str, expected: str) -> bool:
    if ANY in (kind, expected) or kind == expected:
        return True
    return expected == NUMBER and kind == INTEGER


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def skip_space(self) -> None:
        while self.i < len(self.text) and self.text[self.i] in " \t":
            self.i += 1

    def call(self, depth: int) -> _Arg:
        if depth > MAX_NESTING:
            raise IntrinsicError(f"more than {MAX_NESTING} nested intrinsic functions")
        match = _NAME.match(self.text, self.i)
        if match is None:
            raise IntrinsicError(f"expected States.<Function>( at {self.i}")
        name = match.group(1)
        signature = SIGNATURES.get(name)
        if signature is None:
            raise IntrinsicError(f"unknown intrinsic function States.{name}")
        self.i = match.end()
        args: list[_Arg] = []
        self.skip_space()
        if self.text.startswith(")", self.i):
            self.i += 1
        else:
            while True:
                self.skip_space()
                args.append(self.argument(depth))
                self.skip_space()
                if self.text.startswith(",", self.i):
                    self.i += 1
                elif self.text.startswith(")", self.i):
                    self.i += 1
                    break
                else:
                    raise IntrinsicError(f"States.{name}: expected ',' or ')' at {self.i}")
        _check(name, signature, args)
        return _Arg(signature.returns)

    def argument(self, depth: int) -> _Arg:
        text, i = self.text, self.i
        if text.startswith("States.", i):
            return self.call(depth + 1)
        if text.startswith("'", i):
            return self.string()
        if text.startswith("$", i):
            return self.path()
        number = _NUMBER.match(text, i)
        if number:
            self.i = number.end()
            literal = number.group(0)
            if re.fullmatch(r"-?\d+", literal):
                return _Arg(INTEGER, int(literal), literal=True)
            return _Arg(NUMBER, float(literal), literal=True)
        word = _WORD.match(text, i)
        if word and word.group(0) in ("true", "false", "null"):
            self.i = word.end()
            value = word.group(0)
            return _Arg(NULL if value == "null" else BOOLEAN, value == "true", literal=True)
        raise IntrinsicError(f"expected an argument (a 'string', number, true/false/null, path or call) at {i}")

    def string(self) -> _Arg:
        # the value keeps its escapes: States.Format must tell \{\} from a {} placeholder
        i = self.i + 1
        while i < len(self.text):
            c = self.text[i]
            if c == "\\":
                i += 2
            elif c == "'":
                value, self.i = self.text[self.i + 1 : i], i + 1
                return _Arg(STRING, value, literal=True)
            else:
                i += 1
        raise IntrinsicError(f"unterminated string at {self.i}")

    def path(self) -> _Arg:
        # a path runs to the next , or ) outside brackets and quotes
        i, depth, quote = self.i, 0, ""
        while i < len(self.text):
            c = self.text[i]
            if quote:
                quote = "" if c == quote else quote
            elif c in "'\"":
                quote = c
            elif c == "[":
                depth += 1
            elif c == "]":
                depth -= 1
            elif depth == 0 and c in ",)":
                break
            i += 1
        path = self.text[self.i : i].rstrip()
        self.i = i
        if not re.fullmatch(r"\$(?:\$|[A-Za-z_][A-Za-z0-9_]*)?(?:\.[^.\s\[\],()]+|\[[^\]]+\])*", path):
            raise IntrinsicError(f"{path!r} is not a path")
        return _Arg(ANY)


def _check(name: str, signature: Signature, args: list[_Arg]) -> None:
    most = len(signature.params)
    least = most - signature.optional
    count = len(args)
    if count < least or (signature.variadic is None and count > most):
        wanted = f"{least}" if least == most else f"{least} to {most}"
        if signature.variadic is not None:
            wanted = f"at least {least}"
        plural = "" if wanted.endswith(" 1") or wanted == "1" else "s"
        raise IntrinsicError(f"States.{name} takes {wanted} argument{plural}, got {count}")
    for position, arg in enumerate(args, start=1):
        expected = signature.params[position - 1] if position <= most else (signature.variadic or ANY)
        if not _fits(arg.kind, expected):
            raise IntrinsicError(f"States.{name} argument {position} must be {_article(expected)}, got {arg.kind}")
    values = [a.value if a.literal else None for a in args]
    if name == "Format" and args[0].literal:
        holes = re.sub(r"\\.", "", str(values[0])).count("{}")
        if holes != count - 1:
            raise IntrinsicError(f"States.Format template has {holes} {{}} but {count - 1} values follow it")
    elif name == "Hash" and args[1].literal and values[1] not in HASH_ALGORITHMS:
        raise IntrinsicError(f"States.Hash algorithm {values[1]!r} is not one of {', '.join(HASH_ALGORITHMS)}")
    elif name == "ArrayRange" and all(a.literal for a in args):
        start, end, step = (int(str(v)) for v in values)
        if step == 0:
            raise IntrinsicError("States.ArrayRange step must not be 0")
        items = max(0, (end - start) // step + 1)
        if items > MAX_RANGE_ITEMS:
            raise IntrinsicError(f"States.ArrayRange would make {items} items (at most {MAX_RANGE_ITEMS})")
    elif name == "ArrayPartition" and args[1].literal and int(str(values[1])) < 1:
        raise IntrinsicError("States.ArrayPartition chunk size must be a positive integer")
    elif name == "ArrayGetItem" and args[1].literal and int(str(values[1])) < 0:
        raise IntrinsicError("States.ArrayGetItem index must not be negative")


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def call_problem(text: str) -> str | None:
    """Why ``text`` is not a well-typed intrinsic call, in one line; None if it is."""
    parser = _Parser(text.strip())
    try:
        parser.call(1)
        parser.skip_space()
        if parser.i != len(parser.text):
            raise IntrinsicError(f"unexpected text after the call at {parser.i}")
    except IntrinsicError as exc:
        return str(exc)
    return None
