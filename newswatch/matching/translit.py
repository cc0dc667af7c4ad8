"""Rule-based transliteration of Latin-script person names into Arabic and Cyrillic.

The output is one plausible spelling per script, not the only one: the matcher finds the
others — Arabic spellings through the consonant skeleton (ج/غ/ق, س/ش, optional long vowels),
Russian ones through case endings. So the tables aim at the consonants and at where Arabic
writes long vowels, which is where spellings agree most.

    >>> to_arabic("Sergey Lavrov"), to_cyrillic("Sergey Lavrov")
    ('سيرغي لافروف', 'Сергей Лавров')
"""

from __future__ import annotations

import unicodedata

__all__ = [
    "arabic_word",
    "cyrillic_spellings",
    "cyrillic_word_alternatives",
    "to_arabic",
    "to_cyrillic",
]

_VOWELS = set("aeiouy")


def _ascii_words(name: str) -> list[str] | None:
    """Lower-case ASCII words of a Latin name (accents dropped), or None if not Latin. Initials
    (George W. Bush) are left out: other scripts rarely write them."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()
    words = plain.replace("-", " ").replace(".", " ").split()
    if not words or not all(w.isascii() and w.replace("'", "").isalpha() for w in words):
        return None
    kept = [w.replace("'", "") for w in words if len(w) > 1]
    return kept or None


# Longest match first. Each table maps a Latin sequence to its spelling; position rules
# (word start, after a vowel) are handled in the functions below.
_AR_MULTI = {
    "shch": "شتش",
    "sch": "ش",
    "tch": "تش",
    "kh": "خ",
    "gh": "غ",
    "sh": "ش",
    "ch": "تش",
    "zh": "ج",
    "th": "ث",
    "ph": "ف",
    "ck": "ك",
    "ts": "تس",
    "ou": "و",
    "oo": "و",
    "ee": "ي",
    "ey": "ي",
    "ei": "ي",
    "ay": "اي",
    "ai": "اي",
    "oy": "وي",
    "ya": "يا",
    "yu": "يو",
    "yo": "يو",
}
_AR_ONE = {
    "a": "ا",
    "b": "ب",
    "d": "د",
    "e": "ي",
    "f": "ف",
    "g": "غ",
    "i": "ي",
    "j": "ج",
    "k": "ك",
    "l": "ل",
    "m": "م",
    "n": "ن",
    "o": "و",
    "p": "ب",
    "q": "ق",
    "r": "ر",
    "s": "س",
    "t": "ت",
    "u": "و",
    "v": "ف",
    "w": "و",
    "x": "كس",
    "y": "ي",
    "z": "ز",
}


def _silent_final_e(word: str) -> bool:
    """English names end in a silent e after a vowel (Joe) or after a consonant when the word
    has a vowel before it (George, Mike); a lone vowel ending (Jose) is sounded."""
    return word.endswith("e") and (word[-2] in _VOWELS or any(c in _VOWELS for c in word[:-2]))


def arabic_word(word: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(word):
        if i + 1 < len(word) and word[i] == word[i + 1] and word[i] not in _VOWELS:
            i += 1  # double consonants are written once (shadda is not written in news)
            continue
        for size in (4, 3, 2):
            chunk = word[i : i + size]
            if len(chunk) == size and chunk in _AR_MULTI:
                piece = _AR_MULTI[chunk]
                i += size
                break
        else:
            c = word[i]
            i += 1
            if c == "h":
                # Sounded at the start and between vowels (Netanyahu, Mohammed); silent after a
                # vowel before a consonant or at the end (John -> جون).
                between = i >= 2 and word[i - 2] in _VOWELS and i < len(word) and word[i] in _VOWELS
                piece = "ه" if i == 1 or between else ""
            elif c == "e" and i == len(word) and i >= 3 and _silent_final_e(word):
                piece = ""  # Joe -> جو, George -> جورج, Rice -> رايس
            elif c == "c":
                piece = "س" if i < len(word) and word[i] in "eiy" else "ك"
            elif c in "ei" and i == 1:
                piece = "اي"  # a word-initial e/i is written with alef: Emmanuel -> ايمانويل
            elif c in "ou" and i == 1:
                piece = "او"
            else:
                piece = _AR_ONE.get(c, "")
        if out and piece and out[-1][-1:] == piece[:1] and piece[:1] in "اوي":
            piece = piece[1:]  # one long vowel, not two
        out.append(piece)
    spelled = "".join(out)
    if word[0] in _VOWELS and not spelled.startswith("ا"):
        spelled = "ا" + spelled  # a name starting with a vowel is written with alef: Einstein
    return spelled


def to_arabic(name: str) -> str | None:
    words = _ascii_words(name)
    if words is None:
        return None
    out: list[str] = []
    article = False
    for word in words:
        if word in ("al", "el") and not article:
            article = True  # al-Assad -> الاسد: the article is written joined to the name
            continue
        spelled = arabic_word(word)
        if article:
            spelled = "ال" + spelled
            article = False
        if spelled:
            out.append(spelled)
    return " ".join(out) or None


_CY_MULTI = {
    "shch": "щ",
    "sch": "ш",
    "tch": "ч",
    "kh": "х",
    "zh": "ж",
    "ch": "ч",
    "sh": "ш",
    "ts": "ц",
    "tz": "ц",
    "ph": "ф",
    "ck": "к",
    "ya": "я",
    "ia": "ия",
    "yu": "ю",
    "iu": "ю",
    "yo": "ё",
    "ye": "е",
    "ey": "ей",
    "ei": "ей",
    "ay": "ай",
    "ai": "ай",
    "oy": "ой",
    "oi": "ой",
    "iy": "ий",
    "ou": "у",
    "oo": "у",
    "ee": "и",
    "qu": "кв",
}
_CY_ONE = {
    "a": "а",
    "b": "б",
    "d": "д",
    "e": "е",
    "f": "ф",
    "g": "г",
    "i": "и",
    "j": "дж",
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "p": "п",
    "q": "к",
    "r": "р",
    "s": "с",
    "t": "т",
    "u": "у",
    "v": "в",
    "w": "у",
    "x": "кс",
    "y": "и",
    "z": "з",
}


def _cyrillic_word(word: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(word):
        for size in (4, 3, 2):
            chunk = word[i : i + size]
            if len(chunk) == size and chunk in _CY_MULTI:
                piece = _CY_MULTI[chunk]
                if chunk in ("ye", "ya", "yu", "yo") and i > 0 and word[i - 1] not in _VOWELS:
                    piece = "ь" + piece  # Ilyich -> Ильич
                i += size
                break
        else:
            c = word[i]
            prev = word[i - 1] if i else ""
            i += 1
            if c == "h":
                between = prev in _VOWELS and i < len(word) and word[i] in _VOWELS
                piece = "х" if not prev or between else ""
            elif c == "c":
                piece = "с" if i < len(word) and word[i] in "eiy" else "к"
            elif c == "e" and i == len(word) and len(word) > 2 and _silent_final_e(word):
                piece = ""  # Joe -> Джо, Mike -> Майк
            elif c == "e" and (not prev or prev in _VOWELS):
                piece = "э"  # Erdogan -> Эрдоган, Emmanuel -> Эммануэль
            elif c == "y" and prev in _VOWELS:
                piece = "й"
            elif c in "yi" and i == len(word) and word.endswith(("sky", "ski")):
                piece = "ий"  # Zelensky -> Зеленский
            else:
                piece = _CY_ONE.get(c, "")
        out.append(piece)
    return "".join(out)


def to_cyrillic(name: str) -> str | None:
    """The first of ``cyrillic_spellings``."""
    spellings = cyrillic_spellings(name)
    return spellings[0] if spellings else None


MAX_SPELLINGS = 4


def cyrillic_word_alternatives(latin: str) -> list[str]:
    spelled = _cyrillic_word(latin)
    if not spelled:
        return []
    out = [spelled]
    if (
        latin.endswith("y")
        and len(latin) > 2
        and latin[-2] not in _VOWELS
        and latin[-3] != latin[-2]
        and spelled.endswith("и")
    ):
        out.append(spelled + "й")  # Dmitry -> Дмитрий, Yury -> Юрий (Kerry stays Керри)
    if spelled.endswith("л"):
        out.append(spelled + "ь")  # Merkel -> Меркель, Emmanuel -> Эммануэль
    return out


def cyrillic_spellings(name: str) -> list[str]:
    """Cyrillic spellings of a Latin name: where Russian usage splits (final -y, final -l),
    each word's alternatives, combined (at most ``MAX_SPELLINGS``)."""
    words = _ascii_words(name)
    if words is None:
        return []
    spellings = [""]
    for word in (w for w in words if w not in ("al", "el")):
        options = cyrillic_word_alternatives(word)
        if not options:
            continue
        spellings = [f"{s} {o.capitalize()}".strip() for s in spellings for o in options]
        spellings = spellings[:MAX_SPELLINGS]
    return [s for s in spellings if s]
