# CAST on MoCo v2: MLP head, temperature 0.2, MoCo v2 augmentation (with blur) and the
# saliency-constrained crop; otherwise the released CAST recipe.
_base_ = [
    '../_base_/models/cast_resnet50.py',
    '../_base_/datasets/coco_bs32_cast-mocov2.py',
    '../_base_/schedules/cast_sgd_coslr_200e.py',
    '../_base_/default_runtime.py',
]
model = dict(
    neck=dict(_delete_=True, type='MoCoV2Neck', in_channels=2048, hid_channels=2048,
              out_channels=128, with_avg_pool=True),
    head=dict(temperature=0.2))
