"""Telegram: a bot built with python-telegram-bot (v22), running inside the gateway.

Updates arrive by webhook (``POST /channels/telegram/{tenant}``) or by polling, are
stored raw before they are acknowledged (:mod:`.service`), and drive a conversation
in Bahasa Indonesia or English (:mod:`.conversation`) whose state lives in the
database. Status changes and agency responses go back to the chat (:mod:`.reply`).
"""

import os

# python-telegram-bot 22 gives RetryAfter.retry_after (and other periods) as
# timedelta with this set, and warns about the int it gives otherwise
os.environ.setdefault("PTB_TIMEDELTA", "true")
