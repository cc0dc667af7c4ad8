"""A Latin-script name in Arabic and Cyrillic letters, by how it sounds in its own language.

The press writes a foreign name by its sound in the language it comes from, not by its letters:
Trump is Трамп and ترامب (the ``u`` is /ʌ/), Gates is Гейтс, Schröder Шрёдер, Erdoğan Эрдоган and
أردوغان, Hulot Юло. Each word of a name is read several ways (``readings``), each a small lattice
of spellings:

- ``en``: its English pronunciation from the lexicon (``pronounce.py``), letter group by letter
  group: sounds give the letters, and where Russian practical transcription follows the spelling
  (double consonants, reduced vowels: Рокфеллер, Клинтон) the spelling does;
- ``de``, ``fr``, ``es``, ``tr``: the spelling-to-sound rules of German, French, Spanish and
  Turkish, whose spellings say how a word is pronounced (``sch``, ``ü``; ``ou``, silent final
  consonants; ``j``, ``ñ``; ``c``, ``ş``, ``ğ``);
- ``ar`` (Arabic script only): a romanized Arabic name read back with the letters English
  romanization merges (h: ه ح, t: ت ط, s: س ص, short vowels unwritten): Mahfouz محفوظ, Tayyip طيب;
- ``letters``: the letter tables of ``translit.py`` (a romanized Russian name: Lavrov Лавров).

Which spelling the press uses is then read off the press itself: every spelling the lattices
make is looked up in the word frequencies of the script's configured languages (wordfreq), and
the most frequent one is taken (``choose``). A name no list knows keeps its first reading: the
language its letters point to (ö ü → German, ş ğ ı → Turkish, é → French, ñ → Spanish), else
English pronunciation, else the letter tables.

    >>> name_spelling("Donald Trump", "Cyrl"), name_spelling("Donald Trump", "Arab")
    ('Дональд Трамп', 'دونالد ترامب')
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from newswatch.matching.pronounce import Piece, english_pronunciation
from newswatch.matching.translit import arabic_word, cyrillic_word_alternatives

__all__ = [
    "MIN_ATTESTED",
    "Candidate",
    "candidates",
    "choose",
    "name_spelling",
    "name_spellings",
    "readings",
]

Lattice = list[tuple[str, ...]]  # one tuple of alternatives per letter group, first preferred

MIN_ATTESTED = 1.5  # wordfreq Zipf from which a spelling counts as the press's
MAX_CANDIDATES = 512  # spellings tried per word and script (a lattice's first ones)
_VOWEL_LETTERS = set("aeiouyäöüéèêëàâîïôûùıœ")
_CY_VOWELS = set("аеёиоуыэюяй")

# --- English pronunciation --------------------------------------------------------------------

_CY_CONSONANT: dict[str, tuple[str, ...]] = {
    "p": ("п",), "b": ("б",), "t": ("т",), "d": ("д",), "k": ("к",), "ɡ": ("г",), "f": ("ф",),
    "v": ("в",), "θ": ("т", "с"), "ð": ("д", "з"), "s": ("с",), "z": ("з", "с"), "ʃ": ("ш",),
    "ʒ": ("ж",), "h": ("х",), "t͡ʃ": ("ч",), "d͡ʒ": ("дж",), "m": ("м",), "n": ("н",),
    "ŋ": ("нг",), "l": ("л",), "ɹ": ("р",), "w": ("у", "в"), "j": ("й",), "ɾ": ("т",),
    "ʔ": ("",),
}  # fmt: skip
_AR_CONSONANT: dict[str, tuple[str, ...]] = {
    "p": ("ب",), "b": ("ب",), "t": ("ت",), "d": ("د",), "k": ("ك",), "ɡ": ("غ", "ج"),
    "f": ("ف",), "v": ("ف",), "θ": ("ث",), "ð": ("ذ",), "s": ("س",), "z": ("ز",), "ʃ": ("ش",),
    "ʒ": ("ج",), "h": ("ه",), "t͡ʃ": ("تش",), "d͡ʒ": ("ج",), "m": ("م",), "n": ("ن",),
    "ŋ": ("نغ", "نج"), "l": ("ل",), "ɹ": ("ر",), "w": ("و",), "j": ("ي",), "ɾ": ("ت",),
    "ʔ": ("",),
}  # fmt: skip
# Vowels by sound. Cyrillic: after a consonant (word start or after a vowel: е -> э). Arabic:
# the long vowel letters a stressed or full vowel is written with.
_CY_VOWEL: dict[str, tuple[str, ...]] = {
    "ɑ": ("а",), "æ": ("е", "э", "а"), "ʌ": ("а",), "ɔ": ("о",), "ɛ": ("е", "э"), "ɪ": ("и",),
    "i": ("и",), "ʊ": ("у",), "u": ("у",), "eɪ": ("ей", "эй", "э"), "aɪ": ("ай",),
    "ɔɪ": ("ой",), "aʊ": ("ау",), "oʊ": ("о", "оу"), "ɚ": ("ер",), "ɝ": ("ер",), "ə": ("а",),
}  # fmt: skip
_CY_VOWEL_INITIAL = {"æ": ("э", "а"), "ɛ": ("э",), "eɪ": ("эй",)}
_AR_VOWEL: dict[str, tuple[str, ...]] = {
    "ɑ": ("ا",), "æ": ("ا",), "ʌ": ("ا",), "ɔ": ("و",), "ɛ": ("ي", ""), "ɪ": ("ي", ""),
    "i": ("ي",), "ʊ": ("و",), "u": ("و",), "eɪ": ("ي", "اي"), "aɪ": ("اي",), "ɔɪ": ("وي",),
    "aʊ": ("او",), "oʊ": ("و",), "ɚ": ("ر",), "ɝ": ("ير", "ر"), "ə": ("",),
}  # fmt: skip
_CY_LETTER = {"a": "а", "e": "е", "i": "и", "o": "о", "u": "у", "y": "и"}
_AR_LETTER = {"a": "ا", "e": "", "i": "ي", "o": "و", "u": "و", "y": "ي"}


def _first_vowel_letter(letters: str) -> str:
    return next((c for c in letters if c in _VOWEL_LETTERS), "")


def _english_cyrillic(pieces: tuple[Piece, ...]) -> Lattice:
    lattice: Lattice = []
    previous_letters = ""
    for index, piece in enumerate(pieces):
        written = "".join(options[0] for options in lattice)
        initial = not written or written[-1] in _CY_VOWELS - {"й"}  # е is э here: Эванс
        if not piece.phonemes:
            silent_double = written[-1:] and (
                _doubles(piece.letters, previous_letters)
                or (piece.letters in ("a", "o") and previous_letters == piece.letters)
            )
            lattice.append((written[-1],) if silent_double else ("",))  # Радд, Маас
        else:
            options = [""]
            for phoneme in piece.phonemes:
                last = index == len(pieces) - 1
                sounds = _cyrillic_sound(phoneme, piece.letters, initial=initial, last=last)
                options = [o + p for o in options for p in sounds]
                initial = False
            if _doubles(piece.letters, previous_letters) and options[0][-1:] not in _CY_VOWELS:
                options = [o + o[-1] for o in options]  # Маккейн, Радд, Рокфеллер
            lattice.append(tuple(dict.fromkeys(options)))
        previous_letters = piece.letters
    return _iotate(lattice)


def _doubles(letters: str, previous: str) -> bool:
    """A doubled consonant letter (``dd``; ``c`` after ``Mc``; ``t`` + ``th``): Russian writes it
    double, as the spelling has it."""
    if len(letters) == 2 and letters[0] == letters[1] and letters[0] not in _VOWEL_LETTERS:
        return True
    return bool(previous) and previous[-1] == letters[:1] and letters[:1] not in _VOWEL_LETTERS


def _cyrillic_sound(phoneme: str, letters: str, *, initial: bool, last: bool) -> tuple[str, ...]:
    stressed = phoneme[:1] in "ˈˌ"
    sound = phoneme.lstrip("ˈˌ")
    if sound in _CY_CONSONANT:
        if sound == "z" and letters == "s":
            return ("с", "з")  # Sanders -> Сандерс, Gates -> Гейтс
        if sound == "ŋ" and "g" not in letters:
            return ("н",)  # Frank -> Франк
        if sound == "l" and (last or not letters.endswith(("le",))):
            return ("л", "ль")  # Powell -> Пауэлл, Donald -> Дональд
        return _CY_CONSONANT[sound]
    spelled = _CY_LETTER.get(_first_vowel_letter(letters), "")
    if sound in ("ɚ", "ɝ"):
        return (spelled + "р", "ер") if spelled else ("ер",)  # Toner -> Тонер, Taylor -> Тейлор
    if sound == "ə":
        options: tuple[str, ...] = (spelled,) if spelled else ("а",)
        if spelled == "е" and not last:
            options += ("",)  # Rockefeller -> Рокфеллер
        return options
    table = _CY_VOWEL_INITIAL if initial and sound in _CY_VOWEL_INITIAL else _CY_VOWEL
    vowels = table.get(sound, ("",))
    if not stressed and spelled and spelled not in vowels:
        vowels = (*vowels, spelled)  # reduced vowels follow the spelling: Клинтон
    elif sound in ("ɑ", "ʌ") and spelled == "о":
        vowels = ("о", *vowels)  # Rockefeller, London
    return vowels


def _iotate(lattice: Lattice) -> Lattice:
    """й before a vowel is a iotated vowel letter: йу -> ю (Hughes Хьюз), йа -> я."""
    joined: Lattice = []
    for options in lattice:
        if joined and joined[-1] and all(o.endswith("й") for o in joined[-1]):
            fused = []
            for o in options:
                head = {"у": "ю", "а": "я", "е": "е", "э": "е", "о": "йо"}.get(o[:1])
                fused.append(head + o[1:] if head else o)
            if fused != list(options):
                joined[-1] = tuple(o[:-1] for o in joined[-1])
                options = tuple(fused)
        joined.append(options)
    return joined


def _english_arabic(pieces: tuple[Piece, ...]) -> Lattice:
    lattice: Lattice = []
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        options = [""]
        for phoneme in piece.phonemes:
            options = [o + p for o in options for p in _arabic_sound(phoneme, piece.letters, last)]
        if index == 0 and piece.phonemes and piece.phonemes[0].lstrip("ˈˌ") not in _AR_CONSONANT:
            options = [_alef_initial(o) for o in options]  # Albert -> البرت, Obama -> اوباما
        lattice.append(tuple(dict.fromkeys(options)))
    return lattice


def _alef_initial(spelled: str) -> str:
    return spelled if spelled.startswith("ا") else "ا" + spelled


def _arabic_sound(phoneme: str, letters: str, last: bool) -> tuple[str, ...]:
    stressed = phoneme[:1] in "ˈˌ"
    sound = phoneme.lstrip("ˈˌ")
    if sound in _AR_CONSONANT:
        return _AR_CONSONANT[sound]
    spelled = _AR_LETTER.get(_first_vowel_letter(letters), "")
    if sound == "ə":
        if last and spelled == "ا":
            return ("ا",)  # Obama -> اوباما
        return (spelled, "") if spelled else ("",)  # Clinton -> كلينتون, Bashar -> بشار
    options = _AR_VOWEL.get(sound, ("",))
    if sound in ("ɑ", "ʌ") and _first_vowel_letter(letters) == "o":
        options = ("و", *options)  # Rockefeller -> روكفلر (but Trump -> ترامب)
    if not stressed and sound in ("ɛ", "ɪ") and last:
        options = ("ي",)
    return options


# --- spelling rules of other languages ----------------------------------------------------------
# One table per language: letter groups -> (Cyrillic options, Arabic options). Keys may carry a
# context: "^x" at the start of a word, "x$" at its end, "x+" before e, i, y (soft c and g).

_Rules = dict[str, tuple[tuple[str, ...], tuple[str, ...]]]

_CONSONANTS: _Rules = {
    "b": (("б",), ("ب",)), "d": (("д",), ("د",)), "f": (("ф",), ("ف",)), "g": (("г",), ("غ", "ج")),
    "k": (("к",), ("ك",)), "l": (("л",), ("ل",)), "m": (("м",), ("م",)), "n": (("н",), ("ن",)),
    "p": (("п",), ("ب",)), "r": (("р",), ("ر",)), "s": (("с",), ("س",)), "t": (("т",), ("ت",)),
    "v": (("в",), ("ف",)), "x": (("кс",), ("كس",)), "z": (("з",), ("ز",)), "c": (("к",), ("ك",)),
    "h": (("х",), ("ه",)), "j": (("дж",), ("ج",)), "w": (("в",), ("و",)), "q": (("к",), ("ك",)),
    "y": (("й",), ("ي",)),
}  # fmt: skip
_VOWELS: _Rules = {
    "a": (("а",), ("ا",)), "e": (("е",), ("ي", "")), "i": (("и",), ("ي",)),
    "o": (("о",), ("و",)), "u": (("у",), ("و",)), "y": (("и",), ("ي",)),
    "^a": (("а",), ("ا",)), "^e": (("э",), ("ا", "اي")), "^i": (("и",), ("اي", "ا")),
    "^o": (("о",), ("او", "ا")), "^u": (("у",), ("او", "ا")),
}  # fmt: skip

_GERMAN: _Rules = {
    **_CONSONANTS, **_VOWELS,
    "tsch": (("ч",), ("تش",)), "sch": (("ш",), ("ش",)), "^sp": (("шп",), ("شب",)),
    "^st": (("шт",), ("شت",)), "st": (("ст", "шт"), ("ست", "شت")), "chs": (("кс",), ("كس",)),
    "ch": (("х",), ("خ",)), "ck": (("к",), ("ك",)), "tz": (("ц",), ("تس",)), "z": (("ц",), ("تس",)),
    "^ei": (("ай", "эй"), ("اي",)), "ei": (("ай", "ей"), ("اي",)), "ai": (("ай",), ("اي",)),
    "ey": (("ай",), ("اي",)), "eu": (("ой",), ("وي",)), "äu": (("ой",), ("وي",)),
    "ie": (("и",), ("ي",)), "ä": (("е",), ("ي",)), "ö": (("ё", "е"), ("و",)),
    "oe": (("ё", "е"), ("و",)), "ü": (("ю", "у"), ("و", "ي")), "ue": (("ю",), ("و",)),
    "ß": (("с",), ("س",)), "v": (("ф",), ("ف",)), "w": (("в",), ("ف",)), "j": (("й",), ("ي",)),
    "qu": (("кв",), ("كف",)), "ph": (("ф",), ("ف",)), "th": (("т",), ("ت",)),
    "aa": (("аа",), ("ا",)), "ee": (("е",), ("ي",)), "oo": (("о",), ("و",)),
    "er$": (("ер",), ("ر", "ير")), "l$": (("ль", "л"), ("ل",)), "s~": (("з",), ("ز",)),
}  # fmt: skip
_FRENCH: _Rules = {
    **_CONSONANTS, **_VOWELS,
    "eau": (("о",), ("و",)), "au": (("о",), ("و",)), "ou": (("у",), ("و",)),
    "oi": (("уа",), ("وا",)), "oy": (("уа",), ("وا",)), "ch": (("ш",), ("ش",)),
    "gn": (("нь",), ("ني",)), "qu": (("к",), ("ك",)), "gu+": (("г",), ("غ",)),
    "g+": (("ж",), ("ج",)), "c+": (("с",), ("س",)), "ç": (("с",), ("س",)), "j": (("ж",), ("ج",)),
    "ph": (("ф",), ("ف",)), "th": (("т",), ("ت",)), "h": (("",), ("",)),
    "é": (("е",), ("ي",)), "è": (("е",), ("ي",)), "ê": (("е",), ("ي",)), "ë": (("е",), ("ي",)),
    "^é": (("э",), ("ا", "اي")), "ai": (("е",), ("ي",)), "ei": (("е",), ("ي",)),
    "er$": (("ер", "е"), ("ر", "ي")), "et$": (("ет", "е"), ("يت", "ي")),
    "ez$": (("ез", "е"), ("يز", "ي")),
    "e$": (("",), ("",)), "t$": (("т", ""), ("ت", "")), "d$": (("д", ""), ("د", "")),
    "s$": (("с", ""), ("س", "")), "x$": (("кс", ""), ("كس", "")), "z$": (("з", ""), ("ز", "")),
    "p$": (("п", ""), ("ب", "")), "ll": (("л",), ("ل",)),
    "ss": (("с",), ("س",)), "s~": (("з",), ("ز",)), "u": (("ю",), ("و",)), "^u": (("ю",), ("او",)),
    "w": (("в",), ("و",)), "ie$": (("и",), ("ي",)), "mb$": (("мб",), ("مب",)),
}  # fmt: skip
_SPANISH: _Rules = {
    **_CONSONANTS, **_VOWELS,
    "ch": (("ч",), ("تش",)), "ll": (("й", "ль"), ("ي", "ل")), "ñ": (("нь",), ("ني",)),
    "qu": (("к",), ("ك",)), "gu+": (("г",), ("غ",)), "g+": (("х",), ("خ",)),
    "j": (("х",), ("خ",)), "c+": (("с",), ("س",)), "z": (("с",), ("ز", "ث")), "h": (("",), ("",)),
    "v": (("в", "б"), ("ب", "ف")), "y$": (("й",), ("ي",)), "rr": (("рр",), ("ر",)),
    "á": (("а",), ("ا",)), "é": (("е",), ("ي",)), "í": (("и",), ("ي",)), "ó": (("о",), ("و",)),
    "ú": (("у",), ("و",)),
}  # fmt: skip
_TURKISH: _Rules = {
    **_CONSONANTS, **_VOWELS,
    "c": (("дж",), ("ج",)), "ç": (("ч",), ("تش",)), "ş": (("ш",), ("ش",)), "ğ": (("г", ""), ("غ",)),
    "ı": (("ы",), ("ي",)), "ö": (("ё", "е"), ("و",)), "ü": (("ю",), ("و",)), "j": (("ж",), ("ج",)),
    "yy": (("й", "йй"), ("ي",)),
}  # fmt: skip
_ARABIC_NAME: _Rules = {
    **_CONSONANTS,
    "kh": (("",), ("خ",)), "gh": (("",), ("غ",)), "sh": (("",), ("ش",)), "th": (("",), ("ث",)),
    "dh": (("",), ("ذ",)), "ch": (("",), ("ش",)), "ou": (("",), ("و",)), "oo": (("",), ("و",)),
    "ee": (("",), ("ي",)), "ei": (("",), ("ي",)), "ai": (("",), ("اي", "ي")),
    "ay": (("",), ("اي", "ي")), "aa": (("",), ("ا",)), "ie": (("",), ("ي",)),
    "gu+": (("",), ("ج", "غ")), "q": (("",), ("ق",)), "j": (("",), ("ج",)),
    "g": (("",), ("ج", "غ")), "h": (("",), ("ه", "ح")), "t": (("",), ("ت", "ط")),
    "d": (("",), ("د", "ض")), "s": (("",), ("س", "ص")), "z": (("",), ("ز", "ظ")),
    "k": (("",), ("ك", "ق")), "c": (("",), ("ك", "ج")),
    "a": (("",), ("", "ا")), "e": (("",), ("", "ي")), "i": (("",), ("", "ي")),
    "o": (("",), ("", "و")), "u": (("",), ("", "و")), "y": (("",), ("ي",)),
    "^a": (("",), ("ا", "ع")), "^e": (("",), ("ا", "اي")), "^i": (("",), ("ا", "اي")),
    "^o": (("",), ("او", "ا")), "^u": (("",), ("او", "ا")),
    "a$": (("",), ("ا", "ة", "ى")), "ah$": (("",), ("ة", "ا")), "i$": (("",), ("ي",)),
    "e$": (("",), ("ي", "ه")), "y$": (("",), ("ي",)),
}  # fmt: skip
_LETTER_RULES = {"de": _GERMAN, "fr": _FRENCH, "es": _SPANISH, "tr": _TURKISH, "ar": _ARABIC_NAME}
_FRONT = set("eiyéèêëí")


def _by_rules(word: str, rules: _Rules, script: str) -> Lattice:
    side = 0 if script == "Cyrl" else 1
    lattice: Lattice = []
    i = 0
    longest = max(len(k.strip("^$+")) for k in rules)
    while i < len(word):
        for size in range(min(longest, len(word) - i), 0, -1):
            chunk = word[i : i + size]
            end = i + size == len(word)
            keys = [f"^{chunk}"] * (i == 0) + [f"{chunk}$"] * end
            keys += [f"{chunk}+"] * (not end and word[i + size] in _FRONT)
            between = i and not end and {word[i - 1], word[i + size]} <= _VOWEL_LETTERS
            keys += [f"{chunk}~"] * bool(between) + [chunk]
            key = next((k for k in keys if k in rules), None)
            if key is None:
                continue
            if (
                size == 1
                and side == 1
                and i
                and word[i - 1] == chunk
                and chunk not in _VOWEL_LETTERS
            ):
                options: tuple[str, ...] = ("",)  # Arabic writes a double consonant once
            else:
                options = rules[key][side]
            lattice.append(options)
            i += size
            break
        else:
            i += 1  # a letter no table has (an apostrophe): nothing written
    return lattice


# --- choosing -----------------------------------------------------------------------------------

_TURKISH_LETTERS = set("ğşıİ")
_GERMAN_LETTERS = set("äöüß")
_FRENCH_LETTERS = set("éèêëàâîïôûùçœ")
_SPANISH_LETTERS = set("ñáíóú")
HEDGE_COST = 0.25  # Zipf a spelling loses for each alternative it takes over a rule's first
PRONUNCIATION_BONUS = 0.5  # Zipf the English pronunciation's spellings gain: the likelier reading
ENOUGH = 3.0  # from this Zipf (one in a million words) a spelling is surely the press's: more
ABOVE_ENOUGH = 0.25  # frequency says "everyday word" (рис 4.3, بل 5.7) as much as "the press's"
HINT_BONUS = 1.0  # Zipf a word gains when spelled by the language another word's letters show
TRUNCATION_COST = 1.0  # per sounded letter of the English pronunciation a spelling leaves out


def readings(word: str, script: str) -> list[tuple[str, Lattice]]:
    """The lattices of one lower-case word in ``script`` (``Arab`` or ``Cyrl``), each with the
    reading it comes from; the one its letters point to first."""
    hinted = _hinted_language(word)
    plain = _plain(word)
    out: list[tuple[str, Lattice]] = []
    if hinted:
        out.append((hinted, _by_rules(word, _LETTER_RULES[hinted], script)))
    pieces = english_pronunciation(plain)
    if pieces is not None:
        english = _english_cyrillic(pieces) if script == "Cyrl" else _english_arabic(pieces)
        out.append(("en", english))
    if plain.isascii() and plain.isalpha():
        if script == "Cyrl":
            out.append(("letters", [tuple(cyrillic_word_alternatives(plain))]))
        else:
            out.append(("letters", [(arabic_word(plain),)]))
    arabic = script == "Arab" and _ROMANIZED_ARABIC.search(plain) is not None
    for language in ("de", "fr", "es", "tr") + (("ar",) if arabic else ()):
        if language != hinted:
            spelled = word if language != "ar" else plain
            out.append((language, _by_rules(spelled, _LETTER_RULES[language], script)))
    return [(language, lattice) for language, lattice in out if lattice]


# What English romanizations of Arabic names write and other names seldom do: kh, gh, dh, ou,
# aa, q without u, h before a consonant (Mahmoud, Ahmad), bb ss yy (Abbas, Assad, Tayyip), the
# Egyptian gu of Naguib. Only
# such a word is read the Arabic way, short vowels unwritten: elsewhere that reading finds
# everyday words (Toner تنير, Caballo جبل, Kaspo كسب).
_ROMANIZED_ARABIC = re.compile(
    r"kh|gh|dh|ou|aa|q(?!u)|h(?=[^aeiouy])|bb|ss|yy|gu(?=[ie])|^al|^abd|ah$"
)


def _hinted_language(word: str) -> str | None:
    letters = set(word)
    if letters & _TURKISH_LETTERS or ("ç" in letters and letters & set("öü")):
        return "tr"
    if letters & _GERMAN_LETTERS:
        return "de"
    if letters & _FRENCH_LETTERS:
        return "fr"
    if letters & _SPANISH_LETTERS:
        return "es"
    return None


def _plain(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.replace("ı", "i"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


@dataclass(frozen=True, slots=True)
class Candidate:
    spelling: str
    reading: str  # en | letters | de | fr | es | tr | ar
    hedges: int  # alternatives taken over each letter group's first spelling
    order: int  # place among every candidate of the word (first reading's first spelling: 0)


def candidates(word: str, script: str) -> list[Candidate]:
    """Every spelling the readings of ``word`` make, first reading's first spelling first."""
    out: list[Candidate] = []
    seen: set[tuple[str, str]] = set()
    for reading, lattice in readings(word, script):
        indexed = [list(enumerate(options)) for options in lattice]
        for combination in itertools.islice(itertools.product(*indexed), MAX_CANDIDATES):
            spelled = _tidy("".join(text for _, text in combination), script)
            if spelled and (spelled, reading) not in seen:
                seen.add((spelled, reading))
                hedges = sum(1 for index, _ in combination if index)
                out.append(Candidate(spelled, reading, hedges, len(out)))
    return out


