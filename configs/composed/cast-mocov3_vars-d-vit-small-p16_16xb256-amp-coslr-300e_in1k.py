# CAST on MoCo v3 with a VARS-D ViT-S/16: the MoCo v3 VARS recipe
# (../vars/mocov3_vars-d-vit-small-p16_16xb256-amp-coslr-300e_in1k.py) with both views cut
# by the saliency-constrained crop and CAST's Grad-CAM grounding loss on the patch tokens
# entering the last block (its first LayerNorm; the class token dropped, a 14 x 14 grid):
# the backbone returns the class token, which the last block's output patch tokens no
# longer reach. MoCo v3 has no key queue: the score of view v is its projection against the
# momentum encoder's embedding of the other view with the background masked, and the loss
# is averaged over both views. The maps: the teacher's maps of ImageNet
# (tools/gen_saliency.py -> $ATTN_DATA_ROOT/imagenet/saliency_teacher).
# CPU-size sibling: cast-mocov3_vars-d-vit-small-p16_1xb32-coslr-2e_bsds-sod_cpu.py.
_base_ = ['../vars/mocov3_vars-d-vit-small-p16_16xb256-amp-coslr-300e_in1k.py']
model = dict(
    type='GuidedMoCoV3',
    attention_losses=dict(
        cast=dict(type='CASTGroundingLoss', loss_weight=0.75, layer='backbone.layers.11.ln1',
                  tokens=dict(num_extra_tokens=1))))
# mmpretrain's MoCo v3 views with the saliency-constrained crop and a flip that flips the map.
view_pipeline1 = [
    dict(type='SaliencyConstrainedRandomResizedCrop', scale=224, crop_ratio_range=(0.08, 1.),
         min_salient_fraction=0.2, backend='pillow'),
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitterNumpy2', brightness=0.4, contrast=0.4,
                          saturation=0.2, hue=0.1)],
         prob=0.8),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=1.),
    dict(type='Solarize', thr=128, prob=0.),
    dict(type='SaliencyRandomFlip', prob=0.5),
]
view_pipeline2 = [
    dict(type='SaliencyConstrainedRandomResizedCrop', scale=224, crop_ratio_range=(0.08, 1.),
         min_salient_fraction=0.2, backend='pillow'),
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitterNumpy2', brightness=0.4, contrast=0.4,
                          saturation=0.2, hue=0.1)],
         prob=0.8),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.1),
    dict(type='Solarize', thr=128, prob=0.2),
    dict(type='SaliencyRandomFlip', prob=0.5),
]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='SaliencyImageFolder',
        data_root='{{$ATTN_DATA_ROOT:../shared/data}}/imagenet/',
        img_dirs='train',
        saliency_dir='saliency_teacher',
        missing_saliency='skip',
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadSaliencyMap'),
            dict(type='SaliencyMultiView', num_views=[1, 1],
                 transforms=[view_pipeline1, view_pipeline2]),
            dict(type='PackSaliencyInputs'),
        ]))
