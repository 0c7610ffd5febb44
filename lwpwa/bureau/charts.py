"""Chart geometry for server-side SVG (templates/bureau/_charts.html draws it): no script, no
network, no inline style, and it prints as sharply as text."""
import math

BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, BAR_AREA, VALUE_ROOM = 30, 12, 300, 480, 100
LINE_WIDTH, LINE_HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP, PAD_RIGHT = 880, 300, 72, 48, 16, 32


def nice_max(value):
    """A round axis maximum at or above `value` (1, 2, 5 × 10^n)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def short_label(label):
    """What fits left of a bar: about 15 Chinese characters or 28 Latin ones."""
    limit = 15 if any(ord(ch) > 0x2E80 for ch in label) else 28
    return label if len(label) <= limit else label[:limit - 1] + "…"


def bars(rows, value="attendance"):
    """Horizontal bars, one per row (theme), labelled, with the value at the bar's end."""
    top = nice_max(max((row[value] for row in rows), default=0))
    items = []
    for index, row in enumerate(rows):
        y = index * (BAR_HEIGHT + BAR_GAP)
        width = round(BAR_AREA * row[value] / top, 1)
        items.append({"label": row["label"], "short": short_label(row["label"]), "value": row[value], "y": y, "text_y": y + BAR_HEIGHT * 0.7,
                      "x": LABEL_WIDTH, "width": width, "value_x": LABEL_WIDTH + width + 6})
    height = max(len(rows) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP, BAR_HEIGHT)
    return {"items": items, "width": LABEL_WIDTH + BAR_AREA + VALUE_ROOM, "height": height,
            "bar_height": BAR_HEIGHT, "label_x": LABEL_WIDTH - 8}


def line(rows, value="attendance"):
    """A line by day: points, a polyline, a y axis with five ticks, dates under the points
    (thinned so they never overlap)."""
    plot_w = LINE_WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = LINE_HEIGHT - PAD_TOP - PAD_BOTTOM
    step = nice_max(max((row[value] for row in rows), default=0) / 4)
    top = step * 4  # five gridlines at round values
    n = len(rows)
    every = max(1, math.ceil(n / 10))
    points = []
    for index, row in enumerate(rows):
        x = PAD_LEFT + (plot_w * index / (n - 1) if n > 1 else plot_w / 2)
        y = PAD_TOP + plot_h * (1 - row[value] / top)
        points.append({"x": round(x, 1), "y": round(y, 1), "value": row[value], "label": row["label"][5:],
                       "full_label": row["label"], "show_label": index % every == 0 or index == n - 1})
    ticks = [{"value": round(step * i), "y": round(PAD_TOP + plot_h * (1 - i / 4), 1)} for i in range(5)]
    return {"points": points, "polyline": " ".join(f"{p['x']},{p['y']}" for p in points), "ticks": ticks,
            "width": LINE_WIDTH, "height": LINE_HEIGHT, "left": PAD_LEFT, "right": LINE_WIDTH - PAD_RIGHT,
            "bottom": PAD_TOP + plot_h, "label_y": PAD_TOP + plot_h + 22}
