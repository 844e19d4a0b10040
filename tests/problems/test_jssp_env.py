"""The batched job shop env against the independent checker, and hand-checked semantics."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from jssp_strategies import instances

from cosolve.errors import CosolveInputError
from cosolve.problems.jssp import Instance, check, evaluate, generate
from cosolve.problems.jssp.env import NO_TIME, nondelay_mask, reset, step, to_solutions

# ---------------------------------------------------------------------------- helpers


def _instance(machines, durations, name="hand") -> Instance:
    return Instance(name, np.array(machines, dtype=np.int64), np.array(durations, dtype=np.int64))


def _random_rollout(batch, seed):
    """Uniform random feasible actions (among ``state.mask``) from a seeded numpy generator."""
    state = reset(batch)
    rng = np.random.default_rng(seed)
    for _ in range(state.n_jobs * state.n_machines):
        assert not state.done.any()
        mask = state.mask.numpy()
        actions = [rng.choice(np.flatnonzero(row)) for row in mask]
        step(state, torch.tensor(actions, dtype=torch.int64))
    return state


def _run(instance_list, actions):
    state = reset(instance_list)
    for column in actions:
        step(state, torch.as_tensor(column, dtype=torch.int64))
    return state


def _assert_semi_active(instance: Instance, starts: np.ndarray) -> None:
    """Each start is 0, the job predecessor's end, or the end of another operation on the machine."""
    ends = starts + instance.durations
    for job in range(instance.n_jobs):
        for op in range(instance.n_machines):
            same = instance.machines == instance.machines[job, op]
            same[job, op] = False
            anchors = {0} | set(ends[same].tolist())
            if op > 0:
                anchors.add(int(ends[job, op - 1]))
            assert int(starts[job, op]) in anchors, (job, op, starts.tolist())


def _assert_active(instance: Instance, starts: np.ndarray) -> None:
    """No operation of positive length could start earlier in an idle gap of its machine."""
    ends = starts + instance.durations
    for job in range(instance.n_jobs):
        for op in range(instance.n_machines):
            p = int(instance.durations[job, op])
            release = int(ends[job, op - 1]) if op > 0 else 0
            others = (instance.machines == instance.machines[job, op]) & (instance.durations > 0)
            others[job, op] = False
            intervals = list(zip(starts[others].tolist(), ends[others].tolist()))
            for t in {release} | {e for _, e in intervals}:
                if release <= t < starts[job, op] and all(t + p <= s or e <= t for s, e in intervals):
                    raise AssertionError(f"job {job} op {op} could start at {t} instead of {starts[job, op]}")


# ---------------------------------------------------------------------------- properties


@settings(max_examples=150)
@given(instance=instances(max_jobs=6, max_machines=5, max_time=20), seed=st.integers(0, 2**32 - 1))
def test_random_rollouts_are_feasible_and_agree_with_the_checker(instance, seed):
    state = _random_rollout([instance], seed)
    assert state.done.all()
    assert not state.mask.any()
    assert (state.start_times >= 0).all()
    solution = to_solutions(state)[0]
    assert solution.start_times.shape == instance.shape
    assert solution.start_times.dtype == np.int64
    check(instance, solution)
    assert evaluate(instance, solution) == int(state.makespan[0])
    _assert_semi_active(instance, solution.start_times)


@given(instance=instances(max_jobs=6, max_machines=5, max_time=20), seed=st.integers(0, 2**32 - 1))
def test_rollouts_are_active(instance, seed):
    _assert_active(instance, to_solutions(_random_rollout([instance], seed))[0].start_times)


@given(
    batch=st.integers(1, 5).flatmap(lambda b: st.lists(st.integers(0, 2**31), min_size=b, max_size=b)),
    seed=st.integers(0, 2**32 - 1),
)
def test_batched_rollout_equals_single_rollouts(batch, seed):
    """Each instance in a batch follows its own action sequence; the result is as if run alone."""
    instance_list = [generate("4x3", 1, s)[0] for s in batch]
    rng = np.random.default_rng(seed)
    # A feasible action sequence: every job appears M times, in any order.
    sequences = [rng.permutation(np.repeat(np.arange(4), 3)) for _ in instance_list]
    together = _run(instance_list, np.stack(sequences, axis=1))
    for index, (instance, sequence) in enumerate(zip(instance_list, sequences)):
        alone = _run([instance], sequence[:, None])
        assert torch.equal(alone.start_times[0], together.start_times[index])
        assert int(alone.makespan[0]) == int(together.makespan[index])
        check(instance, to_solutions(together)[index])


