"""How a report goes on: what is still missing, the question that asks it, the summary.

Steps of a report: what happened -> (category, when the text is unclear and the
classifier has no likely topics) -> where -> when -> photo (guided reports only) ->
the summary to confirm. A text that says what, where and when goes straight to the
summary: one confirmation files it. When the classifier is not sure, the summary
first offers the likely national topics as buttons, plus "Lainnya".
"""

from __future__ import annotations

from datetime import date

from gateway.chat.choices import Keyboard
from gateway.chat.reading import MAX_WHAT, fill, flat
from gateway.chat.state import ChatState, Context, Draft, Outcome, Reading, Say
from gateway.chat.texts import say
from gateway.storage.repeats import same_text

#: likely topics offered as buttons when the classifier is not sure
TOPIC_BUTTONS = 3
#: the complaint's text shown in the summary (the whole text is kept)
SUMMARY_WHAT = 1500
#: a complaint's text has at least this many letters
MIN_WHAT = 10


def begin(state: ChatState, *, guided: bool) -> None:
    state.reports += 1
    state.conv = state.reports
    state.draft = Draft(guided=guided)
    state.pending, state.pending_add = None, False


def start(state: ChatState, text: str, ctx: Context, out: Outcome, *, guided: bool) -> None:
    """A new report, with its text if the citizen gave one (unless it repeats one)."""
    if text:
        repeat = ctx.repeat_of(text)
        if repeat is not None:
            lang = state.language
            if repeat.tracking_id:
                out.says.append(Say(say("repeat", lang, ref=repeat.tracking_id)))
            else:
                out.says.append(Say(say("repeat_pending", lang)))
            return
    begin(state, guided=guided)
    state.step = "what"
    if text:
        what(state, text, ctx, out)
    else:
        out.says.append(Say(say("ask_what", state.language)))


def what(state: ChatState, text: str, ctx: Context, out: Outcome) -> None:
    if len(flat(text)) < MIN_WHAT:
        out.says.append(Say(say("too_short", state.language)))
        return
    state.draft.what = text[:MAX_WHAT]
    fill(state.draft, text, ctx)
    next_step(state, ctx, out)


def reset(state: ChatState) -> None:
    state.step, state.conv, state.draft, state.pending = "idle", None, Draft(), None
    state.pending_add = False


def set_language(state: ChatState, language: str, out: Outcome) -> None:
    state.language = language
    out.says.append(Say(say("language_set", language)))


def reading(d: Draft, ctx: Context) -> Reading | None:
    """The classifier's reading of the draft, unless the citizen chose already."""
    if d.what is None or d.topic_id is not None or d.topic_other or d.category is not None:
        return None
    return ctx.classify(d.what)


def missing(state: ChatState, ctx: Context) -> str:
    d = state.draft
    if d.what is None:
        return "what"
    found = reading(d, ctx)
    unsure = found is not None and not found.confident
    likely = found.candidates if found is not None else ()
    if unsure and not likely and state.step == "what" and ctx.category_menu and ctx.categories:
        return "category"
    if d.where is None and d.latitude is None:
        return "where"
    if d.when is None and not d.when_asked:
        return "when"
    if d.guided and not d.photos and state.step not in ("photo", "anonymous", "topic", "confirm"):
        return "photo"
    if unsure and likely:
        return "topic"
    return "confirm"


def next_step(state: ChatState, ctx: Context, out: Outcome) -> None:
    state.step = missing(state, ctx)
    ask(state, ctx, out)


def ask(state: ChatState, ctx: Context, out: Outcome) -> None:
    lang, conv, d = state.language, state.conv, state.draft
    match state.step:
        case "what":
            out.says.append(Say(say("ask_what", lang)))
        case "category":
            rows = [[(label, f"cat:{conv}:{code}")] for code, label in ctx.categories.items()]
            out.says.append(Say(say("ask_category", lang), rows))
        case "where":
            out.says.append(Say(say("ask_where", lang)))
        case "when":
            out.says.append(Say(say("ask_when", lang), when_buttons(state)))
        case "photo":
            skip = [[(say("btn_skip", lang), f"photo:{conv}:skip")]]
            out.says.append(Say(say("ask_photo", lang), skip))
        case "anonymous":  # a state stored before the choice moved to the summary
            rows = [
                [(say("btn_named", lang), f"anon:{conv}:no")],
                [(say("btn_anonymous", lang), f"anon:{conv}:yes")],
            ]
            out.says.append(Say(say("ask_anonymous", lang), rows))
        case "topic":
            text = summary(d, lang, ctx) + say("topic_tail", lang)
            out.says.append(Say(text, topic_buttons(state, ctx)))
        case "confirm":
            text = summary(d, lang, ctx) + say("confirm_tail", lang)
            out.says.append(Say(text, confirm_buttons(state)))


