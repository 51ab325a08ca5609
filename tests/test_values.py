from __future__ import annotations

import pytest

from gatebook.engine.values import ValueProblem, read_value
from gatebook.questionnaire import Questionnaire


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("5M", 5_000_000),
        ("5.5m", 5_500_000),
        ("$5,000,000", 5_000_000),
        ("500k", 500_000),
        ("5000000", 5_000_000),
        ("1.25b", 1_250_000_000),
        ("$ 1,200.50", 1200.5),
        (750000, 750_000),
    ],
)
def test_money_as_people_say_it(every_type: Questionnaire, typed: object, expected: object) -> None:
    value = read_value(every_type.question("budget"), typed)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize("typed", ["lots", "5MM", "1,20,000", "$", "5 million dollars", "yes"])
def test_unreadable_money_says_what_is_accepted(every_type: Questionnaire, typed: str) -> None:
    with pytest.raises(ValueProblem, match="5M"):
        read_value(every_type.question("budget"), typed)


@pytest.mark.parametrize(("typed", "expected"), [("15", 15), ("15%", 15), ("15.5 %", 15.5)])
def test_percent(every_type: Questionnaire, typed: str, expected: float) -> None:
    assert read_value(every_type.question("margin"), typed) == expected


def test_percent_refuses_words(every_type: Questionnaire) -> None:
    with pytest.raises(ValueProblem, match="15%"):
        read_value(every_type.question("margin"), "fifteen")


def test_numbers_and_integers(every_type: Questionnaire) -> None:
    hours = every_type.question("hours")
    people = every_type.question("people")
    assert read_value(hours, "1,200") == 1200
    assert read_value(hours, "57.5") == 57.5
    assert read_value(people, "3") == 3
    with pytest.raises(ValueProblem, match="whole number"):
        read_value(people, "2.5")
    with pytest.raises(ValueProblem, match="number"):
        read_value(hours, "many")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("yes", True), ("Y", True), ("no", False), (False, False), ("true", True)],
)
def test_boolean(every_type: Questionnaire, typed: object, expected: bool) -> None:
    assert read_value(every_type.question("remote"), typed) is expected


def test_boolean_refuses_maybe(every_type: Questionnaire) -> None:
    with pytest.raises(ValueProblem, match="yes or no"):
        read_value(every_type.question("remote"), "maybe")


def test_choice_by_value_or_label(every_type: Questionnaire) -> None:
    size = every_type.question("size")
    assert read_value(size, "large") == "large"
    assert read_value(size, "very large") == "large"
    with pytest.raises(ValueProblem, match="small, medium, large"):
        read_value(size, "huge")


def test_multichoice_lists_and_commas(every_type: Questionnaire) -> None:
    data = every_type.question("data")
    assert read_value(data, "phi,pii") == ["pii", "phi"]
    assert read_value(data, []) == []
    assert read_value(data, ["none"]) == ["none"]
    with pytest.raises(ValueProblem, match="cannot be combined"):
        read_value(data, ["none", "pii"])
    with pytest.raises(ValueProblem, match="not one of"):
        read_value(data, "pii,xyz")


def test_rating_within_scale(every_type: Questionnaire) -> None:
    quality = every_type.question("quality_a")
    speed = every_type.question("speed")
    assert read_value(quality, "4") == 4
    assert read_value(speed, "fast") == 2
    with pytest.raises(ValueProblem, match="0 to 2"):
        read_value(speed, 3)


def test_date(every_type: Questionnaire) -> None:
    start = every_type.question("start")
    assert read_value(start, "2026-03-31") == "2026-03-31"
    for bad in ("31/03/2026", "2026-02-30", "soon"):
        with pytest.raises(ValueProblem, match="YYYY-MM-DD"):
            read_value(start, bad)


