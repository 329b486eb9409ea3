"""Texts that organisers type, stored per language as ``{"fi": ..., "sv": ..., "en": ...}``."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import translation

FALLBACK_ORDER = ("fi", "en", "sv")


def localized(texts: Mapping[str, str] | None, language: str | None = None) -> str:
    """The text in ``language`` (default: the active one), else the first that exists."""
    if not texts:
        return ""
    lang = (language or translation.get_language() or "fi")[:2]
    if texts.get(lang):
        return texts[lang]
    for fallback in FALLBACK_ORDER:
        if texts.get(fallback):
            return texts[fallback]
    return next((v for v in texts.values() if v), "")
