"""Train the default TSP, CVRP, knapsack or offline bin packing policy by imitation (TSP and CVRP
need ``pip install .[bench]``: LKH-3 through elkai for TSP, PyVRP for CVRP; knapsack uses
OR-Tools' exact solvers, bin packing OR-Tools' CP-SAT).

    python scripts/train_default.py tsp WORKDIR [--steps 40000]
    python scripts/train_default.py cvrp WORKDIR --device cuda --time-limit 400
    python scripts/train_default.py knapsack WORKDIR --init OLD.pt --lr 5e-4 --time-limit 1800 --validate-every 250
    python scripts/train_default.py binpacking WORKDIR --time-limit 4800 --batch-size 64

The expert, the expert sets, the validation set and the network come from the problem's
imitation recipe (``RECIPE`` in ``cosolve/train/<problem>_imitation.py``, its
``settings["shipped"]``), the same recipe ``cosolve train`` runs. Solves generated instances
with the expert once (cached in WORKDIR as ``<expert>_<problem><size>.npz``; TSP/CVRP: uniform
20, 50 and 100 nodes, validation on 64 TSP100 / CVRP100; knapsack: Pisinger's uncorrelated,
weakly and strongly correlated and subset-sum classes with 50, 100 and 200 items, validation on 64 strong100;
binpacking:
Falkenauer's uniform u120, u250 and triplets t60, t120 and Scholl's class 1 N2C2W2, only
proven optima kept, validation on 64 u120), then trains ``WORKDIR/<problem>_imitation.pt`` (the
bin packing checkpoint's problem is ``binpacking_offline``); rerunning resumes from its
``.last``. More expert files ``WORKDIR/<expert>_<problem><size>_s<seed>.npz`` (``make_experts``
output) join the training sets of their size. Ship the result with
``python scripts/ship_checkpoint.py WORKDIR/<problem>_imitation.pt <problem>`` (for bin packing:
``... WORKDIR/binpacking_imitation.pt binpacking_offline``).

``--init CHECKPOINT`` (knapsack) starts a fresh run from an earlier policy's weights: the shipped
knapsack policy was fine-tuned this way from the first one (six input features; ``git
show 6c3eb5a:cosolve/checkpoints_data/knapsack.pt > OLD.pt``) after the lookahead features were
added, with the knapsack command above (30 minutes, 3,107 steps on one CPU thread; the best
validation gap, 0.033 % on 64 strong100, came at step 1,000).
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

import torch

from cosolve.registry import get_recipes

PROBLEMS = ("tsp", "cvrp", "knapsack", "binpacking")
"""The problems whose default policy this script trains: their imitation recipes'
``settings["shipped"]`` hold the shipped runs' expert sets, validation size and expert time."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("problem", choices=PROBLEMS)
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--steps", type=int, default=40_000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--time-limit", type=float, help="seconds; the learning rate anneals over this time")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--lr-final", type=float, default=1e-5)
    parser.add_argument("--validate-every", type=int, default=500)
    parser.add_argument("--init", help="knapsack: start from this checkpoint's weights (fewer features allowed)")
    args = parser.parse_args()
    if args.init and args.problem != "knapsack":
        parser.error("--init is for the knapsack recipe")
    torch.set_num_threads(args.threads)
    trainer = importlib.import_module(f"cosolve.train.{args.problem}_imitation")
    recipe = get_recipes(args.problem)[0]
    expert, valid_count = recipe.defaults["expert"], recipe.settings["validation_count"]
    sizes, valid_size = recipe.settings["shipped"]["sizes"], recipe.settings["shipped"]["validation_size"]
    seconds = recipe.settings["shipped"]["expert_time_limit"]
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
        recipe.arguments(
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
        **({"init": args.init} if args.init else {}),
    )


if __name__ == "__main__":
    main()
