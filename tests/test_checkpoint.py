"""Checkpoint files: round trip and clear errors for bad files."""

import pytest
import torch

from cosolve.checkpoint import load_checkpoint, save_checkpoint
from cosolve.cli import main
from cosolve.errors import CosolveInputError
from cosolve.gnn.jssp_policy import JobShopPolicy, PolicyConfig
from cosolve.gnn.loading import load_policy
from cosolve.instances import path_of


def _save_policy(path, problem="jssp", config=None):
    config = config or {"hidden": 8, "layers": 1}
    policy = JobShopPolicy(PolicyConfig(**config))
    save_checkpoint(path, problem, "JobShopPolicy", config, policy.state_dict(), {"episode": 3}, {"gap": 1.5})
    return policy


def test_round_trip(tmp_path):
    policy = _save_policy(tmp_path / "p.pt")
    payload = load_checkpoint(tmp_path / "p.pt", "jssp")
    assert payload["training"]["episode"] == 3 and payload["metrics"]["gap"] == 1.5
    loaded = load_policy(tmp_path / "p.pt", "jssp", JobShopPolicy)
    for name, tensor in policy.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], tensor)


def test_missing_file(tmp_path):
    with pytest.raises(CosolveInputError, match="no such checkpoint"):
        load_checkpoint(tmp_path / "absent.pt", "jssp")


def test_corrupted_and_truncated_files(tmp_path):
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"\x00\x01 not a checkpoint" * 10)
    with pytest.raises(CosolveInputError, match="not a readable cosolve checkpoint"):
        load_checkpoint(garbage, "jssp")
    _save_policy(tmp_path / "full.pt")
    data = (tmp_path / "full.pt").read_bytes()
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(CosolveInputError, match="not a readable cosolve checkpoint"):
        load_checkpoint(truncated, "jssp")


def test_foreign_and_other_problem_checkpoints(tmp_path):
    torch.save({"weights": {}}, tmp_path / "foreign.pt")
    with pytest.raises(CosolveInputError, match="not a cosolve checkpoint"):
        load_checkpoint(tmp_path / "foreign.pt", "jssp")
    _save_policy(tmp_path / "tsp.pt", problem="tsp")
    with pytest.raises(CosolveInputError, match="checkpoint is for problem 'tsp', not 'jssp'"):
        load_policy(tmp_path / "tsp.pt", "jssp", JobShopPolicy)


def test_cli_reports_a_bad_checkpoint_in_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"nope")
    with pytest.raises(SystemExit) as caught:
        main(["solve", str(path_of("jssp", "ft06")), "--method", f"gnn:checkpoint={bad}"])
    assert caught.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "bad.pt" in err and "Traceback" not in err


def test_cli_solves_with_a_checkpoint(tmp_path, capsys):
    _save_policy(tmp_path / "p.pt")
    with pytest.raises(SystemExit) as caught:
        main(
            [
                "solve",
                str(path_of("jssp", "ft06")),
                "--method",
                f"gnn:sample=4:checkpoint={tmp_path / 'p.pt'}",
                "--device",
                "cpu",
            ]
        )
    assert caught.value.code == 0
    assert "ft06" in capsys.readouterr().out
