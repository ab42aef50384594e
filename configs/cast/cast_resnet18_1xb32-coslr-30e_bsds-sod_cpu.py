# CPU-size sibling of cast_resnet50_8xb32-coslr-200e_coco.py: ResNet-18 (output stride 16)
# on the 200 BSDS500 train photos with SOD masks at 96 px, 30 epochs.
_base_ = [
    '../_base_/models/cast_resnet18_cpu.py',
    '../_base_/datasets/bsds-sod_bs32_cast_cpu.py',
    '../_base_/schedules/cast_sgd_coslr_30e_cpu.py',
    '../_base_/default_runtime.py',
]

default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=10))
randomness = dict(seed=0)
