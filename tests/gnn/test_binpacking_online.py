"""The online bin packing policy: its view, online rollouts, replay and a short run that learns."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from cosolve.baselines.binpacking_heuristics import pack
from cosolve.checkpoint import load_checkpoint
from cosolve.gnn.binpacking_online_policy import OnlinePackingPolicy, OnlinePolicyConfig
from cosolve.gnn.binpacking_online_rollout import PROBLEM, Trajectory, pack_online, replay, run_online
from cosolve.gnn.loading import load_policy
from cosolve.problems import binpacking
from cosolve.problems.binpacking.env import reset_tensors, step
from cosolve.problems.binpacking.observe_online import observe_online, window
from cosolve.train.binpacking_lookahead import best_fit_continuation, lookahead_labels
from cosolve.train.binpacking_online import OnlineTrainingArgs, stream_tensors, train, validate, validation_sets

TINY = OnlinePolicyConfig(hidden=16)


def state_of(weights: list[int], capacity: int):
    return reset_tensors(torch.tensor([weights]), torch.tensor([capacity]))


def test_observation_of_a_hand_made_state():
    state = state_of([6, 5, 4, 3], 10)
    step(state, torch.tensor([0]))  # 6 in bin 0 (room 4 left); now item 5 arrives: only a new bin takes it
    view = observe_online(state)
    assert view.index.tolist() == [[1]] and view.mask.tolist() == [[True]]
    assert view.bins[0, 0].tolist() == pytest.approx([1.0, 0.5, 1.0, 0.5 / 0.55, 1.0])
    histogram = [0.0] * 8
    assert view.item[0].tolist() == pytest.approx([0.5, 0.55, 0.05, 0.5, 0.0, *histogram])  # bin 0 cannot take 5
    step(state, torch.tensor([1]))  # 5 in bin 1; item 4 fits bin 0 (room 4) exactly, bin 1 (room 5) and bin 2
    view = observe_online(state)
    assert view.index.tolist() == [[0, 1, 2]] and view.mask.all()
    assert view.bins[0, 0, :3].tolist() == pytest.approx([0.4, 0.0, 0.0])  # a perfect fit: nothing left
    assert view.bins[0, 1, 4].item() == 0.0 and view.bins[0, 2, 4].item() == 1.0  # room after vs smallest (4)
    histogram[3], histogram[4] = 0.5, 0.5  # rooms 0.4 and 0.5 of the two open bins
    assert view.item[0, 5:].tolist() == pytest.approx(histogram)
    assert view.item[0, 4].item() == 1.0  # it fits both open bins


def test_a_perfect_fit_is_exactly_feasible():
    """Regression: fits was once decided on float fractions (1 - 86/150 < 64/150 by rounding)."""
    state = state_of([86, 64], 150)
    step(state, torch.tensor([0]))
    assert observe_online(state).index.tolist() == [[0, 1]]


def test_replay_rebuilds_the_decisions_seen_during_the_rollout():
    torch.manual_seed(0)
    policy = OnlinePackingPolicy(TINY).eval()
    weights, capacity = stream_tensors("u40", 3, 1, "cpu")
    trajectory = Trajectory()
    generator = torch.Generator().manual_seed(0)
    run_online(policy, reset_tensors(weights, capacity), True, generator, trajectory)
    observation, columns = replay(weights, capacity, trajectory, range(5, 25))
    with torch.no_grad():
        log_p = torch.log_softmax(policy(observation), dim=1).gather(1, columns.unsqueeze(1)).squeeze(1)
    assert torch.allclose(log_p, torch.stack(trajectory.log_probs[5:25]).reshape(-1), atol=1e-5)


@settings(max_examples=25, deadline=None)
@given(
    capacity=st.integers(5, 60),
    raw=st.lists(st.integers(1, 60), min_size=1, max_size=30),
    cut=st.integers(1, 30),
)
def test_packings_are_feasible_and_online(capacity, raw, cut):
    """An online packer's decisions on a prefix of a stream are those it makes on the whole stream."""
    torch.manual_seed(0)
    policy = OnlinePackingPolicy(TINY).eval()
    weights = np.minimum(np.asarray(raw), capacity)
    instance = binpacking.Instance("s", weights, capacity)
    whole = pack_online(policy, [instance])[0].numpy()
    binpacking.check(instance, binpacking.Solution.from_assignment(whole))
    cut = min(cut, len(weights))
    prefix = pack_online(policy, [binpacking.Instance("p", weights[:cut], capacity)])[0].numpy()
    assert prefix.tolist() == whole[:cut].tolist()


def test_weibull_streams_follow_the_published_recipe():
    first, again = binpacking.generate("weibull5000", 2, 7), binpacking.generate("w5000", 2, 7)
    assert all(np.array_equal(a.weights, b.weights) for a, b in zip(first, again))
    weights = np.concatenate([i.weights for i in first])
    assert first[0].capacity == 100 and weights.min() >= 1 and weights.max() <= 100
    assert 39 < weights.mean() < 41.5  # 45 * Gamma(4/3) = 40.2
    excess = [pack(torch.tensor(i.weights[None]), torch.tensor([100]), "bf").max().item() + 1 for i in first]
    bound = [binpacking.l1(i.weights, i.capacity) for i in first]
    assert 1.02 < np.mean(excess) / np.mean(bound) < 1.06  # best fit about 4 % above L1


