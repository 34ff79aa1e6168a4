"""The bot's conversation as a pure state machine: (state, event) -> outcome.

No I/O here: :mod:`.service` loads the chat's state from the database, turns the
Telegram update into an :data:`Event`, calls :func:`step`, stores the new state and
the complaint (if any) in one transaction, and only then sends what to say.

Steps of a report: what happened -> (category, when the text does not say) ->
where -> when -> photo -> anonymous or not -> summary to confirm. A citizen who just
types a complaint starts at "what"; where and when found in the text are not asked
again, and the photo question is left out (a photo can still be added at the summary).
"""

from __future__ import annotations

import re
from datetime import date

from adapters.telegram.state import (
    SEEN,
    Button,
    ChatState,
    Command,
    Contact,
    Context,
    Draft,
    Event,
    Keyboard,
    Location,
    Outcome,
    Photo,
    Say,
    Text,
    Unsupported,
)
from adapters.telegram.texts import kind_name, say
from gateway.domain.dates import parse_date

__all__ = [
    "Button",
    "ChatState",
    "Command",
    "Contact",
    "Context",
    "Draft",
    "Event",
    "Keyboard",
    "Location",
    "Outcome",
    "Photo",
    "Say",
    "Text",
    "Unsupported",
    "find_place",
    "step",
    "summary",
]

MIN_WHAT = 10
#: a message this long (and with a few words) is a complaint typed without /lapor
QUICK_MIN_CHARS = 20
QUICK_MIN_WORDS = 4

# "di depan SDN 3 Padang", "dekat pasar Raya", "jln Ahmad Yani no 5"
_PLACE = re.compile(
    r"\b(?:di|dkt|dekat|depan|sekitar|dari|ke)\s+("
    r"(?:jl|jln|jalan|gang|gg|pasar|desa|kelurahan|kel|kec|kecamatan|kampung|kp|komplek|"
    r"komp|perumahan|perum|rt|rw|simpang|nagari|jorong|dusun|sd|sdn|smp|smpn|sma|sman|smk|"
    r"smkn|rs|rsud|puskesmas|kantor|masjid|terminal|depan|dekat|belakang|samping|jembatan|"
    r"kota|kabupaten|kab)\b\.?[^.,;!?\n]{1,80})",
    re.IGNORECASE,
)
#: words that end a place and start what happened there
# fmt: off
_PLACE_ENDS = frozenset({
    "mati", "sejak", "sudah", "sdh", "udah", "udh", "tidak", "tdk", "gak", "ga", "nggak",
    "belum", "blm", "rusak", "yang", "yg", "karena", "krn", "sehingga", "hingga", "dan", "tapi",
    "tetapi", "banyak", "byk", "ada", "sering", "selalu", "masih", "msh", "terus", "menumpuk",
    "berlubang", "bocor", "banjir", "macet", "padam", "putus", "tergenang",
})
# fmt: on
_JALAN = re.compile(r"\b((?:jl|jln|jalan)\.?\s+[A-Z][^.,;!?\n]{1,60})")


def step(state: ChatState, event: Event, ctx: Context) -> Outcome:
    lang = state.language
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
            _button(state, event, ctx, out)
        case Unsupported():
            out.says.append(Say(say("unsupported", lang, kind=kind_name(event.kind, lang))))
        case Contact():
            if event.phone is not None and state.step != "idle":
                state.draft.phone = event.phone
                out.says.append(Say(say("contact_saved", lang)))
        case Text():
            _text(state, event, ctx, out)
        case Location():
            if state.step == "idle":
                _begin(state, guided=True)
            state.draft.latitude, state.draft.longitude = event.latitude, event.longitude
            if state.step in ("idle", "what"):
                state.step = "what"
                out.says.append(Say(say("ask_what", lang)))
            elif state.step == "where":
                _next(state, ctx, out)
            else:
                _ask(state, ctx, out)
        case Photo():
            _photo(state, event, ctx, out)
    return out


# --- handlers --------------------------------------------------------------------


