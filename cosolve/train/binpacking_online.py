"""Training the online bin packing policy: imitation of a lookahead expert (DAgger), then
optionally PPO.

1. **Imitation** (the first ``imitation_iterations``): each iteration draws
   ``streams_per_iteration`` random streams of one distribution (the distributions take
   turns), packs them with the greedy policy (with best fit in the first
   ``best_fit_roll_in`` iterations), and at ``decisions`` random decisions of those packings
   asks the lookahead expert of :mod:`cosolve.train.binpacking_lookahead` (best fit plus a
   simulation of sampled continuations, which beats best fit) which bin it would take; the
   answers join a buffer of the most recent ``buffer`` labelled decisions, and ``updates``
   optimizer steps of cross-entropy on minibatches of it follow. Rolling in with the policy itself
   (DAgger) teaches it to recover from the states its own choices lead to.
2. **PPO** (the remaining iterations, none by default) on the shared core
   (:mod:`cosolve.train.ppo`) with a shared baseline instead of a critic (as in POMO / GRPO):
   each stream is packed ``rollouts`` times with sampled actions; the reward of a decision is
   minus the bins it opens, its advantage the discounted return (``gamma``) minus the mean
   return of the same stream's other rollouts at the same step; ``update_epochs`` passes replay
   all decisions in chunks of ``chunk_steps`` steps
   (:func:`~cosolve.gnn.binpacking_online_rollout.replay`) with the clipped objective and an
   entropy bonus. Measured: started from imitation of best fit, 340 PPO iterations (21,760
   sampled 120-500-item rollouts) left the greedy policy exactly as good as best fit, no
   better: one decision's effect on the final bin count is small beside the noise of hundreds
   of sampled ones. The lookahead expert gives every labelled decision its own answer instead.

Every ``validate_every`` iterations the greedy policy packs fixed validation streams of each
distribution; the score is the mean % of bins above the L1 bound (lower is better). The shared
loop (:mod:`cosolve.train.loop`) writes the log and checkpoints; a resumed run continues exactly
(weights, optimizer, random states, the buffer of labelled decisions, PPO-EWMA's state).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from cosolve.baselines.binpacking_heuristics import fit_priority, pack
from cosolve.gnn.binpacking_online_policy import OnlinePackingPolicy, OnlinePolicyConfig
from cosolve.gnn.binpacking_online_rollout import PROBLEM, Trajectory, replay, run_online
from cosolve.gnn.decode import categorical_entropy
from cosolve.problems.binpacking.env import reset, reset_tensors
from cosolve.problems.binpacking.generate import generate, parse_size
from cosolve.problems.binpacking.observe_online import observe_decisions
from cosolve.train.binpacking_lookahead import lookahead_labels
from cosolve.train.loop import Run, geometric_decay, gradient_step, seed_everything, start_run, train_loop
from cosolve.train.ppo import Batch, Evaluation, Learner, PPOArgs, discounted_returns, leave_one_out
from cosolve.train.recipes import Recipe, TrainRequest

DEFAULT_STREAMS = ["u120", "u250", "weibull500"]


@dataclass(kw_only=True)
class OnlineTrainingArgs(PPOArgs):
    """Everything a run depends on (the PPO phase's knobs from
    :class:`~cosolve.train.ppo.PPOArgs`); stored in the checkpoint so it can resume."""

    out: str
    streams: list[str] = field(default_factory=lambda: list(DEFAULT_STREAMS))
    iterations: int = 400
    imitation_iterations: int = 400  # the rest are PPO iterations
    streams_per_iteration: int = 4
    decisions: int = 128  # labelled by the lookahead expert per imitation iteration
    buffer: int = 8192  # the most recent labelled decisions kept for training
    updates: int = 8  # optimizer steps per imitation iteration
    batch_size: int = 256  # decisions per optimizer step
    futures: int = 16
    horizon: int = 40
    best_fit_roll_in: int = 6  # first imitation iterations whose decisions come from best fit's packings
    rollouts: int = 8
    learning_rate: float = 1e-3
    lr_final: float = 1e-4
    gamma: float = 0.99
    update_epochs: int = 3
    num_minibatches: int = 1
    chunk_steps: int = 50
    ent_coef: float = 0.01
    max_grad_norm: float = 1.0
    validate_every: int = 10
    validation_count: int = 16
    seed: int = 0
    device: str = "cpu"
    time_limit: float | None = None  # seconds of this call; stops after the next validation
    tensorboard: str | None = None
    config: dict = field(default_factory=lambda: OnlinePolicyConfig().to_dict())


def stream_tensors(size: str, count: int, seed: int, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """``weights`` ``[count, n]`` and ``capacity`` ``[count]`` of generated streams of ``size``."""
    state = reset(generate(size, count, seed), device)
    return state.weights, state.capacity


def l1_bound(weights: torch.Tensor, capacity: torch.Tensor) -> torch.Tensor:
    """``[B]`` float, ``ceil(sum w / C)``."""
    return torch.ceil(weights.sum(dim=1).double() / capacity.double())


def evaluator(weights: torch.Tensor, capacity: torch.Tensor, trajectory: Trajectory):
    """``evaluate(network, steps)`` of a recorded rollout's decisions (see :mod:`cosolve.train.ppo`):
    the steps are replayed in one batch (:func:`~cosolve.gnn.binpacking_online_rollout.replay`)."""

    def evaluate(network: OnlinePackingPolicy, steps) -> Evaluation:
        observation, columns = replay(weights, capacity, trajectory, steps)
        log_p = torch.log_softmax(network(observation), dim=1)
        entropy = categorical_entropy(log_p, observation.mask)
        chosen = log_p.gather(1, columns.unsqueeze(1)).squeeze(1)
        return Evaluation(chosen.view(len(steps), -1), entropy.view(len(steps), -1))

    return evaluate


def roll_in(policy, weights, capacity, best_fit: bool) -> Trajectory:
    """The decisions of a greedy rollout of the policy (or of best fit) on the streams."""
    trajectory = Trajectory()
    chooser = (lambda state: fit_priority(state, "bf").argmax(dim=1)) if best_fit else None
    policy.eval()
    run_online(policy, reset_tensors(weights, capacity), trajectory=trajectory, chooser=chooser)
    policy.train()
    return trajectory


class DecisionBuffer:
    """The most recent ``size`` labelled decisions, as tensors padded to ``width`` items and bins.

    Labelling is the expensive part of imitation (a simulation per candidate bin), so every
    labelled decision serves several optimizer steps. Checkpoints keep its filled rows (as int32),
    so a resumed run samples from the same decisions.
    """

    def __init__(self, size: int, width: int, device: str):
        self.size, self.count, self.next = size, 0, 0
        zeros = lambda *shape: torch.zeros(*shape, dtype=torch.int64, device=device)  # noqa: E731
        self.weights, self.loads = zeros(size, width), zeros(size, width)
        self.capacity, self.n_open, self.t, self.label = zeros(size), zeros(size), zeros(size), zeros(size)

    def add(self, weights, capacity, loads, n_open, t, label) -> None:
        """Store ``D`` decisions: ``weights`` ``[D, n]``, ``loads`` ``[D, W]`` (both at most ``width``
        wide), ``capacity``, ``n_open``, ``t`` and ``label`` (the expert's bin) ``[D]``."""
        slots = (self.next + torch.arange(weights.shape[0], device=weights.device)) % self.size
        self.weights[slots] = torch.nn.functional.pad(weights, (0, self.weights.shape[1] - weights.shape[1]))
        self.loads[slots] = torch.nn.functional.pad(loads, (0, self.loads.shape[1] - loads.shape[1]))
        for name, value in (("capacity", capacity), ("n_open", n_open), ("t", t), ("label", label)):
            getattr(self, name)[slots] = value
        self.next = int(slots[-1] + 1) % self.size
        self.count = min(self.size, self.count + weights.shape[0])

    FIELDS = ("weights", "loads", "capacity", "n_open", "t", "label")

    def state_dict(self) -> dict:
        """The filled rows of every field (int32: weights, loads and bins fit) and the counters."""
        rows = {name: getattr(self, name)[: self.count].to(torch.int32).cpu() for name in self.FIELDS}
        return {**rows, "count": self.count, "next": self.next}

    def load_state_dict(self, state: dict) -> None:
        self.count, self.next = int(state["count"]), int(state["next"])
        for name in self.FIELDS:
            target = getattr(self, name)
            target[: self.count] = state[name].to(target.device, torch.int64)

    def sample(self, batch: int, generator: torch.Generator):
        """``(observation, columns)`` of ``batch`` stored decisions drawn at random."""
        rows = torch.randint(0, self.count, (batch,), generator=generator, device=self.weights.device)
        width = int(self.n_open[rows].max()) + 1
        view = observe_decisions(
            self.weights[rows], self.capacity[rows], self.loads[rows, :width], self.n_open[rows], self.t[rows]
        )
        return view, (view.index == self.label[rows].unsqueeze(1)).to(torch.int8).argmax(dim=1)


def label_decisions(policy, buffer, args, weights, capacity, generator, best_fit_roll_in: bool) -> None:
    """Ask the lookahead expert about ``args.decisions`` random decisions of a greedy rollout of
    the policy (or of best fit, ``best_fit_roll_in``) on the streams; store them in ``buffer``."""
    streams, n = weights.shape
    trajectory = roll_in(policy, weights, capacity, best_fit_roll_in)
    every_loads = trajectory.padded_loads(range(n))
    picks = torch.randint(0, n * streams, (args.decisions,), generator=generator, device=weights.device)
    steps, rows = picks // streams, picks % streams
    loads, n_open = every_loads[steps, rows], torch.stack(trajectory.n_open)[steps, rows]
    view, columns = lookahead_labels(
        weights[rows], capacity[rows], loads, n_open, steps, generator, args.futures, args.horizon
    )
    buffer.add(
        weights[rows], capacity[rows], loads, n_open, steps, view.index.gather(1, columns.unsqueeze(1)).squeeze(1)
    )


def imitation_step(run: Run, args: OnlineTrainingArgs, buffer: DecisionBuffer) -> float:
    """``args.updates`` optimizer steps of cross-entropy on minibatches of the buffer; the mean loss."""
    losses = []
    for _ in range(args.updates):
        view, columns = buffer.sample(args.batch_size, run.generator)
        loss = torch.nn.functional.cross_entropy(run.policy(view), columns)
        losses.append(gradient_step(run, loss, args.max_grad_norm))
    return float(np.mean(losses))


def advantages(trajectory: Trajectory, final_open: torch.Tensor, rollouts: int, gamma: float) -> torch.Tensor:
    """``[n, R]`` advantages of every decision of ``R = rollouts * streams`` rollouts
    (rollout-major): the discounted count of bins opened from the decision on (negated), minus
    the mean of the same stream's other rollouts at the same step (leave-one-out baseline)."""
    before = torch.stack(trajectory.n_open)  # [n, R]
    after = torch.cat([before[1:], final_open.unsqueeze(0)])
    return leave_one_out(discounted_returns(-(after - before).double(), gamma), rollouts).float()


def ppo_iteration(run: Run, learner: Learner, args: OnlineTrainingArgs, weights, capacity) -> dict:
    """Sampled rollouts of each stream, shared-baseline advantages, the core's clipped updates;
    returns the update's statistics and the mean number of bins of the rollouts."""
    weights, capacity = weights.repeat(args.rollouts, 1), capacity.repeat(args.rollouts)  # rollout-major
    trajectory = Trajectory()
    run.policy.eval()
    state = run_online(run.policy, reset_tensors(weights, capacity), True, run.generator, trajectory)
    run.policy.train()
    log_probs = torch.stack(trajectory.log_probs)  # [n, R]
    live = torch.ones_like(log_probs, dtype=torch.bool)
    batch = Batch(log_probs, live, advantages(trajectory, state.n_open, args.rollouts, args.gamma))
    stats = learner.update(run.policy, run.optimizer, batch, evaluator(weights, capacity, trajectory), run.rng)
    run.extra = learner.state_dict()
    return {**stats, "mean_bins": float(state.n_open.double().mean())}


def validation_sets(args: OnlineTrainingArgs) -> list[tuple[str, torch.Tensor, torch.Tensor, float]]:
    """Per distribution: weights, capacity and best fit's mean % above L1 on the validation streams."""
    sets = []
    for number, size in enumerate(args.streams):
        weights, capacity = stream_tensors(size, args.validation_count, 100_000 + number, args.device)
        best_fit = pack(weights, capacity, "bf").amax(dim=1) + 1
        sets.append((size, weights, capacity, float(excess(best_fit, weights, capacity))))
    return sets


def excess(bins: torch.Tensor, weights: torch.Tensor, capacity: torch.Tensor) -> float:
    """Mean % of ``bins`` ``[B]`` above the L1 bound."""
    return float((100.0 * (bins.double() / l1_bound(weights, capacity) - 1.0)).mean())


def validate(policy: OnlinePackingPolicy, sets: list) -> tuple[float, dict]:
    """The mean % above L1 of greedy rollouts over the validation distributions, and each one's."""
    scores = {}
    for size, weights, capacity, _ in sets:
        scores[size] = excess(run_online(policy, reset_tensors(weights, capacity)).n_open, weights, capacity)
    return float(np.mean(list(scores.values()))), scores


def train(
    args: OnlineTrainingArgs,
    resume: str | None = None,
    log: Callable[[str], None] = print,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict:
    """Train (or resume); writes ``args.out`` (best by validation), ``.last`` and ``.csv``."""
    seed_everything(args.seed)
    policy = OnlinePackingPolicy(OnlinePolicyConfig(**args.config)).to(args.device)
    optimizer = torch.optim.Adam(policy.parameters(), lr=args.learning_rate)
    run = start_run(PROBLEM, "iteration", policy, optimizer, args.seed, args.device, resume)
    run.about = {"algo": "imitation+ppo", "sizes": list(args.streams)}
    learner = Learner(policy, args, run.extra)
    sets = validation_sets(args)
    log("best fit on the validation streams: " + ", ".join(f"{size} {bf:.2f}%" for size, *_, bf in sets))
    longest = max(parse_size(size)[1] for size in args.streams)
    buffer = DecisionBuffer(args.buffer, longest, args.device)
    if "buffer" in run.extra:
        buffer.load_state_dict(run.extra["buffer"])

    def iteration(run: Run) -> dict:
        size = args.streams[run.done % len(args.streams)]
        weights, capacity = stream_tensors(
            size, args.streams_per_iteration, args.seed * 1_000_003 + run.done, args.device
        )
        if run.done >= args.imitation_iterations:
            return ppo_iteration(run, learner, args, weights, capacity)
        roll_in_with_best_fit = run.done < args.best_fit_roll_in
        label_decisions(run.policy, buffer, args, weights, capacity, run.generator, roll_in_with_best_fit)
        loss = imitation_step(run, args, buffer)
        run.extra = {"buffer": buffer.state_dict()}  # what a resumed imitation phase samples from
        return {"loss": loss}

    def validate_streams(trained: OnlinePackingPolicy) -> tuple[float, dict]:
        score, scores = validate(trained, sets)
        return score, {f"valid_{size}": value for size, value in scores.items()}

    schedule = geometric_decay(args.learning_rate, args.lr_final, args.iterations, args.time_limit)
    return train_loop(run, args, args.iterations, iteration, validate_streams, schedule, log, progress)


def run_recipe(request: TrainRequest) -> dict:
    """``cosolve train binpacking --mode online``: DAgger on the lookahead expert (the first
    quarter of the iterations, at most 30), then PPO."""
    options = request.options
    iterations = options["episodes"]
    args = OnlineTrainingArgs(
        **request.common(),
        streams=request.sizes("binpacking"),
        iterations=iterations,
        imitation_iterations=min(30, max(1, iterations // 4)),
        streams_per_iteration=options["batch_size"],
        validate_every=options["validate_every"],
        ppo_ewma=options["ppo_ewma"],
    )
    return request.train(train, args)


RECIPE = Recipe(
    problem="binpacking",
    mode="online",
    algo="imitation+ppo",
    summary="online policy (each item placed on arrival): DAgger on a lookahead expert, then PPO",
    defaults={
        "sizes": "u120,u250,weibull500",
        "episodes": 500,
        "batch_size": 32,
        "validate_every": 25,
        "ppo_ewma": False,
        "tensorboard": None,
    },
    run=run_recipe,
    score="validation bins above L1 (%)",
    arguments=OnlineTrainingArgs,
)
