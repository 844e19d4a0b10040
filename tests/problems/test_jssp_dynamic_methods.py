"""The dynamic job shop method table: every family resolves and runs, bad names are user errors
naming the method, and ``cosolve simulate``'s method list agrees with the table."""

from __future__ import annotations

import pytest
import typer

import cosolve.cli as cli
from cosolve.baselines.jssp_dynamic_rules import simulate_rule
from cosolve.baselines.jssp_rules import RULES
from cosolve.errors import CosolveInputError
from cosolve.methods import MethodSpec
from cosolve.problems.jssp import generate
from cosolve.problems.jssp.dynamic.check import check
from cosolve.problems.jssp.dynamic.env import Dynamics
from cosolve.problems.jssp.dynamic.methods import DEFAULT_METHODS, METHODS
from cosolve.problems.jssp.dynamic.shutdowns import ShutdownModel
from cosolve.simulate import check_method

BLOCKING_SWAP = Dynamics(ShutdownModel(prob=0.02), interrupt="resume", blocking=True, swap=True)


def test_the_table():
    assert set(METHODS) == {"gnn", "rule", "pilot", "reopt"}
    assert METHODS["rule"].usage == f"rule:<{'|'.join(RULES)}>"
    assert {MethodSpec.parse(method).family for method in DEFAULT_METHODS} <= set(METHODS)


GOOD = ["gnn", "gnn:checkpoint=some.pt", "pilot", "pilot:spt", "pilot:mor+spt", "reopt"]
GOOD += [f"rule:{rule}" for rule in RULES]


@pytest.mark.parametrize("text", [*GOOD, *DEFAULT_METHODS])
def test_every_family_resolves_and_validates(text):
    spec, family = check_method(text)
    assert spec.text == text and family is METHODS[spec.family]
    family.validate(spec)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("magic", "unknown method 'magic' for simulate (available: gnn[:checkpoint=PATH], rule:<"),
        ("rule:nope", "method 'rule:nope': unknown rule"),
        ("rule", "method 'rule': unknown rule"),
        ("rule:spt:plain", "method 'rule:spt:plain': unknown option 'plain'"),
        ("gnn:chekpoint=a.pt", "method 'gnn:chekpoint=a.pt': unknown option 'chekpoint'"),
        ("gnn:fast", "method 'gnn:fast': gnn takes options only"),
        ("pilot:mor+nope", "method 'pilot:mor+nope': unknown rule 'nope'"),
        ("pilot:spt:depth=2", "method 'pilot:spt:depth=2': unknown option 'depth'"),
        ("reopt:fast", "method 'reopt:fast': reopt takes no variant"),
    ],
)
def test_bad_methods_are_user_errors_naming_the_method(text, needle):
    with pytest.raises(CosolveInputError) as error:
        check_method(text)
    assert needle in str(error.value)


@pytest.mark.parametrize("text", ["gnn", "rule:mwkr", "pilot", "reopt"])
def test_every_family_runs_one_batch_of_checked_executions(text):
    spec, family = check_method(text)
    instances, seeds = generate("4x3", 1, seed=5) * 3, [1, 2, 3]
    executions, times = family.run(instances, spec, BLOCKING_SWAP, seeds, 0.2, "cpu")
    assert len(executions) == len(times) == 3 and all(t >= 0 for t in times)
    assert [execution.seed for execution in executions] == seeds
    for instance, execution in zip(instances, executions):
        check(instance, execution)
    if text == "rule:mwkr":
        expected = simulate_rule(instances, "mwkr", BLOCKING_SWAP, seeds)
        assert [e.makespan for e in executions] == [e.makespan for e in expected]


def test_the_simulate_command_lists_the_tables_methods():
    command = typer.main.get_command(cli.app).commands["simulate"]
    option = next(param for param in command.params if param.name == "methods")
    assert option.default == ",".join(DEFAULT_METHODS)
    listed = option.help.removeprefix("Comma-separated:").rstrip(".").split(",")
    listed = [name.strip() for name in listed]
    assert {MethodSpec.parse(name).family for name in listed} == set(METHODS)
    for name in listed:
        if "<" not in name:
            check_method(name)