def _command(state: ChatState, event: Command, ctx: Context, out: Outcome) -> None:
    lang = state.language
    name = event.name
    if name in ("start", "help", "bantuan", "mulai"):
        out.says.append(_welcome(state, ctx))
    elif name in ("lapor", "report", "baru"):
        _begin(state, guided=True)
        state.step = "what"
        out.says.append(Say(say("ask_what", lang)))
    elif name in ("batal", "cancel"):
        if state.step == "idle":
            out.says.append(Say(say("nothing_to_cancel", lang)))
        else:
            _reset(state)
            out.says.append(Say(say("cancelled", lang)))
    elif name in ("status", "cek", "laporan"):
        out.status_query = event.args.split()[0] if event.args.strip() else "*"
    elif name in ("english", "en"):
        _language(state, "en", out)
    elif name in ("indonesia", "id"):
        _language(state, "id", out)
    elif name == "bahasa":
        _language(state, "en" if event.args.strip().lower().startswith("en") else "id", out)
    else:
        out.says.append(_welcome(state, ctx))


def _button(state: ChatState, event: Button, ctx: Context, out: Outcome) -> None:
    action, _, rest = event.data.partition(":")
    if action == "go":
        if rest == "lapor":
            _begin(state, guided=True)
            state.step = "what"
            out.says.append(Say(say("ask_what", state.language)))
        else:
            out.status_query = "*"
        out.notice = ""
        return
    if action == "lang":
        _language(state, "en" if rest == "en" else "id", out)
        out.notice = ""
        return
    conv, _, value = rest.partition(":")
    if state.step == "idle" or not conv.isdigit() or int(conv) != state.conv:
        out.notice = say("stale_button", state.language)
        return
    out.notice = ""
    draft = state.draft
    if action == "cat" and state.step == "category":
        draft.category = value if value in ctx.categories else None
        _next(state, ctx, out)
    elif action == "when" and state.step == "when":
        offset = {"today": 0, "yesterday": 1}.get(value)
        if offset is not None:
            draft.when = date.fromordinal(ctx.today.toordinal() - offset).isoformat()
        draft.when_asked = True
        _next(state, ctx, out)
    elif action == "photo" and state.step == "photo":
        _next(state, ctx, out)
    elif action == "anon" and state.step == "anonymous":
        draft.anonymous = value == "yes"
        _next(state, ctx, out)
    elif action == "send" and state.step == "confirm":
        out.submitted, out.submitted_conv = draft, state.conv
        _reset(state)
        out.says.append(Say(say("received", state.language)))
    elif action == "cancel":
        _reset(state)
        out.says.append(Say(say("cancelled", state.language)))
    else:
        out.notice = say("stale_button", state.language)


def _text(state: ChatState, event: Text, ctx: Context, out: Outcome) -> None:
    lang = state.language
    text = " ".join(event.text.split())
    if state.step == "idle":
        if len(text) < QUICK_MIN_CHARS or len(text.split()) < QUICK_MIN_WORDS:
            out.says.append(_welcome(state, ctx))  # "halo", "p", "assalamualaikum"
            return
        _begin(state, guided=False)
        state.step = "what"
    draft = state.draft
    if state.step == "what":
        if len(text) < MIN_WHAT:
            out.says.append(Say(say("too_short", lang)))
            return
        draft.what = text[:4000]
        if draft.where is None and draft.latitude is None:
            draft.where = find_place(text)
        if draft.when is None:
            found = parse_date(text, ctx.today)
            draft.when = found.isoformat() if found else None
        _next(state, ctx, out)
    elif state.step == "where":
        if len(text) < 3:
            out.says.append(Say(say("ask_where", lang)))
            return
        draft.where = text[:500]
        _next(state, ctx, out)
    elif state.step == "when":
        found = parse_date(text, ctx.today)
        if found is None:
            out.says.append(Say(say("bad_when", lang), _when_buttons(state)))
            return
        draft.when, draft.when_asked = found.isoformat(), True
        _next(state, ctx, out)
    elif state.step == "confirm":
        out.says.append(Say(say("press_send", lang), _confirm_buttons(state)))
    else:  # a question with buttons is open: ask it again
        _ask(state, ctx, out)


def _photo(state: ChatState, event: Photo, ctx: Context, out: Outcome) -> None:
    lang = state.language
    if event.attachment is None:
        out.says.append(Say(say("photo_failed", lang, reason=event.error or "?")))
        return
    caption = " ".join((event.caption or "").split())
    if state.step == "idle":
        _begin(state, guided=not caption)
        state.step = "what"
    state.draft.photos = [*state.draft.photos, event.attachment][:5]
    if state.step == "what" and len(caption) >= MIN_WHAT:
        _text(state, Text(caption, event.message_id), ctx, out)
    elif state.step == "what":
        out.says.append(Say(say("ask_what", lang)))
    elif state.step == "photo":
        _next(state, ctx, out)
    else:
        _ask(state, ctx, out)  # e.g. at the summary: show it again with the photo


