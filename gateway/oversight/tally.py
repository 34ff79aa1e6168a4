"""The oversight figures being summed: counts and working-day histograms per measure
and breakdown key, and the figures (:class:`gateway.oversight.figures.Counts`) they
give."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from gateway.oversight.figures import Counts
from gateway.oversight.measures import MEDIANS


class Tally:
    """Counts and duration histograms of each measure, per breakdown key."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        self.days: dict[tuple[str, str, str], Counter[int]] = defaultdict(Counter)

    def add(self, measure: str, keys: Iterable[tuple[str, str]], n: int, days: Any) -> None:
        for key in keys:
            self.counts[key][measure] += n
            if days is not None:
                self.days[(*key, measure)][int(days)] += n

    def add_row(self, tenant: str, measure: str, kind: str, key: str, days: int, n: int) -> None:
        """A computed or kept row: a tenant's total (``kind`` "", counted in the total
        and under the tenant's region; a kept sum's ``tenant`` is "" for a breakdown)
        or a breakdown's."""
        keys = [(kind, key)] if kind else [("", "")]
        if not kind and tenant:
            keys.append(("region", tenant))
        duration = days if measure in MEDIANS and days >= 0 else None
        self.add(measure, keys, n, duration)

    def counts_of(self, key: tuple[str, str]) -> Counts:
        c = self.counts.get(key, Counter())
        received = c["received"]
        medians = {
            field: median(self.days.get((*key, measure), Counter()))
            for measure, field in MEDIANS.items()
        }
        return Counts(
            received=received,
            verified=c["verified"],
            dispatched=c["dispatched"],
            followed_up=c["followed_up"],
            finished=c["finished"],
            archived=c["archived"],
            follow_up_rate=c["followed_up_by_end"] / received if received else None,
            finish_rate=c["finished_by_end"] / received if received else None,
            over_sla_verify=c["over_sla_verify"],
            over_sla_follow_up=c["over_sla_follow_up"],
            over_sla_finish=c["over_sla_finish"],
            **medians,
        )


def median(histogram: Mapping[int, int]) -> float | None:
    """The median of values given as {value: how many}; None when empty."""
    total = sum(histogram.values())
    if not total:
        return None
    wanted = ((total - 1) // 2, total // 2)
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        count = histogram[value]
        for index in wanted:
            if seen <= index < seen + count:
                found.append(value)
        seen += count
    return (found[0] + found[1]) / 2
