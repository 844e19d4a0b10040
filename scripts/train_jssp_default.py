"""Train the shipped job shop policy from scratch (the run behind cosolve/checkpoints_data/jssp.pt).

    python scripts/train_jssp_default.py WORKDIR [EPISODES]

1. Expert sets: random Taillard instances solved by CP-SAT, 2 processes of 1 worker each:
   400 x 6x6 (1 s each), 400 x 10x10 (1 s), 120 x 15x15 (3 s).
2. Imitation (cosolve.train.jssp_imitation) with the default JobShopImitationArgs: batches of 32, set-valued
   labels, learning rate 1e-3 decaying to 1e-4 over EPISODES (default 700), validation every
   25 episodes on held-out experts and on generated 20x20 / 30x20 / 50x15 shops against
   FDD/MWKR. WORKDIR/jssp_imitation.pt is the best checkpoint; resume by running again.
3. Ship it: python scripts/ship_checkpoint.py WORKDIR/jssp_imitation.pt jssp
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import torch

from cosolve.train.jssp_experts import save_experts, solve_experts
from cosolve.train.jssp_imitation import RECIPE, JobShopImitationArgs, train

EXPERTS = RECIPE.settings["shipped"]["experts"]
"""The recipe's expert sets of the shipped run: (size, instances, CP-SAT seconds, seed)."""


def main(workdir: str, episodes: str = "700") -> None:
    folder = Path(workdir)
    folder.mkdir(parents=True, exist_ok=True)
    for size, count, limit, seed in EXPERTS:
        path = folder / f"experts_{size}.npz"
        if not path.exists():
            begin = time.time()
            experts = solve_experts(size, count, seed=seed, time_limit_s=limit, jobs=2)
            save_experts(path, experts)
            print(f"{size}: {count} experts, {experts.optimal.mean():.0%} optimal, {time.time() - begin:.0f} s")
    torch.set_num_threads(2)
    out = folder / "jssp_imitation.pt"
    last = Path(f"{out}.last")
    args = JobShopImitationArgs(
        data=[str(folder / f"experts_{size}.npz") for size, *_ in EXPERTS],
        out=str(out),
        episodes=int(episodes),
        batch_size=32,
        validate_every=25,
    )
    train(
        args,
        resume=str(last) if last.exists() else None,
        log=lambda message: print(time.strftime("%H:%M:%S"), message, flush=True),
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
