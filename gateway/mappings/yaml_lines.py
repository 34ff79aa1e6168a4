"""YAML with the line of every key and item, so errors can name ``file:line``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Loc = tuple[str | int, ...]


class YamlError(ValueError):
    """Not valid YAML, or a key given twice; ``line`` is 1-based."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class Located:
    """Parsed YAML and the line where each path (``("channels", 0, "id")``) is written."""

    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """The line of ``loc``, or of its nearest parent that is in the file."""
        path = tuple(loc)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def load(text: str) -> Located:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Located(None, {})
        located = Located(None, {(): node.start_mark.line + 1})
        _walk(loader, node, (), located.lines)
        located.data = loader.construct_document(node)
        return located
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise YamlError(f"not valid YAML: {exc.problem or exc}", line) from exc
    except yaml.YAMLError as exc:
        raise YamlError(f"not valid YAML: {exc}", None) from exc
    finally:
        loader.dispose()


def load_file(path: Path) -> Located:
    return load(path.read_text(encoding="utf-8"))


def _walk(loader: yaml.SafeLoader, node: yaml.Node, path: Loc, lines: dict[Loc, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[object, int] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if isinstance(key, str | int) and not isinstance(key, bool):
                if key in seen:
                    raise YamlError(
                        f"{'.'.join(str(p) for p in (*path, key))}: given twice "
                        f"(first on line {seen[key]})",
                        line,
                    )
                seen[key] = line
                lines[(*path, key)] = line
                _walk(loader, value_node, (*path, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _walk(loader, item, (*path, index), lines)
