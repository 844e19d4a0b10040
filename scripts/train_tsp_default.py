"""Train the TSP policy by imitation of LKH-3 tours (needs ``pip install .[bench]`` for elkai).

    python scripts/train_tsp_default.py WORKDIR [--steps 40000] [--device cuda --time-limit 400]

Solves random uniform TSP20/50/100 with LKH-3 once (cached in WORKDIR), then trains
``WORKDIR/tsp_imitation.pt``; rerunning resumes from ``WORKDIR/tsp_imitation.pt.last``.
Further expert files ``WORKDIR/lkh_tsp<n>_s<seed>.npz`` (``make_experts`` output, e.g. from
more LKH runs) join the training sets of their size.
Ship the result with ``python scripts/ship_checkpoint.py WORKDIR/tsp_imitation.pt tsp``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from cosolve.train.tsp_imitation import TspImitationArgs, make_experts, save_experts, train

TRAINING_SETS = {"20": 2000, "50": 2000, "100": 2000}
VALIDATION = ("100", 64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--steps", type=int, default=40_000)
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
        path = args.workdir / f"lkh_tsp{size}.npz"
        if not path.exists():
            save_experts(path, make_experts(size, count, seed=1 + number, expert="lkh"))
            print(f"wrote {path}", flush=True)
        data.append(str(path))
    data += sorted(str(path) for path in args.workdir.glob("lkh_tsp*_s*.npz"))
    validation = args.workdir / f"lkh_tsp{VALIDATION[0]}_validation.npz"
    if not validation.exists():
        save_experts(validation, make_experts(VALIDATION[0], VALIDATION[1], seed=10_000, expert="lkh"))
    out = args.workdir / "tsp_imitation.pt"
    last = Path(f"{out}.last")
    train(
        TspImitationArgs(
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
