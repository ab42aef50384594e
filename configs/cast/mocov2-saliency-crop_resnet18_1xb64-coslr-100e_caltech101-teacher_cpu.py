# CAST's crop ablation at the Caltech-101 CPU scale: MoCo v2 exactly as
# mocov2_resnet18_1xb64-coslr-100e_caltech101-unlabelled_cpu.py (the scale at which MoCo v2
# beats random weights), with saliency-constrained crops in place of RandomResizedCrop. The
# saliency is the shipped default teacher's map of each unlabelled train image, written once
# (a prerequisite of configs/experiments/cast-vs-crop-vs-mocov2_cpu.py) by
#   python tools/gen_saliency.py --teacher default --images ../shared/data/caltech101/images \
#       --out-dir work_dirs/teacher_maps/caltech101 --layout tree
# Maps are kept at a quarter of the 64-px view (16 px): CAST's Grad-CAM grid is 4x4.
_base_ = '../mocov2/mocov2_resnet18_1xb64-coslr-100e_caltech101-unlabelled_cpu.py'

teacher_maps = '{{fileDirname}}/../../work_dirs/teacher_maps/caltech101'
view_pipeline = [
    dict(type='SaliencyConstrainedRandomResizedCrop', scale=64, crop_ratio_range=(0.2, 1.),
         min_salient_fraction=0.2, map_size=16),
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitterNumpy2', brightness=0.4, contrast=0.4,
                          saturation=0.4, hue=0.1)],
         prob=0.8),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.5),
    dict(type='SaliencyRandomFlip', prob=0.5),
]
train_dataloader = dict(dataset=dict(
    type='SaliencyImageFolder',
    saliency_dir=teacher_maps,
    saliency_layout='tree',
    pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='LoadSaliencyMap', to_float32=False),
        dict(type='SaliencyMultiView', num_views=2, transforms=[view_pipeline]),
        dict(type='PackSaliencyInputs'),
    ]))
