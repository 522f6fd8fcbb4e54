"""`consortia bench` on a tiny suite: table and JSON, and --compare catching a made-up regression."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from benchmarks.families import data_root
from cli.app import app

pytestmark = pytest.mark.skipif(not (data_root() / "orlib_pmedcap1").is_dir(),
                                reason="shared benchmark data absent")


def test_bench_writes_results_and_compare_flags_a_regression(tmp_path):
    runner = CliRunner()
    first = tmp_path / "first.json"
    result = runner.invoke(app, ["bench", "smoke", "--time-limit", "30", "--out", str(first)])
    assert result.exit_code == 0, result.output
    assert "cpmp01" in result.output and "reproduce the published record" in result.output
    document = json.loads(first.read_text())
    assert document["suites"] == ["smoke"] and document["settings"]["time_limit"] == 30
    assert {"machine", "versions", "commit"} <= set(document)
    row = next(r for r in document["results"] if r["instance"] == "cpmp01")
    assert row["status"] == "optimal" and row["value"] == 713 and row["match"] is True

    row["value"] = 700.0
    earlier = tmp_path / "earlier.json"
    earlier.write_text(json.dumps(document))
    again = runner.invoke(app, ["bench", "smoke", "--time-limit", "30", "--compare", str(earlier)])
    assert again.exit_code == 1
    assert "orlib_pmedcap1/cpmp01: objective 700.0 -> 713.0" in again.output


def test_bench_rejects_an_unknown_suite():
    result = CliRunner().invoke(app, ["bench", "no-such-suite"])
    assert result.exit_code == 2
    assert "unknown suite(s) no-such-suite" in result.output
