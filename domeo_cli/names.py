"""Customer names: how two spellings are recognised as one customer."""

from __future__ import annotations

import unicodedata


def display_name(text: str) -> str:
    """A name as stored and shown: trimmed, inner runs of white space made one space."""
    return " ".join(text.split())


def name_key(text: str) -> str:
    """The matching key of a customer name: case-insensitive and Unicode-aware.

    Unicode's canonical caseless match: decomposed, case-folded, then
    recomposed, so that a precomposed and a decomposed ``é`` are one letter,
    ``CAFÉ OLÉ`` matches ``Café Olé`` and ``Straße`` matches ``STRASSE``.
    (Folding the composed form alone misses names whose folded letters
    recompose, such as ``ſ́`` and ``ś``.) Plain ASCII, most names, takes
    the short way.
    """
    name = display_name(text)
    if name.isascii():
        return name.lower()
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", name).casefold())


def closest_names(wanted: str, names: list[str], limit: int = 3) -> list[str]:
    """The stored names most like ``wanted``, best first, for "did you mean" messages.

    Names holding every word of ``wanted`` ("heron pest" in "Heron Station Pest
    Control") come first, then names that are spelt alike (typos).
    """
    import difflib

    key = name_key(wanted)
    by_key = {name_key(name): name for name in names}
    words = key.split()
    found = [k for k in by_key if words and all(word in k for word in words)]
    if len(found) > limit:  # many contain the words: the most alike first
        found.sort(key=lambda k: -difflib.SequenceMatcher(None, key, k).ratio())
    found = found[:limit]
    if len(found) < limit:
        alike = difflib.get_close_matches(key, list(by_key), n=limit, cutoff=0.6)
        found += [k for k in alike if k not in found][: limit - len(found)]
    return [by_key[k] for k in found]
