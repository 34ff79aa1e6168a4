"""The commands the conversation knows (``/lapor``, ``/status``, ``/batal``, ...) and
how a channel reads one from a text.

Telegram's commands start with a slash (``/batal``, ``/status@bot ID``). A channel
without commands (WhatsApp) may also take a bare word (``batal``, ``status ID``,
``english``) as one: :func:`read_command` with ``bare=True``.
"""

from __future__ import annotations

from gateway.chat.state import Command, MessageId

WELCOME = ("start", "help", "bantuan", "mulai")
REPORT = ("lapor", "report", "baru")
CANCEL = ("batal", "cancel")
STATUS = ("status", "cek", "laporan")
ENGLISH = ("english", "en")
INDONESIAN = ("indonesia", "id")
LANGUAGE = ("bahasa",)
#: the words taken as a command without a slash (``bare``): not ``id``, ``en`` or
#: ``laporan``, which begin ordinary sentences too
BARE = frozenset(("batal", "cancel", "status", "cek", "lapor", "bantuan", "english"))


def read_command(text: str, message_id: MessageId, *, bare: bool = False) -> Command | None:
    """The command ``text`` is, or None. ``/name args`` always (``@botname`` dropped,
    lower case); with ``bare``, also a text that is one of :data:`BARE` alone, or
    ``status`` and a tracking ID."""
    text = text.strip()
    if text.startswith("/"):
        head, _, args = text[1:].partition(" ")
        return Command(head.split("@", 1)[0].lower(), args.strip(), message_id)
    if bare:
        words = text.split()
        name = words[0].lower() if words else ""
        if len(words) == 1 and name in BARE:
            return Command(name, "", message_id)
        if len(words) == 2 and name in STATUS and any(ch.isdigit() for ch in words[1]):
            return Command(name, words[1], message_id)
    return None
