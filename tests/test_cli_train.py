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
                "--rule-validation",
                "4x4",
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
    assert "unknown binpacking mode 'sideways'" in capsys.readouterr().err


def test_every_registered_problem_has_a_training_recipe(capsys):
    from cosolve.registry import get_recipes, problem_names

    for problem in problem_names():
        recipes = get_recipes(problem)
        assert recipes and all(recipe.problem == problem for recipe in recipes)
        assert _run(["train", problem, "--help"]) == 0
        shown = capsys.readouterr().out
        for recipe in recipes:
            assert recipe.name in shown
            assert all(f"--{option.replace('_', '-')}:" in shown for option in recipe.defaults)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["tsp", "--rule-validation", "5x5"], "--rule-validation does not apply to tsp --algo imitation"),
        (["jssp", "--algo", "ppo", "--experts", "5"], "--experts does not apply to jssp --mode static --algo ppo"),
        (["jssp", "--ppo-ewma"], "--ppo-ewma does not apply to jssp --mode static --algo imitation"),
        (["cvrp", "--init", "x.pt"], "--init does not apply to cvrp --algo imitation"),
        (["knapsack", "--mode", "online"], "knapsack has one training mode"),
        (
            ["jssp", "--mode", "dynamic", "--algo", "magic"],
            "unknown training algorithm 'magic' for jssp --mode dynamic",
        ),
        (["binpacking", "--mode", "online", "--experts", "3"], "--experts does not apply"),
    ],
)
def test_an_option_that_does_not_apply_is_refused(tmp_path, capsys, argv, message):
    """Regression: options were silently ignored by the paths that do not use them (--mode for
    problems without modes, --algo under --mode dynamic, --rule-validation for PPO ...)."""
    assert _run(["train", *argv, "--out", str(tmp_path / "p.pt")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not (tmp_path / "p.pt").exists()


def test_dynamic_imitation_is_reachable_and_batch_size_counts_shops(tmp_path):
    """Regression: --mode dynamic ignored --algo (DAgger was unreachable), and dynamic PPO took
    --batch-size // 8 shops."""
    dagger = tmp_path / "dagger.pt"
    common = ["--sizes", "4x4", "--episodes", "1", "--validate-every", "1", "--device", "cpu"]
    argv = ["train", "jssp", "--mode", "dynamic", "--algo", "imitation", "--batch-size", "1", "--init", "none"]
    assert _run([*argv, "--out", str(dagger), *common]) == 0
    assert load_checkpoint(dagger, "jssp_dynamic")["training"]["algo"] == "dagger"
    ppo = tmp_path / "ppo.pt"
    assert _run(["train", "jssp", "--mode", "dynamic", "--batch-size", "2", "--out", str(ppo), *common]) == 0
    arguments = load_checkpoint(ppo, "jssp_dynamic")["training"]["args"]
    assert arguments["instances"] == 2 and arguments["rollouts"] == 8


def test_init_reaches_the_knapsack_trainer(tmp_path):
    """Regression: --init was accepted and never passed to the knapsack trainer."""
    import torch

    from cosolve.checkpoint import shipped_checkpoint

    shipped = load_checkpoint(shipped_checkpoint("knapsack"), "knapsack")["weights"]
    common = ["train", "knapsack", "--sizes", "uncorrelated20", "--experts", "4", "--episodes", "1"]
    common += ["--batch-size", "4", "--validate-every", "1", "--device", "cpu", "--data-dir", str(tmp_path)]
    for name, init in (("warm.pt", ["--init", str(shipped_checkpoint("knapsack"))]), ("cold.pt", [])):
        assert _run([*common, "--out", str(tmp_path / name), *init]) == 0
    distance = {
        name: max(
            float((load_checkpoint(tmp_path / name, "knapsack")["weights"][k] - w).abs().max())
            for k, w in shipped.items()
        )
        for name in ("warm.pt", "cold.pt")
    }
    assert distance["warm.pt"] < 0.01 < distance["cold.pt"], distance
    assert torch.is_tensor(next(iter(shipped.values())))


def test_train_the_improvement_policy_then_search_with_it(tmp_path, capsys):
    out = tmp_path / "improve.pt"
    argv = ["train", "jssp", "--mode", "improve", "--sizes", "5x4", "--episodes", "1", "--batch-size", "4"]
    assert _run([*argv, "--validate-every", "1", "--device", "cpu", "--out", str(out)]) == 0
    training = load_checkpoint(out, "jssp_improve")["training"]
    assert training["algo"] == "reinforce" and training["sizes"] == ["5x4"]
    method = f"l2s:start=spt:steps=20:chains=2:checkpoint={out}"
    assert _run(["solve", str(path_of("jssp", "ft06")), "--method", method, "--device", "cpu"]) == 0
    assert "gap" in capsys.readouterr().out