def ask_replace(
    state: ChatState, text: str, ctx: Context, out: Outcome, *, addable: bool = False
) -> None:
    """A new report while this one is open: keep it, or start the new one? A text
    typed over it (``addable``) may instead be added to it. A report that holds
    nothing yet (/lapor pressed twice) is simply begun again."""
    d = state.draft
    if d.what is None and d.where is None and d.latitude is None and not d.photos:
        reset(state)
        start(state, text, ctx, out, guided=not text)
        return
    lang, conv = state.language, state.conv
    state.pending, state.pending_add = text, addable
    first = ("btn_add", f"add:{conv}") if addable else ("btn_keep", f"keep:{conv}")
    rows = [
        [(say(first[0], lang), first[1])],
        [(say("btn_fresh", lang), f"fresh:{conv}")],
    ]
    key = "ask_add_or_new" if addable else "ask_replace"
    out.says.append(Say(say(key, lang), rows))


def add(state: ChatState, text: str, ctx: Context, out: Outcome) -> None:
    """``text`` added to the open report as a paragraph of its own; then the report's
    question again (the summary shows it)."""
    d = state.draft
    if d.what is None:
        what(state, text, ctx, out)
        return
    if same_text(text) not in same_text(d.what):
        d.what = f"{d.what}\n\n{text}"[:MAX_WHAT]
    fill(d, text, ctx)
    if state.step in ("confirm", "topic"):
        next_step(state, ctx, out)
    else:
        ask(state, ctx, out)


def when_buttons(state: ChatState) -> Keyboard:
    lang, conv = state.language, state.conv
    return [
        [
            (say("btn_today", lang), f"when:{conv}:today"),
            (say("btn_yesterday", lang), f"when:{conv}:yesterday"),
        ],
        [(say("btn_skip", lang), f"when:{conv}:skip")],
    ]


def confirm_buttons(state: ChatState) -> Keyboard:
    lang, conv = state.language, state.conv
    return [
        [(say("btn_send", lang), f"send:{conv}")],
        [(say("btn_send_anon", lang), f"send:{conv}:anon")],
        [(say("btn_cancel", lang), f"cancel:{conv}")],
    ]


def topic_buttons(state: ChatState, ctx: Context) -> Keyboard:
    lang, conv = state.language, state.conv
    found = reading(state.draft, ctx)
    likely = found.candidates[:TOPIC_BUTTONS] if found is not None else ()
    rows: Keyboard = [[(name[:60], f"topic:{conv}:{topic}")] for topic, name in likely]
    rows.append([(say("btn_other", lang), f"topic:{conv}:other")])
    rows.append([(say("btn_cancel", lang), f"cancel:{conv}")])
    return rows


def welcome(state: ChatState, ctx: Context) -> Say:
    lang = state.language
    return Say(say("welcome", lang, name=ctx.tenant_name), menu(lang))


def short_help(state: ChatState) -> Say:
    return Say(say("short_help", state.language), menu(state.language))


def menu(lang: str) -> Keyboard:
    return [
        [(say("btn_report", lang), "go:lapor"), (say("btn_status", lang), "go:status")],
        [(say("btn_lang", lang), "lang:id" if lang == "en" else "lang:en")],
    ]


def summary(d: Draft, lang: str, ctx: Context) -> str:
    """The report as it will be sent (without the question that follows it)."""
    unknown = say("unknown", lang)
    where = d.where or (f"{d.latitude:.5f}, {d.longitude:.5f}" if d.latitude is not None else None)
    what = d.what or unknown
    if len(what) > SUMMARY_WHAT:
        what = what[:SUMMARY_WHAT].rstrip() + " …"
    when = date.fromisoformat(d.when).strftime("%d/%m/%Y") if d.when else unknown
    if d.when and d.when_time:
        when = f"{when} {d.when_time}"
    return say(
        "summary",
        lang,
        what=what,
        where=where or unknown,
        when=when,
        topic=topic_label(d, lang, ctx),
        photos=len(d.photos),
        who=say("anonymous", lang) if d.anonymous else (ctx.reporter or "✔"),
    )


def topic_label(d: Draft, lang: str, ctx: Context) -> str:
    if d.topic_id is not None:
        return ctx.topic_names.get(d.topic_id, str(d.topic_id))
    if d.topic_other:
        return say("topic_other", lang)
    if d.category is not None:
        return ctx.categories.get(d.category, d.category)
    found = ctx.classify(d.what or "")
    return found.topic if found.confident or not found.candidates else say("topic_unsure", lang)
