"""The improvement policy of the learned job shop search: a relational GNN over the current
schedule's disjunctive graph that scores the N5 moves (:mod:`cosolve.problems.jssp.improve`).

Every operation has at most one neighbour per relation (its job's and its machine's predecessor
and successor), so the message passing runs as gathers
(:meth:`~cosolve.gnn.relational_conv.RelationalConv.forward_neighbours`, the same layer as the
scatter-based one). A move ``(u, v)`` is scored from the embeddings of its two operations, the mean embedding of its
chain's graph and the move's own features (Taillard's estimate of the makespan after it, its
recency ...). Size-agnostic: the same weights serve any shop.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from cosolve.gnn.relational_conv import RelationalConv
from cosolve.problems.jssp.improve import MOVE_FEATURES, N_RELATIONS, NODE_FEATURES, ImproveObservation


@dataclass(frozen=True)
class ImprovePolicyConfig:
    """Architecture of :class:`ImprovePolicy` (stored in checkpoints)."""

    hidden: int = 32
    layers: int = 3

    def to_dict(self) -> dict:
        return asdict(self)


class ImprovePolicy(nn.Module):
    """Scores the moves of a batch of chains.

    Shapes:
        - **input:** an :class:`ImproveObservation` of ``B`` chains with at most ``K`` moves
        - **output:** logits ``[B, K]`` (``-inf`` where no move is allowed)
    """

    config_class = ImprovePolicyConfig  # the architecture in checkpoints (see cosolve.gnn.loading)

    def __init__(self, config: ImprovePolicyConfig | None = None):
        super().__init__()
        self.config = config or ImprovePolicyConfig()
        hidden = self.config.hidden
        self.embed = nn.Linear(NODE_FEATURES, hidden)
        self.convs = nn.ModuleList([RelationalConv(hidden, N_RELATIONS) for _ in range(self.config.layers)])
        self.scorer = nn.Sequential(
            nn.Linear(3 * hidden + MOVE_FEATURES, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, observation: ImproveObservation) -> torch.Tensor:
        h = self.embed(observation.x)
        for conv in self.convs:
            h = conv.forward_neighbours(h, observation.neighbours)
        batch, width, _ = observation.moves.shape
        pooled = h.view(batch, -1, h.shape[1]).mean(dim=1)  # [B, hidden]: every chain has N nodes
        inputs = torch.cat(
            [
                h[observation.moves[:, :, 0]],
                h[observation.moves[:, :, 1]],
                pooled.unsqueeze(1).expand(batch, width, -1),
                observation.move_features,
            ],
            dim=2,
        )
        return self.scorer(inputs).squeeze(2).masked_fill(~observation.mask, float("-inf"))