def test_best_fit_continuation_is_best_fit():
    weights, capacity = stream_tensors("u40", 3, 2, "cpu")
    loads = torch.zeros(3, 41, dtype=torch.int64)
    final_loads, final_open = best_fit_continuation(loads, torch.zeros(3, dtype=torch.int64), capacity, weights)
    packing = pack(weights, capacity, "bf")
    assert torch.equal(final_open, packing.amax(dim=1) + 1)
    expected = torch.zeros_like(final_loads).scatter_add_(1, packing, weights)
    assert torch.equal(final_loads, expected)


def test_lookahead_without_a_future_keeps_best_fits_choice():
    """With no continuation to simulate, an open bin beats a new one and best fit's bin wins ties."""
    state = state_of([5, 3, 2, 4, 1], 10)
    for bin_ in (0, 1, 0):  # loads 7 and 3
        step(state, torch.tensor([bin_]))
    t = torch.tensor([3])
    generator = torch.Generator().manual_seed(0)
    view, column = lookahead_labels(
        state.weights, state.capacity, state.loads[:, :3], state.n_open, t, generator, 2, 0, concentration=0.0
    )
    assert view.index.tolist() == [[1, 2]] and column.tolist() == [0]  # item 4 fits bin 1 (room 7) or a new bin


def test_lookahead_expert_packs_weibull_streams_in_fewer_bins_than_best_fit():
    torch.set_num_threads(1)
    weights, capacity = stream_tensors("weibull200", 4, 3, "cpu")
    generator = torch.Generator().manual_seed(0)

    def expert(state):
        t = torch.full_like(state.n_open, state.steps)
        loads = state.loads[:, : window(state)]
        view, column = lookahead_labels(state.weights, state.capacity, loads, state.n_open, t, generator, 8, 30)
        return view.index.gather(1, column.unsqueeze(1)).squeeze(1)

    looked = run_online(None, reset_tensors(weights, capacity), chooser=expert).n_open
    best_fit = pack(weights, capacity, "bf").amax(dim=1) + 1
    assert int(looked.sum()) < int(best_fit.sum()), (looked, best_fit)


def test_short_imitation_run_learns_resumes_and_solves(tmp_path):
    from cosolve.solve import solve

    torch.set_num_threads(1)
    out = tmp_path / "online.pt"
    args = OnlineTrainingArgs(
        out=str(out),
        streams=["u30"],
        iterations=24,
        imitation_iterations=22,
        streams_per_iteration=4,
        decisions=64,
        futures=4,
        horizon=10,
        rollouts=4,
        validate_every=11,
        validation_count=8,
        learning_rate=1e-2,
        config=TINY.to_dict(),
    )
    result = train(args, log=lambda _: None)
    assert [row["iteration"] for row in result["history"]] == [11, 22, 24]
    payload = load_checkpoint(f"{out}.last", "binpacking_online")
    assert payload["training"]["iteration"] == 24 and "moments" in payload["training"]["extra"]  # PPO ran
    untrained = OnlinePackingPolicy(TINY).eval()
    sets = validation_sets(args)
    trained = load_policy(out, PROBLEM, OnlinePackingPolicy)
    assert validate(trained, sets)[0] < validate(untrained, sets)[0]  # it has learned

    resumed = train(OnlineTrainingArgs(**{**args.__dict__, "iterations": 26}), resume=f"{out}.last", log=lambda _: None)
    assert resumed["done"] == 26

    instances = binpacking.generate("u30", 3, 9)
    for instance, outcome in zip(instances, solve("binpacking", instances, f"gnn:online:checkpoint={out}")):
        binpacking.check(instance, outcome.solution)
        assert outcome.objective >= outcome.bound == binpacking.l2(instance.weights, instance.capacity)


def test_gnn_method_rejects_bad_options(tmp_path):
    from cosolve.errors import CosolveInputError
    from cosolve.solve import solve

    instances = binpacking.generate("u10", 2, 5)
    for bad in ("gnn:online:sample=4", "gnn:sideways", "gnn:sample=0", "gnn:online:beam=2"):
        with pytest.raises(CosolveInputError):
            solve("binpacking", instances, bad)


def test_a_resumed_run_equals_an_uninterrupted_one(tmp_path):
    """Imitation (with its buffer of labelled decisions) and then PPO, stopped and resumed."""
    torch.set_num_threads(1)

    def args(name: str) -> OnlineTrainingArgs:
        return OnlineTrainingArgs(
            out=str(tmp_path / name),
            streams=["u20"],
            iterations=6,
            imitation_iterations=4,
            streams_per_iteration=2,
            decisions=16,
            futures=2,
            horizon=5,
            rollouts=2,
            validate_every=2,
            validation_count=4,
            batch_size=16,
            config=TINY.to_dict(),
        )

    def stop_at(iteration: int):
        def progress(done: int, total: int, status: str) -> None:
            if done == iteration:
                raise KeyboardInterrupt

        return progress

    train(args("a.pt"), log=lambda _: None)
    for stop, resume_from in ((3, None), (5, "b.pt.last")):  # once in each phase
        with pytest.raises(KeyboardInterrupt):
            resume = str(tmp_path / resume_from) if resume_from else None
            train(args("b.pt"), resume=resume, log=lambda _: None, progress=stop_at(stop))
    train(args("b.pt"), resume=str(tmp_path / "b.pt.last"), log=lambda _: None)
    straight, resumed = (load_checkpoint(tmp_path / f"{name}.pt.last", "binpacking_online") for name in "ab")
    for name, tensor in straight["weights"].items():
        assert torch.equal(tensor, resumed["weights"][name]), name
    assert straight["training"]["history"][-1]["score"] == resumed["training"]["history"][-1]["score"]
