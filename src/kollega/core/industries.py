"""The 21 main industry classes (A–U) of Statistics Finland's TOL 2008, in fi/sv/en."""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources

from django.utils import translation


@cache
def industries() -> dict[str, dict[str, str]]:
    """``{"A": {"fi": ..., "sv": ..., "en": ...}, ...}`` in the classification's order."""
    text = (resources.files("kollega.core") / "data" / "tol2008.csv").read_text(encoding="utf-8")
    return {
        row["code"]: {"fi": row["fi"], "sv": row["sv"], "en": row["en"]} for row in csv.DictReader(io.StringIO(text))
    }


def industry_name(code: str, language: str | None = None) -> str:
    names = industries().get(code)
    if not names:
        return code
    lang = (language or translation.get_language() or "fi")[:2]
    return names.get(lang) or names["fi"]


def industry_choices(language: str | None = None) -> list[tuple[str, str]]:
    return [(code, f"{code} {industry_name(code, language)}") for code in industries()]
