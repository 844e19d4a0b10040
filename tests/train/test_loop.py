"""The shared training loop: learning-rate schedules, checkpointed random states, and a run
that stops between validations and resumes exactly."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np
import pytest
import torch

from cosolve.checkpoint import load_checkpoint
from cosolve.errors import CosolveInputError
from cosolve.train.loop import geometric_decay, linear_decay, seed_everything, start_run, train_loop


def test_geometric_from_first_to_last_step():
    rate = geometric_decay(1e-3, 1e-5, 101)
    assert rate(0, 0.0) == pytest.approx(1e-3)
    assert rate(50, 0.0) == pytest.approx(1e-4)
    assert rate(100, 0.0) == pytest.approx(1e-5)


def test_a_time_limit_anneals_over_the_time_when_it_comes_first():
    rate = geometric_decay(1e-3, 1e-5, 1_000_000, time_limit=60.0)
    assert rate(0, 30.0) == pytest.approx(1e-4)
    assert rate(0, 90.0) == pytest.approx(1e-5)  # never below the final
    assert geometric_decay(1e-3, 1e-5, 101, 60.0)(75, 1.0) == pytest.approx(geometric_decay(1e-3, 1e-5, 101)(75, 0.0))


def test_linear_decay_reaches_zero_at_the_end():
    rate = linear_decay(0.5, 10)
    assert [rate(done, 0.0) for done in (0, 5, 10)] == [0.5, 0.25, 0.0]


@dataclass
class Args:
    """A trainer's arguments as the loop reads them."""

    out: str
    validate_every: int = 2
    config: dict = field(default_factory=lambda: {"width": 3})
    tensorboard: str | None = None


def toy_step(run) -> dict:
    """A step that draws from every stream the loop checkpoints."""
    noise = (
        float(run.rng.normal()) + random.random() + float(torch.rand(1)) + float(torch.rand(1, generator=run.generator))
    )
    loss = (run.policy(torch.ones(1, 3)).sum() - noise) ** 2
    run.optimizer.zero_grad()
    loss.backward()
    run.optimizer.step()
    return {"loss": float(loss.detach())}


def toy_run(out: str, resume: str | None = None):
    seed_everything(7)
    policy = torch.nn.Linear(3, 1)
    optimizer = torch.optim.Adam(policy.parameters(), lr=0.1)
    return start_run("toy", "step", policy, optimizer, seed=7, resume=resume)


def validate(policy) -> tuple[float, dict]:
    score = float(policy.weight.detach().abs().sum())
    return score, {"norm": score}


def test_a_stopped_run_resumes_exactly_as_if_it_had_not_stopped(tmp_path):
    straight = toy_run(str(tmp_path / "a.pt"))
    train_loop(straight, Args(str(tmp_path / "a.pt")), 6, toy_step, validate, log=lambda _: None)

    def stop_after_three(done: int, total: int, status: str) -> None:
        if done == 3:
            raise KeyboardInterrupt

    stopped = toy_run(str(tmp_path / "b.pt"))
    with pytest.raises(KeyboardInterrupt):
        train_loop(
            stopped, Args(str(tmp_path / "b.pt")), 6, toy_step, validate, log=lambda _: None, progress=stop_after_three
        )
    assert load_checkpoint(tmp_path / "b.pt.last", "toy")["training"]["step"] == 2
    random.random(), torch.rand(3)  # the process draws something else before it resumes
    resumed = toy_run(str(tmp_path / "b.pt"), resume=str(tmp_path / "b.pt.last"))
    result = train_loop(resumed, Args(str(tmp_path / "b.pt")), 6, toy_step, validate, log=lambda _: None)
    for a, b in zip(straight.policy.parameters(), resumed.policy.parameters()):
        assert torch.equal(a, b)
    assert result["done"] == 6 and [row["step"] for row in result["history"]] == [2, 4, 6]
    assert np.isclose(result["best"], min(row["score"] for row in result["history"]))
    rows = (tmp_path / "b.pt.csv").read_text().splitlines()
    assert rows[0] == "step,loss,score,norm,minutes"
    assert [row.split(",")[0] for row in rows[1:]] == ["2", "4", "6"]


def test_resuming_from_a_checkpoint_that_is_not_a_run_is_a_user_error(tmp_path):
    from cosolve.checkpoint import save_checkpoint

    save_checkpoint(tmp_path / "shipped.pt", "toy", "Linear", {}, torch.nn.Linear(3, 1).state_dict())
    with pytest.raises(CosolveInputError, match="resumable"):
        toy_run(str(tmp_path / "x.pt"), resume=str(tmp_path / "shipped.pt"))


def test_tensorboard_log_of_every_step(tmp_path):
    pytest.importorskip("tensorboard")
    args = Args(str(tmp_path / "t.pt"))
    args.tensorboard = str(tmp_path / "board")
    train_loop(toy_run(args.out), args, 2, toy_step, validate, log=lambda _: None)
    assert any((tmp_path / "board").iterdir())
