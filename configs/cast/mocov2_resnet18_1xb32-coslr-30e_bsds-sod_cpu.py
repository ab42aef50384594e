# CPU-size sibling of mocov2_resnet50_8xb32-coslr-200e_coco.py: the MoCo v2 baseline on the
# same 200 photos as the CAST CPU configs.
_base_ = [
    '../_base_/models/mocov2_resnet18_cpu.py',
    '../_base_/datasets/bsds-sod_bs32_mocov2_cpu.py',
    '../_base_/schedules/cast_sgd_coslr_30e_cpu.py',
    '../_base_/default_runtime.py',
]

default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=10))
randomness = dict(seed=0)
