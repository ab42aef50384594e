# VOC detection transfer of a VARS-D ViT-S/16 (see configs/vars): Faster R-CNN with a
# simple feature pyramid (mmseg's MultiLevelNeck), same data, schedule and metrics as
# faster-rcnn_r50-c4_8xb2-ms-24k_voc0712.py, AdamW as for ViT fine-tuning. The backbone
# starts from the MoCo v3 run of configs/vars/mocov3_vars-d-vit-small-p16_16xb256-amp-
# coslr-300e_in1k.py by default; any VARS ViT-S/16 checkpoint: --pretrained PATH.
_base_ = [
    './_base_/models/faster-rcnn_vars-d-vit-small-p16-mln.py',
    './_base_/datasets/voc0712_ms.py',
    './_base_/schedules/sgd-steplr_24k.py',
]

pretrain_ckpt = 'work_dirs/mocov3_vars-d-vit-small-p16_16xb256-amp-coslr-300e_in1k/epoch_300.pth'
# _delete_: the model base has init_cfg=None.
model = dict(
    backbone=dict(init_cfg=dict(
        _delete_=True, type='Pretrained', checkpoint=pretrain_ckpt, prefix='backbone.')))
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(custom_keys={
        'pos_embed': dict(decay_mult=0.),
        'cls_token': dict(decay_mult=0.),
        'norm': dict(decay_mult=0.),
    }))