_CY_CONSONANT_LETTERS = "бвгджзклмнпрстфхцчшщ"
_IOTATED = {"а": "я", "у": "ю", "е": "е", "э": "е"}


def _tidy(spelled: str, script: str) -> str:
    if script == "Cyrl":
        spelled = re.sub(r"йй(?=[^аеиоуыэюя]|$)", "й", spelled)
        # й before a vowel is written with the vowel: Хьюз, Мэттью, Йейтс -> Йейтс
        spelled = re.sub(
            f"([{_CY_CONSONANT_LETTERS}])й([ауэ])",
            lambda m: m.group(1) + "ь" + _IOTATED[m.group(2)],
            spelled,
        )
        spelled = re.sub(
            r"(^|[аеиоуэюя])й([ауэ])", lambda m: m.group(1) + _IOTATED[m.group(2)], spelled
        )
        return spelled.replace("ьь", "ь")
    return spelled.replace("اا", "ا").replace("وو", "و").replace("يي", "ي")


Frequency = Callable[[str], float]  # Zipf frequency of a spelling in the script's languages


def _score(candidate: Candidate, frequency: Frequency, sounded: str) -> float:
    zipf = frequency(candidate.spelling)
    return (
        min(zipf, ENOUGH + ABOVE_ENOUGH * (zipf - ENOUGH))
        + PRONUNCIATION_BONUS * (candidate.reading == "en")
        - HEDGE_COST * candidate.hedges
        - TRUNCATION_COST * _missing(candidate.spelling, sounded)
    )


