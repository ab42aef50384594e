# CPU-size sibling of faster-rcnn_vars-d-vit-small-p16-mln_8xb2-ms-24k_voc0712.py: the VARS-D
# ViT of the VARS CPU configs (96 wide, 4 layers, 3 heads, 4x4 patches), pyramid at strides
# 4, 8, 16, 32 from its stride-4 map, the two-fc box head of the ResNet-18 FPN CPU config;
# BCCD at 320x240, 300 iterations of 4 images. Starts from random weights; transfer a run of
# configs/vars/*_cpu.py with --pretrained work_dirs/<run>/epoch_N.pth (the position
# embedding is interpolated to the 60x80 token grid on loading).
_base_ = [
    './_base_/models/faster-rcnn_vars-d-vit-small-p16-mln.py',
    './_base_/datasets/bccd_320_cpu.py',
    './_base_/schedules/sgd-steplr_300i_cpu.py',
]

model = dict(
    backbone=dict(
        arch=dict(_delete_=True, embed_dims=96, num_layers=4, num_heads=3,
                  feedforward_channels=384),
        img_size=(240, 320),
        patch_size=4,
        out_indices=(3, ),
        drop_path_rate=0.0),
    neck=dict(in_channels=[96], scales=[1, 0.5, 0.25, 0.125]),
    roi_head=dict(bbox_head=dict(type='Shared2FCBBoxHead', norm_cfg=None, num_classes=3)),
    train_cfg=dict(rcnn=dict(sampler=dict(num=128))))
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-4, betas=(0.9, 0.999), weight_decay=0.05),
    clip_grad=dict(max_norm=35, norm_type=2))
