"""The console's lists, a page at a time: the page's number, how many pages, the links.

Jobs, the SLA page and quarantined inputs page the same way: :data:`PAGE_SIZE` rows,
newest or most urgent first, the list's filters kept on the links between pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

PAGE_SIZE = 50


def rows_before(page: int) -> int:
    """The rows of the pages before page ``page`` (an SQL query's offset)."""
    return (page - 1) * PAGE_SIZE


@dataclass(frozen=True)
class Paging:
    number: int
    #: the rows of the whole list
    total: int
    #: the list's filters ``(name, value)``, kept on the other pages' links (empty: not)
    keep: tuple[tuple[str, str], ...] = ()

    @classmethod
    def within(cls, asked: int, total: int, keep: tuple[tuple[str, str], ...] = ()) -> Paging:
        """Page ``asked``, moved onto the last page when the list is shorter."""
        last = cls(1, total).pages
        return cls(min(max(asked, 1), last), total, keep)

    @property
    def pages(self) -> int:
        return max(-(-self.total // PAGE_SIZE), 1)

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def offset(self) -> int:
        return rows_before(self.number)

    def query_string(self, page: int) -> str:
        """The list's query on page ``page``, for a pager link."""
        pairs = [(name, value) for name, value in self.keep if value]
        return urlencode([*pairs, ("page", str(page))])
