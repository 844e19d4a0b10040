"""Training recipes: what ``cosolve train PROBLEM [--mode M] [--algo A]`` runs.

A recipe is one way to train one problem's policy: its mode (``static``/``dynamic`` for the
job shop, ``offline``/``online`` for bin packing, none for the others), its algorithm, the
command-line options it uses with their defaults (an option a recipe does not list is refused,
not ignored), fixed settings that are not options (validation sets, rollouts), and the function
that trains. Each trainer module defines its ``RECIPE`` beside its trainer; the registry lists
the modules (:data:`cosolve.registry.TRAINERS`); the CLI and ``scripts/`` call the same recipes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cosolve.errors import CosolveInputError

COMMON_OPTIONS = ("out", "device", "seed", "resume", "force")
"""Options every recipe takes."""

OPTION_HELP = {
    "sizes": "comma-separated training sizes",
    "episodes": "training length (--episodes, --steps and --iterations are the same option)",
    "batch_size": "instances per step",
    "validate_every": "steps between validations",
    "experts": "expert-solved instances per size",
    "expert": "the expert solver",
    "expert_time_limit": "expert seconds per instance",
    "data_dir": "where expert sets are cached (default: next to --out)",
    "jobs": "processes solving expert instances",
    "rule_validation": "larger validation sizes, scored against FDD/MWKR",
    "init": "start from this checkpoint's weights",
    "ppo_ewma": "batch-size-invariant PPO (EWMA proximal policy)",
    "tensorboard": "also log every step to this TensorBoard folder",
}
"""What each recipe option means (the CLI's ``--help`` for a problem lists them per recipe)."""


@dataclass
class TrainRequest:
    """One ``cosolve train`` call: the recipe's option values (its defaults filled in), and
    where to report."""

    out: Path
    options: dict[str, Any]
    device: str = "cpu"
    seed: int = 0
    resume: Path | None = None
    log: Callable[[str], None] = print
    progress: Callable[[int, int, str], None] | None = None

    def sizes(self, problem: str, option: str = "sizes") -> list[str]:
        """The comma-separated sizes of ``option``, each checked by the problem's generator."""
        from cosolve.registry import get_problem

        sizes = [size.strip() for size in str(self.options[option]).split(",") if size.strip()]
        if not sizes:
            raise CosolveInputError(f"--{option.replace('_', '-')}: expected at least one size")
        for size in sizes:
            get_problem(problem).parse_size(size)
        return sizes

    def common(self) -> dict[str, Any]:
        """What every trainer's arguments take from the request: ``out``, ``seed``, ``device``
        and ``tensorboard``."""
        board = self.options.get("tensorboard")
        return {
            "out": str(self.out),
            "seed": self.seed,
            "device": self.device,
            "tensorboard": str(board) if board else None,
        }

    def train(self, train: Callable[..., dict], args: Any, **extra) -> dict:
        """``train(args, resume=..., log=..., progress=..., **extra)``: a trainer run for this request."""
        resume = str(self.resume) if self.resume else None
        return train(args, resume=resume, log=self.log, progress=self.progress, **extra)

    def expert_folder(self) -> Path:
        folder = self.options.get("data_dir") or self.out.parent / f"{self.out.stem}_experts"
        return Path(folder)


@dataclass(frozen=True)
class Recipe:
    """One way to train one problem's policy.

    Attributes:
        problem: the registry's problem name.
        mode: ``""`` for a problem with one mode.
        algo: ``imitation``, ``ppo`` ...
        summary: one line for ``--help``.
        defaults: the options this recipe uses (besides :data:`COMMON_OPTIONS`) and their defaults.
        settings: fixed settings that are not options (validation sets, rollouts ...).
        run: trains; returns the trainer's result (``best``, ``done``, ``history``).
        score: what ``best`` measures, for the final message.
        arguments: the trainer's arguments dataclass (its defaults are the recipe's network).
    """

    problem: str
    mode: str
    algo: str
    summary: str
    defaults: dict[str, Any]
    run: Callable[[TrainRequest], dict]
    score: str = "validation score"
    settings: dict[str, Any] = field(default_factory=dict)
    arguments: type | None = None

    @property
    def name(self) -> str:
        return " ".join(
            part for part in (self.problem, f"--mode {self.mode}" if self.mode else "", f"--algo {self.algo}") if part
        )

    def request(self, out: Path, given: dict[str, Any], **kwargs) -> TrainRequest:
        """The request for the ``given`` options (those the user set); refuses one this recipe
        does not use."""
        unused = sorted(set(given) - set(self.defaults) - set(COMMON_OPTIONS))
        if unused:
            names = ", ".join("--" + option.replace("_", "-") for option in unused)
            uses = ", ".join("--" + option.replace("_", "-") for option in self.defaults)
            raise CosolveInputError(f"{names} does not apply to {self.name} (it uses {uses})")
        options = {**self.defaults, **{k: v for k, v in given.items() if k in self.defaults}}
        return TrainRequest(out=out, options=options, **kwargs)

    def describe(self) -> str:
        """A few lines for ``--help``: the summary and each option with its default."""
        lines = [f"{self.name}: {self.summary}"]
        for option, default in self.defaults.items():
            shown = "" if default in (None, False) else f" (default {default})"
            if option == "expert" and "experts" in self.settings:
                shown += f", one of {', '.join(self.settings['experts'])}"
            lines.append(f"    --{option.replace('_', '-')}: {OPTION_HELP.get(option, '')}{shown}")
        return "\n".join(lines)


def choose(recipes: list[Recipe], problem: str, mode: str | None, algo: str | None) -> Recipe:
    """The recipe of ``problem`` for ``mode`` and ``algo`` (each: the first one when omitted)."""
    modes = list(dict.fromkeys(recipe.mode for recipe in recipes))
    if mode is not None and mode not in modes:
        if modes == [""]:
            raise CosolveInputError(f"--mode: {problem} has one training mode (no --mode)")
        raise CosolveInputError(f"unknown {problem} mode {mode!r} (choose from {', '.join(modes)})")
    chosen = [recipe for recipe in recipes if recipe.mode == (modes[0] if mode is None else mode)]
    if algo is None:
        return chosen[0]
    for recipe in chosen:
        if recipe.algo == algo:
            return recipe
    available = ", ".join(recipe.algo for recipe in chosen)
    raise CosolveInputError(
        f"unknown training algorithm {algo!r} for {chosen[0].name.rsplit(' --algo', 1)[0]} (available: {available})"
    )
