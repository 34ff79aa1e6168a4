"""The conversation as a pure state machine: (state, event) -> outcome.

No I/O here, and no channel: a channel (``adapters/telegram``, WhatsApp next) loads
the chat's state from the database, turns its message into an :data:`Event`, calls
:func:`step`, stores the new state and the complaint (if any) in one transaction, and
only then sends what to say, its choices rendered as the channel shows them
(:mod:`.choices`).

A text in a chat with no open report is read first (:mod:`gateway.understanding.intent`):
thanks get a polite answer, a status question the chat's reports, chatter the short
help, more about an open complaint goes to the registry as a comment, and only a new
complaint starts a report, unless it repeats one filed in the last 24 hours (then its
tracking ID is the answer). ``/lapor <text>`` starts a report with that text. A new
report while one is open asks whether to keep the open one or start the new one.
How a report goes on from there is :mod:`.flow`.
"""

from __future__ import annotations

from datetime import UTC, date, time

from gateway.chat import commands, flow
from gateway.chat.answers import press
from gateway.chat.choices import Choice, Keyboard, choices_of
from gateway.chat.reading import clean, flat
from gateway.chat.state import (
    SEEN,
    Button,
    ChatState,
    Command,
    Contact,
    Context,
    Document,
    Draft,
    Event,
    Location,
    Outcome,
    Photo,
    Reading,
    Say,
    Text,
    Unsupported,
    Venue,
)
from gateway.chat.texts import kind_name, say
from gateway.domain.dates import parse_date
from gateway.storage.repeats import same_text
from gateway.understanding.intent import IntentKind

__all__ = [
    "Button",
    "ChatState",
    "Command",
    "Contact",
    "Context",
    "Document",
    "Draft",
    "Event",
    "Keyboard",
    "Location",
    "Outcome",
    "Photo",
    "Reading",
    "Say",
    "Text",
    "Unsupported",
    "Venue",
    "open_choices",
    "step",
]

#: a text this long (and with a few words) may be a complaint typed without /lapor
QUICK_MIN_CHARS = 20
QUICK_MIN_WORDS = 4
#: a text not read as a complaint, this long, is offered as one with a button
OFFER_MIN_CHARS = 40
OFFER_MIN_WORDS = 8
#: the intent reader's confidence that lets a shorter text start a report
SURE_NEW = 0.8


def step(state: ChatState, event: Event, ctx: Context) -> Outcome:
    message_id = getattr(event, "message_id", None)
    if message_id is not None:
        if message_id in state.seen:
            return Outcome(state)  # taken before (redelivered under a new update_id)
        state.seen = [*state.seen, message_id][-SEEN:]
    out = Outcome(state)
    match event:
        case Command():
            _command(state, event, ctx, out)
        case Button():
            press(state, event, ctx, out)
        case Unsupported():
            kind = kind_name(event.kind, state.language)
            out.says.append(Say(say("unsupported", state.language, kind=kind)))
        case Contact():
            if event.phone is not None and state.step != "idle":
                state.draft.phone = event.phone
                out.says.append(Say(say("contact_saved", state.language)))
        case Text():
            _text(state, event, ctx, out)
        case Location() | Venue():
            _place(state, event, ctx, out)
        case Photo() | Document():
            _attachment(state, event, ctx, out)
    if out.says or out.later or out.status_query is not None:
        state.said_at = ctx.now.astimezone(UTC).isoformat()
    return out


def open_choices(state: ChatState, ctx: Context) -> tuple[Choice, ...]:
    """The choices of the question open in the chat, as :func:`step` last offered them.

    For a channel that shows only some of them (:func:`~gateway.chat.choices.fit`): a
    typed answer that names one (:func:`~gateway.chat.choices.typed`) is pressed as a
    :class:`Button` with its id. The state is not changed."""
    if state.step == "idle":
        return ()
    copy = ChatState.from_json(state.to_json())
    out = Outcome(copy)
    if copy.pending is not None:
        flow.ask_replace(copy, copy.pending, ctx, out, addable=copy.pending_add)
    else:
        flow.ask(copy, ctx, out)
    return choices_of(out.says[-1].buttons) if out.says else ()


# --- handlers --------------------------------------------------------------------


def _command(state: ChatState, event: Command, ctx: Context, out: Outcome) -> None:
    lang = state.language
    name = event.name
    if name in commands.WELCOME:
        out.says.append(flow.welcome(state, ctx))
    elif name in commands.REPORT:
        text = clean(event.args)
        if state.step != "idle":
            flow.ask_replace(state, text, ctx, out)
        else:
            flow.start(state, text, ctx, out, guided=not text)
    elif name in commands.CANCEL:
        if state.step == "idle":
            out.says.append(Say(say("nothing_to_cancel", lang)))
        else:
            flow.reset(state)
            out.says.append(Say(say("cancelled", lang)))
    elif name in commands.STATUS:
        out.status_query = event.args.split()[0] if event.args.strip() else "*"
    elif name in commands.ENGLISH:
        flow.set_language(state, "en", out)
    elif name in commands.INDONESIAN:
        flow.set_language(state, "id", out)
    elif name in commands.LANGUAGE:
        language = "en" if event.args.strip().lower().startswith("en") else "id"
        flow.set_language(state, language, out)
    else:
        out.says.append(flow.welcome(state, ctx))


