"""How English words are pronounced, letter by letter: the reader of gruut's English lexicon.

``gruut-lang-en`` (MIT, from CMUdict) ships 124,368 words aligned letter by letter with their
phonemes in IPA (``trump``: ``t}t r}ɹ u}ˈʌ m}m p}p``). The alignment is what transcription into
Russian and Arabic needs: the sound of each letter group (``u`` is /ʌ/, so Трамп, ترامب), and
the letters where the press follows the spelling (double consonants, reduced vowels).

The lexicon is read once, on first use, into a dict (0.2 s, ~30 MB): sqlite has no index on the
word column, and a name generator asks for thousands of words at a rule load. Without the
package installed every word is unknown and the spelling rules of ``sound.py`` are used.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Piece", "english_pronunciation"]


@dataclass(frozen=True, slots=True)
class Piece:
    """Some letters of a word and the phonemes they stand for (none: silent)."""

    letters: str
    phonemes: tuple[str, ...]  # IPA, with the stress mark on a stressed vowel: ˈʌ, ˌaɪ


def english_pronunciation(word: str) -> tuple[Piece, ...] | None:
    """The aligned pronunciation of a lower-case English word, or None if the lexicon has not
    got it (or is not installed)."""
    alignment = _lexicon().get(word)
    if alignment is None:
        return None
    pieces = []
    for token in alignment.split(" "):
        letters, _, sounds = token.partition("}")
        phonemes = () if sounds == "_" else tuple(sounds.split("|"))
        pieces.append(Piece(letters.replace("|", ""), phonemes))
    return tuple(pieces)


@cache
def _lexicon() -> dict[str, str]:
    try:
        path = resources.files("gruut_lang_en") / "lexicon.db"
    except ModuleNotFoundError:
        return {}
    connection = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        table: dict[str, str] = {}
        for word, alignment in connection.execute("SELECT word, alignment FROM g2p_alignments"):
            table.setdefault(word, alignment)  # the first row is the most usual pronunciation
        return table
    finally:
        connection.close()