_VOWEL_SIGNS = set("аеёиоуыэюяйьъاوي")


def _consonants(spelled: str) -> int:
    return sum(1 for c in re.sub(r"(.)\1+", r"\1", spelled) if c not in _VOWEL_SIGNS)


def _missing(spelled: str, sounded: str) -> int:
    """What ``spelled`` leaves out of the English pronunciation's spelling ``sounded``: its
    consonants (Тоне for Тонер), and in Arabic its final vowel (هيك for هايكو)."""
    if not sounded:
        return 0
    missing = max(0, _consonants(sounded) - _consonants(spelled))
    if sounded[-1] in "اوي" and spelled[-1:] not in "اوي":
        missing += 1
    return missing


def _sounded(options: list[Candidate]) -> str:
    """The spelling the others are measured against: the English pronunciation's first, if the
    lexicon has the word, else the letter tables'."""
    first = {c.reading: c.spelling for c in reversed(options)}
    return first.get("en") or first.get("letters", "")


def _allowed(options: list[Candidate]) -> list[Candidate]:
    """A word whose letters point to a language (ö, ş, é, ñ) is spelled by its rules only."""
    first = options[0].reading if options else ""
    if first in ("de", "fr", "es", "tr"):  # readings() puts the hinted one first
        return [c for c in options if c.reading == first]
    return options


