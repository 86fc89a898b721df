"""Tokenization for lexical matching and explanations. Pure functions."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType

# A compact English stop list plus words that are frequent in every abstract and so carry no topic.
STOPWORDS: frozenset[str] = frozenset(
    """
    a about above across after again against all almost also although always am among an and
    another any are around as at based be because been before being below between both but
    by can could did do does doing done down due during each either else enough especially
    etc even ever every few for from further furthermore had has have having he her here
    hers herself him himself his how however i if in into is it its itself just less let
    many may me might more moreover most much must my neither no nor not now of off often on
    once one only onto or other our ours out over own per rather same several she should
    since so some still such than that the their theirs them themselves then there therefore
    these they this those though three through thus to too two under until up upon us use
    used uses using very via was we well were what whatever when where whether which while
    who whom whose why will with within without would yet you your paper propose proposed
    proposes present presents show shows shown demonstrate demonstrates approach approaches
    method methods novel new result results work study existing recent recently task tasks
    problem problems performance state art however first second extensive experiments
    experiment experimental significantly significant achieve achieves achieved outperform
    outperforms across further introduce introduces different various make makes large
    provide provides number set way address key important leading across including include
    includes
    """.split()  # noqa: SIM905
)

_TOKEN = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_LATEX_CMD = re.compile(r"\\[a-zA-Z]+")


@functools.lru_cache(maxsize=1 << 17)
def _stem(token: str) -> str:
    """A light plural/verb-suffix folding: ``networks``→``network``, ``studies``→``study``.

    Deliberately conservative (no Porter): explanations show these words to people.
    """
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 4 and token.endswith("sses"):
        return token[:-2]
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


@functools.lru_cache(maxsize=1 << 17)
def _kept(token: str) -> str:
    """``token``'s stem, or "" for a token :func:`tokenize` drops (remembered: a corpus
    repeats its words, and a lookup is several times cheaper than the checks)."""
    if len(token) < 2 or token in STOPWORDS:
        return ""
    stem = _stem(token)
    return "" if stem in STOPWORDS else stem


def words_and_stems(text: str) -> tuple[list[str], list[str]]:
    """The lowercased words of ``text`` (LaTeX commands dropped) and, aligned with them, the
    stem :func:`tokenize` keeps of each ("" for a word it drops)."""
    words = _TOKEN.findall(_LATEX_CMD.sub(" ", text.lower()))
    return words, list(map(_kept, words))


def tokenize(text: str) -> list[str]:
    """Lowercased, stop-worded, lightly stemmed word tokens (LaTeX commands dropped)."""
    return [s for s in map(_kept, _TOKEN.findall(_LATEX_CMD.sub(" ", text.lower()))) if s]


@functools.lru_cache(maxsize=16384)
def surface_forms(text: str) -> Mapping[str, str]:
    """Map each stem in ``text`` to the first word form it appeared as, for display.

    Read-only and remembered per text: every user's explanations of a day's candidates
    look up the same texts again."""
    forms: dict[str, str] = {}
    for tok in _TOKEN.findall(_LATEX_CMD.sub(" ", text.lower())):
        if len(tok) >= 2 and tok not in STOPWORDS:
            forms.setdefault(_stem(tok), tok)
    return MappingProxyType(forms)


def bigrams(tokens: Iterable[str]) -> list[str]:
    toks = list(tokens)
    return [f"{a} {b}" for a, b in itertools.pairwise(toks)]
