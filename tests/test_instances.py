"""The shipped job shop benchmarks (``cosolve.instances``) and their index."""

from __future__ import annotations

import pytest

from cosolve import instances
from cosolve.problems import jssp


def _names(prefix: str, first: int, last: int) -> list[str]:
    return [f"{prefix}{number:02d}" for number in range(first, last + 1)]


def _sets(prefix: str, sizes: list[tuple[int, int]], per_size: int, first: int = 1) -> dict[str, tuple[int, int]]:
    """Consecutive groups of ``per_size`` instances, one size per group: ``la01..la05`` 10x5, ..."""
    names = _names(prefix, first, first + per_size * len(sizes) - 1)
    return {name: sizes[position // per_size] for position, name in enumerate(names)}


# Published sizes (jobs, machines) of every classic set, written down independently of the index.
LA_SIZES = [(10, 5), (15, 5), (20, 5), (10, 10), (15, 10), (20, 10), (30, 10), (15, 15)]
TA_SIZES = [(15, 15), (20, 15), (20, 20), (30, 15), (30, 20), (50, 15), (50, 20), (100, 20)]
DMU_SIZES = [(20, 15), (20, 20), (30, 15), (30, 20), (40, 15), (40, 20), (50, 15), (50, 20)]
SIZES: dict[str, tuple[int, int]] = {
    "ft06": (6, 6),
    "ft10": (10, 10),
    "ft20": (20, 5),
    **_sets("la", LA_SIZES, 5),
    **_sets("ta", TA_SIZES, 10),
    **_sets("dmu", DMU_SIZES, 5),
    **_sets("dmu", DMU_SIZES, 5, first=41),
    **_sets("swv", [(20, 10), (20, 15), (50, 10), (50, 10)], 5),
    **_sets("orb", [(10, 10)], 10),
    "abz5": (10, 10),
    "abz6": (10, 10),
    "abz7": (20, 15),
    "abz8": (20, 15),
    "abz9": (20, 15),
}
YN = ["yn1", "yn2", "yn3", "yn4"]  # Yamada and Nakano (1992), 20 x 20, as JSPLIB names them


@pytest.fixture(scope="module")
def index():
    return instances.index("jssp")


def test_index_has_242_entries(index):
    assert len(index) == 242


def test_index_names_of_every_classic_set(index):
    names = set(index)
    assert len(SIZES) == 3 + 40 + 80 + 80 + 20 + 10 + 5 == 238
    missing = sorted(set(SIZES) - names)
    assert not missing, missing
    others = sorted(names - set(SIZES))
    assert len(others) == 4 and all(name.startswith("yn") for name in others), others


def test_yamada_nakano_standard_names(index):
    """The four Yamada-Nakano instances are yn1..yn4 (their JSPLIB / OR-Library names)."""
    assert [name for name in YN if name in index] == YN
    assert all(instances.path_of("jssp", name).is_file() for name in YN)


def test_entry_sizes_are_the_published_ones(index):
    wrong = {
        name: (entry["jobs"], entry["machines"])
        for name, entry in index.items()
        if (entry["jobs"], entry["machines"]) != SIZES.get(name, (20, 20))
    }
    assert not wrong, wrong


def test_every_shipped_file_reads_with_its_shape_and_fingerprint(index):
    problems = []
    for name, entry in index.items():
        path = instances.path_of("jssp", name)
        assert path.name == entry["file"] and path.is_file(), name
        instance = jssp.read(path)
        if instance.name != name:
            problems.append((name, "name", instance.name))
        if instance.shape != (entry["jobs"], entry["machines"]):
            problems.append((name, "shape", instance.shape))
        if instance.fingerprint() != entry["fingerprint"]:
            problems.append((name, "fingerprint", instance.fingerprint()))
        reference = instances.reference("jssp", instance)
        if reference is None or reference.name != name:
            problems.append((name, "reference", reference))
        elif reference.best_known != entry["best_known"] or reference.optimal != entry["optimal"]:
            problems.append((name, "reference values", reference))
    assert not problems, problems[:10]


def test_fingerprints_are_unique(index):
    fingerprints = [entry["fingerprint"] for entry in index.values()]
    assert len(set(fingerprints)) == len(fingerprints)


def test_folder_holds_exactly_the_indexed_files(index):
    folder = instances.FOLDER / "jssp"
    files = {path.name for path in folder.iterdir() if path.is_file() and path.suffix == ".jsp"}
    assert files == {entry["file"] for entry in index.values()}


def test_best_known_values_are_positive_integers(index):
    for name, entry in index.items():
        assert isinstance(entry["best_known"], int) and entry["best_known"] > 0, name
        assert isinstance(entry["optimal"], bool), name
        assert entry["lower_bound"] is None or isinstance(entry["lower_bound"], int), name


def test_best_known_not_below_lower_bound(index):
    bad = {
        name: (entry["best_known"], entry["lower_bound"])
        for name, entry in index.items()
        if entry["lower_bound"] is not None and entry["best_known"] < entry["lower_bound"]
    }
    assert not bad, bad


def test_optimal_entries_have_lower_bound_equal_to_best_known(index):
    bad = {
        name: (entry["best_known"], entry["lower_bound"])
        for name, entry in index.items()
        if entry["optimal"] and entry["lower_bound"] != entry["best_known"]
    }
    assert not bad, bad


def test_lower_bound_equal_to_best_known_means_optimal(index):
    """A lower bound equal to the makespan of a known schedule proves that schedule optimal,
    so such an entry cannot be marked not optimal (the flags or the bounds are wrong)."""
    contradictions = sorted(
        name
        for name, entry in index.items()
        if entry["lower_bound"] is not None and entry["lower_bound"] == entry["best_known"] and not entry["optimal"]
    )
    assert not contradictions, f"{len(contradictions)} entries: {contradictions}"


def test_makespan_lower_bound_from_the_data_holds(index):
    """No best-known makespan undercuts the trivial bounds: the longest job and the busiest machine."""
    bad = []
    for name in index:
        instance = jssp.read(instances.path_of("jssp", name))
        job_bound = int(instance.durations.sum(axis=1).max())
        machine_loads = [int(instance.durations[instance.machines == m].sum()) for m in range(instance.n_machines)]
        if index[name]["best_known"] < max(job_bound, max(machine_loads)):
            bad.append(name)
    assert not bad, bad


@pytest.mark.parametrize(
    "name, makespan",
    [("ft06", 55), ("ft10", 930), ("ft20", 1165), ("la01", 666), ("abz5", 1234), ("orb01", 1059), ("ta01", 1231)],
)
def test_classic_optima(name, makespan):
    reference = instances.reference("jssp", jssp.read(instances.path_of("jssp", name)))
    assert reference is not None
    assert (reference.name, reference.best_known, reference.optimal) == (name, makespan, True)


def test_reference_of_ta01():
    reference = instances.reference("jssp", jssp.read(instances.path_of("jssp", "ta01")))
    assert reference == instances.Reference("ta01", 1231, True, 1231)


def test_reference_of_a_random_instance_is_none():
    for instance in jssp.generate("6x6", 3, seed=0):
        assert instances.reference("jssp", instance) is None


def test_path_of_unknown_name():
    with pytest.raises(KeyError):
        instances.path_of("jssp", "ta81")
    with pytest.raises(KeyError):
        instances.path_of("nope", "ft06")


def test_index_of_unknown_problem_is_empty():
    assert instances.index("nope") == {}