def choose(
    options: list[Candidate],
    frequency: Frequency,
    language: str | None = None,
    *,
    unsure_too: str = "",
) -> list[str]:
    """The spelling with the best ``_score`` among those the press uses (Zipf at least
    ``MIN_ATTESTED``), else the first one (``language``'s first, if the name's other words
    point to it). ``unsure_too``: when the best is rare in the lists (under ``ENOUGH``), also
    the English pronunciation's own spelling (``"sounded"``: Гренелл beside Гренель) or the
    letter tables' (``"letters"``: rare names, which the lists know least)."""
    if not options:
        return []
    attested = [c for c in options if frequency(c.spelling) >= MIN_ATTESTED]
    if not attested:
        return [next((c for c in options if c.reading == language), options[0]).spelling]

    def key(c: Candidate) -> tuple[float, int]:
        return (_score(c, frequency, sounded) + HINT_BONUS * (c.reading == language), -c.order)

    sounded = _sounded(options)
    chosen = max(attested, key=key)
    if _score(chosen, frequency, sounded) < MIN_ATTESTED - HEDGE_COST:
        # Only spellings that leave sounded letters out are in the lists: not this name.
        return [next((c for c in options if c.reading == language), options[0]).spelling]
    best = chosen.spelling
    second = sounded if unsure_too == "sounded" else _first_of(options, "letters")
    if unsure_too and second and second != best and frequency(best) < ENOUGH:
        return [best, second]
    return [best]