@given(instance=instances(max_jobs=5, max_machines=4, max_time=20), seed=st.integers(0, 2**32 - 1))
def test_nondelay_mask_property(instance, seed):
    state = reset([instance])
    rng = np.random.default_rng(seed)
    while not state.done.all():
        eligible = nondelay_mask(state)[0]
        feasible = state.mask[0]
        assert eligible.any()
        assert not (eligible & ~feasible).any()
        earliest = state.earliest_start[0]
        smallest = int(earliest[feasible].min())
        assert torch.equal(eligible, feasible & (earliest == smallest))
        step(state, torch.tensor([rng.choice(np.flatnonzero(feasible.numpy()))]))
    assert not nondelay_mask(state).any()


# ---------------------------------------------------------------------------- hand cases


def test_reset_state():
    instance = _instance([[0, 1, 2], [2, 1, 0]], [[3, 4, 5], [6, 7, 8]])
    state = reset([instance])
    assert state.n_jobs == 2 and state.n_machines == 3
    assert state.mask.tolist() == [[True, True]]
    assert state.done.tolist() == [False]
    assert state.start_times.tolist() == [[[-1, -1, -1], [-1, -1, -1]]]
    assert state.earliest_start.tolist() == [[0, 0]]
    assert state.makespan.tolist() == [0]
    assert state.remaining_work.tolist() == [[12, 21]]
    assert state.remaining_ops.tolist() == [[3, 3]]
    assert state.candidate_duration.tolist() == [[3, 6]]
    assert state.candidate_machine.tolist() == [[0, 2]]
    step(state, torch.tensor([1]))
    assert state.remaining_work.tolist() == [[12, 15]]
    assert state.remaining_ops.tolist() == [[3, 2]]
    assert state.candidate_duration.tolist() == [[3, 7]]
    assert state.candidate_machine.tolist() == [[0, 1]]
    assert state.job_ready.tolist() == [[0, 6]]
    assert state.makespan.tolist() == [6]


@pytest.mark.parametrize(("duration", "start"), [(8, 2), (9, 13), (1, 2)])
def test_gap_insertion_between_two_operations(duration, start):
    """M1 holds [0, 2) and [10, 13); a later operation of length 8 fits the gap [2, 10) exactly,
    one of length 9 does not and goes after 13."""
    # job 0: M0 10, M1 3   job 1: M1 2, M0 1   job 2: M1 <duration>, M0 1
    instance = _instance([[0, 1], [1, 0], [1, 0]], [[10, 3], [2, 1], [duration, 1]])
    state = reset([instance])
    for job in (1, 0, 0):
        step(state, torch.tensor([job]))
    assert state.start_times[0, 0].tolist() == [0, 10]
    assert state.start_times[0, 1, 0].item() == 0
    assert state.earliest_start[0, 2].item() == start
    step(state, torch.tensor([2]))
    assert state.start_times[0, 2, 0].item() == start
    while not state.done.all():
        step(state, state.mask.float().argmax(dim=1))
    check(instance, to_solutions(state)[0])


def test_gap_insertion_respects_the_release_time():
    """A gap that opens before the job is ready is used from the release on."""
    # job 0: M0 4, M1 2   job 1: M1 1, M0 5 ... M1 busy [0,1) (job 1) and [4,6) (job 0).
    # job 2: M0 2, M1 2 -> M0 after job 0: [4, 6)?  job 2 was dispatched first instead:
    instance = _instance([[0, 1], [1, 0], [0, 1]], [[4, 2], [1, 5], [2, 2]])
    state = reset([instance])
    for job in (0, 0, 1):  # M0 [0,4), M1 [4,6), M1 [0,1)
        step(state, torch.tensor([job]))
    assert state.start_times[0].tolist()[:2] == [[0, 4], [0, -1]]
    step(state, torch.tensor([2]))  # job 2 on M0: after [0,4) -> [4,6)
    assert state.start_times[0, 2, 0].item() == 4
    # job 2 on M1, released at 6: M1 has [0,1) and [4,6); gap [1,4) is before the release.
    assert state.earliest_start[0, 2].item() == 6
    # job 1 on M0, released at 1: M0 has [0,4) and [4,6) -> 6.
    assert state.earliest_start[0, 1].item() == 6


def test_earliest_start_respects_job_and_machine():
    instance = _instance([[0, 1], [1, 0]], [[4, 1], [2, 5]])
    state = reset([instance])
    assert state.earliest_start[0].tolist() == [0, 0]
    step(state, torch.tensor([1]))  # job 1 on M1 at [0, 2)
    assert state.earliest_start[0].tolist() == [0, 2]
    step(state, torch.tensor([0]))  # job 0 on M0 at [0, 4)
    assert state.earliest_start[0].tolist() == [4, 4]
    step(state, torch.tensor([0]))
    step(state, torch.tensor([1]))
    assert state.done.all()
    assert state.earliest_start[0].tolist() == [NO_TIME, NO_TIME]
    assert state.start_times[0].tolist() == [[0, 4], [0, 4]]
    assert int(state.makespan[0]) == 9


