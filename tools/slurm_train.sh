#!/usr/bin/env bash
# Train on a Slurm cluster; one task per GPU, any number of nodes.
#
# Usage:
#   GPUS=16 GPUS_PER_NODE=8 bash tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR \
#       [train.py options...]
#
# Examples:
#   # MoCo v2 on 8 GPUs of one node of the partition "gpu"
#   bash tools/slurm_train.sh gpu mocov2 configs/mocov2/mocov2_resnet50_8xb32-coslr-200e_in1k.py \
#       work_dirs/mocov2_resnet50_8xb32-coslr-200e_in1k
#   # CAST on two nodes of 8 GPUs, resuming from the latest checkpoint in the work dir
#   GPUS=16 bash tools/slurm_train.sh gpu cast configs/cast/cast_resnet50_8xb32-coslr-200e_coco.py \
#       work_dirs/cast_resnet50_8xb32-coslr-200e_coco --resume
#
# Environment: GPUS (8), GPUS_PER_NODE (8), CPUS_PER_TASK (5), SRUN_ARGS (""),
# PYTHON (python).
set -euo pipefail
usage() { awk 'NR == 1 {next} !/^#/ {exit} {sub(/^# ?/, ""); print}' "$0"; }
if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then
    usage; exit 0
fi
if [ $# -lt 4 ]; then
    usage >&2; exit 2
fi
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
WORK_DIR=$4
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
TOOLS=$(cd "$(dirname "$0")" && pwd)

# shellcheck disable=SC2086  # SRUN_ARGS holds several words on purpose
PYTHONPATH="$TOOLS/..${PYTHONPATH:+:$PYTHONPATH}" \
srun -p "$PARTITION" \
    --job-name="$JOB_NAME" \
    --gres=gpu:"$GPUS_PER_NODE" \
    --ntasks="$GPUS" \
    --ntasks-per-node="$GPUS_PER_NODE" \
    --cpus-per-task="${CPUS_PER_TASK:-5}" \
    --kill-on-bad-exit=1 \
    ${SRUN_ARGS:-} \
    "${PYTHON:-python}" -u "$TOOLS/train.py" "$CONFIG" --work-dir="$WORK_DIR" \
    --launcher=slurm "${@:5}"
