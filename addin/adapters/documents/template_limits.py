"""Limits for the user's letter templates, checked inside the process while a template runs.

A template in the ``sjablonen`` folder is text a user may have received from anyone. Jinja's
sandbox already keeps it away from files and Python internals; these limits keep it from
never ending or eating the memory, without a timer (the ribbon renders letters inside Excel's
Python, and Windows has no alarm signal). Per letter (one `limits()` block):

- ``range()`` of at most 10,000 numbers;
- at most 100,000 loop iterations (counting the items a filter walks through: ``sort``,
  ``sum``, ``join`` ...) and at most 10,000 calls (macros, methods, recursive loops);
- no integer (or amount) above 10^100; a power is checked *before* it is computed, so
  ``9 ** (9 ** 9)`` is refused at once instead of running for hours;
- no text, list or dict larger than 1 MB (1,000,000 characters or items), checked before
  repeating (``'x' * 1000000000``), padding (``center``, ``indent``, format widths) or
  joining, and at most 10 MB of such values made in all;
- at most 1 MB of output.

Going over one raises `TemplateLimitError`, a jinja2 SecurityError whose Dutch message names
the template and the limit. `LimitedSandbox` is the environment that does all this (it is
also immutable: a template cannot grow a list or dict in place), and `check_templates` renders
every template a run will use once, before the first letter is made, so a runaway template
refuses the whole run up front.

Example::

    env = LimitedSandbox(loader=...)
    with limits("nl/herinnering.txt.j2"):
        env.from_string("{{ 10 ** 100000 }}").render()
    -> TemplateLimitError: Sjabloon nl/herinnering.txt.j2 gaat over een grens: een getal
       groter dan 10^100 (10 ** 100000). ...
"""

from __future__ import annotations

import functools
import math
import re
import string
import threading
import types
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, cast

from jinja2 import nodes, pass_context
from jinja2.exceptions import SecurityError
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from addin.core.texts import dutch_count

MAX_RANGE = 10_000
MAX_STEPS = 100_000
MAX_CALLS = 10_000  # a macro call costs as much as some 50 loop iterations
MAX_INT = 10**100
MAX_SIZE = 1_000_000  # characters of one text, items of one list (1 MB of text)
MAX_MADE = 10 * MAX_SIZE  # all texts and lists made while rendering one letter
MAX_OUTPUT = 1_000_000  # characters a letter's templates write
_LOG10_MAX_INT = 100

# Internal filters the AST rewrite adds (not identifiers a user would type, but harmless).
COUNT_LOOP, COUNT_OUTPUT, CONCAT = "__herhaling", "__uitvoer", "__plak"


class TemplateLimitError(SecurityError):
    """A template went over one of the limits; the Dutch message names it and the limit."""


class _Budget:
    __slots__ = ("calls", "made", "name", "output", "steps")

    def __init__(self, name: str) -> None:
        self.name = name
        self.steps = 0
        self.calls = 0
        self.made = 0
        self.output = 0


_local = threading.local()


@contextmanager
def limits(template: str) -> Iterator[None]:
    """One letter's budget for the templates rendered inside the block (nested: the outer
    one counts)."""
    if getattr(_local, "budget", None) is not None:
        yield
        return
    _local.budget = _Budget(template)
    try:
        yield
    finally:
        _local.budget = None


def _budget() -> _Budget:
    budget = getattr(_local, "budget", None)
    # Outside limits() (a stray render): every single check still holds, the totals start anew.
    return budget if budget is not None else _Budget("(onbekend)")


def _refuse(what: str) -> TemplateLimitError:
    return TemplateLimitError(
        f"Sjabloon {_budget().name} gaat over een grens: {what}. Maak het sjabloon eenvoudiger."
    )


def _step(count: int = 1) -> None:
    budget = _budget()
    budget.steps += count
    if budget.steps > MAX_STEPS:
        raise _refuse(f"meer dan {dutch_count(MAX_STEPS)} herhalingen in één brief")


def _call() -> None:
    budget = _budget()
    budget.calls += 1
    if budget.calls > MAX_CALLS:
        raise _refuse(
            f"meer dan {dutch_count(MAX_CALLS)} aanroepen (macro's, methoden) in één brief"
        )


