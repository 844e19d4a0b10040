"""The learned guide of the job shop tabu search: a linear ranking of the N5 moves.

Plain tabu search (:mod:`cosolve.baselines.jssp_tabu`) makes the allowed move with the smallest
estimated makespan. A guide ranks the allowed moves by ``features @ weights`` instead, where the
features of a move (``GUIDE_FEATURES``, computed inside the numba kernel) are its makespan
change in %, how often its two operations were moved so far, their duration difference, where
the swap lies in the schedule and how recently either was moved. The weight of the makespan
change is fixed at 1 (a ranking does not change when all weights are scaled), so the guide
learns the others: ``GUIDE_FEATURES - 1`` numbers, trained by an evolution strategy on random
shops (:mod:`cosolve.train.jssp_tabu_guide`). All-zero learned weights are plain tabu search
(up to how ties are broken).

The guide is tiny on purpose: the kernel evaluates it for every move of every iteration, 60,000
to 180,000 iterations a second on one core, so anything larger than a dot product would cost
more search than it saves.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from cosolve.baselines.jssp_tabu import GUIDE_FEATURES


@dataclass(frozen=True)
class TabuGuideConfig:
    """Shape of :class:`TabuGuide` (stored in checkpoints): the number of move features it weighs."""

    features: int = GUIDE_FEATURES

    def to_dict(self) -> dict:
        return asdict(self)


class TabuGuide(nn.Module):
    """Learned weights of the move features but the first (the makespan change, weight 1).

    Shapes:
        - ``weights``: ``[features - 1]``
        - :meth:`kernel_weights`: ``[features]`` float64, what the tabu kernel takes
    """

    config_class = TabuGuideConfig  # the shape in checkpoints (see cosolve.gnn.loading)

    def __init__(self, config: TabuGuideConfig | None = None):
        super().__init__()
        self.config = config or TabuGuideConfig()
        if self.config.features != GUIDE_FEATURES:
            raise ValueError(f"this version's tabu guide weighs {GUIDE_FEATURES} features, not {self.config.features}")
        self.weights = nn.Parameter(torch.zeros(self.config.features - 1, dtype=torch.float64))

    def kernel_weights(self, offsets: torch.Tensor | None = None) -> np.ndarray:
        """The full weight vector ``[features]`` (``[P, features]`` with ``offsets`` ``[P, features - 1]``
        added to the learned weights: the candidates of an evolution strategy)."""
        learned = self.weights.detach().cpu()
        if offsets is not None:
            learned = learned + offsets.to(learned)
        learned = learned.reshape(-1, self.config.features - 1)
        full = torch.cat([torch.ones(learned.shape[0], 1, dtype=torch.float64), learned], dim=1).numpy()
        return full if offsets is not None else full[0]