def _first_of(options: list[Candidate], reading: str) -> str:
    return next((c.spelling for c in options if c.reading == reading), "")


MAX_SPELLINGS = 4  # per name and script


def name_spellings(name: str, script: str, languages: tuple[str, ...] = ()) -> list[str]:
    """``name`` (Latin letters) in ``script``, each word spelled the way the press writes it
    (in Cyrillic, two ways where the lists are unsure); ``languages``: the script's configured
    languages whose word lists decide (default ar or ru)."""
    frequency = press_frequency(languages or (("ar",) if script == "Arab" else ("ru",)))
    per_word: list[list[str]] = []
    article = False
    words = _words(name)
    # One word's letters tell the name's language (Recep Tayyip Erdoğan, Wolfgang Büchele).
    language = next((h for h in map(_hinted_language, words) if h), None)
    for word in words:
        if word in ("al", "el") and not article:
            article = True  # al-Assad -> الأسد in Arabic; Асад in Russian
            continue
        options = _allowed(_cached_candidates(word, script))
        unsure_too = "sounded" if script == "Cyrl" else "letters"
        spelled = choose(options, frequency, language, unsure_too=unsure_too)
        if article and script == "Arab":
            spelled = ["ال" + s for s in spelled]
        article = False
        if spelled:
            per_word.append([s.capitalize() for s in spelled] if script == "Cyrl" else spelled)
    if not per_word:
        return []
    combined = itertools.islice(itertools.product(*per_word), MAX_SPELLINGS)
    return [" ".join(words) for words in combined]


