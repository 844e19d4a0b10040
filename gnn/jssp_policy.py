"""The job shop dispatching policy: a relational GNN over the state graph, a scorer over
the candidate operations (one per unfinished job) and a value head.

Size-agnostic: the same weights handle any number of jobs and machines.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn
from torch_geometric.utils import scatter

from cosolve.gnn.relational_conv import RelationalConv
from cosolve.problems.jssp.observe import N_CANDIDATE_FEATURES, N_FEATURES, N_RELATIONS, Observation


@dataclass(frozen=True)
class PolicyConfig:
    """Architecture of :class:`JobShopPolicy` (stored in checkpoints)."""

    hidden: int = 48
    layers: int = 3
    node_features: int = N_FEATURES
    candidate_features: int = N_CANDIDATE_FEATURES
    """Input widths: the static graph's by default; the dynamic job shop's graph has more."""

    def to_dict(self) -> dict:
        return asdict(self)


def _mlp(inputs: int, hidden: int, outputs: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(inputs, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, outputs)
    )


class JobShopPolicy(nn.Module):
    """Scores the candidate operations of a batch of job shop states.

    Shapes:
        - **input:** an :class:`Observation` of ``B`` states with ``J`` jobs
        - **output:** logits ``[B, J]`` (``-inf`` where the job is finished) and values ``[B]``
    """

    config_class = PolicyConfig  # the architecture in checkpoints (see cosolve.gnn.loading)

    def __init__(self, config: PolicyConfig | None = None):
        super().__init__()
        self.config = config or PolicyConfig()
        hidden = self.config.hidden
        self.embed = nn.Linear(self.config.node_features, hidden)
        self.convs = nn.ModuleList([RelationalConv(hidden, N_RELATIONS) for _ in range(self.config.layers)])
        self.scorer = _mlp(3 * hidden + self.config.candidate_features, hidden, 1)
        self.value = _mlp(hidden, hidden, 1)

    def forward(self, observation: Observation) -> tuple[torch.Tensor, torch.Tensor]:
        graph = observation.graph
        h = self.embed(graph.x)
        for conv in self.convs:
            h = conv(h, graph.edge_index, graph.edge_type)
        pooled = scatter(h, graph.batch, dim=0, dim_size=observation.mask.shape[0], reduce="mean")  # [B, hidden]
        batch, n_jobs = observation.candidates.shape
        inputs = torch.cat(
            [
                h[observation.candidates],
                h[observation.candidate_machines],
                pooled.unsqueeze(1).expand(batch, n_jobs, -1),
                observation.candidate_features,
            ],
            dim=2,
        )
        logits = self.scorer(inputs).squeeze(2).masked_fill(~observation.mask, float("-inf"))
        return logits, self.value(pooled).squeeze(1)
