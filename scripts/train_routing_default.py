"""Train the default TSP or CVRP policy by imitation (needs ``pip install .[bench]``: LKH-3
through elkai for TSP, PyVRP for CVRP).

    python scripts/train_routing_default.py tsp WORKDIR [--steps 40000]
    python scripts/train_routing_default.py cvrp WORKDIR --device cuda --time-limit 400

Solves random uniform instances of 20, 50 and 100 nodes with the expert once (cached in
WORKDIR as ``lkh_tsp<n>.npz`` / ``pyvrp_cvrp<n>.npz``, validation on 64 TSP100 / 32 CVRP100),
then trains ``WORKDIR/<problem>_imitation.pt``; rerunning resumes from its ``.last``. More
expert files ``WORKDIR/<expert>_<problem><n>_s<seed>.npz`` (``make_experts`` output) join the
training sets of their size. Ship the result with
``python scripts/ship_checkpoint.py WORKDIR/<problem>_imitation.pt <problem>``.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

import torch

from cosolve.train.routing_imitation import RoutingImitationArgs

RECIPES = {  # problem: (expert, training set sizes, validation size and count, expert seconds)
    "tsp": ("lkh", {"20": 2000, "50": 2000, "100": 2000}, ("100", 64), 1.0),
    "cvrp": ("pyvrp", {"20": 500, "50": 500, "100": 500}, ("100", 32), 1.0),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("problem", choices=sorted(RECIPES))
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
    trainer = importlib.import_module(f"cosolve.train.{args.problem}_imitation")
    expert, sizes, (valid_size, valid_count), seconds = RECIPES[args.problem]
    prefix = f"{expert}_{args.problem}"
    args.workdir.mkdir(parents=True, exist_ok=True)
    data = []
    for number, (size, count) in enumerate(sizes.items()):
        path = args.workdir / f"{prefix}{size}.npz"
        if not path.exists():
            trainer.save_experts(path, trainer.make_experts(size, count, 1 + number, expert, seconds))
            print(f"wrote {path}", flush=True)
        data.append(str(path))
    data += sorted(str(path) for path in args.workdir.glob(f"{prefix}*_s*.npz"))
    validation = args.workdir / f"{prefix}{valid_size}_validation.npz"
    if not validation.exists():
        trainer.save_experts(validation, trainer.make_experts(valid_size, valid_count, 10_000, expert, 2 * seconds))
    out = args.workdir / f"{args.problem}_imitation.pt"
    last = Path(f"{out}.last")
    trainer.train(
        RoutingImitationArgs(
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
