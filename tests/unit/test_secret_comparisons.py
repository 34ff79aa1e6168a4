"""Secrets (API keys, webhook secrets, signatures, tokens) are compared in constant time.

Every such comparison goes through ``gateway.api.deps.same_secret``: this test reads
the source of ``gateway/`` and ``adapters/`` and fails on an ``==`` or ``!=`` whose
operands are named like a secret, and on ``hmac.compare_digest`` anywhere else.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from tests.support import ROOT

SECRETISH = re.compile(
    r"secret|token|signature|passw|digest|csrf|nonce|hmac|api[_-]?key|kannel_key", re.I
)
#: (file, source) of comparisons that look like one but are not, and why
NOT_SECRETS = {
    # a SQL look-up by the session token's SHA-256 (the token itself is never stored)
    ("gateway/ops/accounts.py", "col(OperatorSession.token_hash) == token_hash(token)"),
}


def _words(node: ast.AST) -> Iterator[str]:
    """Names in an operand: variables, attributes, and string keys (``headers["x-api-key"]``,
    ``params.get("key")``)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            yield sub.id
        elif isinstance(sub, ast.Attribute):
            yield sub.attr
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and len(sub.value) < 40:
            yield sub.value


def _secretish(node: ast.AST) -> bool:
    return any(SECRETISH.search(word) for word in _words(node))


def _sources() -> Iterator[tuple[str, str]]:
    for top in ("gateway", "adapters"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" not in path.parts:
                yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")


def scan(name: str, text: str) -> list[str]:
    """The comparisons of secrets in one file that do not go through ``same_secret``."""
    found = []
    for node in ast.walk(ast.parse(text, filename=name)):
        where = f"{name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Compare) and any(
            isinstance(op, ast.Eq | ast.NotEq) for op in node.ops
        ):
            operands = [node.left, *node.comparators]
            # a literal is a name or a mode (`k != "api_key"`), never a secret
            literal = any(isinstance(o, ast.Constant) for o in operands)
            source = (ast.get_source_segment(text, node) or "").strip()
            secretish = any(_secretish(o) for o in operands)
            if secretish and not literal and (name, source) not in NOT_SECRETS:
                found.append(f"{where}: {source}")
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "compare_digest"
            and name != "gateway/api/deps.py"
        ):
            found.append(f"{where}: compare_digest outside same_secret")
    return found


def test_secrets_are_compared_only_through_same_secret() -> None:
    found = [problem for name, text in _sources() for problem in scan(name, text)]
    assert found == [], "compare secrets with gateway.api.deps.same_secret"


def test_the_scan_flags_a_plain_comparison_and_nothing_else() -> None:
    sample = """
if request.headers.get("x-api-key") == tenant.api_key.get_secret_value():
    pass
if expected_signature != given:
    pass
if hmac.compare_digest(a, b):
    pass
if k != "api_key" or status == 200 or same_secret(given, token):
    pass
"""
    assert [line.split(":")[1] for line in scan("adapters/x.py", sample)] == ["2", "4", "6"]
