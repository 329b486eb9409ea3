"""Programme templates shipped with Kollega (``core/data/programme_templates/*.json``)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

DEFAULT_TEMPLATE = "peer_group_model"


@cache
def programme_templates() -> dict[str, dict[str, Any]]:
    folder = resources.files("kollega.core") / "data" / "programme_templates"
    found: dict[str, dict[str, Any]] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            data = json.loads(entry.read_text(encoding="utf-8"))
            found[data["key"]] = data
    return found


def programme_template(key: str) -> dict[str, Any]:
    templates = programme_templates()
    if key not in templates:
        raise KeyError(key)
    return templates[key]
