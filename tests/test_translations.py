"""Finnish and Swedish are kept complete, and the compiled catalogues match the sources."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "src" / "kollega" / "locale"


def read_po(path: Path) -> list[dict[str, object]]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (list), fuzzy."""
    entries: list[dict[str, object]] = []
    entry: dict[str, object] = {}
    key = ""

    def close() -> None:
        if "msgid" in entry:
            entries.append(dict(entry))
        entry.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            close()
            continue
        if line.startswith("#,") and "fuzzy" in line:
            entry["fuzzy"] = True
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
            if key.startswith("msgstr"):
                strs = entry["msgstr"]
                assert isinstance(strs, list)
                strs[-1] += value
            else:
                entry[key] = str(entry[key]) + value
            continue
        name, _, rest = line.partition(" ")
        value = ast.literal_eval(rest)
        key = name
        if name.startswith("msgstr"):
            entry.setdefault("msgstr", [])
            strs = entry["msgstr"]
            assert isinstance(strs, list)
            strs.append(value)
        else:
            entry[name] = value
    close()
    return [e for e in entries if e["msgid"]]  # the header has an empty msgid


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_message_is_translated(language: str) -> None:
    entries = read_po(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert len(entries) > 500
    missing = [e["msgid"] for e in entries if e.get("fuzzy") or not all(e["msgstr"])]  # type: ignore[arg-type]
    assert missing == []


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_compiled_catalogue_matches_the_source(language: str) -> None:
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in read_po(folder / "django.po"):
        if "msgid_plural" in entry:
            continue
        msgid, (msgstr,) = str(entry["msgid"]), entry["msgstr"]  # type: ignore[misc]
        got = compiled.pgettext(str(entry["msgctxt"]), msgid) if "msgctxt" in entry else compiled.gettext(msgid)
        assert got == msgstr, f"run make messages: {msgid!r} is compiled as {got!r}"