# --- flow ----------------------------------------------------------------------


def _begin(state: ChatState, *, guided: bool) -> None:
    state.reports += 1
    state.conv = state.reports
    state.draft = Draft(guided=guided)


def _reset(state: ChatState) -> None:
    state.step, state.conv, state.draft = "idle", None, Draft()


def _language(state: ChatState, language: str, out: Outcome) -> None:
    state.language = language
    out.says.append(Say(say("language_set", language)))


def _missing(state: ChatState, ctx: Context) -> str:
    d = state.draft
    if d.what is None:
        return "what"
    if ctx.category_menu and ctx.categories and d.category is None and state.step == "what":
        _, sure = ctx.classify(d.what)
        if not sure:
            return "category"
    if d.where is None and d.latitude is None:
        return "where"
    if d.when is None and not d.when_asked:
        return "when"
    if d.guided and not d.photos and state.step not in ("photo", "anonymous", "confirm"):
        return "photo"
    if d.anonymous is None:
        return "anonymous"
    return "confirm"


def _next(state: ChatState, ctx: Context, out: Outcome) -> None:
    if state.step == "photo":
        state.step = "anonymous" if state.draft.anonymous is None else "confirm"
    else:
        state.step = _missing(state, ctx)
    _ask(state, ctx, out)


def _ask(state: ChatState, ctx: Context, out: Outcome) -> None:
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
            out.says.append(Say(say("ask_when", lang), _when_buttons(state)))
        case "photo":
            skip = [[(say("btn_skip", lang), f"photo:{conv}:skip")]]
            out.says.append(Say(say("ask_photo", lang), skip))
        case "anonymous":
            rows = [
                [(say("btn_named", lang), f"anon:{conv}:no")],
                [(say("btn_anonymous", lang), f"anon:{conv}:yes")],
            ]
            out.says.append(Say(say("ask_anonymous", lang), rows))
        case "confirm":
            out.says.append(Say(summary(d, lang, ctx), _confirm_buttons(state)))


def _when_buttons(state: ChatState) -> Keyboard:
    lang, conv = state.language, state.conv
    return [
        [
            (say("btn_today", lang), f"when:{conv}:today"),
            (say("btn_yesterday", lang), f"when:{conv}:yesterday"),
        ],
        [(say("btn_skip", lang), f"when:{conv}:skip")],
    ]


def _confirm_buttons(state: ChatState) -> Keyboard:
    lang, conv = state.language, state.conv
    return [
        [
            (say("btn_send", lang), f"send:{conv}"),
            (say("btn_cancel", lang), f"cancel:{conv}"),
        ]
    ]


def _welcome(state: ChatState, ctx: Context) -> Say:
    lang = state.language
    rows = [
        [(say("btn_report", lang), "go:lapor"), (say("btn_status", lang), "go:status")],
        [(say("btn_lang", lang), "lang:id" if lang == "en" else "lang:en")],
    ]
    return Say(say("welcome", lang, name=ctx.tenant_name), rows)


def summary(d: Draft, lang: str, ctx: Context) -> str:
    unknown = say("unknown", lang)
    where = d.where or (f"{d.latitude:.5f}, {d.longitude:.5f}" if d.latitude is not None else None)
    if d.category is not None:
        topic = ctx.categories.get(d.category, d.category)
    else:
        topic, _ = ctx.classify(d.what or "")
    when = date.fromisoformat(d.when).strftime("%d/%m/%Y") if d.when else unknown
    return say(
        "summary",
        lang,
        what=d.what or unknown,
        where=where or unknown,
        when=when,
        topic=topic,
        photos=len(d.photos),
        who=say("anonymous", lang) if d.anonymous else (ctx.reporter or "✔"),
    )


def find_place(text: str) -> str | None:
    """Where a free text says it happened ("di depan SDN 3 Padang"), if it says."""
    found = _PLACE.search(text) or _JALAN.search(text)
    if found is None:
        return None
    words: list[str] = []
    for word in found[1].split():
        if words and word.casefold() in _PLACE_ENDS:
            break  # "depan SDN 3 Padang | mati sejak kemarin"
        words.append(word)
    return " ".join(words).strip(" -")[:200] or None
