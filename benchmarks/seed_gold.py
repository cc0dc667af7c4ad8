"""Hand labels for the seed article (``../shared/seed``), one entry per non-empty line.

Labelled by reading the article: every named person or place of the watch list, with the surface
form as written (clitics included). Adjectives (الروسي, السورية, Russian) are not mentions. A
name inside an organisation's name (قوات سوريا الديمقراطية) counts when the place is also named
on its own in that line. Only ids, kinds and short surface forms are stored here, not the text.
"""

from __future__ import annotations

__all__ = ["SEED_FILE", "SEED_GOLD", "SEED_SHA256"]

SEED_FILE = "000_fe08c59a11eb98b9.txt"
SEED_SHA256 = "4c579f627dbe1c7c892d3a97a773f6e9321911c15a8ee7bf291bdd90c6f1df43"

_P, _L = "person", "place"

# line index -> (watch-list id, kind, surface)
SEED_GOLD: dict[int, tuple[tuple[str, str, str], ...]] = {
    0: (("washington", _L, "واشنطن"), ("moscow", _L, "موسكو"), ("syria", _L, "سوريا")),
    1: (
        ("john-kerry", _P, "John Kerry"),
        ("sergey-lavrov", _P, "Sergey Lavrov"),
        ("kremlin", _L, "Kremlin"),
        ("moscow", _L, "Moscow"),
        ("russia", _L, "Russia"),
        ("vladimir-putin", _P, "Vladimir Putin"),
    ),
    2: (
        ("sergey-lavrov", _P, "سيرجي لافروف"),
        ("john-kerry", _P, "جون كيري"),
        ("kremlin", _L, "الكرملين"),
    ),
    3: (("washington", _L, "واشنطن"), ("russia", _L, "روسيا"), ("syria", _L, "سوريا")),
    4: (("mark-toner", _P, "مارك تونر"), ("russia", _L, "وروسيا")),
    5: (
        ("turkey", _L, "تركيا"),
        ("russia", _L, "وروسيا"),
        ("united-states", _L, "والولايات المتحدة"),
        ("syria", _L, "بسوريا"),
    ),
    6: (("syria", _L, "سوريا"), ("united-states", _L, "الولايات المتحدة")),
    7: (("turkey", _L, "تركيا"), ("mark-toner", _P, "تونر"), ("ankara", _L, "لأنقرة")),
    8: (("syria", _L, "سوريا"), ("geneva", _L, "جنيف")),
    9: (
        ("geneva", _L, "جنيف"),
        ("washington", _L, "واشنطن"),
        ("moscow", _L, "وموسكو"),
        ("aleppo", _L, "حلب"),
        ("syria", _L, "بسوريا"),
    ),
    10: (
        ("sergey-lavrov", _P, "سيرغي لافروف"),
        ("john-kerry", _P, "جون كيري"),
        ("geneva", _L, "بجنيف"),
    ),
    11: (("sergei-shoigu", _P, "سيرغي شويغو"), ("syria", _L, "سوريا")),
    12: (("syria", _L, "سوريا"), ("moscow", _L, "موسكو")),
    13: (("moscow", _L, "موسكو"), ("washington", _L, "وواشنطن"), ("syria", _L, "سوريا")),
}
