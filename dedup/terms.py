"""Content terms: what a token says about which story a text tells (stop words out, a light stemmer)."""
from __future__ import annotations

# Function words and the commonest news verbs: they say nothing about which story a text tells.
STOP_WORDS = frozenset(
    """a about above after again against ago all almost along already also although always am among an and
    another any are around as at away back be became because become been before being below between both but
    by can cannot could did do does doing done down during each either else even ever every few for from
    further get gets got had has have having he her here hers herself him himself his how however i if in
    into is it its itself just last least less like made make many may me might more most much must my
    myself near nearly neither never new next no nor not now of off often on once one only onto or other
    others our ours ourselves out over own per perhaps put rather really said same say says see seen she
    should since so some still such than that the their theirs them themselves then there these they this
    those though three through thus to today together too toward towards two under until up upon us very
    via was we were what whatever when where whether which while who whom whose why will with within
    without would yet you your yours yourself yourselves s t d ll m re ve told according week weeks year
    years month months day days time""".split()
)
# The stemmer's suffixes, longest first, and those whose stem gains a "y". Compiled twin: dedup/_compiled.py.
SUFFIXES = ("ments", "ment", "ings", "ing", "ied", "ies", "ed", "es", "s")
TO_Y = ("ied", "ies")


def stem(word: str) -> str:
    """A light suffix stripper so "deployed", "deploying" and "deployment" meet."""
    if word[0].isdigit() or len(word) <= 4:
        return word
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            return base + "y" if suffix in TO_Y else base
    return word
