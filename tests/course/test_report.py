"""course.report: the Markdown tables of report.md (and of every lab's own tables)."""

from dlpractice.course.report import format_value, table


def test_table_is_header_separator_and_one_line_per_row() -> None:
    text = table(("metric", "value", "met"), [("accuracy", 0.912345, "yes"), ("loss", 0.25, "**no**")])
    assert text.splitlines() == [
        "| metric | value | met |",
        "|---|---|---|",
        "| accuracy | 0.9123 | yes |",
        "| loss | 0.25 | **no** |",
    ]


def test_numbers_go_through_format_value_and_strings_are_left_as_they_are() -> None:
    rows = [(1 / 3, "0.333333", 7, None, True), (1e-7, "1e-07 ", 12345.678, "", 2.0)]
    lines = table(("a", "b", "c", "d", "e"), rows).splitlines()
    assert lines[2] == f"| {format_value(1 / 3)} | 0.333333 | 7 | None | True |"
    assert lines[2] == "| 0.3333 | 0.333333 | 7 | None | True |"
    assert lines[3] == "| 1e-07 | 1e-07  | 1.235e+04 |  | 2 |"  # a string keeps its spaces; 2.0 is written 2


def test_rows_may_be_any_iterable_even_an_empty_one() -> None:
    assert table(["x"], []) == "| x |\n|---|"
    assert table(("k", "v"), ((k, v) for k, v in {"lr": 0.01, "seed": 0}.items())).splitlines()[2:] == [
        "| lr | 0.01 |", "| seed | 0 |"]


def test_format_value_writes_floats_with_four_significant_digits_and_the_rest_with_str() -> None:
    assert [format_value(v) for v in (0.123456, 100.0, 2.5e-9, 3, "text", None)] == [
        "0.1235", "100", "2.5e-09", "3", "text", "None"]
