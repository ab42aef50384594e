# The default saliency teacher, exported by tools/export_teacher.py from
# configs/saliency_teacher/saliency-teacher_resnet18-w16_1xb16-adam-15e_osie-scene-128x96_cpu.py
# checkpoint sha256 3c8b7f6c4d7f68921cbd40e180c00be36876a38bf36ea0beb6d9d5f9b363ebd0
default_scope = 'mmpretrain'
input_size = (
    128,
    96,
)
model = dict(
    backbone=dict(
        base_channels=16,
        depth=18,
        norm_cfg=dict(type='BN'),
        out_indices=(
            1,
            2,
            3,
        ),
        stem_channels=16,
        type='ResNet'),
    data_preprocessor=dict(
        mean=[
            123.675,
            116.28,
            103.53,
        ],
        std=[
            58.395,
            57.12,
            57.375,
        ],
        to_rgb=True,
        type='ClsDataPreprocessor'),
    decoder=dict(
        center_bias=True,
        center_bias_sigma=0.25,
        channels=32,
        in_channels=(
            32,
            64,
            128,
        ),
        type='SaliencyDecoder'),
    loss_weights=dict(cc=1.0, kld=1.0, nss=1.0),
    type='SaliencyTeacher')
