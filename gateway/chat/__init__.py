"""The conversation with a citizen, the same on every chat channel.

A channel (``adapters/telegram``, ``adapters/whatsapp``) turns its messages into
events and renders the replies; everything between is here. The engine is pure and
without I/O:

- :mod:`.state`: a chat's state (JSON in ``chat_session.state``), the input events
  (text, command, place, photo or document, contact, a pressed choice), the
  :class:`~.state.Outcome` of a step, and the :class:`~.state.Context` a channel fills
  (the tenant, the moment, the readers, the chat's complaints);
- :mod:`.engine`: :func:`~.engine.step`, one event's turn;
- :mod:`.commands`: ``/lapor``, ``/status``, ``/batal``, English on request, and how a
  text is read as one;
- :mod:`.flow`: what the next question is, the summary;
- :mod:`.answers`: a pressed choice answering a question;
- :mod:`.reading`: the place and time a text names;
- :mod:`.choices`: the choices offered under a message, and how many a channel shows
  (WhatsApp: 3 reply buttons, 10 list rows);
- :mod:`.texts`: what it says, in Bahasa Indonesia and English.

and its database side, the same for every chat channel (a chat is its channel's name
and its id there as a string, as in ``chat_session``):

- :mod:`.turn`: one message's turn, the engine's :class:`~.state.Context` filled from
  the chat's complaints and the outcome carried out (the complaint to file, a comment,
  the answer to ``status``);
- :mod:`.reports`: the chat's complaints, the answer to ``status``;
- :mod:`.store`: the turn committed in one transaction with the chat's state and its
  answers, queued as the channel's outbox jobs.
"""
