"""Method names and the settings every method receives.

A method maps a batch of instances of one problem to solutions. Its name on the CLI is
``family[:variant][:key=value...]``: ``rule:mwkr``, ``rule:spt:plain``, ``ortools``,
``ortools:hint=mwkr``, ``gnn:sample=128``. Each problem's ``methods`` module holds a
table ``family -> runner``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cosolve.errors import CosolveInputError
from cosolve.problems.tokens import to_float, to_integer


@dataclass(frozen=True)
class MethodSpec:
    """A parsed method name: ``rule:spt:plain`` -> family ``rule``, variant ``spt``, flags ``{plain}``."""

    text: str
    family: str
    variant: str | None = None
    options: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> MethodSpec:
        parts = [part.strip() for part in text.strip().split(":")]
        if not parts[0]:
            raise CosolveInputError(f"empty method name in {text!r}")
        variant, options = None, {}
        for part in parts[1:]:
            if not part:
                raise CosolveInputError(f"empty part in method {text!r}")
            if "=" in part:
                key, value = part.split("=", 1)
                options[key] = value
            elif variant is None and not options:
                variant = part
            else:
                options[part] = ""
        return cls(text=text.strip(), family=parts[0], variant=variant, options=options)

    def int_option(self, key: str, default: int) -> int:
        value = self.options.get(key)
        if value is None:
            return default
        try:
            return to_integer(value)
        except ValueError:
            raise CosolveInputError(f"method {self.text!r}: {key}={value!r} is not an integer") from None

    def float_option(self, key: str, default: float) -> float:
        value = self.options.get(key)
        if value is None:
            return default
        try:
            return to_float(value)
        except ValueError:
            raise CosolveInputError(f"method {self.text!r}: {key}={value!r} is not a number") from None

    def reject_unknown_options(self, known: Sequence[str]) -> None:
        unknown = sorted(set(self.options) - set(known))
        if unknown:
            allowed = ", ".join(known) or "none"
            raise CosolveInputError(f"method {self.text!r}: unknown option {unknown[0]!r} (allowed: {allowed})")


@dataclass(frozen=True)
class Settings:
    """What every method may use: limits, resources and randomness.

    Attributes:
        time_limit_s: wall-clock limit per instance for search methods (CP-SAT).
        workers: CPU workers for one solver call; 0 means every core.
        device: ``cpu``, ``cuda``, ``cuda:N`` or ``auto`` for batched tensor methods.
        seed: seed of every random choice.
    """

    time_limit_s: float = 10.0
    workers: int = 0
    device: str = "auto"
    seed: int = 0

    def resolved_workers(self) -> int:
        return self.workers or os.cpu_count() or 1

    def torch_device(self) -> str:
        """The concrete device: ``auto`` picks CUDA when present; an absent CUDA is an error."""
        import torch

        if self.device == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        if self.device.startswith("cuda") and not torch.cuda.is_available():
            raise CosolveInputError(f"device {self.device!r} asked for, but no CUDA device is available")
        if self.device != "cpu" and not self.device.startswith("cuda"):
            raise CosolveInputError(f"unknown device {self.device!r} (use cpu, cuda, cuda:N or auto)")
        return self.device


@dataclass(frozen=True)
class MethodOutput:
    """What a runner returns for one instance.

    ``status`` is ``heuristic`` for constructive methods, ``optimal`` / ``feasible`` /
    ``unknown`` for exact solvers; ``bound`` is a proven bound on the objective when known.
    """

    solution: Any | None
    runtime_s: float
    status: str = "heuristic"
    bound: float | None = None


Runner = Callable[[Sequence[Any], MethodSpec, Settings], list[MethodOutput]]
"""A method: same-shape instances in, one :class:`MethodOutput` per instance out."""


@dataclass(frozen=True)
class MethodFamily:
    """One entry of a problem's method table.

    Attributes:
        run: the runner.
        validate: raises ``CosolveInputError`` for a bad variant or option, before any work.
        usage: the names it accepts, for ``cosolve info`` (e.g. ``rule:<spt|mwkr|...>[:plain]``).
        batched: True when one call over many same-shape instances is much faster than one call
            per instance (rules and policies on the batched env); ``compare`` then batches.
    """

    run: Runner
    validate: Callable[[MethodSpec], None]
    usage: str
    batched: bool = False


def validate_construction_policy(spec: MethodSpec, extra_options: Sequence[str] = ()) -> tuple[int, bool]:
    """Validate ``gnn[:aug][:sample=N][:checkpoint=PATH]`` (the routing policies' method, with
    the problem's ``extra_options``); returns (samples, augment)."""
    if spec.variant not in (None, "aug", *extra_options):
        raise CosolveInputError(f"method {spec.text!r}: gnn takes aug and options (e.g. gnn:aug:sample=16)")
    spec.reject_unknown_options(["sample", "checkpoint", "aug", *extra_options])
    samples = spec.int_option("sample", 1)
    if samples < 1:
        raise CosolveInputError(f"method {spec.text!r}: sample must be at least 1")
    return samples, spec.variant == "aug" or "aug" in spec.options
