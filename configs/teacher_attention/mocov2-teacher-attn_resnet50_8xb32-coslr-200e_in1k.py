# MoCo v2 as the contrastive part (the baseline is configs/mocov2/
# mocov2_resnet50_8xb32-coslr-200e_in1k.py) plus the attention head on the query view,
# trained on the teacher's maps of ImageNet (data/imagenet/saliency_teacher).
# CPU-size sibling: mocov2-teacher-attn_resnet18_1xb32-coslr-10e_bsds-osie_cpu.py.
_base_ = [
    '../_base_/models/teacher_mocov2_resnet50.py',
    '../_base_/datasets/teacher_imagenet_bs32_simclr-maps.py',
    '../_base_/schedules/sgd_coslr_200e.py',
    '../_base_/default_runtime.py',
]

# MoCo v2's augmentation: crops of at least 20% of the image, milder colour jitter.
view_pipeline = [
    dict(type='SaliencyConstrainedRandomResizedCrop', scale=224, crop_ratio_range=(0.2, 1.),
         min_salient_fraction=0., backend='pillow'),
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitterNumpy2', brightness=0.4, contrast=0.4,
                          saturation=0.4, hue=0.1)],
         prob=0.8),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.5),
    dict(type='SaliencyRandomFlip', prob=0.5),
]
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='LoadSaliencyMap'),
    dict(type='SaliencyMultiView', num_views=2, transforms=[view_pipeline]),
    dict(type='PackSaliencyInputs'),
]))

# lr 0.03 was tuned for 256 images per step; --auto-scale-lr rescales it.
auto_scale_lr = dict(base_batch_size=256)
