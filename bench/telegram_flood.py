"""Head-of-line on the Telegram channel: does one chat's flood delay another chat's answer?

The gateway runs in this process with the in-process sandbox, on a fresh SQLite file,
behind the fake Telegram Bot API (``tests/fakes/telegram_api.py``), both over loopback
(as the end-to-end tests run them: ``tests/e2e/telegram_support.py``). One chat posts
``--flood`` messages to the webhook at once (from as many threads); right after the
last is accepted, another chat posts one. Telegram lets a bot send about one message a
second to a chat (the mapping's ``chat_rate``), so the flooding chat's answers take
seconds by design; the other chat's answer should not wait for them.

With ``--busy K``, K chats flood at once (each ``--flood`` messages): while a chat
waits for its turn, its send holds one of the tenant's notify slots (20), and the
dispatcher claims the oldest jobs first, so more busy chats than slots held every
other chat up before issue 21's fix. Their first answers (3 each at once) fill the
bot's own limit (about 25 messages a second) for a while, a wait that is everyone's;
``--after-burst`` has the other chat write once they are out.

Figures, from the fake's own arrival times of each ``sendMessage``:
- ``other_wait_s``: the other chat's post to its first answer arriving (target < 1 s);
- ``other_turn_s``: of that, until its message's turn was taken and the answer
  written to the outbox (the updates are taken one at a time, in order);
- ``flood_first_s`` / ``flood_last_s``: the flood's first post to the flooding chats'
  first and last answer (paced by ``chat_rate`` whatever the fix);
- ``flood_answers``: answers the flooding chats got (one or more per message);
- ``throttled``: sends put back until their chat's turn (attempts recorded ``throttled``).

Each round is a fresh gateway; the median of ``--rounds`` is printed with the machine.

    .venv/bin/python bench/telegram_flood.py
    .venv/bin/python bench/telegram_flood.py --busy 22 --flood 12 --after-burst
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import common
from sqlalchemy import text

from gateway.storage.claims import chat_key
from tests.e2e.telegram_support import Gateway, telegram_gateway, text_update
from tests.support import wait_until

FLOODER = 5_100_000_001
OTHER = 5_000_000_002


def answers(gw: Gateway, chat: int) -> list[float]:
    """When each answer to ``chat`` arrived at the fake (``time.monotonic()``)."""
    return [
        c.at
        for c in gw.telegram.calls
        if c.method == "sendMessage" and not c.failed and str(c.params.get("chat_id")) == str(chat)
    ]


def unsent_replies(gw: Gateway) -> int:
    with gw.container.engine.connect() as conn:
        query = "SELECT count(*) FROM outbox_job WHERE kind = 'reply' AND state <> 'done'"
        return int(conn.execute(text(query)).scalar_one())


def reply_written(gw: Gateway, chat: int) -> datetime:
    """When the first reply job to ``chat`` was written (its turn was taken)."""
    with gw.container.engine.connect() as conn:
        query = "SELECT min(created_at) FROM outbox_job WHERE kind = 'reply' AND complaint_id = :k"
        found = conn.execute(text(query), {"k": chat_key("telegram", str(chat))}).scalar_one()
    at = found if isinstance(found, datetime) else datetime.fromisoformat(str(found))
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def attempts(gw: Gateway, outcome: str) -> int:
    with gw.container.engine.connect() as conn:
        query = "SELECT count(*) FROM job_attempt WHERE outcome = :o"
        return int(conn.execute(text(query), {"o": outcome}).scalar_one())


def unprocessed(gw: Gateway) -> int:
    return sum(state == "accepted" for state in gw.inbound_states().values())


def one_round(flood: int, busy: int, after_burst: bool, timeout: float) -> dict[str, Any]:
    settings = {"dispatch_interval": 1.0, "pull_interval": 5.0}  # the defaults
    with (
        tempfile.TemporaryDirectory(prefix="bench-tg-flood-") as tmp,
        telegram_gateway(Path(tmp), **settings) as gw,
    ):
        # warm up: the bot's HTTP clients, the conversation's first imports
        warm = 5_100_000_000
        gw.post(text_update("/start", 1, warm))
        wait_until(lambda: answers(gw, warm), timeout=timeout, what="the warm-up answer")
        posts = [
            text_update(f"Jalan rusak di depan pasar, pesan {n + 1}", 10 + n, FLOODER + chat)
            for n in range(flood)
            for chat in range(busy)
        ]
        started = time.monotonic()
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(gw.post, posts))
        if after_burst:  # the flooding chats' next answers wait for their turns
            wait_until(
                lambda: all(len(answers(gw, FLOODER + c)) >= min(3, flood) for c in range(busy)),
                timeout=timeout,
                what="the flooding chats' bursts",
            )
        posted, posted_at = time.monotonic(), datetime.now(UTC)
        gw.post(text_update("/start", 1, OTHER))
        other = wait_until(lambda: answers(gw, OTHER), timeout=timeout, what="the answer")
        wait_until(
            lambda: not unprocessed(gw) and not unsent_replies(gw),
            timeout=timeout,
            what="every reply sent",
        )
        flooded = sorted(at for chat in range(busy) for at in answers(gw, FLOODER + chat))
        return {
            "other_wait_s": round(other[0] - posted, 3),
            "other_turn_s": round((reply_written(gw, OTHER) - posted_at).total_seconds(), 3),
            "flood_post_s": round(posted - started, 3),
            "flood_first_s": round(flooded[0] - started, 3),
            "flood_last_s": round(flooded[-1] - started, 3),
            "flood_answers": len(flooded),
            "throttled": attempts(gw, "throttled"),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flood", type=int, default=12, help="messages the busy chat sends")
    parser.add_argument("--busy", type=int, default=1, help="chats that flood at once")
    parser.add_argument(
        "--after-burst",
        action="store_true",
        help="the other chat writes once the flooding chats have had their first 3 answers",
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    print(f"# telegram_flood on {common.machine()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    rounds = []
    for n in range(args.rounds):
        found = one_round(args.flood, args.busy, args.after_burst, args.timeout)
        print(f"round {n + 1}: {found}")
        rounds.append(found)
    median = {
        key: round(statistics.median(r[key] for r in rounds), 3)
        for key in (
            "other_wait_s",
            "other_turn_s",
            "flood_first_s",
            "flood_last_s",
            "flood_answers",
            "throttled",
        )
    }
    worst = max(r["other_wait_s"] for r in rounds)
    print(
        f"flood of {args.flood} from each of {args.busy} chat(s), {args.rounds} rounds (median): "
        f"another chat's "
        f"answer after {median['other_wait_s']} s (worst {worst} s); the flooding chat's "
        f"first answer {median['flood_first_s']} s, last {median['flood_last_s']} s "
        f"({median['flood_answers']:g} answers)"
    )
    common.print_summary(
        "telegram_flood",
        {
            "flood": args.flood,
            "busy": args.busy,
            "after_burst": args.after_burst,
            "rounds": args.rounds,
            **median,
            "other_wait_worst_s": worst,
        },
    )


if __name__ == "__main__":
    main()
