# CPU-size sibling of cast-mocov2_resnet50_8xb32-coslr-200e_coco.py.
_base_ = [
    '../_base_/models/cast_resnet18_cpu.py',
    '../_base_/datasets/bsds-sod_bs32_cast-mocov2_cpu.py',
    '../_base_/schedules/cast_sgd_coslr_30e_cpu.py',
    '../_base_/default_runtime.py',
]
model = dict(
    neck=dict(_delete_=True, type='MoCoV2Neck', in_channels=512, hid_channels=512,
              out_channels=128, with_avg_pool=True),
    head=dict(temperature=0.2))

default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=10))
randomness = dict(seed=0)