def name_spelling(name: str, script: str, languages: tuple[str, ...] = ()) -> str | None:
    """The first of ``name_spellings``."""
    spellings = name_spellings(name, script, languages)
    return spellings[0] if spellings else None


@cache
def _cached_candidates(word: str, script: str) -> list[Candidate]:
    return candidates(word, script)


def _words(name: str) -> list[str]:
    """Lower-case words of a Latin name; initials (George W. Bush) left out."""
    text = unicodedata.normalize("NFC", name).replace("İ", "i").lower()
    words = re.split(r"[\s\-.]+", text)
    return [w.replace("'", "").replace("’", "") for w in words if len(w.strip("'’")) > 1]


@cache
def press_frequency(languages: tuple[str, ...]) -> Frequency:
    """Zipf frequency of a word in the most frequent of ``languages`` (wordfreq's lists, read
    directly: a dict lookup, where ``zipf_frequency`` tokenizes each word first). An Arabic
    word starting with a bare alef is also looked up with a hamza: the lists keep them apart
    (اينشتاين 3.1, أينشتاين 3.7)."""
    from wordfreq import get_frequency_dict

    tables = []
    for language in languages:
        try:
            tables.append(get_frequency_dict(language))
        except LookupError:
            continue

    def frequency(word: str) -> float:
        forms = [word.lower()]
        if word.startswith("ا"):
            forms.append("أ" + word[1:])
        best = max((t.get(f, 0.0) for t in tables for f in forms), default=0.0)
        return math.log10(best) + 9 if best > 0 else 0.0

    return frequency
