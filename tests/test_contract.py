"""Every registered problem provides the problem contract (regression: the CLI relied on
``parse_size``, ``read_all`` and the writer's default format, which the contract did not list)."""

from __future__ import annotations

import pytest

from cosolve.contract import Problem
from cosolve.errors import CosolveInputError
from cosolve.registry import get_problem, problem_names

REQUIRED = [name for name in Problem.__annotations__] + [
    name for name, value in vars(Problem).items() if callable(value) and not name.startswith("_")
]


@pytest.mark.parametrize("name", problem_names())
def test_every_problem_provides_the_contract(name):
    module = get_problem(name)
    missing = [piece for piece in REQUIRED if not hasattr(module, piece)]
    assert not missing, missing
    assert module.NAME == name and module.FORMATS[0] == "auto" and len(module.FORMATS) >= 2
    with pytest.raises(CosolveInputError):
        module.parse_size("not a size")
    assert "parse_size" in REQUIRED and "generate" in REQUIRED
