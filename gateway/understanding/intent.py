"""What an SMS or chat text is, before any ticket is made.

Read by rules over word lists (:mod:`gateway.understanding.intent_words`), first match
wins:

1. nothing but emoji or punctuation: thanks if a thanks emoji (🙏 👍), else chatter;
2. a promotion or scam with no problem described: chatter;
3. with a complaint open, its problem going on ("masih", "belum juga", "kok belum
   diperbaiki") and no other problem named ("satu lagi", "juga mati"): more;
4. a tracking ID (``LPR-2026-000123``, ``2345 6789``) or a question about a complaint
   ("gimana laporan saya", "sudah sampai mana", "kapan dikerjakan"): status, unless it
   describes a problem and the sender has none open (then new); with a complaint open,
   a bare "gmn pak?" too;
5. a question about the channel, a request for information ("syaratnya apa"), wishes,
   greetings alone, none of them describing a problem: chatter;
6. thanks or an acknowledgement saying the problem is solved ("sudah diperbaiki", "sudah
   tidak keruh lagi"), with no "tapi" and no other problem: thanks;
7. a problem described (a strong word such as "rusak", "mati", "banjir", "pungli", or
   two weak signs such as "tolong" and a topic's noun), once the phrases that say a
   problem is solved are taken out: new; more when a complaint is open and the text goes
   on about it ("mati lagi") or is short and refers back ("airnya keruh pak") or
   answers a status message, unless it names another problem or opens like a fresh
   report (a greeting, "mau lapor", a street or a village);
8. with a complaint open, a detail, correction or place ("lokasinya", "ralat"): more;
9. thanks or an acknowledgement ("makasih", "siap pak"): thanks (an "ok" with nothing
   open and no status message: chatter);
10. a question with no problem in it: status with a complaint open, else chatter;
11. six words or more that nothing above explains: new (a missed complaint costs more
    than a ticket filed by mistake), more with a complaint open; shorter: chatter, or more
    when it answers a status message about an open complaint.

So a thanks with a new problem in it is new (7 before 9), and a thanks, a greeting or
chatter never becomes new unless it describes a problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from gateway.understanding import intent_words as w
from gateway.understanding.intent_features import features, words_of
from gateway.understanding.intent_features import normalised_token as normalised_token
from gateway.understanding.intent_model import bundled_intent_model

#: a text of at least this many words that no rule explains is taken as a complaint
UNEXPLAINED_NEW_WORDS = 6
#: with a complaint open, a short problem text that refers back ("airnya keruh pak") or
#: answers a status message is more about it, unless it names another problem
REFERS_MAX_WORDS = 12
#: a message of at most this many words may be an acknowledgement alone ("siap pak")
ACK_MAX_WORDS = 8


class IntentKind(StrEnum):
    NEW = "new"  # a new complaint: the only kind that creates a national ticket
    MORE = "more"  # more about the sender's open complaint: a comment on it
    THANKS = "thanks"  # thanks or acknowledgement: answered politely, nothing filed
    STATUS = "status"  # a question about the state of a complaint
    CHATTER = "chatter"  # greetings, tests, nothing usable


@dataclass(frozen=True)
class Intent:
    kind: IntentKind
    confidence: float
    why: str


@dataclass(frozen=True)
class _Signs:
    words: list[str]
    text: str  # the normalised words, joined
    problem: int  # 2 a problem is described, 1 a hint of one, 0 none
    strong: int  # strong problem words ("rusak", "mati")
    resolved: bool  # says a problem is solved ("sudah diperbaiki")
    contrast: bool  # "tapi", "namun"
    status: bool
    tracking_id: bool
    thanks: bool
    ack: bool
    greeting_only: bool
    channel_question: bool
    spam: int
    more: bool
    more_with_problem: bool
    wishes: bool
    info_request: bool
    refers_back: bool  # "airnya", "lampunya": the thing already reported
    opens_with_ack: bool  # "oke pak siap, nanti saya kabari"
    question: bool
    another: bool


def read_intent(text: str, *, open_complaint: bool = False, after_status: bool = False) -> Intent:
    """What ``text`` is.

    ``open_complaint``: the sender has a complaint that is not finished;
    ``after_status``: the text replies to, or came soon after, a status message the
    gateway sent the sender (so it is likelier to be thanks or more about it).
    """
    s = _signs(text)
    ruled = _by_rules(s, text, open_complaint=open_complaint, after_status=after_status)
    return second_look(ruled, s, text, open_complaint=open_complaint)


def _by_rules(s: _Signs, text: str, *, open_complaint: bool, after_status: bool) -> Intent:
    if not s.words:
        if w.THANKS_EMOJI.search(text):
            return Intent(IntentKind.THANKS, 0.8, "thanks emoji only")
        return Intent(IntentKind.CHATTER, 0.9, "no words")
    if (s.spam >= 2 and not s.strong) or (s.spam and s.problem == 0):
        return Intent(IntentKind.CHATTER, 0.8, "promotion")
    if w.FORWARDED.search(s.text):
        return Intent(IntentKind.CHATTER, 0.7, "a forwarded message")
    continues = s.more and not s.another and s.problem == 2
    if open_complaint and continues and not s.tracking_id and not _asks_report(s):
        return Intent(IntentKind.MORE, 0.7, "the open complaint's problem continues")
    if s.tracking_id or (s.status and not (s.another and s.problem == 2)):
        if s.problem == 2 and not open_complaint and not s.tracking_id and not _asks_report(s):
            return Intent(IntentKind.NEW, 0.6, "asks when a problem is fixed; none open")
        return Intent(IntentKind.STATUS, 0.9, "tracking id" if s.tracking_id else "asks status")
    if open_complaint and w.BARE_QUESTION.match(s.text):
        return Intent(IntentKind.STATUS, 0.6, "a bare question, complaint open")
    if (s.channel_question or (s.wishes and not s.thanks)) and s.problem < 2:
        return Intent(IntentKind.CHATTER, 0.8, "question about the channel, or wishes")
    if s.info_request and not s.strong:
        return Intent(IntentKind.CHATTER, 0.8, "asks for information, no problem in it")
    if s.greeting_only:
        return Intent(IntentKind.CHATTER, 0.85, "greeting")
    if (
        (s.thanks or (s.ack and len(s.words) <= ACK_MAX_WORDS))
        and s.resolved
        and not s.contrast
        and not s.another
    ):
        return Intent(IntentKind.THANKS, 0.85, "thanks, the problem is solved")
    if s.problem == 2:
        if open_complaint and (s.more or s.more_with_problem) and not s.another:
            return Intent(IntentKind.MORE, 0.7, "problem continues")
        # after "makasih, sudah beres. Tapi ...": what follows the "tapi" is another problem
        refers_back = (s.refers_back or after_status) and not (s.resolved and s.contrast)
        refers_back = refers_back and not w.FRESH_REPORT.search(s.text)  # "mau lapor ..."
        if open_complaint and refers_back and not s.another and len(s.words) <= REFERS_MAX_WORDS:
            return Intent(IntentKind.MORE, 0.6, "short, about the open complaint")
        return Intent(IntentKind.NEW, 0.85, "describes a problem")
    if open_complaint and s.more and not s.thanks:
        return Intent(IntentKind.MORE, 0.7, "detail of the open complaint")
    acknowledges = s.ack and not s.question and (len(s.words) <= ACK_MAX_WORDS or s.opens_with_ack)
    if acknowledges and not s.thanks and not (open_complaint or after_status):
        return Intent(IntentKind.CHATTER, 0.5, "an acknowledgement of nothing")
    if s.thanks or acknowledges:
        return Intent(IntentKind.THANKS, 0.85, "thanks")
    if s.question and s.problem < 2:
        if open_complaint:
            return Intent(IntentKind.STATUS, 0.4, "a question, complaint open")
        return Intent(IntentKind.CHATTER, 0.5, "a question with no problem in it")
    if s.problem == 1 or len(s.words) >= UNEXPLAINED_NEW_WORDS:
        if open_complaint and (after_status or s.problem == 0):
            return Intent(IntentKind.MORE, 0.5, "unexplained, complaint open")
        return Intent(IntentKind.NEW, 0.5, "unexplained text")
    if open_complaint and after_status:
        return Intent(IntentKind.MORE, 0.4, "short reply to a status message")
    return Intent(IntentKind.CHATTER, 0.5, "short, nothing usable")


_REPORT_WORDS = re.compile(
    r"\b(?:laporan|aduan|pengaduan|keluhan|tiket|report|complaint|ticket)|\b(?:sudah|udah) lapor\b"
)


def _asks_report(s: _Signs) -> bool:
    return _REPORT_WORDS.search(s.text) is not None


def _signs(text: str) -> _Signs:
    words = words_of(text)
    joined = " ".join(words)
    unresolved = w.RESOLVED.sub(" ", w.THANKS_FOR.sub(" ", w.HARMLESS.sub(" ", joined)))
    unresolved = unresolved.split(" semoga ")[0]  # wishes are not problems
    strong = len(w.PROBLEM.findall(unresolved))
    weak = len(w.WEAK.findall(unresolved)) + (1 if w.TOPIC_NOUN.search(unresolved) else 0)
    problem = 2 if strong or weak >= 2 else (1 if weak else 0)
    thanks = w.THANKS.search(joined) is not None
    greeting_only = all(w.GREETING.fullmatch(word) for word in words)
    return _Signs(
        words=words,
        text=joined,
        problem=problem,
        strong=strong,
        resolved=unresolved != joined,
        contrast=w.CONTRAST.search(joined) is not None,
        status=w.STATUS.search(w.RESOLVED.sub(" ", joined) if thanks else joined) is not None,
        tracking_id=w.TRACKING_ID.search(text) is not None,
        thanks=thanks,
        ack=w.ACK.search(joined) is not None,
        greeting_only=greeting_only,
        channel_question=w.CHANNEL_QUESTION.search(joined) is not None,
        spam=len(w.SPAM.findall(joined)),
        more=w.MORE.search(joined) is not None,
        more_with_problem=w.MORE_WITH_PROBLEM.search(joined) is not None,
        wishes=w.WISHES.search(joined) is not None,
        info_request=w.INFO_REQUEST.search(joined) is not None,
        refers_back=w.REFERS_BACK.search(joined) is not None,
        opens_with_ack=w.ACK.match(joined) is not None and problem == 0,
        question=w.QUESTION.search(text.strip().casefold()) is not None,
        another=w.ANOTHER.search(joined) is not None,
    )


#: the learned model overrules "chatter" or "status" (no complaint open) when it reads a
#: new complaint at least this likely
MODEL_NEW = 0.9
#: the same, for a text with a promotion's word in it ("jual", "murah")
MODEL_NEW_PROMOTION = 0.97
#: and overrules "new" when the text thanks, greets or promotes and it reads a new
#: complaint at most this likely; or, when the rules saw no problem described (a long text
#: nothing explained), less likely than this
MODEL_NOT_NEW = 0.15
MODEL_NOT_NEW_UNEXPLAINED = 0.5


def second_look(ruled: Intent, s: _Signs, text: str, *, open_complaint: bool) -> Intent:
    """The rules' reading, overruled by the learned model (:mod:`intent_model`) in two
    narrow cases: a text the rules took for chatter or a status question that the model
    reads as a complaint (no complaint open; not a tracking ID, a greeting alone, a short
    thanks, a promotion, a forward or a wish); and a "new" from a text that thanks, says a
    problem is solved, asks about the channel, wishes, promotes or has no strong problem
    word, names no other problem, does not say it reports, and which the model reads as no
    complaint."""
    if ruled.kind in (IntentKind.CHATTER, IntentKind.STATUS):
        if open_complaint or s.tracking_id or not s.words or s.greeting_only or _asks_report(s):
            return ruled
        acknowledges = s.thanks or (s.ack and len(s.words) <= ACK_MAX_WORDS)
        if (acknowledges and s.problem < 2) or s.spam >= 2 or w.FORWARDED.search(s.text):
            return ruled
        reports = w.REPORTS.search(s.text) is not None
        if s.wishes and not reports:  # "semoga tidak ada longsor": a wish, no report
            return ruled
        p_new = _p_new(s, text)
        if p_new >= (MODEL_NEW_PROMOTION if s.spam else MODEL_NEW):
            return Intent(IntentKind.NEW, round(p_new, 2), "the learned model reads a complaint")
        return ruled
    if ruled.kind is IntentKind.THANKS and w.REPORTS.search(s.text) and not open_complaint:
        p_new = _p_new(s, text)  # "makasih atas pelayanannya. Mau lapor, ..."
        if p_new >= MODEL_NEW:
            return Intent(IntentKind.NEW, round(p_new, 2), "thanks, then a report")
        return ruled
    # sarcasm ("mantap, jalannya jadi kolam ikan") keeps its strong problem word
    chatty = s.channel_question or s.wishes or s.spam or s.info_request
    polite = s.thanks or s.resolved or chatty or not s.strong
    goes_on = s.contrast or s.another or w.REPORTS.search(s.text) is not None
    if ruled.kind is IntentKind.NEW and polite and not goes_on:
        p_new = _p_new(s, text)
        if p_new <= MODEL_NOT_NEW or (s.problem < 2 and p_new < MODEL_NOT_NEW_UNEXPLAINED):
            if s.thanks or (s.ack and s.resolved):
                return Intent(IntentKind.THANKS, 0.6, "thanks; the model reads no complaint")
            return Intent(IntentKind.CHATTER, 0.6, "the model reads no complaint")
    return ruled


def _p_new(s: _Signs, text: str) -> float:
    return bundled_intent_model().probabilities(features(text, s.words))["new"]
