"""The text bar chart: bars to the eighth of a cell, scaled to the widest value, amounts at the
end of each line, several series told apart by a letter as well as by colour."""

from __future__ import annotations

from textual.app import App, ComposeResult

from billing_tui.widgets.bar_chart import BarChart, bar


def test_bars_are_eighths_of_a_cell_scaled_to_the_widest():
    assert bar(100, 100, 10) == "█" * 10
    assert bar(55, 100, 10) == "█████▌"  # 5.5 cells
    assert bar(1, 8, 1) == "▏" and bar(7, 8, 1) == "▉"
    assert bar(1, 1_000_000, 10) == "▏"  # not zero: never an empty bar
    assert bar(0, 100, 10) == "" and bar(5, 0, 10) == ""
    assert bar(-50, 100, 10) == "░" * 5  # a credit: a light shade, whole cells


class ChartApp(App):
    def compose(self) -> ComposeResult:
        yield BarChart()


async def rendered(labels, series, width: int = 60) -> list[str]:
    app = ChartApp()
    async with app.run_test(size=(width, 20)) as pilot:
        chart = app.query_one(BarChart)
        chart.show(labels, series)
        await pilot.pause()
        assert chart.line_count == (len(labels) * len(series) + 1 if labels else 1)
        return str(chart.render()).splitlines()


async def test_several_series_have_a_letter_each_and_a_legend():
    lines = await rendered(
        ["Bluewater Health Plan", "Patients"],
        [("0-30", [102_500, 3_818]), ("31-60", [27_500, -1_000])],
        width=66,
    )
    assert lines[0] == "Bars: a 0-30  b 31-60"
    assert len(lines) == 5 and all(len(line) <= 66 for line in lines)
    first, second = lines[1], lines[2]
    assert first.startswith("Bluewater Health Plan a █") and first.endswith(" 1,025.00")
    assert second.startswith(" " * len("Bluewater Health Plan") + " b █")
    assert second.endswith("   275.00")  # the amounts line up at the end
    assert len(first) == len(second) == 66
    # The widest value fills the bars' room; the others are to scale.
    room = 66 - len("Bluewater Health Plan ") - len("a ") - len(" 1,025.00")
    assert first.count("█") == room
    assert lines[3].startswith("Patients ") and lines[4].split()[1] == "░"
    assert lines[4].endswith("-10.00")


async def test_one_series_says_what_its_bars_are():
    lines = await rendered(["accepted", "draft"], [("Balance", [372_500, 0])], width=40)
    assert lines[0] == "Bars: Balance"
    assert lines[1].startswith("accepted █") and lines[1].endswith("3,725.00")
    assert lines[2].startswith("draft") and "█" not in lines[2] and lines[2].endswith("0.00")


async def test_long_labels_are_cut_and_nothing_to_chart_says_so():
    lines = await rendered(["A very long payer name, Inc. of Somewhere"], [("Owed", [100])], 40)
    assert lines[1].startswith("A very long … █")  # a third of the width
    assert len(lines[1]) == 40
    assert await rendered([], [("Owed", [])]) == ["Nothing to chart."]
