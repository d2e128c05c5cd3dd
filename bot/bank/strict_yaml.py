"""YAML loading that refuses duplicate mapping keys (PyYAML keeps the last value silently).

A duplicated key in content is almost always an editing mistake: a second `hint:` or `id:` that
replaces the first without a word. Loading goes on so every duplicate in a file is reported at once,
each with its line and, where known, the id of the record it is in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

_BASE: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when libyaml is present


@dataclass
class DuplicateKey:
    key: str
    line: int  # 1-based
    first_line: int
    #: the `id` of the outermost mapping holding the duplicate that has one (the record), else ""
    record: str = ""
    #: ids of mappings between the record and the duplicate (e.g. a key point's "kp2")
    inside: tuple[str, ...] = ()

    @property
    def field(self) -> str:
        return ".".join([*self.inside, self.key])


class _Loader(_BASE):  # type: ignore[misc,valid-type]
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[DuplicateKey] = []


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    found: list[tuple[str, int, int]] = []
    for key_node, _value in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        key = loader.construct_scalar(key_node)
        line = key_node.start_mark.line + 1
        if key in seen:
            found.append((str(key), line, seen[key]))
        else:
            seen[key] = line
    loader.flatten_mapping(node)
    mapping = loader.construct_mapping(node, deep=True)
    loader.duplicates += [DuplicateKey(key, line, first) for key, line, first in found]
    record = mapping.get("id") if isinstance(mapping, dict) else None
    if record is not None:  # inner mappings are built first: the outermost id seen last names the record
        start, end = node.start_mark.line + 1, node.end_mark.line + 1
        for duplicate in loader.duplicates:
            if start <= duplicate.line <= end:
                if duplicate.record:
                    duplicate.inside = (duplicate.record, *duplicate.inside)
                duplicate.record = str(record)
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(text: str) -> tuple[Any, list[DuplicateKey]]:
    """The document in `text` and every duplicated key in it (raises yaml.YAMLError on broken YAML)."""
    loader = _Loader(text)
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()
