"""The parts of long SMS in Gammu SMSD's inbox, grouped into whole messages.

A long SMS arrives as parts, one ``inbox`` row each, whose UDH carries the message's
concatenation reference, its number of parts and the part's number. The reference is
only 8 (or 16) bits chosen by the sender's phone, so two long SMS from one sender can
carry the same one: a reference alone never says which message a part belongs to.
Parts are therefore grouped by walking the rows in Gammu's order (its inbox IDs): a part
joins the oldest open message with the same sender, recipient, reference and number of
parts that lacks its part number and was received at most ``window`` before it; a part
number that message already has (the second message's part 1, say) starts a new one.

What each part said is read from the ``Text`` column (the part's own text, hex of
UCS-2, written by gammu-smsd for every part) when there is one: gammu-smsd 1.42 writes
the whole joined text into ``TextDecoded`` of the first row of a message and an empty
string into the others, so ``TextDecoded`` alone cannot tell two messages apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

#: codings whose ``Text`` gammu-smsd writes as hex of UCS-2 (big endian)
UCS2_HEX = ("Default_No_Compression", "Unicode_No_Compression")


@dataclass(frozen=True)
class Part:
    id: int
    sender: str
    recipient: str
    at: datetime
    decoded: str  # TextDecoded as Gammu wrote it
    raw: bytes | None  # the part's own text as UTF-16BE (from ``Text``), when Gammu gave it
    ref: int
    total: int
    seq: int

    @property
    def key(self) -> tuple[str, str, int, int]:
        return (self.sender, self.recipient, self.ref, self.total)


@dataclass
class Message:
    """Parts of one long SMS (some may still be missing)."""

    parts: dict[int, Part] = field(default_factory=dict)  # by part number

    @property
    def first(self) -> Part:
        return min(self.parts.values(), key=lambda p: p.id)

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(sorted(p.id for p in self.parts.values()))

    @property
    def complete(self) -> bool:
        return set(self.parts) >= set(range(1, self.first.total + 1))

    @property
    def at(self) -> datetime:
        return min(p.at for p in self.parts.values())

    @property
    def text(self) -> str:
        ordered = [self.parts[n] for n in sorted(self.parts)]
        raws = [p.raw for p in ordered]
        if all(r is not None for r in raws):
            # joined before decoding: a character may be split between two parts
            return b"".join(r for r in raws if r is not None).decode("utf-16-be", "replace")
        if len(ordered) > 1 and all(not p.decoded for p in ordered[1:]):
            # gammu-smsd's own way: the whole text in the first row, nothing in the others
            return ordered[0].decoded
        return "".join(p.decoded for p in ordered)


def concat_info(udh: str | None) -> tuple[int, int, int] | None:
    """(reference, total parts, this part's number) from a concatenated SMS's UDH (hex)."""
    if not udh:
        return None
    try:
        data = bytes.fromhex(udh)
    except ValueError:
        return None
    i = 1  # data[0] is the UDH length
    while i + 1 < len(data):
        iei, size = data[i], data[i + 1]
        body = data[i + 2 : i + 2 + size]
        if iei == 0x00 and size == 3 and len(body) == 3:
            return body[0], body[1], body[2]
        if iei == 0x08 and size == 4 and len(body) == 4:
            return (body[0] << 8) | body[1], body[2], body[3]
        i += 2 + size
    return None


def own_text(coding: str | None, text_hex: str | None) -> bytes | None:
    """A part's own text as UTF-16BE bytes, from the ``Text`` column (None: not there)."""
    if not text_hex or coding not in UCS2_HEX:
        return None
    try:
        raw = bytes.fromhex(text_hex)
    except ValueError:
        return None
    return raw if len(raw) % 2 == 0 else None


def group(parts: list[Part], window: timedelta) -> list[Message]:
    """Whole (or still partial) messages from ``parts``, in the order of their first ID."""
    messages: list[Message] = []
    open_: dict[tuple[str, str, int, int], list[Message]] = {}
    for part in sorted(parts, key=lambda p: p.id):
        if part.seq < 1 or part.seq > part.total:
            messages.append(Message({part.seq: part}))  # nonsense UDH: a message of its own
            continue
        candidates = open_.setdefault(part.key, [])
        home = next(
            (m for m in candidates if part.seq not in m.parts and abs(part.at - m.at) <= window),
            None,
        )
        if home is None:
            home = Message()
            candidates.append(home)
            messages.append(home)
        home.parts[part.seq] = part
        if home.complete:
            candidates.remove(home)
    return sorted(messages, key=lambda m: m.first.id)