def test_table_rows_are_typed(every_type: Questionnaire) -> None:
    table = every_type.question("people_map")
    rows = read_value(table, '[{"who": "Ana", "raci": "a", "hours": "1,000"}]')
    assert rows == [{"who": "Ana", "raci": "A", "hours": 1000}]
    with pytest.raises(ValueProblem, match="row 1, raci"):
        read_value(table, [{"who": "Ana", "raci": "X"}])
    with pytest.raises(ValueProblem, match="unknown column"):
        read_value(table, [{"nope": 1}])
    with pytest.raises(ValueProblem, match="JSON"):
        read_value(table, "[{broken")


def test_checklist(every_type: Questionnaire) -> None:
    checks = every_type.question("checks")
    assert read_value(checks, "one") == {"one": True, "two": False}
    assert read_value(checks, {"two": "yes"}) == {"two": True}
    with pytest.raises(ValueProblem, match="unknown checklist item"):
        read_value(checks, "three")


def test_text_and_blank_clears(every_type: Questionnaire) -> None:
    assert read_value(every_type.question("story"), "a [b] story") == "a [b] story"
    assert read_value(every_type.question("budget"), "  ") is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1.2bn", 1_200_000_000),
        ("5 million", 5_000_000),
        ("5 millions", 5_000_000),
        ("750 thousand", 750_000),
        ("750 thousands", 750_000),
        ("2 billion", 2_000_000_000),
        ("USD 5M", 5_000_000),
        ("5m USD", 5_000_000),
        ("$5.5 M", 5_500_000),
    ],
)
def test_money_in_words_is_read_whole(every_type: Questionnaire, typed: str, expected: int) -> None:
    assert read_value(every_type.question("budget"), typed) == expected


@pytest.mark.parametrize(
    "typed", ["750 thousandz", "5 millionsss", "5 mil", "5 m m", "million", "5 million 3", "5M5"]
)
def test_money_partly_readable_is_refused_whole(every_type: Questionnaire, typed: str) -> None:
    with pytest.raises(ValueProblem, match="750 thousand"):
        read_value(every_type.question("budget"), typed)


@pytest.mark.parametrize(
    "raw",
    ["9" * 5000, 10**5000, "1e999999", float("inf"), float("nan"), "NaN", "Infinity", "-inf"],
    ids=["5000-digits-text", "5000-digits-int", "1e999999", "inf", "nan", "NaN", "Inf", "-inf"],
)
def test_absurd_numbers_are_refused_with_a_message(every_type: Questionnaire, raw: object) -> None:
    for question_id in ("budget", "margin"):
        with pytest.raises(ValueProblem):
            read_value(every_type.question(question_id), raw)


def test_money_is_not_negative_and_percent_is_0_to_100(every_type: Questionnaire) -> None:
    with pytest.raises(ValueProblem, match="minimum 0"):
        read_value(every_type.question("budget"), "-5M")
    with pytest.raises(ValueProblem, match="maximum 100"):
        read_value(every_type.question("margin"), "101")
    with pytest.raises(ValueProblem, match="minimum 0"):
        read_value(every_type.question("margin"), "-1%")
    assert read_value(every_type.question("margin"), "100%") == 100


def test_min_and_max_of_a_question(oqr: Questionnaire) -> None:
    with pytest.raises(ValueProblem, match="minimum 0"):
        read_value(oqr.question("total_hours"), "-1")
    with pytest.raises(ValueProblem, match="minimum 0"):
        read_value(oqr.question("partner_count"), -2)
    assert read_value(oqr.question("total_hours"), "0") == 0


@pytest.mark.parametrize(
    "typed", ["2026-02-30", "1899-12-31", "3000-01-01", "2026-13-01", "٢٠٢٦-٠١-٠١"]
)
def test_dates_must_exist_within_1900_to_2999(every_type: Questionnaire, typed: str) -> None:
    date_question = next(q for q in every_type.questions() if q.type == "date")
    with pytest.raises(ValueProblem):
        read_value(date_question, typed)
