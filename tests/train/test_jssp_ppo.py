"""PPO: returns and advantages, a short seeded run that learns, and resume."""

import pytest
import torch

from cosolve.checkpoint import load_checkpoint
from cosolve.gnn.jssp_policy import JobShopPolicy, PolicyConfig
from cosolve.gnn.jssp_rollout import rollout
from cosolve.gnn.loading import load_policy
from cosolve.problems.jssp import generate
from cosolve.problems.jssp.env import reset
from cosolve.problems.jssp.observe import load_bound
from cosolve.train.jssp_ppo import JobShopPPOArgs, train
from cosolve.train.ppo import gae


def test_gae_with_lambda_one_gives_reward_to_go():
    rewards = torch.tensor([[1.0], [2.0], [3.0]])
    values = torch.tensor([[0.5], [0.5], [0.5]])
    advantages, returns = gae(rewards, values, torch.ones_like(rewards, dtype=torch.bool), 1.0, gae_lambda=1.0)
    assert returns.flatten().tolist() == [6.0, 5.0, 3.0]
    assert advantages.flatten().tolist() == [5.5, 4.5, 2.5]


def test_lower_bound_is_the_largest_job_or_machine_load():
    state = reset(generate("4x3", 3, seed=0))
    bound = load_bound(state.durations, state.machines)
    for b in range(3):
        jobs = state.durations[b].sum(dim=1).max()
        machines = max(int(state.durations[b][state.machines[b] == m].sum()) for m in range(3))
        assert float(bound[b]) == max(float(jobs), machines)


def test_short_ppo_run_learns_and_resumes(tmp_path):
    torch.set_num_threads(1)
    config = PolicyConfig(hidden=32, layers=2).to_dict()
    valid = generate("6x6", 32, seed=10_000)
    torch.manual_seed(0)
    before = rollout(JobShopPolicy(PolicyConfig(**config)).eval(), valid)[0].float().mean()
    args = JobShopPPOArgs(
        out=str(tmp_path / "p.pt"),
        sizes=["6x6"],
        iterations=15,
        num_envs=32,
        learning_rate=1e-3,
        validate_every=5,
        validation_size="6x6",
        validation_count=32,
        config=config,
    )
    train(args, log=lambda _: None)
    after = rollout(load_policy(tmp_path / "p.pt", "jssp", JobShopPolicy), valid)[0].float().mean()
    assert after < 0.9 * before, (float(before), float(after))
    args.iterations = 17
    result = train(args, resume=str(tmp_path / "p.pt.last"), log=lambda _: None)
    assert result["done"] == 17
    assert load_checkpoint(tmp_path / "p.pt.last", "jssp")["training"]["iteration"] == 17
    rows = (tmp_path / "p.pt.csv").read_text().splitlines()
    assert rows[0] == "iteration,loss,score,valid_makespan,minutes"
    assert [row.split(",")[0] for row in rows[1:]] == ["5", "10", "15", "17"]


def stop_at(iteration: int):
    def progress(done: int, total: int, status: str) -> None:
        if done == iteration:
            raise KeyboardInterrupt

    return progress


@pytest.mark.parametrize("ppo_ewma", [False, True])
def test_a_resumed_run_equals_an_uninterrupted_one(tmp_path, ppo_ewma):
    torch.set_num_threads(1)

    def args(name: str) -> JobShopPPOArgs:
        return JobShopPPOArgs(
            out=str(tmp_path / name),
            sizes=["4x4"],
            iterations=4,
            num_envs=4,
            learning_rate=1e-3,
            validate_every=2,
            validation_size="4x4",
            validation_count=4,
            ppo_ewma=ppo_ewma,
            adv_ewma_decay=0.5 if ppo_ewma else 0.0,
            config=PolicyConfig(hidden=16, layers=1).to_dict(),
        )

    train(args("a.pt"), log=lambda _: None)
    with pytest.raises(KeyboardInterrupt):
        train(args("b.pt"), log=lambda _: None, progress=stop_at(3))
    train(args("b.pt"), resume=str(tmp_path / "b.pt.last"), log=lambda _: None)
    straight, resumed = (load_checkpoint(tmp_path / f"{name}.pt.last", "jssp") for name in "ab")
    assert resumed["training"]["iteration"] == straight["training"]["iteration"] == 4
    for name, tensor in straight["weights"].items():
        assert torch.equal(tensor, resumed["weights"][name]), name
    assert resumed["training"]["history"][-1]["score"] == straight["training"]["history"][-1]["score"]
    if ppo_ewma:
        proximal = straight["training"]["extra"]["proximal"]["weights"]
        assert all(torch.equal(t, resumed["training"]["extra"]["proximal"]["weights"][k]) for k, t in proximal.items())
