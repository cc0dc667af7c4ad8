"""First names in the configured languages' scripts (matching/firstnames.py)."""

from newswatch.matching.firstnames import first_names
from newswatch.matching.folding import fold_name


def test_native_and_transliterated_first_names_are_known() -> None:
    names = first_names(("ar", "en", "fr", "ru"))
    # Faker's own lists: a Russian and an Arabic first name.
    assert fold_name("Мария") in names and fold_name("أحمد") in names
    # English Peter as the Russian and Arabic press write it.
    assert fold_name("Питер") in names and fold_name("بيتر") in names
    # Place names are not first names.
    assert fold_name("Петербург") not in names and fold_name("موسكو") not in names


def test_only_the_configured_scripts_get_transliterated_names() -> None:
    assert fold_name("Питер") not in first_names(("en", "fr"))
    assert fold_name("Peter") in first_names(("en", "fr"))