def test_zero_length_operation_does_not_reopen_occupied_time():
    """A zero-length operation sorted after a long one must not let a third start inside it."""
    instance = _instance([[0], [0], [0]], [[5], [0], [4]])
    state = _run([instance], [[0], [1], [2]])
    starts = state.start_times[0, :, 0].tolist()
    assert starts[0] == 0 and starts[2] == 5
    check(instance, to_solutions(state)[0])
    assert int(state.makespan[0]) == 9


def test_zero_length_operation_at_the_start_of_a_busy_interval():
    # M0 holds [10, 20) (job 0's 2nd op); job 1's zero-length op joins M0 at 10; job 2 (5 units
    # on M0, released at 12) must not start inside [10, 20).
    instance = _instance([[1, 0, 2], [2, 0, 1], [2, 0, 1]], [[10, 10, 1], [10, 0, 1], [2, 5, 1]])
    state = reset([instance])
    for job in (0, 0, 1, 1, 2):
        step(state, torch.tensor([job]))
    assert state.start_times[0, :, :2].tolist() == [[0, 10], [0, 10], [10, -1]]
    assert state.earliest_start[0, 2].item() == 20
    while not state.done.all():
        step(state, state.mask.float().argmax(dim=1))
    solution = to_solutions(state)[0]
    check(instance, solution)
    assert solution.start_times[2, 1] == 20


def test_zero_length_operation_does_not_split_a_gap():
    """A zero-length operation occupies no machine time, so it must not cut an idle gap in two."""
    # job 0: M1 5, then M0 0 (placed at 5).  job 1: M0 8 (ready at 0) fits [0, 8) on M0,
    # since the zero-length operation occupies no time.
    instance = _instance([[1, 0], [0, 1]], [[5, 0], [8, 1]])
    state = _run([instance], [[0], [0], [1], [1]])
    assert state.start_times[0, 1, 0].item() == 0


def test_done_instances_ignore_actions():
    instance = _instance([[0, 1], [1, 0]], [[3, 2], [1, 4]])
    state = _run([instance], [[0], [1], [0], [1]])
    assert state.done.all()
    before = {name: getattr(state, name).clone() for name in ("start_times", "job_ready", "next_op", "makespan")}
    step(state, torch.tensor([0]))
    step(state, torch.tensor([1]))
    for name, value in before.items():
        assert torch.equal(getattr(state, name), value), name


def test_mixed_shapes_are_rejected():
    with pytest.raises(ValueError, match="one shape"):
        reset(generate("3x3", 1, 0) + generate("4x3", 1, 0))
    with pytest.raises(ValueError):
        reset(generate("3x3", 1, 0) + generate("3x4", 1, 0))
    with pytest.raises(ValueError):
        reset([])


def test_too_much_total_work_is_rejected():
    with pytest.raises(CosolveInputError):
        reset([_instance([[0]], [[NO_TIME]])])


def test_durations_beyond_int32_are_rejected_not_wrapped():
    """A processing time of 2**32 + 5 must not silently become 5 in the int32 tensors."""
    with pytest.raises(CosolveInputError):
        reset([_instance([[0, 1]], [[2**32 + 5, 3]])])


def test_nondelay_mask_hand_case():
    # job 0: M0 5, M1 1   job 1: M1 3, M0 2
    instance = _instance([[0, 1], [1, 0]], [[5, 1], [3, 2]])
    state = reset([instance])
    assert nondelay_mask(state).tolist() == [[True, True]]
    step(state, torch.tensor([0]))  # M0 [0, 5); job 0 next on M1 at 5; job 1 on M1 at 0
    assert state.earliest_start[0].tolist() == [5, 0]
    assert nondelay_mask(state).tolist() == [[False, True]]
    step(state, torch.tensor([1]))  # M1 [0, 3); job 0 on M1 at 5; job 1 on M0 at 5
    assert nondelay_mask(state).tolist() == [[True, True]]
    step(state, torch.tensor([1]))  # job 1 done
    assert state.mask.tolist() == [[True, False]]
    assert nondelay_mask(state).tolist() == [[True, False]]


def test_nondelay_mask_is_per_instance():
    first = _instance([[0, 1], [1, 0]], [[5, 1], [3, 2]])
    second = _instance([[0, 1], [0, 1]], [[5, 1], [3, 2]])
    state = reset([first, second])
    step(state, torch.tensor([0, 0]))
    # first: job 1 free at 0 on M1; second: job 0 next at 5 on M1, job 1 waits for M0 until 5.
    assert nondelay_mask(state).tolist() == [[False, True], [True, True]]


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
