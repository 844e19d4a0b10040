"""Train the CVRP policy by imitation of PyVRP route sets (needs ``pip install .[bench]``).

    python scripts/train_cvrp_default.py WORKDIR [--steps 40000] [--device cuda --time-limit 400]

Solves random uniform CVRP20/50/100 with PyVRP once (``--expert-seconds`` each, cached in
WORKDIR), then trains ``WORKDIR/cvrp_imitation.pt``; rerunning resumes from
``WORKDIR/cvrp_imitation.pt.last``. Ship with
``python scripts/ship_checkpoint.py WORKDIR/cvrp_imitation.pt cvrp``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from cosolve.train.cvrp_imitation import CvrpImitationArgs, make_experts, save_experts, train

TRAINING_SETS = {"20": 500, "50": 500, "100": 500}
VALIDATION = ("100", 32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--steps", type=int, default=40_000)
    parser.add_argument("--expert-seconds", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--time-limit", type=float, help="seconds; the learning rate anneals over this time")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--lr-final", type=float, default=1e-5)
    parser.add_argument("--validate-every", type=int, default=500)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    args.workdir.mkdir(parents=True, exist_ok=True)
    data = []
    for number, (size, count) in enumerate(TRAINING_SETS.items()):
        path = args.workdir / f"pyvrp_cvrp{size}.npz"
        if not path.exists():
            save_experts(path, make_experts(size, count, seed=1 + number, expert="pyvrp", seconds=args.expert_seconds))
            print(f"wrote {path}", flush=True)
        data.append(str(path))
    validation = args.workdir / f"pyvrp_cvrp{VALIDATION[0]}_validation.npz"
    if not validation.exists():
        save_experts(validation, make_experts(VALIDATION[0], VALIDATION[1], 10_000, "pyvrp", 2 * args.expert_seconds))
    out = args.workdir / "cvrp_imitation.pt"
    last = Path(f"{out}.last")
    train(
        CvrpImitationArgs(
            data=data,
            validation=str(validation),
            out=str(out),
            steps=args.steps,
            batch_size=args.batch_size,
            lr=args.lr,
            lr_final=args.lr_final,
            validate_every=args.validate_every,
            device=args.device,
            time_limit=args.time_limit,
        ),
        resume=str(last) if last.exists() else None,
        log=lambda line: print(line, flush=True),
    )


if __name__ == "__main__":
    main()
