"""The bench runner: every case in its own process, rows in the cases' order, and a watchdog that stops a
case running past its allowance and reports it as overran."""

from __future__ import annotations

import time

import pytest

from benchmarks.families import data_root
from benchmarks.runner import BenchSettings, allowance, run_cases

pytestmark = pytest.mark.skipif(not (data_root() / "orlib_pmedcap1").is_dir(),
                                reason="shared benchmark data absent")


def test_watchdog_stops_a_case_past_its_allowance():
    # A 0.01 s limit cannot cover even the process start (importing Pyomo), so with no grace the watchdog
    # must stop the case and say so, well before the case could finish on its own.
    settings = BenchSettings(time_limit=0.01)
    began = time.monotonic()
    [row] = run_cases([("orlib_pmedcap1", "cpmp01")], settings, grace=0.2)
    assert row["status"] == "overran"
    assert row["family"] == "orlib_pmedcap1" and row["instance"] == "cpmp01"
    assert "watchdog" in row["reason"] and row["value"] is None
    assert time.monotonic() - began < 30


def test_rows_come_back_in_case_order_with_two_jobs():
    cases = [("orlib_pmedcap1", "cpmp02"), ("orlib_pmedcap1", "cpmp01")]
    rows = run_cases(cases, BenchSettings(time_limit=30, jobs=2))
    assert [(r["family"], r["instance"]) for r in rows] == cases
    assert all(r["status"] == "optimal" and r["verified"] for r in rows)
    assert [r["value"] for r in rows] == [740, 713]


def test_allowance_counts_each_peer_run():
    assert allowance(BenchSettings(time_limit=60)) == 75
    assert allowance(BenchSettings(time_limit=60, peers=True)) > 2 * 75
