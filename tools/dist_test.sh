#!/usr/bin/env bash
# Evaluate a checkpoint on several processes through torchrun.
#
# Usage:
#   bash tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCS [test.py options...]
#
# Examples:
#   # two CPU processes (gloo) score the VARS CPU classifier trained by tools/train.py
#   bash tools/dist_test.sh configs/vars/vars-d_vit-small-p16_8xb128-300e_in1k_cpu.py \
#       work_dirs/vars-d_vit-small-p16_8xb128-300e_in1k_cpu/epoch_15.pth 2
#   # 8 GPUs; write the metrics to a file
#   bash tools/dist_test.sh configs/vars/vars-d_vit-small-p16_8xb128-300e_in1k.py \
#       work_dirs/vars-d_vit-small-p16_8xb128-300e_in1k/epoch_300.pth 8 \
#       --out metrics.json --out-item metrics
#
# Environment: NNODES (1), NODE_RANK (0), MASTER_ADDR (127.0.0.1), PORT (29500),
# PYTHON (python).
set -euo pipefail
usage() { awk 'NR == 1 {next} !/^#/ {exit} {sub(/^# ?/, ""); print}' "$0"; }
if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then
    usage; exit 0
fi
if [ $# -lt 3 ]; then
    usage >&2; exit 2
fi
CONFIG=$1
CHECKPOINT=$2
NPROC=$3
TOOLS=$(cd "$(dirname "$0")" && pwd)

PYTHONPATH="$TOOLS/..${PYTHONPATH:+:$PYTHONPATH}" \
"${PYTHON:-python}" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" \
    --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --master_port="${PORT:-29500}" \
    --nproc_per_node="$NPROC" \
    "$TOOLS/test.py" "$CONFIG" "$CHECKPOINT" --launcher pytorch "${@:4}"
