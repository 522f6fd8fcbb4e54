"""The scaling table reads the time to a gap from a solve's trajectory."""

from __future__ import annotations

from benchmarks.scaling import main, row, time_to_gap

TRAJECTORY = [
    {"seconds": 1.0, "stage": "first plan", "incumbent": 10.0, "bound": None},
    {"seconds": 5.0, "stage": "neighbourhoods 1", "incumbent": 10.0, "bound": 9.4},
    {"seconds": 9.0, "stage": "neighbourhoods 2", "incumbent": 9.8, "bound": 9.5},
    {"seconds": 20.0, "stage": "neighbourhoods 3", "incumbent": 9.59, "bound": 9.5},
]


def test_time_to_gap_is_the_first_step_within_it():
    assert time_to_gap(TRAJECTORY, 0.10) == 5.0  # (10 - 9.4) / 10 = 6 %
    assert time_to_gap(TRAJECTORY, 0.05) == 9.0  # (9.8 - 9.5) / 9.8 = 3.1 %
    assert time_to_gap(TRAJECTORY, 0.01) == 20.0  # (9.59 - 9.5) / 9.59 = 0.94 %
    assert time_to_gap(TRAJECTORY, 0.001) is None


def test_a_row_names_the_run_and_its_end():
    summary = {"trajectory": TRAJECTORY, "objective": 9.59, "bound": 9.5, "gap": 0.0094}
    assert row("nation", summary) == ["nation", "1.0 s", "9.0 s", "20.0 s", "9.590000, bound 9.500000, gap 0.94 %"]


def test_an_unreadable_summary_is_named_and_exits_2(tmp_path, capsys):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert main([str(tmp_path / "missing.json")]) == 2
    assert main([str(broken)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "missing.json" in captured.err and "broken.json" in captured.err
