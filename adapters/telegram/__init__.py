"""Telegram: a bot built with python-telegram-bot (v22), running inside the gateway.

Updates arrive by webhook (``POST /channels/telegram/{tenant}``) or by polling, are
stored raw before they are acknowledged (:mod:`.service`), and drive a conversation
in Bahasa Indonesia or English whose state lives in the database: the
channel-neutral chat engine (:mod:`gateway.chat`), which this package only translates
Telegram's updates into and its replies out of. Status changes and agency responses
go back to the chat (:mod:`.reply`).

The modules, from the wire inwards: :mod:`.adapter` (the webhook route),
:mod:`.service` (polling, the processing loop), :mod:`.updates` (an update to an
event), :mod:`.files` (photos and documents fetched and kept), :mod:`.turn` (one
update's turn in the chat's transaction), :mod:`.reports` (the chat's complaints),
:mod:`.buttons` (the engine's choices as inline keyboards), :mod:`.conversation`,
:mod:`.flow`, :mod:`.reading` and :mod:`.state` (the engine's modules under their old
names), :mod:`.texts` (Telegram's own texts), :mod:`.store` (the database), :mod:`.bot`
and :mod:`.reply` (sending).
"""

import os

# python-telegram-bot 22 gives RetryAfter.retry_after (and other periods) as
# timedelta with this set, and warns about the int it gives otherwise
os.environ.setdefault("PTB_TIMEDELTA", "true")
