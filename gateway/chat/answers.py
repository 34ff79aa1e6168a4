"""The choices pressed under the conversation's messages: the answers to a report's
questions, and keep-or-replace when a new report was asked for while one is open.

A choice carries the report number it was made for (``send:3``); a choice of a report
that is no longer open is answered with "no longer valid" and changes nothing.
"""

from __future__ import annotations

from datetime import date

from gateway.chat import flow
from gateway.chat.state import Button, ChatState, Context, Outcome, Say
from gateway.chat.texts import say


def press(state: ChatState, event: Button, ctx: Context, out: Outcome) -> None:
    action, _, rest = event.data.partition(":")
    if action == "go":
        out.notice = ""
        if rest == "text":  # a text read as something else, reported after all
            if state.step != "idle" or not state.pending:
                out.notice = say("stale_button", state.language)
                return
            text, state.pending = state.pending, None
            flow.start(state, text, ctx, out, guided=False)
        elif rest != "lapor":
            out.status_query = "*"
        elif state.step != "idle":
            flow.ask_replace(state, "", ctx, out)
        else:
            flow.start(state, "", ctx, out, guided=True)
        return
    if action == "lang":
        flow.set_language(state, "en" if rest == "en" else "id", out)
        out.notice = ""
        return
    conv, _, value = rest.partition(":")
    if state.step == "idle" or not conv.isdigit() or int(conv) != state.conv:
        out.notice = say("stale_button", state.language)
        return
    out.notice = ""
    if action in ("keep", "add", "fresh"):
        _replace(state, action, ctx, out)
    elif action == "cancel":
        flow.reset(state)
        out.says.append(Say(say("cancelled", state.language)))
    elif state.pending is not None:  # keep-or-replace is open: answer that first
        flow.ask_replace(state, state.pending, ctx, out, addable=state.pending_add)
    elif not _answer(state, action, value, ctx, out):
        out.notice = say("stale_button", state.language)


def _answer(state: ChatState, action: str, value: str, ctx: Context, out: Outcome) -> bool:
    """A button answering the report's open question; False: not this question's."""
    draft, step_now = state.draft, state.step
    if action == "cat" and step_now == "category":
        draft.category = value if value in ctx.categories else None
    elif action == "when" and step_now == "when":
        offset = {"today": 0, "yesterday": 1}.get(value)
        if offset is not None:
            draft.when = date.fromordinal(ctx.today.toordinal() - offset).isoformat()
        draft.when_asked = True
    elif action == "photo" and step_now == "photo":
        pass
    elif action == "anon" and step_now == "anonymous":
        draft.anonymous = value == "yes"
    elif action == "topic" and step_now == "topic":
        if value == "other":
            draft.topic_other = True
        elif value.isdigit() and int(value) in ctx.topic_names:
            draft.topic_id = int(value)
        else:
            return False
    elif action == "send" and step_now == "confirm":
        draft.anonymous = True if value == "anon" else bool(draft.anonymous)
        out.submitted, out.submitted_conv = draft, state.conv
        flow.reset(state)
        out.says.append(Say(say("received", state.language)))
        return True
    else:
        return False
    flow.next_step(state, ctx, out)
    return True


def _replace(state: ChatState, action: str, ctx: Context, out: Outcome) -> None:
    text = state.pending
    state.pending, state.pending_add = None, False
    if text is None:  # answered before (a double tap)
        flow.ask(state, ctx, out)
    elif action == "fresh":
        flow.reset(state)
        flow.start(state, text, ctx, out, guided=not text)
    elif action == "add" and text:
        flow.add(state, text, ctx, out)
    else:
        flow.ask(state, ctx, out)
