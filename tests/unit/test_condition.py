import pytest

from newswatch.rules.condition import ConditionError, parse_condition


@pytest.mark.parametrize(
    ("text", "found", "expected"),
    [
        ("lavrov and syria and not sport", {"lavrov", "syria"}, True),
        ("lavrov and syria and not sport", {"lavrov", "syria", "sport"}, False),
        ("lavrov or kerry", {"kerry"}, True),
        ("(lavrov or kerry) and syria", {"kerry"}, False),
        ("lavrov or kerry and syria", {"lavrov"}, True),  # and binds tighter than or
        ("not not lavrov", {"lavrov"}, True),
        ("any", {"kerry"}, True),
        ("all", {"kerry"}, False),
        ("all", {"kerry", "lavrov", "syria"}, True),
    ],
)
def test_evaluate(text: str, found: set[str], expected: bool) -> None:
    entities = ("lavrov", "kerry", "syria")
    assert parse_condition(text).evaluate(frozenset(found), entities) is expected


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("lavrov and", 10, "ends too early"),
        ("lavrov syria", 7, "join entity names"),
        ("(lavrov or kerry", 16, "never closed"),
        ("lavrov && syria", 7, "unexpected character"),
        ("lavrov and or syria", 11, "expected an entity name"),
        ("   ", 0, "empty"),
    ],
)
def test_errors_carry_the_column(text: str, column: int, fragment: str) -> None:
    with pytest.raises(ConditionError) as err:
        parse_condition(text)
    assert err.value.column == column
    assert fragment in err.value.message


def test_round_trip_string_form() -> None:
    cond = parse_condition("a or (b and not c)")
    assert str(cond) == "a or (b and not c)"
    assert sorted(cond.names()) == ["a", "b", "c"]
