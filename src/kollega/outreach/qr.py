"""QR codes of share links, as SVG: sharp at any size on screen and on paper."""

from __future__ import annotations

import io

import segno


def qr_svg(url: str, *, title: str = "") -> bytes:
    """An SVG QR code that opens ``url``.

    Error correction level M survives a smudged or folded poster; the quiet zone
    (4 modules) and a white background let phones read it on a coloured wall.
    Without a fixed width and height the image scales to whatever box holds it.
    """
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        scale=10,
        border=4,
        dark="#000",
        light="#fff",
        xmldecl=True,
        title=title or None,
        svgclass="qr-code",
        lineclass=None,
        omitsize=True,
    )
    return out.getvalue()
