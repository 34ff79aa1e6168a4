"""The oversight page's monthly trend, as server-rendered SVG.

Twelve months (:attr:`gateway.oversight.figures.Oversight.monthly`), each with three
bars side by side: complaints received, followed up (ditindaklanjuti) and finished
(selesai) in that month. Plain SVG with attributes and the classes of ``ops.css``
(the console's CSP allows no inline style or script), like
:mod:`gateway.ops.week_chart`: every bar has a ``<title>`` with its exact figure and is
a link to the complaints behind it (``href`` made by the page), and the chart has an
``aria-label`` summing it up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gateway.oversight.figures import Month

#: the chart's geometry, in SVG user units
PLOT_HEIGHT = 150
LABEL_HEIGHT = 16
MONTH_WIDTH = 56
BAR_WIDTH = 14
LEFT = 4
#: the bars of a month: the step (its class in ops.css, and the drill-down's ``step``)
STEPS = ("received", "followed_up", "finished")


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    #: ``received``, ``followed_up`` or ``finished``: its class in ops.css
    kind: str
    count: int
    title: str
    href: str


@dataclass(frozen=True)
class Label:
    x: int
    y: int
    text: str


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    baseline: int
    bars: list[Bar]
    labels: list[Label]
    #: the busiest month's figure, written at the top of the plot
    top: int
    summary: str


def _height(count: int, top: int) -> int:
    """A bar's height; a month with any complaint shows at least a sliver."""
    return max(round(PLOT_HEIGHT * count / top), 1) if count else 0


def chart(
    months: Sequence[Month],
    words: Sequence[str],
    href: Callable[[str, str], str],
    summary_of: Callable[[int, int, int], str],
) -> TrendChart:
    """The bars of ``months`` scaled to the busiest; ``words`` name the three steps,
    ``href(month_key, step)`` is a bar's drill-down link and ``summary_of(received,
    followed_up, finished)`` the chart's ``aria-label``."""
    top = max((getattr(m.counts, s) for m in months for s in STEPS), default=0) or 1
    bars: list[Bar] = []
    labels: list[Label] = []
    for i, month in enumerate(months):
        left = LEFT + i * MONTH_WIDTH
        for j, (step, word) in enumerate(zip(STEPS, words, strict=True)):
            count = int(getattr(month.counts, step))
            height = _height(count, top)
            bars.append(
                Bar(
                    left + j * (BAR_WIDTH + 1),
                    PLOT_HEIGHT - height,
                    BAR_WIDTH,
                    height,
                    step,
                    count,
                    f"{month.label}: {count} {word}",
                    href(month.key, step),
                )
            )
        centre = left + (3 * BAR_WIDTH + 2) // 2
        labels.append(Label(centre, PLOT_HEIGHT + LABEL_HEIGHT - 3, month.label))
    totals = [sum(int(getattr(m.counts, s)) for m in months) for s in STEPS]
    width = LEFT + len(months) * MONTH_WIDTH
    return TrendChart(
        width,
        PLOT_HEIGHT + LABEL_HEIGHT,
        PLOT_HEIGHT,
        bars,
        labels,
        top if any(totals) else 0,
        summary_of(*totals),
    )
