"""The one policy loader: every policy class round-trips, every shipped checkpoint loads, and each
way a checkpoint can be wrong is a ``CosolveInputError`` that names the file."""

from __future__ import annotations

import pytest
import torch

from cosolve.checkpoint import save_checkpoint, shipped_checkpoints
from cosolve.errors import CosolveInputError
from cosolve.gnn.binpacking_online_policy import OnlinePackingPolicy, OnlinePolicyConfig
from cosolve.gnn.binpacking_policy import BinPackingPolicy
from cosolve.gnn.cvrp_policy import CvrpPolicy
from cosolve.gnn.jssp_dynamic_rollout import check_dynamic_graph, dynamic_config
from cosolve.gnn.jssp_improve_policy import ImprovePolicy, ImprovePolicyConfig
from cosolve.gnn.jssp_policy import JobShopPolicy, PolicyConfig
from cosolve.gnn.knapsack_policy import KnapsackPolicy
from cosolve.gnn.loading import load_policy
from cosolve.gnn.token_net import TokenNetConfig
from cosolve.gnn.tsp_policy import TspPolicy
from cosolve.problems.jssp.dynamic.observe import N_FEATURES

ROUTING = TokenNetConfig(hidden=16, graph_layers=1, attention_layers=1, heads=2)
POLICIES = {  # problem -> a small policy of its class
    "jssp": lambda: JobShopPolicy(PolicyConfig(hidden=8, layers=1)),
    "jssp_dynamic": lambda: JobShopPolicy(dynamic_config(hidden=8, layers=1)),
    "tsp": lambda: TspPolicy(ROUTING),
    "cvrp": lambda: CvrpPolicy(ROUTING),
    "knapsack": lambda: KnapsackPolicy(ROUTING),
    "binpacking_offline": lambda: BinPackingPolicy(ROUTING),
    "binpacking_online": lambda: OnlinePackingPolicy(OnlinePolicyConfig(hidden=8)),
    "jssp_improve": lambda: ImprovePolicy(ImprovePolicyConfig(hidden=8, layers=1)),
}
SHIPPED_CLASSES = {
    "jssp": JobShopPolicy,
    "jssp_dynamic": JobShopPolicy,
    "tsp": TspPolicy,
    "cvrp": CvrpPolicy,
    "knapsack": KnapsackPolicy,
    "binpacking_offline": BinPackingPolicy,
    "binpacking_online": OnlinePackingPolicy,
    "jssp_improve": ImprovePolicy,
}


def save(path, problem: str, policy: torch.nn.Module, name: str | None = None, config: dict | None = None):
    config = policy.config.to_dict() if config is None else config
    save_checkpoint(path, problem, name or type(policy).__name__, config, policy.state_dict())
    return path


@pytest.mark.parametrize("problem", POLICIES)
def test_every_policy_class_round_trips_in_eval_mode(tmp_path, problem):
    torch.manual_seed(0)
    policy = POLICIES[problem]()
    loaded = load_policy(save(tmp_path / "p.pt", problem, policy), problem, type(policy))
    assert type(loaded) is type(policy) and loaded.config == policy.config and not loaded.training
    for name, tensor in policy.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], tensor)


def test_every_shipped_checkpoint_loads():
    for path in shipped_checkpoints():
        problem = "jssp_dynamic" if path.stem.startswith("jssp_dynamic") else path.stem
        assert problem in SHIPPED_CLASSES, f"{path.name}: no policy class known for it here"
        check = check_dynamic_graph if problem == "jssp_dynamic" else None
        assert isinstance(load_policy(path, problem, SHIPPED_CLASSES[problem], check=check), SHIPPED_CLASSES[problem])


def test_a_checkpoint_of_another_policy_class_names_the_file(tmp_path):
    path = save(tmp_path / "tsp.pt", "knapsack", TspPolicy(ROUTING))
    with pytest.raises(CosolveInputError, match="holds a TspPolicy, not a KnapsackPolicy") as caught:
        load_policy(path, "knapsack", KnapsackPolicy)
    assert caught.value.path == str(path) and str(path) in str(caught.value)


def test_a_checkpoint_of_another_problem_names_the_file(tmp_path):
    path = save(tmp_path / "jssp.pt", "jssp", JobShopPolicy(PolicyConfig(hidden=8, layers=1)))
    with pytest.raises(CosolveInputError, match="checkpoint is for problem 'jssp', not 'tsp'") as caught:
        load_policy(path, "tsp", TspPolicy)
    assert caught.value.path == str(path)


@pytest.mark.parametrize(
    "config",
    [
        {"hidden": 16, "graph_layers": 1, "attention_layers": 1, "heads": 2, "dropout": 0.1},  # unknown field
        {"hidden": 32, "graph_layers": 1, "attention_layers": 1, "heads": 2},  # weights of another width
    ],
)
def test_a_config_that_does_not_fit_names_the_file(tmp_path, config):
    for problem, cls in (("tsp", TspPolicy), ("knapsack", KnapsackPolicy)):  # knapsack: its own weight loader
        path = save(tmp_path / f"{problem}.pt", problem, cls(ROUTING), config=config)
        with pytest.raises(CosolveInputError, match="does not fit this version's policy") as caught:
            load_policy(path, problem, cls)
        assert caught.value.path == str(path)


def test_weights_that_do_not_fit_name_the_file(tmp_path):
    policy = OnlinePackingPolicy(OnlinePolicyConfig(hidden=8))
    weights = {name: tensor for name, tensor in policy.state_dict().items() if not name.startswith("score")}
    save_checkpoint(tmp_path / "p.pt", "binpacking_online", "OnlinePackingPolicy", {"hidden": 8}, weights)
    with pytest.raises(CosolveInputError, match="does not fit this version's policy") as caught:
        load_policy(tmp_path / "p.pt", "binpacking_online", OnlinePackingPolicy)
    assert caught.value.path == str(tmp_path / "p.pt")


def test_a_failed_check_names_the_file(tmp_path):
    static = save(tmp_path / "static.pt", "jssp_dynamic", JobShopPolicy(PolicyConfig(hidden=8, layers=1)))
    with pytest.raises(CosolveInputError, match="another graph") as caught:
        load_policy(static, "jssp_dynamic", JobShopPolicy, check=check_dynamic_graph)
    assert caught.value.path == str(static)
    dynamic = save(tmp_path / "dynamic.pt", "jssp_dynamic", JobShopPolicy(dynamic_config(hidden=8, layers=1)))
    loaded = load_policy(dynamic, "jssp_dynamic", JobShopPolicy, check=check_dynamic_graph)
    assert loaded.config.node_features == N_FEATURES
