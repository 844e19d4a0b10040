"""Event-driven job shop with machine shutdowns, blocking and swaps, batched on tensors.

Time runs forward. The state always stands at a *decision*: at the current time ``t`` some
jobs can start their next operation now (the job is not processing, the machine of its next
operation is up and free); the action picks one of them (``state.mask``), it starts at ``t``,
and the env moves on to the next decision: at the same time if another job can still start,
else through the coming events (completions, shutdowns, repairs, swaps) until one can. This is
the non-delay dispatching of Giffler and Thompson, online: a policy never sees the future.

Each switchable (:class:`Dynamics`):

- **shutdowns** (:mod:`.shutdowns`): a machine that fails interrupts its operation, which
  *restarts* from scratch when the machine is repaired (``interrupt="restart"``) or *resumes*
  with the work it had left (``"resume"``); the job stays on the machine meanwhile;
- **blocking**: no buffers between machines; a job that finished an operation keeps its machine
  occupied until the machine of its next operation takes it (finished jobs leave at once, jobs
  not yet started wait in an unlimited input buffer); a blocked job may leave a machine that is
  down;
- **swap**: blocked jobs that wait in a cycle, each for the machine the next one holds, all
  move at once when every machine of the cycle is up (the ISBJSSP rule), so such cycles never
  deadlock the shop. Without swaps a cycle is a deadlock: the instance stops with
  ``deadlocked`` set (its makespan is not defined).

Events at one time are handled in this order: completions, repairs, shutdowns, swaps. With no
shutdowns and no blocking the decisions are exactly those of the static env's non-delay
dispatching (:func:`cosolve.problems.jssp.env.nondelay_mask`), so every rule gives the same
schedule (for positive processing times; a zero-length operation here takes its machine for
an instant).

Shapes: ``B`` instances, ``J`` jobs, ``M`` machines. Times are int64.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace

import numpy as np
import torch

from cosolve.errors import CosolveInputError
from cosolve.problems.jssp.dynamic.shutdowns import NEVER, FixedShutdowns, RandomShutdowns, ShutdownModel
from cosolve.problems.jssp.env import JobProgress
from cosolve.problems.jssp.instance import Instance

INTERRUPT_MODES = ("restart", "resume")
HORIZON_FACTOR = 20
"""A run that passes ``HORIZON_FACTOR`` times the instance's total processing time stops with
an error: with ``restart`` and frequent shutdowns a long operation may practically never run
uninterrupted (at ``p = 0.05`` an operation of 99 time steps succeeds once in 160 tries)."""


@dataclass(frozen=True)
class Dynamics:
    """What can happen in the shop (all off: the static job shop, run online)."""

    shutdowns: ShutdownModel = field(default_factory=ShutdownModel)
    interrupt: str = "restart"
    blocking: bool = False
    swap: bool = False

    def __post_init__(self) -> None:
        if self.interrupt not in INTERRUPT_MODES:
            raise CosolveInputError(f"interrupt mode {self.interrupt!r}: expected one of {', '.join(INTERRUPT_MODES)}")
        if self.swap and not self.blocking:
            raise CosolveInputError("swaps only exist with blocking: turn blocking on too")


@dataclass
class State(JobProgress):
    """The batched state at a decision.

    Attributes:
        durations, machines: ``[B, J, M]`` int64, as in the instance.
        work_suffix: ``[B, J, M + 1]`` work of job ``j`` from operation ``o`` on.
        next_op: ``[B, J]`` the next operation not yet started (``M`` once all started).
        running: ``[B, J]`` bool, the job's operation ``next_op - 1`` is on its machine and not
            finished (processing, or interrupted by a shutdown).
        remaining: ``[B, J]`` processing time the running operation still needs.
        held: ``[B, J]`` the machine the job occupies (processing or blocked), ``-1`` if none.
        job_ready: ``[B, J]`` when the job's next operation became available (the completion
            of its previous one, 0 for the first).
        machine_job: ``[B, M]`` the job occupying each machine, ``-1`` when free.
        down: ``[B, M]`` bool, the machine is shut down now.
        window_start, window_end: ``[B, M]`` the machine's current (when down) or next shutdown.
        window_index: ``[B, M]`` how many shutdowns of the machine have started.
        time: ``[B]`` the current time. makespan: ``[B]`` the latest completion so far.
        deadlocked: ``[B]`` bool, blocked jobs wait in a cycle and swaps are off.
        dispatch_times, end_times, leave_times: ``[B, J, M]`` when each operation took its
            machine, finished processing and left the machine (``-1`` until then).
        log_start, log_end: ``[B, M, C]`` the shutdown windows that started, per machine in
            order (``window_index`` of them are set).
        interruptions, swaps: ``[B]`` counts of interrupted operations and of swapped jobs.
        mask: ``[B, J]`` bool, the jobs that can start now (the actions).
        instance_key: ``[B]`` a key of each instance's data (for the ``random`` rule).
        seeds: ``[B]`` the scenario seeds.
    """

    durations: torch.Tensor
    machines: torch.Tensor
    work_suffix: torch.Tensor
    next_op: torch.Tensor
    running: torch.Tensor
    remaining: torch.Tensor
    held: torch.Tensor
    job_ready: torch.Tensor
    machine_job: torch.Tensor
    down: torch.Tensor
    window_start: torch.Tensor
    window_end: torch.Tensor
    window_index: torch.Tensor
    time: torch.Tensor
    makespan: torch.Tensor
    deadlocked: torch.Tensor
    dispatch_times: torch.Tensor
    end_times: torch.Tensor
    leave_times: torch.Tensor
    log_start: torch.Tensor
    log_end: torch.Tensor
    interruptions: torch.Tensor
    swaps: torch.Tensor
    mask: torch.Tensor
    instance_key: torch.Tensor
    seeds: torch.Tensor
    dynamics: Dynamics
    scenario: RandomShutdowns | FixedShutdowns

    @property
    def finished(self) -> torch.Tensor:
        """``[B]`` bool: every operation completed."""
        return ((self.next_op == self.n_machines) & ~self.running).all(dim=1)

    @property
    def done(self) -> torch.Tensor:
        """``[B]`` bool: finished or deadlocked."""
        return self.finished | self.deadlocked

    @property
    def blocked(self) -> torch.Tensor:
        """``[B, J]`` bool: finished an operation and still holds its machine."""
        return (self.held >= 0) & ~self.running


def reset(
    instances: Sequence[Instance],
    dynamics: Dynamics | None = None,
    seeds: Sequence[int] | torch.Tensor | None = None,
    device: str | torch.device = "cpu",
    windows: Sequence[Sequence[tuple[int, int, int]]] | None = None,
) -> State:
    """The state at the first decision of each instance.

    Args:
        instances: one shape ``(J, M)`` for the whole batch.
        seeds: ``[B]`` scenario seeds (default 0 for every instance); the shutdowns of
            instance ``b`` depend on ``seeds[b]`` and the machine only.
        windows: instead of random shutdowns, the shutdown windows ``(machine, start, end)``
            of each instance (hand-made cases, or windows recorded from a run).
    """
    dynamics = dynamics or Dynamics()
    shapes = {instance.shape for instance in instances}
    if len(shapes) != 1:
        raise ValueError(f"a batch needs instances of one shape, got {sorted(shapes)}")
    (n_jobs, n_machines), batch = shapes.pop(), len(instances)
    durations = torch.as_tensor(np.stack([i.durations for i in instances]), dtype=torch.int64, device=device)
    machines = torch.as_tensor(np.stack([i.machines for i in instances]), dtype=torch.int64, device=device)
    suffix = durations.flip(2).cumsum(2).flip(2)
    seeds = torch.as_tensor([0] * batch if seeds is None else seeds, dtype=torch.int64, device=device)
    if windows is not None:
        if len(windows) != batch:
            raise ValueError(f"windows for {len(windows)} instances, the batch has {batch}")
        scenario: RandomShutdowns | FixedShutdowns = FixedShutdowns(windows, n_machines, device)
    else:
        mean_durations = durations.double().mean(dim=(1, 2))
        scenario = RandomShutdowns(dynamics.shutdowns, seeds, mean_durations)
        if dynamics.interrupt == "restart":
            _refuse_hopeless_restarts(scenario, durations, machines)
    job_zeros = torch.zeros(batch, n_jobs, dtype=torch.int64, device=device)
    machine_zeros = torch.zeros(batch, n_machines, dtype=torch.int64, device=device)
    window_start, window_end = scenario.window(machine_zeros)
    unset = torch.full_like(durations, -1)
    state = State(
        durations=durations,
        machines=machines,
        work_suffix=torch.cat([suffix, torch.zeros_like(suffix[..., :1])], dim=2),
        next_op=job_zeros.clone(),
        running=torch.zeros(batch, n_jobs, dtype=torch.bool, device=device),
        remaining=job_zeros.clone(),
        held=job_zeros - 1,
        job_ready=job_zeros.clone(),
        machine_job=machine_zeros - 1,
        down=torch.zeros(batch, n_machines, dtype=torch.bool, device=device),
        window_start=window_start,
        window_end=window_end,
        window_index=machine_zeros.clone(),
        time=torch.zeros(batch, dtype=torch.int64, device=device),
        makespan=torch.zeros(batch, dtype=torch.int64, device=device),
        deadlocked=torch.zeros(batch, dtype=torch.bool, device=device),
        dispatch_times=unset.clone(),
        end_times=unset.clone(),
        leave_times=unset.clone(),
        log_start=torch.full((batch, n_machines, 4), -1, dtype=torch.int64, device=device),
        log_end=torch.full((batch, n_machines, 4), -1, dtype=torch.int64, device=device),
        interruptions=torch.zeros(batch, dtype=torch.int64, device=device),
        swaps=torch.zeros(batch, dtype=torch.int64, device=device),
        mask=torch.zeros(batch, n_jobs, dtype=torch.bool, device=device),
        instance_key=torch.tensor([int(i.fingerprint()[:8], 16) >> 1 for i in instances], device=device),
        seeds=seeds,
        dynamics=dynamics,
        scenario=scenario,
    )
    _handle_events(state, torch.ones(batch, dtype=torch.bool, device=device))
    return advance(state)


def _refuse_hopeless_restarts(scenario: RandomShutdowns, durations: torch.Tensor, machines: torch.Tensor) -> None:
    """Refuse, before simulating, shutdowns under which restarted operations can hardly complete:
    when a machine's expected busy time (:meth:`RandomShutdowns.expected_restart_time` summed over
    its operations) passes the horizon at which :func:`advance` would stop the run anyway.

    Args:
        durations, machines: ``[B, J, M]`` int64.
    """
    expected = scenario.expected_restart_time(durations)  # [B, J, M]
    busy = torch.zeros(durations.shape[0], durations.shape[2], dtype=torch.float64, device=durations.device)
    busy.scatter_add_(1, machines.flatten(1), expected.flatten(1))  # [B, M]
    horizon = HORIZON_FACTOR * durations.sum(dim=(1, 2)).double()
    hopeless = busy.amax(dim=1) > horizon
    if bool(hopeless.any()):
        b = int(hopeless.nonzero()[0, 0])
        longest = int(durations[b].max())
        raise CosolveInputError(
            f"with these shutdowns the operations can hardly complete: restarted from scratch after each shutdown, "
            f"a machine would need about {float(busy[b].max()):.3g} time steps, over {HORIZON_FACTOR} times the "
            f"shop's total processing time (its longest operation takes {longest}); use --interrupt resume, "
            "or a lower shutdown rate"
        )


def select(state: State, rows: torch.Tensor) -> State:
    """A new state of the instances ``rows`` (``[R]`` int64, repeats allowed) as they stand now,
    sharing no tensor with ``state``: each copy goes on under its own scenario (the same
    shutdowns as the original row), whatever happens to the others. For lookahead: try every
    action of a decision on its own copy."""
    tensors = {
        spec.name: getattr(state, spec.name)[rows].clone()
        for spec in fields(state)
        if isinstance(getattr(state, spec.name), torch.Tensor)
    }
    return replace(state, **tensors, scenario=state.scenario.select(rows))


WAIT = -1
"""The action that starts nothing now: the instance moves on to its next event. For methods that
follow a plan and keep a machine free for a job still on its way (the re-optimisation
baseline); the rules and the learned policy never wait (non-delay dispatching)."""


def step(state: State, actions: torch.Tensor) -> State:
    """Start the next operation of job ``actions[b]`` now in every instance that is not done
    (or, with :data:`WAIT`, nothing), then move to the next decision. Updates ``state`` in
    place and returns it.

    Args:
        actions: ``[B]`` int64 job indices, feasible (``state.mask``) where not done, or ``WAIT``.
    """
    device = state.time.device
    rows = (~state.done).nonzero().squeeze(1)
    chosen = actions.to(device)[rows]
    waits = chosen == WAIT
    if bool(waits.any()):
        _wait(state, rows[waits])
    rows, jobs = rows[~waits], chosen[~waits]
    if not bool(state.mask[rows, jobs].all()):
        raise ValueError("an action picks a job that cannot start now (see state.mask)")
    _start(state, rows, jobs)
    _refresh_mask(state)
    return advance(state)


def _wait(state: State, rows: torch.Tensor) -> None:
    """Move the instances ``rows`` (1-D) to their next event, though some job could start now."""
    chosen = torch.zeros_like(state.deadlocked)
    chosen[rows] = True
    event = next_event_time(state)
    if bool((event[rows] >= NEVER).any()):
        raise ValueError("an instance waits with no event to come: waiting would stall it")
    _progress(state, chosen, event)
    _handle_events(state, chosen)


def advance(state: State) -> State:
    """Handle events until every instance that is not done has a job that can start."""
    while True:
        waiting = ~state.done & ~state.mask.any(dim=1)
        if not bool(waiting.any()):
            return state
        event = next_event_time(state)
        stuck = waiting & (event >= NEVER)
        if bool(stuck.any()):
            raise RuntimeError("dynamic job shop: an instance waits with no event to come (env bug)")
        late = waiting & (event > HORIZON_FACTOR * state.work_suffix[:, :, 0].sum(dim=1))
        if bool(late.any()):
            raise CosolveInputError(
                f"the shop did not finish within {HORIZON_FACTOR} times its total processing time: with these "
                "shutdowns the operations can hardly complete (use --interrupt resume, or a lower shutdown rate)"
            )
        _progress(state, waiting, event)
        _handle_events(state, waiting)


def _machine_up(state: State, machines: torch.Tensor) -> torch.Tensor:
    """``[B, J]`` bool: the machines ``machines`` ``[B, J]`` (``-1``: none) are up."""
    return ~state.down.gather(1, machines.clamp(min=0))


def next_event_time(state: State) -> torch.Tensor:
    """``[B]`` the time of each instance's next event (``NEVER`` if none).

    Only what can change a decision or a running operation is an event: completions, the
    shutdown of a machine that is processing, the repair of a machine that holds an interrupted
    operation or that a waiting job needs. Shutdowns and repairs of other machines are caught
    up with when the clock gets there (:func:`_roll_windows`)."""
    batch, n_machines = state.down.shape
    processing = state.running & _machine_up(state, state.held)
    completion = torch.where(processing, state.time.unsqueeze(1) + state.remaining, NEVER).amin(dim=1)
    occupied = torch.zeros(batch, n_machines + 1, dtype=torch.bool, device=state.down.device)
    occupied.scatter_(1, torch.where(state.running, state.held, n_machines), True)
    waiting = ~state.running & (state.next_op < state.n_machines)
    wanted = torch.zeros_like(occupied).scatter_(1, torch.where(waiting, state.candidate_machine, n_machines), True)
    occupied, wanted = occupied[:, :n_machines], wanted[:, :n_machines]
    failure = torch.where(~state.down & occupied, state.window_start, NEVER).amin(dim=1)
    repair = torch.where(state.down & (occupied | wanted), state.window_end, NEVER).amin(dim=1)
    return torch.minimum(completion, torch.minimum(failure, repair))


def _progress(state: State, rows: torch.Tensor, until: torch.Tensor) -> None:
    """Advance the clock of ``rows`` ``[B]`` to ``until`` ``[B]``, processing on up machines."""
    elapsed = torch.where(rows, until - state.time, 0)
    processing = state.running & _machine_up(state, state.held)
    state.remaining -= torch.where(processing, elapsed.unsqueeze(1), 0)
    state.time = torch.where(rows, until, state.time)


def _handle_events(state: State, rows: torch.Tensor) -> None:
    """Completions, repairs, shutdowns and swaps at the current time of ``rows`` ``[B]``."""
    completed = _complete(state, rows)
    repaired = _roll_windows(state, rows)
    if state.dynamics.blocking and (completed or repaired):
        _resolve_cycles(state, rows)
    _refresh_mask(state)


def _complete(state: State, rows: torch.Tensor) -> bool:
    """Operations whose processing is done leave or block their machine; ``True`` if any."""
    b, j = (rows.unsqueeze(1) & state.running & (state.remaining <= 0)).nonzero(as_tuple=True)
    if b.numel() == 0:
        return False
    now = state.time[b]
    op = state.next_op[b, j] - 1
    state.end_times[b, j, op] = now
    state.job_ready[b, j] = now
    state.running[b, j] = False
    state.makespan[b] = torch.maximum(state.makespan[b], now)
    leaves = (op == state.n_machines - 1) | (not state.dynamics.blocking)
    b, j, op, now = b[leaves], j[leaves], op[leaves], now[leaves]
    state.leave_times[b, j, op] = now
    state.machine_job[b, state.held[b, j]] = -1
    state.held[b, j] = -1
    return True


def _roll_windows(state: State, rows: torch.Tensor) -> bool:
    """Bring the machines of ``rows`` up to the current time: repairs, then shutdowns (logged;
    an operation in process is interrupted), as often as windows have passed. ``True`` if a
    machine was repaired."""
    repaired_any = False
    now = state.time.unsqueeze(1)
    while True:
        repaired = rows.unsqueeze(1) & state.down & (state.window_end <= now)
        failing = rows.unsqueeze(1) & ~state.down & (state.window_start <= now)
        if not bool((repaired | failing).any()):
            return repaired_any
        if bool(repaired.any()):
            repaired_any = True
            state.down &= ~repaired
            state.window_index += repaired.long()
            start, end = state.scenario.window(state.window_index)
            state.window_start = torch.where(repaired, start, state.window_start)
            state.window_end = torch.where(repaired, end, state.window_end)
        if bool(failing.any()):
            _shut_down(state, failing)


def _shut_down(state: State, failing: torch.Tensor) -> None:
    """Machines ``failing`` ``[B, M]`` go down for their current window."""
    state.down |= failing
    b, m = failing.nonzero(as_tuple=True)
    k = state.window_index[b, m]
    capacity = state.log_start.shape[2]
    if int(k.max()) >= capacity:
        pad = torch.full_like(state.log_start, -1)
        state.log_start, state.log_end = torch.cat([state.log_start, pad], 2), torch.cat([state.log_end, pad], 2)
    state.log_start[b, m, k] = state.window_start[b, m]
    state.log_end[b, m, k] = state.window_end[b, m]
    hit = state.running & failing.gather(1, state.held.clamp(min=0))
    state.interruptions += hit.sum(dim=1)
    if state.dynamics.interrupt == "restart":
        op = (state.next_op - 1).clamp(min=0).unsqueeze(2)
        state.remaining = torch.where(hit, state.durations.gather(2, op).squeeze(2), state.remaining)


def _resolve_cycles(state: State, rows: torch.Tensor) -> None:
    """Find the cycles of blocked jobs (functional graph: held machine -> wanted machine);
    swap those whose machines are all up, or mark the instance deadlocked without swaps."""
    batch, n_machines = state.down.shape
    device = state.down.device
    blocked = rows.unsqueeze(1) & state.blocked & (state.next_op < n_machines)
    if not bool(blocked.any()):
        return
    b, j = blocked.nonzero(as_tuple=True)
    successor = torch.full((batch, n_machines + 1), n_machines, dtype=torch.int64, device=device)
    successor[b, state.held[b, j]] = state.candidate_machine[b, j]
    # Pointer doubling: after k rounds ``reach`` is the successor 2**k steps on and ``path_down``
    # whether a machine among those 2**k steps is down. Once 2**k > M, every machine reaches
    # its cycle (or the sink M), the cycles are what is reached, and a machine on a cycle has
    # seen its whole cycle.
    reach = successor
    path_down = torch.cat([state.down, torch.zeros(batch, 1, dtype=torch.bool, device=device)], dim=1)
    for _ in range(n_machines.bit_length()):
        path_down = path_down | path_down.gather(1, reach)
        reach = reach.gather(1, reach)
    in_cycle = torch.zeros(batch, n_machines + 1, dtype=torch.bool, device=device).scatter_(1, reach, True)
    in_cycle, cycle_down = in_cycle[:, :n_machines], path_down[:, :n_machines]
    if not bool(in_cycle.any()):
        return
    if not state.dynamics.swap:
        state.deadlocked |= in_cycle.any(dim=1)
        return
    moving = in_cycle & ~cycle_down  # [B, M] machines whose cycle swaps now
    b, m = moving.nonzero(as_tuple=True)
    if b.numel() == 0:
        return
    state.swaps += moving.sum(dim=1)
    _start(state, b, state.machine_job[b, m])


def _start(state: State, rows: torch.Tensor, jobs: torch.Tensor) -> None:
    """Jobs ``jobs`` of instances ``rows`` (1-D, paired) start their next operation now; a
    blocked job first releases the machine it holds (all releases before all starts, so a
    cycle of blocked jobs swaps in one call)."""
    holding = state.held[rows, jobs] >= 0
    held_rows, held_jobs = rows[holding], jobs[holding]
    left = state.next_op[held_rows, held_jobs] - 1
    state.leave_times[held_rows, held_jobs, left] = state.time[held_rows]
    state.machine_job[held_rows, state.held[held_rows, held_jobs]] = -1
    op = state.next_op[rows, jobs]
    machine = state.machines[rows, jobs, op]
    state.dispatch_times[rows, jobs, op] = state.time[rows]
    state.machine_job[rows, machine] = jobs
    state.held[rows, jobs] = machine
    state.running[rows, jobs] = True
    state.remaining[rows, jobs] = state.durations[rows, jobs, op]
    state.next_op[rows, jobs] = op + 1


def _refresh_mask(state: State) -> None:
    machine = state.candidate_machine
    free = state.machine_job.gather(1, machine) < 0
    up = ~state.down.gather(1, machine)
    can_start = ~state.running & (state.next_op < state.n_machines) & free & up
    state.mask = can_start & ~state.done.unsqueeze(1)


def play(state: State, decide: Callable[[State], torch.Tensor]) -> tuple[list[Execution], list[float]]:
    """Run the batch to its end, ``decide`` giving the ``[B]`` actions at every decision;
    returns the executions and each instance's mean decision time in seconds (the wall time of
    each call of ``decide``, shared among the instances it served)."""
    seconds = torch.zeros(state.time.shape[0], dtype=torch.float64)
    decisions = torch.zeros_like(seconds)
    while not bool(state.done.all()):
        live = (~state.done).cpu()
        started = time.perf_counter()
        actions = decide(state)
        if actions.is_cuda:
            torch.cuda.synchronize(actions.device)
        seconds += live.double() * (time.perf_counter() - started) / int(live.sum())
        decisions += live.double()
        step(state, actions)
    return to_executions(state), (seconds / decisions.clamp(min=1)).tolist()


@dataclass(frozen=True, eq=False)
class Execution:
    """What happened to one instance in one scenario (plain numpy; read by the checker).

    Attributes:
        dispatch_times, end_times, leave_times: ``[J, M]`` int64 per operation: when it took its
            machine, finished processing, and released the machine.
        windows: ``[W, 3]`` int64 shutdown windows ``(machine, start, end)`` that started
            during the run.
        makespan: the last completion (``-1`` when deadlocked).
        interrupt, blocking: the rules the run followed.
        deadlocked: the run stopped on a deadlock.
        interruptions, swaps: counts.
        seed: the scenario seed.
    """

    dispatch_times: np.ndarray
    end_times: np.ndarray
    leave_times: np.ndarray
    windows: np.ndarray
    makespan: int
    interrupt: str
    blocking: bool
    deadlocked: bool
    interruptions: int
    swaps: int
    seed: int


def to_executions(state: State) -> list[Execution]:
    """One :class:`Execution` per instance (call when ``state.done`` holds)."""
    counts = state.window_index + state.down.long()  # windows that started
    starts, ends = state.log_start.cpu().numpy(), state.log_end.cpu().numpy()
    counts = counts.cpu().numpy()
    dispatch, end, leave = (t.cpu().numpy() for t in (state.dispatch_times, state.end_times, state.leave_times))
    executions = []
    for b in range(len(dispatch)):
        windows = [
            (machine, int(starts[b, machine, k]), int(ends[b, machine, k]))
            for machine in range(counts.shape[1])
            for k in range(counts[b, machine])
        ]
        deadlocked = bool(state.deadlocked[b])
        executions.append(
            Execution(
                dispatch_times=dispatch[b],
                end_times=end[b],
                leave_times=leave[b],
                windows=np.asarray(windows, dtype=np.int64).reshape(-1, 3),
                makespan=-1 if deadlocked else int(state.makespan[b]),
                interrupt=state.dynamics.interrupt,
                blocking=state.dynamics.blocking,
                deadlocked=deadlocked,
                interruptions=int(state.interruptions[b]),
                swaps=int(state.swaps[b]),
                seed=int(state.seeds[b]),
            )
        )
    return executions
