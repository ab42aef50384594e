# Baseline for the CAST table: MoCo v2 with plain RandomResizedCrop on COCO train2017, the
# same schedule as the CAST configs.
_base_ = [
    '../_base_/models/mocov2_resnet50.py',
    '../_base_/datasets/coco_bs32_mocov2.py',
    '../_base_/schedules/cast_sgd_coslr_200e.py',
    '../_base_/default_runtime.py',
]
