# SPDX-License-Identifier: GPL-2.0-only
"""Horizontal stacked bar charts as inline SVG (no script, no fonts to
fetch): the dashboard's pictures.

Every bar segment carries data-row, data-part and data-value, so a test
reading the DOM can check that each bar shows the number it should, and
its width is proportional to that number.
"""

from html import escape

ROW_HEIGHT = 22
BAR_HEIGHT = 16
LABEL_WIDTH = 190
BAR_WIDTH = 480
TOTAL_WIDTH = 60


def _legend(parts, colours, x):
    items = []
    for part in parts:
        items.append('<rect x="%d" y="2" width="12" height="12" fill="%s"/>'
                     '<text x="%d" y="12" font-size="11">%s</text>'
                     % (x, colours[part], x + 16, escape(part)))
        x += 22 + 7 * len(part)
    return "".join(items)


def stacked_bars(title, rows, parts, colours, chart_id, biggest=None,
                 compact=False):
    """An SVG chart: one bar per (label, {part: value}) row, its parts in
    the order of parts, all bars on one scale: biggest (default: the
    largest row total) fills the bar width.  compact: a small chart for
    a table cell, without legend and row labels."""
    label_width = 0 if compact else LABEL_WIDTH
    bar_width = BAR_WIDTH // 3 if compact else BAR_WIDTH
    top = 0 if compact else 22
    height = top + ROW_HEIGHT * max(1, len(rows)) + (0 if compact else 4)
    width = label_width + bar_width + TOTAL_WIDTH
    biggest = biggest or max([sum(values.get(p, 0) for p in parts)
                              for _, values in rows] + [1])
    scale = bar_width / biggest
    out = ['<svg xmlns="http://www.w3.org/2000/svg" class="chart" '
           'id="%s" data-scale="%r" width="%d" height="%d" '
           'viewBox="0 0 %d %d" role="img" aria-label="%s">'
           % (escape(chart_id), scale, width, height, width, height,
              escape(title)),
           "<title>%s</title>" % escape(title),
           "" if compact else _legend(parts, colours, label_width)]
    for i, (label, values) in enumerate(rows):
        y = top + i * ROW_HEIGHT
        if not compact:
            out.append('<text x="%d" y="%d" font-size="12" '
                       'text-anchor="end">%s</text>'
                       % (label_width - 6, y + 12, escape(label)))
        x = float(label_width)
        for part in parts:
            value = values.get(part, 0)
            if not value:
                continue
            w = value * scale
            out.append('<rect x="%.2f" y="%d" width="%.2f" height="%d" '
                       'fill="%s" data-row="%s" data-part="%s" '
                       'data-value="%d"><title>%s %s: %d</title></rect>'
                       % (x, y, w, BAR_HEIGHT, colours[part], escape(label),
                          escape(part), value, escape(label),
                          escape(part), value))
            x += w
        total = sum(values.get(p, 0) for p in parts)
        out.append('<text x="%.2f" y="%d" font-size="11" '
                   'data-total="%s">%d</text>'
                   % (x + 4, y + 12, escape(label), total))
    out.append("</svg>")
    return "".join(out)
