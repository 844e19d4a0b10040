"""Imitation learning: set-valued labels, and a short seeded run that learns."""

import numpy as np
import torch

from cosolve.checkpoint import load_checkpoint
from cosolve.gnn.jssp_policy import JobShopPolicy, PolicyConfig
from cosolve.gnn.jssp_rollout import rollout
from cosolve.gnn.loading import load_policy
from cosolve.problems.jssp import Instance, generate
from cosolve.problems.jssp.env import reset, step
from cosolve.train.imitation import set_valued_loss
from cosolve.train.jssp_experts import load_experts, save_experts, solve_experts
from cosolve.train.jssp_imitation import JobShopImitationArgs, correct_actions, expert_choice, train


def test_labels_hand_case():
    # Three jobs on one machine; the expert runs job 2 [0, 1), job 0 [1, 3), job 1 [3, 6).
    machines = np.array([[0], [0], [0]])
    durations = np.array([[2], [3], [1]])
    expert = torch.tensor([[[1], [3], [0]]], dtype=torch.int32)
    state = reset([Instance("one", machines, durations)])
    assert int(expert_choice(state, expert)[0]) == 2
    # Job 0 at [0, 2) and job 1 at [0, 3) would hit the expert's job 2 at [0, 1): only job 2 fits.
    assert correct_actions(state, expert)[0].tolist() == [False, False, True]
    step(state, torch.tensor([2]))
    assert correct_actions(state, expert)[0].tolist() == [True, False, False]


def test_labels_allow_independent_machines():
    # The first operations use different machines, and the expert runs the second ones
    # after them: placing either first operation now collides with nothing.
    machines = np.array([[0, 1], [1, 0]])
    durations = np.array([[2, 1], [3, 1]])
    expert = torch.tensor([[[0, 3], [0, 3]]], dtype=torch.int32)
    state = reset([Instance("two", machines, durations)])
    assert correct_actions(state, expert)[0].tolist() == [True, True]


def test_set_valued_loss():
    logits = torch.tensor([[0.0, 0.0, float("-inf")]])
    both = torch.tensor([[True, True, False]])
    one = torch.tensor([[True, False, False]])
    assert float(set_valued_loss(logits, both)) == 0.0
    assert abs(float(set_valued_loss(logits, one)) - float(np.log(2))) < 1e-6


def test_expert_files_round_trip(tmp_path):
    experts = solve_experts("4x3", 3, seed=0, time_limit_s=1.0)
    save_experts(tmp_path / "e.npz", experts)
    back = load_experts(tmp_path / "e.npz")
    assert np.array_equal(back.start_times, experts.start_times)
    assert back.optimal.all()


def test_short_training_run_learns_and_resumes(tmp_path):
    torch.set_num_threads(1)
    experts = solve_experts("6x6", 44, seed=5, time_limit_s=1.0)
    save_experts(tmp_path / "e.npz", experts)
    config = PolicyConfig(hidden=32, layers=2).to_dict()
    valid = generate("6x6", 16, seed=99)
    torch.manual_seed(0)
    untrained = JobShopPolicy(PolicyConfig(**config)).eval()
    before = rollout(untrained, valid)[0].float().mean()
    args = JobShopImitationArgs(
        data=[str(tmp_path / "e.npz")],
        out=str(tmp_path / "p.pt"),
        episodes=30,
        batch_size=16,
        validate_every=10,
        lr=3e-3,
        lr_final=1e-3,
        config=config,
    )
    torch.manual_seed(0)
    train(args, log=lambda _: None)
    after = rollout(load_policy(tmp_path / "p.pt", "jssp", JobShopPolicy), valid)[0].float().mean()
    assert after < 0.95 * before, (float(before), float(after))
    # Resuming continues from the saved episode.
    args.episodes = 40
    result = train(args, resume=str(tmp_path / "p.pt.last"), log=lambda _: None)
    assert result["done"] == 40
    assert load_checkpoint(tmp_path / "p.pt.last", "jssp")["training"]["episode"] == 40
    # One CSV log row per validation, across the resume.
    rows = (tmp_path / "p.pt.csv").read_text().splitlines()
    assert rows[0] == "episode,loss,score,valid_gap,minutes"
    assert [row.split(",")[0] for row in rows[1:]] == ["10", "20", "30", "40"]
