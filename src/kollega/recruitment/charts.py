"""Charts of the needs dashboard: horizontal bars drawn by matplotlib as inline SVG.

Each chart is made to be read on a phone as well as on a wide screen: the
label of a bar sits above it on its own line(s), so long theme titles need no
room on the left, and the number sits at the end of the bar. Text stays text
(``svg.fonttype = 'none'``), so it is sharp, searchable and takes the page's
font. One accent colour, no decoration. The chart is an image for assistive
technology (``role="img"``, an ``aria-label`` and a ``<title>`` that say the
same numbers); the table below every chart on the page holds the data.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

ACCENT = "#005a74"  # --accent in kollega.css: 7.5:1 on white
TEXT = "#1b1b1b"  # --text
BASELINE = "#6f777b"  # --border: 4.6:1 on white

WIDTH = 320.0  # SVG units (points); the page scales the chart to the column
FONT_SIZE = 13.0
LINE_HEIGHT = FONT_SIZE * 1.3
BAR_HEIGHT = 16.0
GAP = 12.0  # between one bar and the next label
VALUE_ROOM = 40.0  # right of the longest bar, for its number
WRAP_AT = 36  # characters per label line at this width and size

_ID = re.compile(r'\sid="([^"]+)"')


def chart_summary(*, title: str, bars: Sequence[tuple[str, int]]) -> str:
    """The text alternative: the title and every bar's number, in order."""
    values = "; ".join(_("%(label)s: %(value)s") % {"label": label, "value": value} for label, value in bars)
    if not values:
        return title
    return _("%(title)s. %(values)s.") % {"title": title, "values": values}


def bar_chart_svg(*, chart_id: str, title: str, bars: Sequence[tuple[str, int]]) -> SafeString:
    """One horizontal bar chart as an ``<svg>`` element to put straight into a page.

    ``chart_id`` makes the element ids unique on the page (several charts share it).
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    rows = [(textwrap.wrap(label, WRAP_AT) or [""], value) for label, value in bars]
    height = sum(len(lines) * LINE_HEIGHT + BAR_HEIGHT + GAP for lines, _value in rows) + GAP
    top = max([value for _lines, value in rows] + [0])
    scale = (WIDTH - VALUE_ROOM) / top if top else 0.0

    with matplotlib.rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": chart_id,
            "text.parse_math": False,  # a "$" in a theme title is a dollar sign
            "font.family": "sans-serif",
            "font.size": FONT_SIZE,
            "text.color": TEXT,
        }
    ):
        figure = Figure(figsize=(WIDTH / 72, height / 72), dpi=72)
        axes = figure.add_axes((0, 0, 1, 1))
        axes.set_xlim(0, WIDTH)
        axes.set_ylim(height, 0)  # y grows downwards, like the page
        axes.set_axis_off()
        y = GAP / 2
        for lines, value in rows:
            for line in lines:
                y += LINE_HEIGHT
                axes.text(0, y - LINE_HEIGHT * 0.25, line, ha="left", va="baseline", clip_on=False)
            centre = y + BAR_HEIGHT / 2 + 2
            axes.barh(centre, value * scale, height=BAR_HEIGHT, left=0, color=ACCENT, clip_on=False)
            axes.text(value * scale + 6, centre, str(value), ha="left", va="center", clip_on=False, weight="bold")
            axes.plot(
                [0.5, 0.5],
                [centre - BAR_HEIGHT / 2 - 2, centre + BAR_HEIGHT / 2 + 2],
                color=BASELINE,
                lw=1,
                clip_on=False,
            )
            y += BAR_HEIGHT + GAP
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return mark_safe(_inline(out.getvalue(), chart_id=chart_id, summary=chart_summary(title=title, bars=bars)))  # noqa: S308 (matplotlib escapes the text it writes; our attributes are escaped here)


def _inline(svg: str, *, chart_id: str, summary: str) -> str:
    """Make matplotlib's SVG document an element for an HTML page."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.DOTALL)
    # Element ids must be unique on the page: keep (and prefix) only those something refers to.
    referenced = set(re.findall(r"url\(#([^)]+)\)", svg)) | set(re.findall(r'href="#([^"]+)"', svg))

    def rename(match: re.Match[str]) -> str:
        name = match.group(1)
        return f' id="{chart_id}-{name}"' if name in referenced else ""

    svg = _ID.sub(rename, svg)
    for name in referenced:
        svg = svg.replace(f"url(#{name})", f"url(#{chart_id}-{name})").replace(
            f'href="#{name}"', f'href="#{chart_id}-{name}"'
        )
    # Text takes the page's font (the labels were wrapped for a sans-serif of this size).
    svg = re.sub(r"font-family: [^;\"]*;?\s*", "", svg)
    # Scale to the column: drop the fixed size, keep the viewBox.
    svg = re.sub(r'^<svg([^>]*?)\swidth="[^"]*"\sheight="[^"]*"', r"<svg\1", svg, count=1)
    label = escape(summary)
    svg = svg.replace(
        "<svg",
        f'<svg class="chart-svg" role="img" aria-label="{label}" focusable="false"',
        1,
    )
    head_end = svg.index(">") + 1
    return f"{svg[:head_end]}\n <title>{label}</title>{svg[head_end:]}"
