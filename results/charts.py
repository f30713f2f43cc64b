"""The standings progression chart: points after each race for the top 10, as SVG geometry."""

from __future__ import annotations

from results.standings.table import StandingsTable
from results.standings.table import progression as points_after_each_race

# Ten colours that stay apart for colour-blind readers (Tableau 10).
COLOURS = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
]  # fmt: skip
WIDTH, HEIGHT = 960, 360
LEFT, RIGHT, TOP, BOTTOM = 72, 40, 16, 64  # room for the axes' labels and titles


def nice_ceiling(value: int) -> int:
    """A round upper bound for the y axis: 4000 → 4000, 4400 → 5000, 730 → 800."""
    if value <= 0:
        return 1
    step = 10 ** (len(str(value)) - 1)
    return -(-value // step) * step


def progression(table: StandingsTable, top: int = 10) -> dict | None:
    """Lines of points after each race, for the table's top competitors: every race of the
    table on the x axis, the lines up to the race the table is viewed after."""
    if not table.rows or not any(race.done for race in table.races[: table.after_race]):
        return None
    series = points_after_each_race(table, top)
    highest = nice_ceiling(max(values[-1] for _, values in series))
    span = WIDTH - LEFT - RIGHT
    count = len(table.races)
    step = span / max(count - 1, 1)

    def x(index: int) -> float:
        return round(LEFT + (index * step if count > 1 else span / 2), 1)

    def y(points: int) -> float:
        return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - points / highest), 1)

    lines = [
        {
            "label": row.competitor.display,
            "rank": row.standing.rank,
            "colour": colour,
            "points": " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values)),
            "end": (x(len(values) - 1), y(values[-1])),
            "final": values[-1],
            "figures": values,
        }
        for colour, (row, values) in zip(COLOURS, series, strict=False)
    ]
    slanted = count > 10  # many races: the labels lean so that none overlaps another
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "top": TOP,
        "middle": round(TOP + (HEIGHT - TOP - BOTTOM) / 2, 1),
        "centre": round(LEFT + span / 2, 1),
        "lines": lines,
        "x_ticks": [
            (x(i), race.short_label, race.done and race.position <= table.after_race)
            for i, race in enumerate(table.races)
        ],
        "races": table.races[: table.after_race],  # the columns of the figures' table
        "slanted": slanted,
        "y_ticks": [(y(highest * i // 4), highest * i // 4) for i in range(5)],
        "label_y": HEIGHT - BOTTOM + 20,
        "title_y": HEIGHT - 8,
    }
