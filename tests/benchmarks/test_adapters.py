"""Benchmark adapters parse each family's layout into the engine's instance with the family's conventions."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest

from benchmarks.families import FAMILIES, data_root
from benchmarks.families import districting_county_2010_vbl as county
from benchmarks.families import districting_tract_2010_vbl as tract
from benchmarks.families import lorena_senne_cpmp, orlib_pmed, orlib_pmedcap1
from benchmarks.reference import KINDS, REFERENCE_CSV, load_references, matches

CPMP_TEXT = "3 1\n0 0 10 2\n3 4 10 3\n1 1 10 1\n"


def _pair(case, a: int, b: int) -> float:
    return float(case.instance.distance.between(np.array([a]), np.array([b]))[0])


def test_pmedcap1_truncates_distances_and_reads_capacity(tmp_path):
    (tmp_path / orlib_pmedcap1.FOLDER).mkdir()
    (tmp_path / orlib_pmedcap1.FOLDER / "cpmp99.txt").write_text(CPMP_TEXT)
    case = orlib_pmedcap1.load(tmp_path, "cpmp99")
    assert case.size == 3 and case.rules.consortia == 1 and case.rules.max_population == 10
    assert case.rules.unweighted_cost and not case.rules.contiguity
    assert list(case.instance.list_size) == [2, 3, 1]
    assert _pair(case, 0, 1) == 5.0 and _pair(case, 0, 2) == 1.0


def test_lorena_senne_keeps_real_distances(tmp_path):
    (tmp_path / lorena_senne_cpmp.FOLDER).mkdir()
    (tmp_path / lorena_senne_cpmp.FOLDER / "SJC0.dat").write_text(CPMP_TEXT)
    case = lorena_senne_cpmp.load(tmp_path, "SJC0")
    assert _pair(case, 0, 2) == pytest.approx(math.sqrt(2))


def test_pmed_last_duplicate_edge_holds_and_paths_are_shortest(tmp_path):
    (tmp_path / orlib_pmed.FOLDER).mkdir()
    (tmp_path / orlib_pmed.FOLDER / "pmed99.txt").write_text("3 3 2\n1 2 5\n2 3 4\n1 2 2\n")
    case = orlib_pmed.load(tmp_path, "pmed99")
    assert case.size == 3 and case.rules.consortia == 2 and case.rules.max_population is None
    assert _pair(case, 0, 1) == 2.0 and _pair(case, 0, 2) == 6.0
    assert list(case.instance.list_size) == [1, 1, 1]


def _state(with_matrix: bool) -> dict:
    nodes = [{"idx": i, "geoid": f"9900{i}", "pop": 100 + i, "lon": 0.0, "lat": 0.0, "x": 3000.0 * i,
              "y": 4000.0 * i} for i in range(3)]
    data = {"state": "ZZ", "k": 2, "L": 90, "U": 250, "nodes": nodes, "edges": [[0, 1], [1, 2]]}
    if with_matrix:
        data["dist_km"] = [[0, 5, 10], [5, 0, 5], [10, 5, 0]]
    return data


def test_county_uses_the_file_matrix_in_thousands_of_km(tmp_path):
    (tmp_path / county.FOLDER).mkdir()
    (tmp_path / county.FOLDER / "ZZ.json").write_text(json.dumps(_state(True)))
    assert county.names(tmp_path) == ["ZZ-cont", "ZZ-free"]
    case = county.load(tmp_path, "ZZ-cont")
    rules = case.rules
    assert (rules.consortia, rules.min_population, rules.max_population) == (2, 90, 250)
    assert rules.contiguity and rules.distance_power == 2
    assert _pair(case, 0, 2) == pytest.approx(0.010)
    assert not county.load(tmp_path, "ZZ-free").rules.contiguity


def test_tract_rounds_projected_metres_to_km(tmp_path):
    (tmp_path / tract.FOLDER).mkdir()
    (tmp_path / tract.FOLDER / "ZZ.json").write_text(json.dumps(_state(False)))
    case = tract.load(tmp_path, "ZZ-free")
    assert _pair(case, 0, 1) == pytest.approx(0.005)
    assert len(case.instance.edges) == 2


def test_reference_csv_is_well_formed():
    with REFERENCE_CSV.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and set(rows[0]) == {"instance", "family", "value", "kind", "citation"}
    seen = set()
    for row in rows:
        assert row["family"] in FAMILIES and row["kind"] in KINDS and row["citation"].strip()
        assert (row["value"] == "") == (row["kind"] == "infeasible")
        if row["value"]:
            assert float(row["value"]) > 0
        assert (row["family"], row["instance"]) not in seen
        seen.add((row["family"], row["instance"]))


def test_published_values_match_to_two_decimals():
    reference = load_references()[("orlib_pmedcap1", "cpmp01")]
    assert matches(713.0, reference) and not matches(714.0, reference)


@pytest.mark.skipif(not (data_root() / orlib_pmedcap1.FOLDER).is_dir(), reason="shared benchmark data absent")
def test_every_reference_names_an_instance_of_its_family():
    from benchmarks.families import case_names

    known = {family: set(case_names(family)) for family in FAMILIES if family != "nhs"}
    for family, instance in load_references():
        assert instance in known[family], f"{family}/{instance}"
