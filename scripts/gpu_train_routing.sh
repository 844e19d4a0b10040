#!/usr/bin/env bash
# Train the TSP and CVRP policies side by side on a lent GPU machine (whose python3 already
# holds torch and torch-geometric), from expert files prepared on a CPU machine:
#
#   DATA=build/routing_data OUT=gpu_out LIMIT=400 bash scripts/gpu_train_routing.sh
#   DEVICE=cpu LIMIT=20 OUT=/tmp/out bash scripts/gpu_train_routing.sh   # smoke test
#
# DATA/tsp and DATA/cvrp hold the expert files of scripts/train_default.py
# (lkh_tsp{20,50,100}.npz, pyvrp_cvrp{20,50,100}.npz, the validation files, optional
# extra <expert>_<problem><n>_s<seed>.npz); either may hold a .last checkpoint to resume. Both runs
# anneal their learning rate over LIMIT seconds and leave their checkpoints and CSV logs in OUT.
set -u
OUT=${OUT:-gpu_out}
DATA=${DATA:-build/routing_data}
LIMIT=${LIMIT:-400}
DEVICE=${DEVICE:-cuda}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
for package in problems gnn baselines instances; do  # the package-dir layout of pyproject.toml
    [ -e "cosolve/$package" ] || ln -s "../$package" "cosolve/$package"
done
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null
python3 -c "import torch, torch_geometric; print('torch', torch.__version__, 'pyg', torch_geometric.__version__)"
python3 scripts/train_default.py tsp "$DATA/tsp" --device "$DEVICE" --time-limit "$LIMIT" --steps 1000000 \
    --batch-size "${TSP_BATCH:-512}" --lr "${TSP_LR:-1e-3}" --lr-final 5e-5 --validate-every "${TSP_VALIDATE:-500}" --threads 4 \
    > "$OUT/tsp_train.log" 2>&1 &
python3 scripts/train_default.py cvrp "$DATA/cvrp" --device "$DEVICE" --time-limit "$LIMIT" --steps 1000000 \
    --batch-size "${CVRP_BATCH:-512}" --lr "${CVRP_LR:-1e-3}" --lr-final 5e-5 --validate-every "${CVRP_VALIDATE:-500}" --threads 4 \
    > "$OUT/cvrp_train.log" 2>&1 &
wait
cp "$DATA"/tsp/tsp_imitation.pt* "$DATA"/cvrp/cvrp_imitation.pt* "$OUT"/
tail -n 5 "$OUT"/*.log
ls -la "$OUT"
