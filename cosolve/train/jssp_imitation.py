"""Behaviour cloning of CP-SAT schedules for the job shop policy.

At every step the label is a *set*: a candidate is correct when placing it now, at its
earliest start, does not collide with the expert's interval of any other unscheduled
operation on its machine; the candidate the expert starts first is always correct. The loss
is ``-log sum_{c correct} pi(c)``, which lets the policy pick any of several equally good
actions instead of being forced onto one arbitrary order. Episodes follow a correct action
drawn from the policy restricted to the correct set: any sequence of correct actions
rebuilds the expert's makespan (measured on 6x6 to 15x15 CP-SAT schedules), and the
policy trains on the states its own choices lead to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from cosolve.baselines.jssp_rules import run_rule
from cosolve.gnn.jssp_policy import JobShopPolicy, PolicyConfig
from cosolve.gnn.jssp_rollout import run_episodes
from cosolve.problems.jssp import evaluate, generate
from cosolve.problems.jssp.env import TIME, State, reset, step
from cosolve.problems.jssp.observe import observe
from cosolve.train.imitation import set_valued_loss
from cosolve.train.jssp_experts import ExpertSet, load_experts, prepare_experts
from cosolve.train.loop import Run, geometric_decay, seed_everything, start_run, train_loop
from cosolve.train.recipes import Recipe, TrainRequest


def expert_choice(state: State, expert_starts: torch.Tensor) -> torch.Tensor:
    """``[B]`` the unfinished job whose next operation starts first in the expert schedule."""
    starts = expert_starts.gather(2, state.next_op.clamp(max=state.n_machines - 1).unsqueeze(2)).squeeze(2)
    return starts.masked_fill(~state.mask, torch.iinfo(starts.dtype).max).argmin(dim=1)


def correct_actions(state: State, expert_starts: torch.Tensor) -> torch.Tensor:
    """``[B, J]`` bool: the set-valued imitation label (see the module docstring).

    Args:
        expert_starts: ``[B, J, M]`` the expert's start time of every operation.
    """
    batch, n_jobs, n_machines = state.durations.shape
    begin = state.earliest_start.unsqueeze(2).unsqueeze(3)  # [B, J(c), 1, 1]
    finish = begin + state.candidate_duration.unsqueeze(2).unsqueeze(3)
    unscheduled = torch.arange(n_machines, device=begin.device).view(1, 1, n_machines) >= state.next_op.unsqueeze(2)
    jobs = torch.arange(n_jobs, device=begin.device)
    other_job = (jobs.view(n_jobs, 1) != jobs.view(1, n_jobs)).view(1, n_jobs, n_jobs, 1)
    same_machine = state.machines.unsqueeze(1) == state.candidate_machine.view(batch, n_jobs, 1, 1)
    expert_end = (expert_starts + state.durations).unsqueeze(1)
    overlaps = (expert_starts.unsqueeze(1) < finish) & (expert_end > begin)
    collide = (unscheduled.unsqueeze(1) & same_machine & other_job & overlaps).any(dim=3).any(dim=2)
    correct = state.mask & ~collide
    correct[torch.arange(batch, device=begin.device), expert_choice(state, expert_starts)] = True
    return correct


def follow_correct(
    logits: torch.Tensor, correct: torch.Tensor, generator: torch.Generator | None = None
) -> torch.Tensor:
    """``[B]`` a correct action drawn from the policy restricted to the correct set.

    Any correct action keeps the expert's schedule reachable, so the episode visits the states
    the policy itself will meet (in its own dispatch order), not only the expert's time order.
    """
    probabilities = torch.softmax(logits.detach().masked_fill(~correct, float("-inf")), dim=1)
    return torch.multinomial(probabilities, 1, generator=generator).squeeze(1)


def imitate_episode(
    policy: JobShopPolicy,
    optimizer: torch.optim.Optimizer,
    state: State,
    expert_starts: torch.Tensor,
    chunk: int,
    grad_clip: float,
    generator: torch.Generator | None = None,
) -> list[float]:
    """One imitation episode over the batch ``state``, following correct actions, with an
    optimizer step every ``chunk`` decisions. Returns the losses of the chunks.

    Args:
        expert_starts: ``[B, J, M]`` the schedules to imitate.
    """
    losses, chunk_loss, n_steps = [], 0.0, state.n_jobs * state.n_machines
    for number in range(n_steps):
        logits, _ = policy(observe(state))
        correct = correct_actions(state, expert_starts)
        chunk_loss = chunk_loss + set_valued_loss(logits, correct)
        step(state, follow_correct(logits, correct, generator))
        if (number + 1) % chunk == 0 or number == n_steps - 1:
            optimizer.zero_grad()
            (chunk_loss / chunk).backward()
            torch.nn.utils.clip_grad_norm_(policy.parameters(), grad_clip)
            optimizer.step()
            losses.append(float(chunk_loss.detach()) / chunk)
            chunk_loss = 0.0
    return losses


@dataclass
class JobShopImitationArgs:
    """Everything a run depends on; stored in the checkpoint so it can resume."""

    data: list[str]
    out: str
    episodes: int = 2000
    batch_size: int = 32
    chunk: int = 8
    lr: float = 1e-3
    lr_final: float = 1e-4
    grad_clip: float = 1.0
    validation_fraction: float = 0.1
    validate_every: int = 50
    rule_validation: list[str] = field(default_factory=lambda: ["20x20", "30x20", "50x15"])
    rule_validation_count: int = 8
    seed: int = 0
    device: str = "cpu"
    tensorboard: str | None = None
    config: dict = field(default_factory=lambda: PolicyConfig().to_dict())


def _split(experts: ExpertSet, fraction: float) -> tuple[ExpertSet, ExpertSet]:
    n_valid = max(1, int(len(experts) * fraction))
    pick = lambda sl: ExpertSet(**{k: getattr(experts, k)[sl] for k in ExpertSet.__dataclass_fields__})  # noqa: E731
    return pick(slice(n_valid, None)), pick(slice(0, n_valid))


def greedy_makespans(policy: JobShopPolicy, instances: list, device: str) -> torch.Tensor:
    """``[N]`` makespans of greedy rollouts of one same-shape batch."""
    return run_episodes(policy, reset(instances, device)).makespan.cpu()


def validation_gap(
    policy: JobShopPolicy, sets: list[ExpertSet], device: str, rule_sets: list[tuple[list, np.ndarray]] = ()
) -> float:
    """The model-selection score: mean over validation sets of the greedy rollouts' gap (%)
    to the expert makespans and, for larger shops without experts, to FDD/MWKR's makespans
    (negative when the policy beats the rule). Larger shops guard generalisation."""
    policy.eval()
    gaps = []
    for experts in sets:
        makespans = greedy_makespans(policy, experts.instances(), device).numpy()
        gaps.append(float(np.mean(100.0 * (makespans / experts.makespan - 1.0))))
    for instances, reference in rule_sets:
        makespans = greedy_makespans(policy, instances, device).numpy()
        gaps.append(float(np.mean(100.0 * (makespans / reference - 1.0))))
    policy.train()
    return float(np.mean(gaps))


def rule_references(sizes: list[str], count: int, seed: int) -> list[tuple[list, np.ndarray]]:
    """Generated validation shops of ``sizes`` with FDD/MWKR's makespans as the reference."""
    references = []
    for number, size in enumerate(sizes):
        instances = generate(size, count, seed=20_000 + seed + number)
        makespans = np.array([evaluate(i, s) for i, s in zip(instances, run_rule(instances, "fdd-mwkr"))])
        references.append((instances, makespans))
    return references


