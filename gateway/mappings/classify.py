"""Free text (SMS, chat) to a national topic, by a tenant's keyword rules; and the text
normalisation the learned model (:mod:`gateway.classifier`) reads through too.

A tenant's own keyword rules (``classifier.rules`` in its mapping) are explicit
overrides: when one reaches ``min_score`` it decides the topic, before the model is
asked (:class:`gateway.classifier.decide.TopicClassifier`).

Text is normalised first: lower case, accents and punctuation away, repeated letters
squeezed ("rusaaak"), reduplication with a 2 spelt out ("lampu2" -> "lampu lampu"),
sums split from their unit ("50rb" -> "50 rb"), then the shared informal spellings
and abbreviations of Indonesian chat ("yg", "tdk", "jln", "gak") and the tenant's own
synonyms replaced by the standard word.

Each word also stands for its likely stems, by a light rule-based strip of affixes:
particles and possessives (-lah, -kah, -pun, -nya, Minang -nyo, Sulawesi -mi/-ji/-pi/
-ki), suffixes -kan, -an, -i and colloquial -in, prefixes di-, ke-, se-, ber-, ter-,
per-, me(N)-/pe(N)- with their nasal changes (menumpuk -> tumpuk), chat ng-/ny-/n-
(ngurus, nunggu) and the ba-/ta-/ma(N)-/pa(N)- of Minang and Banjar (manggenang). It
over-generates on purpose: a stem only matters if it is some keyword. So "aspal"
matches "diaspal" and "bakar" matches "kebakaran"; write a keyword in the form that
should match ("angkutan" does not match "diangkut"). A stem that is a synonym is
replaced too (tasumbek -> sumbek -> sumbat).

A keyword (one word or several) matches when its words appear in that order with at
most ``GAP`` other words between two of them ("jalan rusak" matches "jalan desa kami
rusak"). It scores its rule's weight times 1, 1.5, 2, ... for 1, 2, 3, ... words; each
keyword counts once, and each word of the text counts once per topic, for the
strongest keyword covering it ("jalan berlubang" and not "lubang" as well). The
topic with the highest total wins if it reaches the classifier's ``min_score``; on a
tie the topic with the longer matched keyword, then the lower id (a parent topic
before its children). Otherwise the rules say nothing (``confident`` is False) and the
model decides.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from gateway.domain.complaint import TopicSource

#: informal spellings and abbreviations -> the standard word (shared by every tenant)
# fmt: off
SHARED_SYNONYMS: dict[str, str] = {
    "yg": "yang", "tdk": "tidak", "gak": "tidak", "ga": "tidak", "nggak": "tidak",
    "ngga": "tidak", "enggak": "tidak", "gk": "tidak", "tak": "tidak", "indak": "tidak",
    "blm": "belum", "blum": "belum", "sdh": "sudah", "udh": "sudah", "udah": "sudah",
    "dah": "sudah", "jln": "jalan", "jl": "jalan", "jalanan": "jalan", "dgn": "dengan",
    "krn": "karena", "karna": "karena", "utk": "untuk", "buat": "untuk", "sy": "saya",
    "aku": "saya", "ambo": "saya", "ulun": "saya", "bgt": "sekali", "bnyk": "banyak",
    "lg": "lagi", "sm": "sama", "dr": "dari", "kpd": "kepada", "tp": "tapi", "jg": "juga",
    "bs": "bisa", "kawa": "bisa", "mhn": "mohon", "tlg": "tolong", "skrg": "sekarang",
    "hr": "hari", "mgg": "minggu", "bln": "bulan", "thn": "tahun", "rb": "ribu",
    "pdam": "pdam", "pln": "pln", "berlobang": "berlubang", "bolong": "berlubang",
    "lobang": "lubang", "banyu": "air", "aia": "air", "listrik": "listrik",
}

#: how many other words may stand between two words of one keyword
GAP = 2

_WORD = re.compile(r"[a-z0-9]+")
_REPEATED = re.compile(r"([a-z])\1{2,}")
_REDUPLICATED = re.compile(r"([a-z]{2,})2([a-z]*)")
_SUM = re.compile(r"([0-9]+)([a-z]+)")
_VOWELS = "aeiou"
_PARTICLES = ("lah", "kah", "pun", "nya", "nyo", "ku", "mu", "mi", "ji", "pi", "ki")
_SUFFIXES = ("kan", "an", "i", "in")  # -in: colloquial -kan/-i (dibenerin)
#: prefix, and the letter a nasal prefix replaced when the root starts with a vowel
_PREFIXES = (
    ("meng", "k"), ("peng", "k"), ("mang", "k"), ("ng", "k"),
    ("meny", "s"), ("peny", "s"), ("many", "s"), ("ny", "s"),
    ("pang", "k"), ("pany", "s"), ("mem", "p"), ("pem", "p"), ("mam", "p"), ("pam", "p"),
    ("men", "t"), ("pen", "t"), ("man", "t"), ("pan", "t"), ("n", "t"),
    ("me", ""), ("pe", ""), ("ma", ""), ("pa", ""), ("di", ""), ("ke", ""), ("se", ""),
    ("ber", ""), ("be", ""), ("ba", ""), ("ter", ""), ("te", ""), ("ta", ""), ("per", ""),
)
# fmt: on


def normalise(text: str, synonyms: Mapping[str, str] = SHARED_SYNONYMS) -> list[str]:
    """``text`` as standard lower-case words."""
    return [synonyms.get(part, part) for part in _plain_words(text)]


@lru_cache(maxsize=512)
def _plain_words(text: str) -> tuple[str, ...]:
    """``text``'s words before synonyms: lower case, accents away, repeats squeezed,
    reduplication and sums split. Cached: a complaint's text is read by the tenant's
    rules and by the model, each with its own synonyms."""
    folded = text.lower()
    if not folded.isascii():
        folded = unicodedata.normalize("NFKD", folded)
        folded = "".join(c for c in folded if not unicodedata.combining(c))
    words: list[str] = []
    for word in _WORD.findall(folded):
        if _REPEATED.search(word):
            word = _REPEATED.sub(r"\1", word)  # rusaaak -> rusak
        if word.isalpha():
            words.append(word)
        elif m := _REDUPLICATED.fullmatch(word):  # pecah2 -> pecah pecah
            words += [m[1], m[1] + m[2]]
        elif m := _SUM.fullmatch(word):  # 50rb -> 50 rb
            words += [m[1], m[2]]
        else:
            words.append(word)
    return tuple(words)


def stems(word: str) -> set[str]:
    """``word`` and the roots it may be built on (over-generates on purpose)."""
    forms = {word}
    forms |= {word[: -len(p)] for p in _PARTICLES if word.endswith(p) and len(word) > len(p) + 1}
    forms |= {  # roots of four letters or more: "bosan" is not "bos" + -an
        form[: -len(s)]
        for form in list(forms)
        for s in _SUFFIXES
        if form.endswith(s) and len(form) - len(s) >= 4
    }
    for _ in range(2):  # memperbaiki: mem- then per-
        for form in list(forms):
            for prefix, nasal in _PREFIXES:
                rest = form[len(prefix) :]
                if form.startswith(prefix) and len(rest) >= 3:
                    forms.add(rest)
                    if nasal and rest[0] in _VOWELS:
                        forms.add(nasal + rest)
    return forms


@dataclass(frozen=True)
class Match:
    topic: int
    keyword: str
    weight: float


@dataclass(frozen=True)
class Classification:
    topic: int
    #: a keyword rule's score, or the model's probability for ``topic``
    score: float
    #: False: a person should look (``reason`` says why); the topic is still the likeliest
    confident: bool
    matches: tuple[Match, ...]  # the keyword rules that matched: why
    #: the likeliest topics with their probability, best first (the learned model's;
    #: empty for keyword rules): a chat offers them as buttons when not confident
    candidates: tuple[tuple[int, float], ...] = ()
    #: what chose the topic: a tenant's keyword rule, the model, or nothing (the default)
    source: TopicSource = TopicSource.KEYWORDS
    #: why a person should look (set when not confident), for the complaint's review_reason
    reason: str | None = None


@dataclass(frozen=True)
class KeywordRule:
    topic: int
    keywords: Sequence[str]
    weight: float = 1.0


def _find(
    phrase: tuple[str, ...], forms: list[frozenset[str]], start: int = 0, end: int | None = None
) -> tuple[int, ...] | None:
    """Where ``phrase`` occurs in order from ``start``, each word within ``GAP`` of the last."""
    if not phrase:
        return ()
    for i in range(start, len(forms) if end is None else min(end, len(forms))):
        if phrase[0] in forms[i]:
            rest = _find(phrase[1:], forms, i + 1, i + 2 + GAP)
            if rest is not None:
                return (i, *rest)
    return None


class KeywordClassifier:
    def __init__(
        self,
        rules: Sequence[KeywordRule],
        default_topic: int,
        *,
        min_score: float = 1.0,
        synonyms: Mapping[str, str] | None = None,
    ) -> None:
        self.synonyms = {**SHARED_SYNONYMS, **(synonyms or {})}
        self.default_topic = default_topic
        self.min_score = min_score
        self._seen: dict[str, frozenset[str]] = {}
        # each keyword under its first word: a text looks up only the keywords it can match
        self._by_first: dict[str, list[tuple[int, str, tuple[str, ...], float]]] = {}
        for rule in rules:
            for keyword in rule.keywords:
                phrase = tuple(normalise(keyword, self.synonyms))
                if phrase:
                    entry = (rule.topic, keyword, phrase, rule.weight)
                    self._by_first.setdefault(phrase[0], []).append(entry)

    def _forms(self, word: str) -> frozenset[str]:
        # a stem may itself be an informal spelling: tasumbek -> sumbek -> sumbat
        found = self._seen.get(word)
        if found is None:  # stemming is the costly part; a vocabulary repeats
            found = frozenset({self.synonyms.get(form, form) for form in stems(word)} | {word})
            if len(self._seen) < 50_000:
                self._seen[word] = found
        return found

    def classify(self, text: str) -> Classification:
        forms = [self._forms(word) for word in normalise(text, self.synonyms)]
        found: list[tuple[float, int, int, str, set[int]]] = []
        present = set().union(*forms)
        candidates = [entry for word in present for entry in self._by_first.get(word, ())]
        for topic, keyword, phrase, weight in candidates:
            if (at := _find(phrase, forms)) is not None:
                score = weight * (1 + 0.5 * (len(phrase) - 1))  # more words say more
                found.append((score, len(phrase), topic, keyword, set(at)))
        # strongest first; a word scores once per topic ("jalan berlubang" and "lubang")
        found.sort(key=lambda f: (-f[0], -f[1]))
        scores: dict[int, float] = {}
        longest: dict[int, int] = {}
        used: dict[int, set[int]] = {}
        matches: list[Match] = []
        for score, length, topic, keyword, where in found:
            if where & used.setdefault(topic, set()):
                continue
            used[topic] |= where
            scores[topic] = scores.get(topic, 0.0) + score
            longest[topic] = max(longest.get(topic, 0), length)
            matches.append(Match(topic, keyword, score))
        if scores:
            topic, score = max(scores.items(), key=lambda t: (t[1], longest[t[0]], -t[0]))
            if score >= self.min_score - 1e-9:  # sums of weights such as 0.3 + 0.7
                why = tuple(m for m in matches if m.topic == topic)
                return Classification(topic, score, True, why)
        return Classification(
            self.default_topic,
            0.0,
            False,
            tuple(matches),
            source=TopicSource.DEFAULT,
            reason="no keyword rule matched; default topic",
        )