def _size(value: Any, limit: int = MAX_SIZE) -> int:
    """Characters plus items of a value, counted until `limit` is passed."""
    total, todo = 0, [value]
    while todo and total <= limit:
        item = todo.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += len(item)
            todo.extend(item)
        elif isinstance(item, dict):
            total += len(item)
            todo.extend(item.keys())
            todo.extend(item.values())
        elif isinstance(item, range):
            total += len(item)
        else:
            total += 1
    return total


def _check_size(size: int, what: str = "een tekst of lijst") -> None:
    if size > MAX_SIZE:
        raise _refuse(f"{what} groter dan 1 MB ({dutch_count(MAX_SIZE)} tekens of elementen)")


def _checked(value: Any) -> Any:
    """A value a template made: not too big, counted in the letter's total."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if abs(value) > MAX_INT:
            raise _refuse("een getal groter dan 10^100")
        return value
    if isinstance(value, Decimal):
        if value.is_finite() and abs(value) > MAX_INT:
            raise _refuse("een getal groter dan 10^100")
        return value
    if isinstance(value, (str, list, tuple, dict, set, frozenset)):
        size = _size(value)
        _check_size(size)
        budget = _budget()
        budget.made += size
        if budget.made > MAX_MADE:
            raise _refuse("meer dan 10 MB aan teksten en lijsten gemaakt in één brief")
    return value


# --- what may grow before it is computed ------------------------------------------------------


def _int_arg(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _check_power(base: Any, exponent: Any) -> None:
    if not isinstance(base, (int, float, Decimal)) or not isinstance(exponent, (int, Decimal)):
        return
    if isinstance(base, float) or exponent <= 0:
        return  # floats overflow at once; negative powers are fractions
    magnitude = cast("int | Decimal", abs(base))
    if magnitude <= 1:
        return
    digits = float(exponent) * math.log10(magnitude)
    if digits > _LOG10_MAX_INT:
        raise _refuse(f"een getal groter dan 10^100 ({base} ** {exponent})")


def _check_repeat(left: Any, right: Any) -> None:
    for seq, times in ((left, right), (right, left)):
        count = _int_arg(times)
        if isinstance(seq, (str, list, tuple)) and count is not None and count > 0:
            _check_size(_size(seq) * count)


_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_printf(fmt: str, args: Any) -> None:
    """'%0999999999d' % 1 and '%.*f' % (10**9, 1): widths and precisions of at most 1 MB."""
    values = args if isinstance(args, tuple) else (args,)
    for match in _PRINTF.finditer(fmt):
        for part in match.groups():
            if part == "*":
                wide = [v for v in values if (_int_arg(v) or 0) > MAX_SIZE]
                if wide:
                    _check_size(wide[0], "een opmaakbreedte")
            elif part and int(part) > MAX_SIZE:
                _check_size(int(part), "een opmaakbreedte")


def _check_format(fmt: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """'{:>999999999}'.format(1): widths in format fields of at most 1 MB."""
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return  # str.format raises the same error itself
    for _text, _name, spec, _conversion in fields:
        if not spec:
            continue
        for number in re.findall(r"\d+", spec):
            if int(number) > MAX_SIZE:
                _check_size(int(number), "een opmaakbreedte")
        if "{" in spec:
            for v in (*args, *kwargs.values()):
                if (_int_arg(v) or 0) > MAX_SIZE:
                    _check_size(v, "een opmaakbreedte")


def _check_width(width: Any, text: Any = "", per_line: bool = False) -> None:
    number = _int_arg(width)
    if number is None and isinstance(width, str):
        number = len(width)
    if number is None:
        return
    lines = str(text).count("\n") + 1 if per_line else 1
    _check_size(len(str(text)) + lines * number)


def _check_replace(text: Any, old: Any, new: Any, count: Any = -1) -> None:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return
    hits = len(text) + 1 if old == "" else text.count(old)
    limit = _int_arg(count)
    if limit is not None and limit >= 0:
        hits = min(hits, limit)
    _check_size(len(text) + hits * max(len(new) - len(old), 0))


def _joined(items: Iterable[Any], separator: Any) -> Iterator[Any]:
    """Pass `items` on to a join, refusing as soon as the joined text would pass 1 MB."""
    total, sep = 0, len(str(separator))
    for item in items:
        total += len(str(item)) + sep
        _check_size(total)
        yield item


def _check_str_method(method: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    text, name = method.__self__, method.__name__
    if name in ("center", "ljust", "rjust", "zfill") and args:
        _check_width(args[0], text)
    elif name == "expandtabs":
        tab = args[0] if args else kwargs.get("tabsize", 8)
        if _int_arg(tab) is not None:
            _check_size(len(text) + text.count("\t") * tab)
    elif name == "replace" and len(args) >= 2:
        _check_replace(text, *args[:3])


# --- the filters ---------------------------------------------------------------------------


def _filter_checks(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Checks before a built-in filter runs; returns the arguments to call it with."""
    value, rest = (args[0], args[1:]) if args else (None, ())

    def arg(index: int, key: str, default: Any = None) -> Any:
        return rest[index] if len(rest) > index else kwargs.get(key, default)

    if name == "center":
        _check_width(arg(0, "width", 80), value)
    elif name == "indent":
        _check_width(arg(0, "width", 4), value, per_line=True)
    elif name == "wordwrap":
        width = max(_int_arg(arg(0, "width", 79)) or 1, 1)
        wrap = arg(2, "wrapstring") or "\n"
        text = str(value)
        _check_size(len(text) + (len(text) // width + 1) * len(str(wrap)))
    elif name == "replace":
        _check_replace(value, arg(0, "old"), arg(1, "new"), arg(2, "count", -1))
    elif name == "format" and isinstance(value, str):
        _check_printf(value, tuple(rest) or tuple(kwargs.values()))
    elif name == "tojson":
        indent = _int_arg(arg(0, "indent"))
        if indent is not None and indent > 100:
            _check_size(indent * MAX_SIZE, "een inspringing")
    elif name in ("batch", "slice"):
        count = _int_arg(arg(0, "linecount" if name == "batch" else "slices"))
        if count is not None and count > MAX_RANGE:
            raise _refuse(f"{name} in meer dan {dutch_count(MAX_RANGE)} delen")
    elif name == "join" and value is not None:
        return (_joined(value, arg(0, "d", "")), *rest)
    elif name == "sum":
        start = arg(1, "start", 0)
        if not isinstance(start, (int, float, Decimal)) and isinstance(value, (list, tuple)):
            _check_size(len(value) * _size(value), "een som van lijsten")
    return args


def _limited_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    passes = getattr(func, "jinja_pass_arg", None) is not None

    @functools.wraps(func)
    def limited(*args: Any, **kwargs: Any) -> Any:
        head, own = (args[:1], args[1:]) if passes else ((), args)
        value = own[0] if own else None
        _step(1 + (len(value) if isinstance(value, (list, tuple, dict, set, range)) else 0))
        own = _filter_checks(name, own, kwargs)
        return _checked(func(*head, *own, **kwargs))

    return limited


class _Counted:
    """A loop's iterable that counts every item it hands out."""

    __slots__ = ("_items",)

    def __init__(self, items: Any) -> None:
        self._items = items

    def __iter__(self) -> Iterator[Any]:
        for item in self._items:
            _step()
            yield item

    def __len__(self) -> int:
        return len(self._items)  # TypeError when it has none: LoopContext copes


# pass_context keeps jinja's optimizer from running these at compile time on constants.
@pass_context
def _count_loop(_context: Any, items: Any) -> Any:
    return _Counted(items)


@pass_context
def _count_output(_context: Any, value: Any) -> Any:
    budget = _budget()
    budget.output += len(value) if isinstance(value, str) else len(str(value))
    if budget.output > MAX_OUTPUT:
        raise _refuse(f"meer dan 1 MB tekst ({dutch_count(MAX_OUTPUT)} tekens) in één brief")
    return value


@pass_context
def _concat(_context: Any, parts: list[Any]) -> str:
    texts = [str(p) for p in parts]
    _check_size(sum(len(t) for t in texts))
    joined: str = _checked("".join(texts))
    return joined


def limited_range(*args: int) -> range:
    """range() of at most MAX_RANGE numbers."""
    numbers = range(*args)
    step = numbers.step
    count = max(0, (numbers.stop - numbers.start + step - (1 if step > 0 else -1)) // step)
    if count > MAX_RANGE:
        raise _refuse(
            f"range() over meer dan {dutch_count(MAX_RANGE)} getallen ({dutch_count(count)})"
        )
    return numbers


class _Rewrite(NodeTransformer):
    """Count every loop item and every piece of output, and check every ``~`` join."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, COUNT_LOOP, [], [], None, None, lineno=node.lineno)
        return node

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        self.generic_visit(node)
        wrapped: list[nodes.Expr] = []
        for child in node.nodes:
            expr = (
                nodes.Const(child.data, lineno=child.lineno)
                if isinstance(child, nodes.TemplateData)
                else child
            )
            wrapped.append(
                nodes.Filter(expr, COUNT_OUTPUT, [], [], None, None, lineno=child.lineno)
            )
        node.nodes = wrapped
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        parts = nodes.List(list(node.nodes), lineno=node.lineno)
        return nodes.Filter(parts, CONCAT, [], [], None, None, lineno=node.lineno)

    def visit_Const(self, node: nodes.Const) -> nodes.Node:
        value = node.value
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
            raise _refuse("een getal groter dan 10^100")
        return node


class LimitedSandbox(ImmutableSandboxedEnvironment):
    """An immutable jinja2 sandbox with the limits of this module (see its docstring)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.globals["range"] = limited_range
        self.globals.pop("lipsum", None)  # lipsum(n=10**9) would write forever
        self.filters = {name: _limited_filter(name, f) for name, f in self.filters.items()}
        self.filters[COUNT_LOOP] = _count_loop
        self.filters[COUNT_OUTPUT] = _count_output
        self.filters[CONCAT] = _concat

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        with limits(name or "(tekst)"):
            if len(source) > MAX_SIZE:
                raise _refuse("het sjabloon zelf is groter dan 1 MB")
            tree = super()._parse(source, name, filename)
            result = _Rewrite().visit(tree)
        assert isinstance(result, nodes.Template)
        return result

    def compile(self, source: Any, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().compile(source, name, *args, **kwargs)
        except (ValueError, OverflowError, RecursionError, MemoryError) as exc:
            # Python itself refusing what the compiler folded (a huge constant): a message.
            with limits(name or "(tekst)"):
                raise _refuse(f"het sjabloon kan niet worden vertaald ({exc})") from None

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _step()
        if operator == "**":
            _check_power(left, right)
        elif operator == "*":
            _check_repeat(left, right)
        elif operator == "%" and isinstance(left, str):
            _check_printf(left, right)
        elif operator == "+":
            _check_size(_size(left) + _size(right))
        return _checked(self.binop_table[operator](left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _call()
        if isinstance(__obj, types.BuiltinMethodType) and isinstance(
            getattr(__obj, "__self__", None), str
        ):
            if __obj.__name__ == "join" and args:
                args = (_joined(args[0], __obj.__self__), *args[1:])
            else:
                _check_str_method(__obj, args, kwargs)
        elif isinstance(__obj, LoopContext) and args:
            args = (_Counted(args[0]), *args[1:])  # a recursive loop's next level
        return _checked(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        fmt = value.__self__

        @functools.wraps(wrapped)
        def checked(*args: Any, **kwargs: Any) -> str:
            mapping = args[0] if value.__name__ == "format_map" and args else {}
            _check_format(fmt, args, {**kwargs, **(mapping if isinstance(mapping, dict) else {})})
            return str(_checked(wrapped(*args, **kwargs)))

        return checked


def check_templates(render: Callable[[Any], object], samples: Iterable[tuple[str, Any]]) -> None:
    """Render every template a run will use once before any letter is made.

    `samples` gives, per distinct template, (its name for the message, one real input);
    `render` renders that input (within `limits`). The first template that goes over a
    limit or fails raises, so the run is refused before its first file."""
    for name, sample in samples:
        with limits(name):
            render(sample)
