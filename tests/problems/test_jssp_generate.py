"""Taillard's generator: bit-exact published instances, seeded random sets, size parsing; flow-like shops."""

from __future__ import annotations

import numpy as np
import pytest

from cosolve import instances as shipped
from cosolve.errors import CosolveInputError
from cosolve.problems.jssp.generate import (
    TaillardRandom,
    generate,
    generate_flowlike,
    generate_spec,
    parse_size,
    taillard_instance,
)
from cosolve.problems.jssp.io import read


@pytest.mark.parametrize(
    ("name", "time_seed", "machine_seed"),
    [
        ("ta01", 840612802, 398197754),
        ("ta02", 1314640371, 386720536),
        ("ta03", 1227221349, 316176388),
    ],
)
def test_taillard_seeds_reproduce_shipped_instances(name, time_seed, machine_seed):
    expected = read(shipped.path_of("jssp", name))
    made = taillard_instance(15, 15, time_seed, machine_seed)
    assert made.shape == (15, 15)
    np.testing.assert_array_equal(made.durations, expected.durations)
    np.testing.assert_array_equal(made.machines, expected.machines)
    assert made.fingerprint() == shipped.index("jssp")[name]["fingerprint"]


def test_taillard_instance_name():
    assert taillard_instance(2, 2, 1, 2, name="x").name == "x"
    assert taillard_instance(2, 2, 1, 2).name == "taillard_2x2_1_2"


def test_taillard_random_bad_seed():
    for seed in (0, -5, 2**31 - 1):
        with pytest.raises(CosolveInputError):
            TaillardRandom(seed)


def test_taillard_random_range():
    rng = TaillardRandom(12345)
    values = [rng.uniform(3, 7) for _ in range(2000)]
    assert min(values) == 3 and max(values) == 7


def test_generate_is_deterministic():
    first = generate("4x3", 5, 7)
    second = generate("4x3", 5, 7)
    assert len(first) == len(second) == 5
    for a, b in zip(first, second):
        assert a.name == b.name
        np.testing.assert_array_equal(a.machines, b.machines)
        np.testing.assert_array_equal(a.durations, b.durations)
    # The instances inside one set differ from each other.
    assert len({instance.fingerprint() for instance in first}) == 5
    assert len({instance.name for instance in first}) == 5


def test_generate_different_seeds_differ():
    a = {instance.fingerprint() for instance in generate("6x6", 4, 1)}
    b = {instance.fingerprint() for instance in generate("6x6", 4, 2)}
    assert a.isdisjoint(b)


def test_generate_prefix_stable():
    """Asking for more instances with the same seed extends the list, it does not change it."""
    short, long = generate("3x3", 2, 11), generate("3x3", 4, 11)
    for a, b in zip(short, long):
        assert a.fingerprint() == b.fingerprint()


@pytest.mark.parametrize(("size", "shape"), [("15x15", (15, 15)), ("10X5", (10, 5)), ((3, 7), (3, 7)), ("1x1", (1, 1))])
def test_generate_distribution(size, shape):
    instances = generate(size, 6, 3)
    for instance in instances:
        assert instance.shape == shape
        assert instance.machines.dtype == np.int64 and instance.durations.dtype == np.int64
        assert instance.durations.min() >= 1 and instance.durations.max() <= 99
        for row in instance.machines:
            assert sorted(row.tolist()) == list(range(shape[1]))


def test_generate_durations_cover_range():
    durations = np.concatenate([i.durations.ravel() for i in generate("20x20", 5, 0)])
    assert durations.min() == 1 and durations.max() == 99


def test_generate_count_zero_and_negative():
    assert generate("3x3", 0, 0) == []
    with pytest.raises(CosolveInputError):
        generate("3x3", -1, 0)


@pytest.mark.parametrize(("text", "expected"), [("15x15", (15, 15)), ("20x5", (20, 5)), ("3X4", (3, 4))])
def test_parse_size_ok(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "15", "x", "15x", "x15", "axb", "15*15", "1x2x3", "0x5", "5x0", "-1x3", "1.5x2"])
def test_parse_size_errors(text):
    with pytest.raises(CosolveInputError) as info:
        parse_size(text)
    assert "size" in str(info.value)
    with pytest.raises(CosolveInputError):
        generate(text, 1, 0)


def test_flow_like_shops_are_valid_seeded_and_run_mostly_forward():
    shops = generate_flowlike("10x10", 20, seed=3)
    assert [s.name for s in shops] == [s.name for s in generate_flowlike("10x10", 20, seed=3)]
    assert all(np.array_equal(a.machines, b.machines) for a, b in zip(shops, generate_flowlike("10x10", 20, seed=3)))
    for shop in shops:
        assert shop.shape == (10, 10)
        assert (np.sort(shop.machines, axis=1) == np.arange(10)).all()  # every job visits every machine once
        assert shop.durations.min() >= 1 and shop.durations.max() <= 99
    positions = np.argsort(np.stack([s.machines for s in shops]), axis=2).mean(
        axis=(0, 1)
    )  # mean position of machine m
    assert (np.diff(positions) > 0).all()  # machine m comes later the larger m: jobs flow one way
    taillard = np.argsort(np.stack([s.machines for s in generate("10x10", 20, seed=3)]), axis=2).mean(axis=(0, 1))
    assert np.ptp(taillard) < 0.5 * np.ptp(positions)


def test_training_specs_name_the_family():
    assert generate_spec("flow:6x4", 2, seed=1)[0].name.startswith("flow_6x4")
    assert np.array_equal(generate_spec("6x4", 2, seed=1)[0].machines, generate("6x4", 2, seed=1)[0].machines)
    with pytest.raises(CosolveInputError, match="flow:JxM"):
        generate_spec("ring:6x4", 2, seed=1)
