"""``cosolve train``: a tiny run end to end, resume, and bad input."""

import pytest

from cosolve.checkpoint import load_checkpoint
from cosolve.cli import main
from cosolve.instances import path_of


def _run(argv):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    return caught.value.code


def test_train_then_solve_then_resume(tmp_path, capsys):
    out = tmp_path / "p.pt"
    common = [
        "train",
        "jssp",
        "--out",
        str(out),
        "--sizes",
        "3x3",
        "--experts",
        "6",
        "--batch-size",
        "4",
        "--validate-every",
        "1",
        "--device",
        "cpu",
        "--expert-time-limit",
        "0.5",
    ]
    assert _run(common + ["--episodes", "2"]) == 0
    assert load_checkpoint(out, "jssp")["training"]["sizes"] == ["3x3"]
    assert _run(["solve", str(path_of("jssp", "ft06")), "--method", f"gnn:checkpoint={out}", "--device", "cpu"]) == 0
    assert _run(common + ["--episodes", "2"]) == 2  # the checkpoint exists: refuse
    assert "file exists" in capsys.readouterr().err
    assert _run(common + ["--episodes", "3", "--resume", f"{out}.last"]) == 0
    assert load_checkpoint(f"{out}.last", "jssp")["training"]["episode"] == 3


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--algo", "magic"], "unknown training algorithm"),
        (["--sizes", "3by3"], "is not JOBSxMACHINES"),
        (["--resume", "missing.pt"], "no such checkpoint"),
    ],
)
def test_train_rejects_bad_input(tmp_path, capsys, extra, message):
    monkey_out = tmp_path / "p.pt"
    argv = [
        "train",
        "jssp",
        "--out",
        str(monkey_out),
        "--sizes",
        "3x3",
        "--experts",
        "4",
        "--episodes",
        "1",
        "--device",
        "cpu",
        "--data-dir",
        str(tmp_path),
        "--expert-time-limit",
        "0.5",
    ]
    assert _run(argv + extra) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_train_ppo_from_an_imitation_start(tmp_path):
    imitation = tmp_path / "imitation.pt"
    base = [
        "--sizes",
        "3x3",
        "--batch-size",
        "4",
        "--validate-every",
        "1",
        "--device",
        "cpu",
        "--rule-validation",
        "4x4",
    ]
    assert (
        _run(
            [
                "train",
                "jssp",
                "--out",
                str(imitation),
                "--experts",
                "6",
                "--episodes",
                "1",
                "--expert-time-limit",
                "0.5",
                *base,
            ]
        )
        == 0
    )
    ppo = tmp_path / "ppo.pt"
    assert (
        _run(["train", "jssp", "--algo", "ppo", "--init", str(imitation), "--out", str(ppo), "--episodes", "2", *base])
        == 0
    )
    assert load_checkpoint(ppo, "jssp")["training"]["algo"] == "ppo"


def test_train_unknown_problem(capsys):
    assert _run(["train", "vrp", "--out", "x.pt"]) == 2
    assert "unknown problem" in capsys.readouterr().err


def test_train_online_bin_packing_then_solve(tmp_path, capsys):
    out = tmp_path / "online.pt"
    common = ["train", "binpacking", "--mode", "online", "--out", str(out), "--sizes", "u20", "--batch-size", "2"]
    assert _run([*common, "--episodes", "3", "--validate-every", "3", "--device", "cpu"]) == 0
    assert load_checkpoint(out, "binpacking_online")["training"]["args"]["streams"] == ["u20"]
    instance = path_of("binpacking", "Falkenauer_u120_00")
    assert _run(["solve", str(instance), "--method", f"gnn:online:checkpoint={out}", "--device", "cpu"]) == 0
    assert _run([*common, "--episodes", "3"]) == 2  # the checkpoint exists: refuse
    assert "file exists" in capsys.readouterr().err
    assert _run(["train", "binpacking", "--mode", "sideways", "--out", str(tmp_path / "x.pt")]) == 2
    assert "unknown bin packing mode" in capsys.readouterr().err
