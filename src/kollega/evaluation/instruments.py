"""The two well-being instruments as data (``core/data/instruments/*.json``).

An instrument file holds its title, source, instruction, scale and questions
per language, and names the languages whose wording is the instrument's
official one. WHO-5's English text is used word for word; our Finnish and
Swedish wordings are marked provisional until an organisation replaces them.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from kollega.core.models.texts import localized

#: Order of the instruments on the well-being form.
INSTRUMENT_KEYS = ("who5", "peer_support")


@cache
def instrument_definition(key: str) -> dict[str, Any]:
    """The shipped definition of one instrument (read once per process)."""
    if key not in INSTRUMENT_KEYS:
        raise KeyError(key)
    path = resources.files("kollega.core") / "data" / "instruments" / f"{key}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def scale_labels(definition: dict[str, Any]) -> dict[str, Any]:
    """A question's ``scale_labels``: the two ends, and for WHO-5 every point in the order shown."""
    scale = definition["scale"]
    points = scale.get("points")
    if points:
        by_value = {point["value"]: point["label"] for point in points}
        return {"min": by_value[scale["min"]], "max": by_value[scale["max"]], "points": points}
    return {"min": scale["ends"]["min"], "max": scale["ends"]["max"]}


def answer_choices(
    *, scale_min: int, scale_max: int, labels: dict[str, Any] | None, language: str
) -> list[tuple[str, str]]:
    """The radio buttons of one rating question: every point labelled (WHO-5), or the ends labelled."""
    labels = labels if isinstance(labels, dict) else {}
    points = labels.get("points")
    if isinstance(points, list) and points:
        return [
            (str(point["value"]), localized(point.get("label"), language) or str(point["value"]))
            for point in points
            if isinstance(point, dict) and "value" in point
        ]
    ends = {scale_min: localized(labels.get("min"), language), scale_max: localized(labels.get("max"), language)}
    return [(str(n), f"{n} – {ends[n]}" if ends.get(n) else str(n)) for n in range(scale_min, scale_max + 1)]


def answer_label(*, value: Any, scale_min: int, scale_max: int, labels: dict[str, Any] | None, language: str) -> str:
    """How an answer reads back to the person: the point's words, or the number with its end's words."""
    for key, label in answer_choices(scale_min=scale_min, scale_max=scale_max, labels=labels, language=language):
        if key == str(value):
            return label
    return str(value)