def train(
    args: JobShopImitationArgs,
    resume: str | None = None,
    log: Callable[[str], None] = print,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict:
    """Train (or resume) a policy by imitation; writes ``args.out`` (best), ``args.out + '.last'``
    and a CSV log ``args.out + '.csv'`` (one row per validation). ``progress(done, total, status)``
    is called after every episode (e.g. to drive a progress bar)."""
    seed_everything(args.seed)
    sets = [_split(load_experts(path), args.validation_fraction) for path in args.data]
    train_sets, valid_sets = [s[0] for s in sets], [s[1] for s in sets]
    rule_sets = rule_references(args.rule_validation, args.rule_validation_count, args.seed)
    train_instances = [experts.instances() for experts in train_sets]
    policy = JobShopPolicy(PolicyConfig(**args.config)).to(args.device)
    optimizer = torch.optim.Adam(policy.parameters(), lr=args.lr)
    run = start_run("jssp", "episode", policy, optimizer, args.seed, args.device, resume)
    run.about = {"algo": "imitation", "sizes": [f"{s.machines.shape[1]}x{s.machines.shape[2]}" for s in train_sets]}

    def episode(run: Run) -> dict:
        number = run.done % len(train_sets)
        experts = train_sets[number]
        chosen = run.rng.choice(len(experts), size=min(args.batch_size, len(experts)), replace=False)
        instances = [train_instances[number][i] for i in chosen]
        expert_starts = torch.as_tensor(experts.start_times[chosen], dtype=TIME, device=args.device)
        state = reset(instances, args.device)
        losses = imitate_episode(policy, optimizer, state, expert_starts, args.chunk, args.grad_clip, run.generator)
        return {"loss": float(np.mean(losses))}

    def validate(trained: JobShopPolicy) -> tuple[float, dict]:
        gap = validation_gap(trained, valid_sets, args.device, rule_sets)
        return gap, {"valid_gap": gap}

    schedule = geometric_decay(args.lr, args.lr_final, args.episodes)
    return train_loop(run, args, args.episodes, episode, validate, schedule, log, progress)


def run_recipe(request: TrainRequest) -> dict:
    """``cosolve train jssp``: CP-SAT schedules of random shops (cached), then imitation."""
    options = request.options
    sizes = request.sizes("jssp")
    rule_sizes = request.sizes("jssp", "rule_validation")  # checked before any solving
    folder, seconds = request.expert_folder(), options["expert_time_limit"]
    paths = prepare_experts(sizes, options["experts"], folder, seconds, request.seed, options["jobs"], request.log)
    args = JobShopImitationArgs(
        data=paths,
        **request.common(),
        episodes=options["episodes"],
        batch_size=options["batch_size"],
        validate_every=options["validate_every"],
        rule_validation=rule_sizes,
    )
    return request.train(train, args)


RECIPE = Recipe(
    problem="jssp",
    mode="static",
    algo="imitation",
    summary="imitation of CP-SAT schedules of random shops (set-valued labels)",
    defaults={
        "sizes": "6x6,10x10",
        "episodes": 500,
        "batch_size": 32,
        "validate_every": 25,
        "experts": 200,
        "expert_time_limit": 1.0,
        "data_dir": None,
        "jobs": 1,
        "rule_validation": "20x20,30x20,50x15",
        "tensorboard": None,
    },
    run=run_recipe,
    score="validation gap (%)",
    settings={  # the shipped jssp.pt: (size, instances, CP-SAT seconds, seed) per expert set
        "shipped": {"experts": [("6x6", 400, 1.0, 101), ("10x10", 400, 1.0, 102), ("15x15", 120, 3.0, 103)]}
    },
    arguments=JobShopImitationArgs,
)
