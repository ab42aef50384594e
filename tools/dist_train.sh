#!/usr/bin/env bash
# Train on several processes (GPUs, or CPU processes with gloo) through torchrun.
#
# Usage:
#   bash tools/dist_train.sh CONFIG NUM_PROCS [train.py options...]
#
# Examples:
#   # two CPU processes with the gloo backend (on a machine without GPUs)
#   bash tools/dist_train.sh configs/mocov2/mocov2_resnet18_1xb32-coslr-4e_bsds-osie_cpu.py 2
#   # 8 GPUs, one node
#   bash tools/dist_train.sh configs/cast/cast_resnet50_8xb32-coslr-200e_coco.py 8
#   # two nodes, 8 GPUs each (run on every node, NODE_RANK 0 and 1)
#   NNODES=2 NODE_RANK=0 MASTER_ADDR=10.0.0.1 bash tools/dist_train.sh \
#       configs/cast/cast_resnet50_8xb32-coslr-200e_coco.py 8
#
# Environment: NNODES (1), NODE_RANK (0), MASTER_ADDR (127.0.0.1), PORT (29500),
# PYTHON (python).
set -euo pipefail
usage() { awk 'NR == 1 {next} !/^#/ {exit} {sub(/^# ?/, ""); print}' "$0"; }
if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then
    usage; exit 0
fi
if [ $# -lt 2 ]; then
    usage >&2; exit 2
fi
CONFIG=$1
NPROC=$2
TOOLS=$(cd "$(dirname "$0")" && pwd)

PYTHONPATH="$TOOLS/..${PYTHONPATH:+:$PYTHONPATH}" \
"${PYTHON:-python}" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" \
    --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --master_port="${PORT:-29500}" \
    --nproc_per_node="$NPROC" \
    "$TOOLS/train.py" "$CONFIG" --launcher pytorch "${@:3}"
