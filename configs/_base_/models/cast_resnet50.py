# CAST (Selvaraju et al., CVPR 2021) as released: MoCo with a linear head, temperature 0.07,
# queue 65536, key-encoder momentum 0.999, loss 0.25 * L_moco + 0.75 * L_cast. CAST is
# mmpretrain's MoCo plus the CASTGroundingLoss plugin (attn_plugins.guidance).
_base_ = ['../plugins/cast_grounding_loss.py']
model = dict(
    type='GuidedMoCo',
    queue_len=65536,
    feat_dim=128,
    momentum=0.001,  # mmengine's EMA convention: 1 - 0.999
    algorithm_weight=0.25,
    # Loss choices left at their defaults: one cosine per sample, the area fraction of each
    # Grad-CAM cell as target. release_compat=True selects the release's (see
    # configs/cast/cast-release-compat_*).
    attention_losses=dict(cast={{_base_.cast_grounding_loss}}),
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone=dict(
        type='ResNet', depth=50, norm_cfg=dict(type='BN'), zero_init_residual=False),
    # MoCo v1's head: global average pooling and one linear layer.
    neck=dict(type='LinearNeck', in_channels=2048, out_channels=128, gap_dim=2, norm_cfg=None),
    head=dict(
        type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'), temperature=0.07))
