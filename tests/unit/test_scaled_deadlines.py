"""Every deadline in the tests scales with one factor, ``GATEWAY_TEST_TIME_SCALE``.

On a machine with a load around 10, end-to-end tests failed waiting (a health check,
a tracking ID, the chaos run) and passed once it was quiet. Raising the one factor
must lengthen every wait a test makes, so this reads every module under ``tests/``
(its syntax tree, not its text) and fails on a deadline that does not go through it:

- ``timeout=<seconds>`` given to anything but a function that scales it itself
  (:func:`tests.support.wait_until`, :func:`tests.support.child_process`, and any test
  helper that hands its own ``timeout`` on to one of them);
- ``asyncio.wait_for(_, <seconds>)``, ``asyncio.timeout(<seconds>)``,
  ``<x>.wait(<seconds>)``, ``<x>.join(<seconds>)``, ``httpx.Timeout(<seconds>, ...)``;
- ``time.monotonic() + <seconds>`` (and ``time.time()``, ``perf_counter()``);
- a helper's ``timeout=<seconds>`` default when the helper does not scale it.

``<seconds>`` is a number other than 0, a module constant that is one, or arithmetic
of them; ``scaled(<seconds>)`` is what they should be. ``scaled(...)`` given to a
function that scales already counts the factor twice and fails too. A value that is
not a test's patience (a protocol parameter, a client timeout a test provokes on
purpose) says so on its line or the line above: ``# unscaled: <why>``.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import ROOT, TIME_SCALE, scaled

TESTS = ROOT / "tests"
#: functions that scale the ``timeout`` they are given (helpers forwarding theirs join)
SCALING = frozenset({"wait_until", "child_process"})
#: names too generic to be taken for a scaling helper (``Popen.wait``, ``Thread.join``...)
GENERIC = frozenset({"wait", "join", "run", "get", "post", "put", "wait_for", "timeout"})
#: calls whose positional argument at this index is a deadline
POSITIONAL = {"wait_for": 1, "timeout": 0, "wait": 0, "join": 0}
CLOCKS = frozenset({"monotonic", "time", "perf_counter"})
MARK = "# unscaled:"


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _is_pytest_mark(func: ast.expr) -> bool:
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Attribute)
        and func.value.attr == "mark"
    )


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    return (node for node in ast.walk(tree) if isinstance(node, ast.Call))


def scaling_helpers(trees: list[ast.Module]) -> set[str]:
    """:data:`SCALING` and every function that passes its ``timeout`` parameter on to
    one of them (or to ``scaled``), to a fixed point."""
    found = set(SCALING)
    functions = [
        node
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name not in GENERIC
        and any(a.arg == "timeout" for a in (*node.args.args, *node.args.kwonlyargs))
    ]
    changed = True
    while changed:
        changed = False
        for function in functions:
            if function.name in found:
                continue
            for call in _calls(function):
                given = [*call.args, *(k.value for k in call.keywords)]
                forwards = any(isinstance(v, ast.Name) and v.id == "timeout" for v in given)
                if forwards and _name(call.func) in found | {"scaled"}:
                    found.add(function.name)
                    changed = True
                    break
    return found


class Checker:
    """The unscaled deadlines of one module."""

    def __init__(self, path: str, source: str, tree: ast.Module, scaling: set[str]) -> None:
        self.path = path
        self.lines = source.splitlines()
        self.tree = tree
        self.scaling = scaling
        self.constants = {
            target.id: node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        self.findings: list[Finding] = []

    def seconds(self, node: ast.expr | None) -> bool:
        """Whether ``node`` is a fixed, non-zero number of seconds (not scaled)."""
        numbers = self.numbers(node)
        return numbers is not None and any(numbers)

    def numbers(self, node: ast.expr | None) -> list[float] | None:
        """The numbers ``node`` is made of, if it is made of numbers only."""
        if isinstance(node, ast.Constant):
            value = node.value
            is_number = isinstance(value, int | float) and not isinstance(value, bool)
            return [value] if is_number else None
        if isinstance(node, ast.UnaryOp):
            return self.numbers(node.operand)
        if isinstance(node, ast.BinOp):
            left, right = self.numbers(node.left), self.numbers(node.right)
            return None if left is None or right is None else [*left, *right]
        if isinstance(node, ast.Name) and node.id in self.constants:
            return self.numbers(self.constants[node.id])
        return None

    def flag(self, node: ast.AST, what: str) -> None:
        first = node.lineno
        last = getattr(node, "end_lineno", None) or first
        if any(MARK in self.lines[n - 1] for n in range(max(first - 1, 1), last + 1)):
            return
        self.findings.append(Finding(self.path, first, what))

    def check(self) -> list[Finding]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                self.call(node)
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
                self.clock(node)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.default(node)
        return self.findings

    def call(self, call: ast.Call) -> None:
        name = _name(call.func)
        for keyword in call.keywords:
            if keyword.arg != "timeout":
                continue
            value = keyword.value
            if name in self.scaling:
                if isinstance(value, ast.Call) and _name(value.func) == "scaled":
                    self.flag(call, f"{name}() scales timeout itself: scaled() counts twice")
            elif self.seconds(value):
                self.flag(call, f"{name}(timeout=...) with fixed seconds: use scaled()")
        if name == "Timeout" and any(
            self.seconds(v) for v in (*call.args, *(k.value for k in call.keywords))
        ):
            self.flag(call, "httpx.Timeout(...) with fixed seconds: use scaled()")
        index = POSITIONAL.get(name or "")
        if _is_pytest_mark(call.func):
            index = None  # pytest.mark.timeout(60): tests/conftest.py scales it
        if index is not None and len(call.args) > index and self.seconds(call.args[index]):
            self.flag(call, f"{name}(...) with a fixed deadline: use scaled()")

    def clock(self, node: ast.BinOp) -> None:
        for side, other in ((node.left, node.right), (node.right, node.left)):
            if (
                isinstance(side, ast.Call)
                and _name(side.func) in CLOCKS
                and not side.args
                and self.seconds(other)
            ):
                self.flag(node, "a clock plus fixed seconds: use scaled()")

    def default(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if function.name in self.scaling:
            return
        args = function.args
        positional = [*args.posonlyargs, *args.args]
        pairs = [
            *zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True),
            *((a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d),
        ]
        for arg, value in pairs:
            if arg.arg == "timeout" and self.seconds(value):
                self.flag(value, f"{function.name}(timeout=...) default not scaled")


def unscaled(sources: dict[str, str]) -> list[Finding]:
    """The unscaled deadlines of ``sources`` (path -> text), read together."""
    trees = {path: ast.parse(text, filename=path) for path, text in sources.items()}
    scaling = scaling_helpers(list(trees.values()))
    return [
        finding
        for path, tree in trees.items()
        for finding in Checker(path, sources[path], tree, scaling).check()
    ]


def test_no_test_waits_on_a_deadline_that_does_not_scale() -> None:
    sources = {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for path in sorted(TESTS.rglob("*.py"))
        if path != Path(__file__).resolve()
    }
    found = sorted(unscaled(sources), key=lambda f: (f.path, f.line))
    assert not found, "deadlines that GATEWAY_TEST_TIME_SCALE does not scale:\n" + "\n".join(
        map(str, found)
    )


def test_the_check_finds_each_kind_of_unscaled_deadline() -> None:
    helper = textwrap.dedent(
        """
        def wait_text(pattern, timeout=20):
            return wait_until(lambda: pattern, timeout=timeout)

        def fetch(url, timeout=5):
            return httpx.get(url, timeout=timeout)
        """
    )
    module = textwrap.dedent(
        """
        PATIENCE = 10
        import httpx, time, asyncio

        async def body(proc, thread, event):
            wait_until(ready, timeout=30)
            wait_text("x", timeout=15)
            wait_until(ready, timeout=scaled(30))
            proc.wait(timeout=10)
            proc.wait(10)
            thread.join(timeout=PATIENCE + 5)
            httpx.Client(timeout=PATIENCE)
            httpx.Client(timeout=scaled(PATIENCE))
            httpx.Timeout(5, read=0.2)
            httpx.post(url, timeout=0.5)  # unscaled: the client gives up on purpose
            # unscaled: a marker on the line above counts too
            httpx.post(url, timeout=0.5)
            deadline = time.monotonic() + 10
            fine = time.monotonic() + scaled(10)
            await asyncio.wait_for(event.wait(), 5)
            async with asyncio.timeout(5):
                pass
            bot.get_updates(timeout=0)
            pytest.mark.timeout(60)
            ", ".join(parts)
            ",".join(["a"] * 1001)
        """
    )
    found = unscaled({"helper.py": helper, "module.py": module})
    assert sorted((f.path, f.line) for f in found) == [
        ("helper.py", 5),  # fetch's default: fetch does not scale
        ("module.py", 8),  # scaled() given to wait_until: twice
        ("module.py", 9),
        ("module.py", 10),
        ("module.py", 11),
        ("module.py", 12),
        ("module.py", 14),
        ("module.py", 18),
        ("module.py", 20),
        ("module.py", 21),
    ], "\n".join(map(str, found))


def test_the_factor_lengthens_the_waits(tmp_path: Path) -> None:
    """With ``GATEWAY_TEST_TIME_SCALE=5`` a wait of 0.04 s lasts 0.2 s, and the waits
    that failed on the busy machine (a health check's 30 s, a tracking ID's 10 s, the
    chaos run's 180 s) last five times as long."""
    program = textwrap.dedent(
        """
        import time
        from tests.support import TIME_SCALE, scaled, wait_until
        started = time.monotonic()
        try:
            wait_until(lambda: False, timeout=0.04, interval=0.01)
        except AssertionError as exc:
            print(exc)
        print(round(time.monotonic() - started, 2) >= 0.2, TIME_SCALE)
        print(scaled(30), scaled(10), scaled(180))
        """
    )
    env = {**os.environ, "GATEWAY_TEST_TIME_SCALE": "5"}
    done = subprocess.run(
        [sys.executable, "-c", program],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=scaled(60),
        check=True,
    )
    failure, waited, deadlines = done.stdout.splitlines()
    assert "timed out after 0.2s" in failure
    assert waited == "True 5.0"
    assert deadlines == "150.0 50.0 900.0"


def test_a_whole_test_s_time_limit_scales(request: pytest.FixtureRequest) -> None:
    """pytest-timeout's limit for a test (``timeout`` in pyproject.toml, or its own
    mark) is multiplied too: the chaos run's 180 s wait, five times, is longer than
    300 s."""
    mark = request.node.get_closest_marker("timeout")
    if TIME_SCALE == 1:
        assert mark is None
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", request.node.nodeid],
            env={**os.environ, "GATEWAY_TEST_TIME_SCALE": "5"},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=scaled(120),
        )
        assert done.returncode == 0, done.stdout + done.stderr
    else:
        ini = float(request.config.getini("timeout"))
        assert mark is not None and mark.args == (scaled(ini),)
