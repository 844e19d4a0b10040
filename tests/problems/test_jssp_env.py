"""The batched job shop env against the independent checker, and hand-checked semantics."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from jssp_strategies import instances

from cosolve.problems.jssp import Instance, check, evaluate, generate
from cosolve.problems.jssp.env import NO_TIME, nondelay_mask, reset, step, to_solutions


def _random_rollout(batch, seed):
    state = reset(batch)
    generator = torch.Generator().manual_seed(seed)
    n_steps = state.n_jobs * state.n_machines
    for _ in range(n_steps):
        assert not state.done.any()
        scores = torch.rand(state.mask.shape, generator=generator).masked_fill(~state.mask, -1.0)
        step(state, scores.argmax(dim=1))
    return state


@settings(max_examples=60, deadline=None)
@given(batch=st.lists(instances(), min_size=1, max_size=1), seed=st.integers(0, 10_000))
def test_random_rollouts_are_feasible_and_agree_with_the_checker(batch, seed):
    state = _random_rollout(batch, seed)
    assert state.done.all()
    instance, solution = batch[0], to_solutions(state)[0]
    check(instance, solution)
    assert evaluate(instance, solution) == int(state.makespan[0])


@settings(max_examples=60, deadline=None)
@given(instance=instances(), seed=st.integers(0, 10_000))
def test_schedules_are_semi_active(instance, seed):
    """Every operation starts at 0, at its job predecessor's end, or at another operation's end on its machine."""
    starts = to_solutions(_random_rollout([instance], seed))[0].start_times
    ends = starts + instance.durations
    for job in range(instance.n_jobs):
        for op in range(instance.n_machines):
            same_machine = instance.machines == instance.machines[job, op]
            anchors = {0} | set(ends[same_machine].tolist())
            if op > 0:
                anchors.add(int(ends[job, op - 1]))
            assert starts[job, op] in anchors


def test_gap_insertion_hand_case():
    # Job 0: M0 for 2, then M1 for 2.  Job 1: M1 for 3.  Job 2: M1 for 1.
    # Dispatch job 0 twice: M1 busy [2, 4). Then job 1 (3 units) cannot fit the gap [0, 2) and
    # goes to [4, 7); job 2 (1 unit) fits the gap and starts at 0.
    machines = np.array([[0, 1], [1, 0], [1, 0]])
    durations = np.array([[2, 2], [3, 0], [1, 0]])
    state = reset([Instance("gap", machines, durations)])
    for job in (0, 0, 1, 2):
        assert state.mask[0, job]
        step(state, torch.tensor([job]))
    starts = state.start_times[0]
    assert starts[0].tolist() == [0, 2]
    assert int(starts[1, 0]) == 4
    assert int(starts[2, 0]) == 0
    assert int(state.makespan[0]) == 7


def test_earliest_start_respects_job_and_machine():
    machines = np.array([[0, 1], [1, 0]])
    durations = np.array([[4, 1], [2, 5]])
    state = reset([Instance("t", machines, durations)])
    assert state.earliest_start[0].tolist() == [0, 0]
    step(state, torch.tensor([1]))  # job 1 on M1 at [0, 2)
    assert state.earliest_start[0].tolist() == [0, 2]  # job 0 on M0 free; job 1 next on M0 after its own end
    step(state, torch.tensor([0]))  # job 0 on M0 at [0, 4)
    assert state.earliest_start[0].tolist() == [4, 4]  # job 0 on M1 at 4; job 1 on M0 after M0 frees at 4
    step(state, torch.tensor([0]))
    step(state, torch.tensor([1]))
    assert state.done.all()
    assert state.earliest_start[0].tolist() == [NO_TIME, NO_TIME]
    assert int(state.makespan[0]) == 9


def test_batch_equals_single_runs():
    batch = generate("6x4", 5, seed=3)
    actions_per_step = [torch.tensor([(s + i) % 6 for i in range(5)]) for s in range(24)]

    def run(instances, columns):
        state = reset(instances)
        for actions in actions_per_step:
            chosen = actions[columns]
            feasible = state.mask.gather(1, chosen.unsqueeze(1)).squeeze(1)
            first_feasible = state.mask.float().argmax(dim=1)
            step(state, torch.where(feasible, chosen, first_feasible))
        return state

    together = run(batch, list(range(5)))
    for index, instance in enumerate(batch):
        alone = run([instance], [index])
        assert torch.equal(alone.start_times[0], together.start_times[index])
        assert int(alone.makespan[0]) == int(together.makespan[index])


def test_done_instances_ignore_actions():
    instance = Instance("one", np.array([[0]]), np.array([[5]]))
    state = reset([instance])
    step(state, torch.tensor([0]))
    before = state.start_times.clone()
    step(state, torch.tensor([0]))
    assert torch.equal(state.start_times, before)
    assert int(state.makespan[0]) == 5


def test_mixed_shapes_are_rejected():
    with pytest.raises(ValueError, match="one shape"):
        reset(generate("3x3", 1, 0) + generate("4x3", 1, 0))


def test_nondelay_mask_keeps_only_the_earliest_candidates():
    machines = np.array([[0, 1], [0, 1], [1, 0]])
    durations = np.array([[3, 1], [2, 1], [4, 1]])
    state = reset([Instance("nd", machines, durations)])
    assert nondelay_mask(state)[0].tolist() == [True, True, True]
    step(state, torch.tensor([0]))  # M0 busy [0, 3); job 0 next on M1 at 3; job 1 on M0 at 3; job 2 on M1 at 0
    assert state.earliest_start[0].tolist() == [3, 3, 0]
    assert nondelay_mask(state)[0].tolist() == [False, False, True]


def test_zero_length_operation_does_not_reopen_occupied_time():
    """Regression: a zero-length operation sorted after a long one let a third start inside it."""
    machines = np.array([[0], [0], [0]])
    durations = np.array([[0], [14], [16]])
    state = reset([Instance("zero", machines, durations)])
    for job in (1, 0, 2):
        step(state, torch.tensor([job]))
    assert state.start_times[0, :, 0].tolist() == [0, 0, 14]
    check(Instance("zero", machines, durations), to_solutions(state)[0])


def test_zero_duration_operations():
    machines = np.array([[0, 1], [0, 1]])
    durations = np.array([[0, 3], [2, 0]])
    state = _random_rollout([Instance("zero", machines, durations)], seed=0)
    solution = to_solutions(state)[0]
    check(Instance("zero", machines, durations), solution)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_matches_cpu():
    batch = generate("8x6", 16, seed=5)
    results = []
    for device in ("cpu", "cuda"):
        state = reset(batch, device)
        while not state.done.all():
            step(state, nondelay_mask(state).float().argmax(dim=1))
        results.append(state.start_times.cpu())
    assert torch.equal(*results)
