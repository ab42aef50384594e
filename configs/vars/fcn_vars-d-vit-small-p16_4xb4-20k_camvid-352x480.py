# Segmentation transfer through mmseg: an FCN head on the last layer (stride 16) of the
# VARS-D ViT-S/16, initialised from the backbone of a VARS pretraining run (classification
# or MoCo v3 configs beside this one), fine-tuned on CamVid (11 classes, 11 = void ignored)
# for 20k iterations on 4 GPUs x 4 crops of 352x480. Point the checkpoint elsewhere with
# --cfg-options model.backbone.init_cfg.checkpoint=PATH.
_base_ = [
    '../_base_/datasets/camvid_bs4_352x480.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_20k.py',
]
custom_imports = dict(imports=['attn_plugins'], allow_failed_imports=False)

crop_size = (352, 480)
num_classes = 11
ignore_index = 11  # CamVid's void label
norm_cfg = dict(type='SyncBN', requires_grad=True)
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=ignore_index,
    size=crop_size)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='VARSVisionTransformer',
        arch='deit-small',
        img_size=224,
        patch_size=16,
        out_indices=(11, ),
        out_type='featmap',
        drop_path_rate=0.1,
        attn_cfgs=dict(dictionary='dynamic', num_steps=5, lam=0.3, rand_feat_ratio=2,
                       solver='lista'),
        init_cfg=dict(
            type='Pretrained',
            checkpoint='work_dirs/vars-d_vit-small-p16_8xb128-300e_in1k/epoch_300.pth',
            prefix='backbone.')),
    decode_head=dict(
        type='FCNHead',
        in_channels=384,
        in_index=0,
        channels=256,
        num_convs=2,
        concat_input=True,
        dropout_ratio=0.1,
        num_classes=num_classes,
        ignore_index=ignore_index,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0,
                         avg_non_ignore=True)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

# ViT fine-tuning: AdamW with layer-agnostic lr, no decay on norms and embeddings.
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(
        custom_keys={
            'pos_embed': dict(decay_mult=0.),
            'cls_token': dict(decay_mult=0.),
            'norm': dict(decay_mult=0.),
        }))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(type='PolyLR', eta_min=0.0, power=1.0, begin=1500, end=20000, by_epoch=False),
]