def _text(state: ChatState, event: Text, ctx: Context, out: Outcome) -> None:
    lang = state.language
    text = clean(event.text)
    one_line = flat(text)
    if state.step == "idle":
        _idle_text(state, text, ctx, out)
        return
    if state.pending is not None:
        flow.ask_replace(state, state.pending, ctx, out, addable=state.pending_add)
        return
    draft = state.draft
    if state.step == "what":
        flow.what(state, text, ctx, out)
    elif state.step == "where":
        if len(one_line) < 3:
            out.says.append(Say(say("ask_where", lang)))
            return
        draft.where, draft.where_region = one_line[:500], None
        flow.next_step(state, ctx, out)
    elif state.step == "when":
        found = ctx.read_when(one_line, ctx.now)
        day: date | None
        at: time | None
        if found is not None and found.date <= ctx.today:
            day, at = found.date, found.time
        else:  # the date forms the when question has always taken
            day, at = parse_date(one_line, ctx.today), None
        if day is None:
            out.says.append(Say(say("bad_when", lang), flow.when_buttons(state)))
            return
        draft.when, draft.when_asked = day.isoformat(), True
        draft.when_time = at.strftime("%H:%M") if at is not None else None
        flow.next_step(state, ctx, out)
    elif draft.what is not None and same_text(one_line) == same_text(draft.what):
        flow.ask(state, ctx, out)  # the same text again: the report is here already
    elif len(one_line) >= QUICK_MIN_CHARS and len(one_line.split()) >= QUICK_MIN_WORDS:
        flow.ask_replace(state, text, ctx, out, addable=True)  # more about it, or new?
    elif state.step == "confirm":
        out.says.append(Say(say("press_send", lang), flow.confirm_buttons(state)))
    else:  # a question with buttons is open: ask it again
        flow.ask(state, ctx, out)


def _could_be_a_complaint(text: str) -> bool:
    """Whether a text read as thanks, chatter or a status question is long enough to
    be a complaint after all (then it is offered as one with a button)."""
    return len(text) >= OFFER_MIN_CHARS and len(text.split()) >= OFFER_MIN_WORDS


def _too_little(text: str, confidence: float) -> bool:
    """Whether a text read as a new complaint is too little to start one: a short
    one needs the intent reader to be sure ("jalan rusak parah" is; "p" is not)."""
    if len(text) < flow.MIN_WHAT:
        return True
    short = len(text) < QUICK_MIN_CHARS or len(text.split()) < QUICK_MIN_WORDS
    return short and confidence < SURE_NEW


def _idle_text(state: ChatState, text: str, ctx: Context, out: Outcome) -> None:
    one_line = flat(text)
    intent = ctx.read_intent(one_line, ctx.open_complaint, ctx.after_status)
    lang = state.language
    state.pending = None  # a text offered as a report before is offered no more
    if intent.kind in (IntentKind.THANKS, IntentKind.STATUS, IntentKind.CHATTER):
        if intent.kind == IntentKind.THANKS:
            out.says.append(Say(say("thanks_reply", lang)))
        elif intent.kind == IntentKind.STATUS:
            out.status_query = "*"
        else:
            out.says.append(flow.short_help(state))
        if _could_be_a_complaint(one_line):  # the reader may be wrong: the citizen decides
            state.pending = text
            rows = [[(say("btn_report_this", lang), "go:text")]]
            out.later.append(Say(say("offer_report", lang), rows))
    elif intent.kind == IntentKind.MORE and ctx.comment_target is not None:
        complaint_id, ref = ctx.comment_target
        out.comment = (complaint_id, text)
        ref = ref or say("pending_ref", lang)
        out.says.append(Say(say("comment_sent", lang, ref=ref)))
    elif _too_little(one_line, intent.confidence):
        out.says.append(flow.short_help(state))  # "halo", "p", "assalamualaikum"
    else:
        flow.start(state, text, ctx, out, guided=False)


def _place(state: ChatState, event: Location | Venue, ctx: Context, out: Outcome) -> None:
    if state.step == "idle":
        flow.begin(state, guided=True)
    draft = state.draft
    draft.latitude, draft.longitude = event.latitude, event.longitude
    if isinstance(event, Venue):
        named = ", ".join(part for part in (flat(event.title), flat(event.address or "")) if part)
        draft.where, draft.where_region = (named[:500] or None), None
    if state.step in ("idle", "what"):
        state.step = "what"
        out.says.append(Say(say("ask_what", state.language)))
    elif state.step == "where":
        flow.next_step(state, ctx, out)
    else:
        flow.ask(state, ctx, out)


def _attachment(state: ChatState, event: Photo | Document, ctx: Context, out: Outcome) -> None:
    lang = state.language
    caption = clean(event.caption or "")
    if event.attachment is None:
        key = "photo_failed" if isinstance(event, Photo) else "file_failed"
        out.says.append(Say(say(key, lang, reason=event.error or "?")))
        if caption and state.step == "idle":
            flow.start(state, caption, ctx, out, guided=False)  # the text is kept
        elif caption and state.step == "what":
            flow.what(state, caption, ctx, out)
        return
    if state.step == "idle":
        flow.begin(state, guided=not caption)
        state.step = "what"
    state.draft.photos = [*state.draft.photos, event.attachment][:5]
    if state.step == "what" and len(flat(caption)) >= flow.MIN_WHAT:
        flow.what(state, caption, ctx, out)
    elif state.step == "what":
        out.says.append(Say(say("ask_what", lang)))
    elif state.step == "photo":
        flow.next_step(state, ctx, out)
    else:
        flow.ask(state, ctx, out)  # e.g. at the summary: show it again with the photo
