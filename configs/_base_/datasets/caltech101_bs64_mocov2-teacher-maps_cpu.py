# Caltech-101 CPU-scale views with teacher maps, for the configs that add saliency to
# ../../mocov2/mocov2_resnet18_1xb64-coslr-100e_caltech101-unlabelled_cpu.py: each unlabelled
# train image's map from the shipped default teacher (written once, in a tree like the images:
#   python tools/gen_saliency.py --teacher default --images ../shared/data/caltech101/images \
#       --out-dir work_dirs/teacher_maps/caltech101 --layout tree
# ), two 64-px views with MoCo v2's colour, grey and blur steps, each carrying its cropped and
# flipped map at 16 px (a quarter of the view). The crops resize with pillow, as the MoCo v2
# baseline's RandomResizedCrop does (pillow antialiases when it shrinks, cv2 does not). Two
# crops, one dataset each; a config takes one as its train_dataloader's dataset:
# - salient_crop_dataset: CAST's saliency-constrained crop (at least 20% of the view salient);
# - plain_crop_dataset: min_salient_fraction=0, MoCo v2's RandomResizedCrop that crops the map
#   with the image (for a loss that reads the map, without CAST's crop).
teacher_maps_caltech101 = '{{fileDirname}}/../../../work_dirs/teacher_maps/caltech101'
mocov2_photometric_steps = [
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitterNumpy2', brightness=0.4, contrast=0.4,
                          saturation=0.4, hue=0.1)],
         prob=0.8),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.5),
    dict(type='SaliencyRandomFlip', prob=0.5),
]
saliency_crop = dict(type='SaliencyConstrainedRandomResizedCrop', scale=64,
                     crop_ratio_range=(0.2, 1.), map_size=16, backend='pillow')
load_image_and_map = [dict(type='LoadImageFromFile'),
                      dict(type='LoadSaliencyMap', to_float32=False)]
salient_crop_dataset = dict(
    type='SaliencyImageFolder',
    saliency_dir=teacher_maps_caltech101,
    saliency_layout='tree',
    pipeline=[
        *load_image_and_map,
        dict(type='SaliencyMultiView', num_views=2, transforms=[[
            dict(saliency_crop, min_salient_fraction=0.2), *mocov2_photometric_steps]]),
        dict(type='PackSaliencyInputs'),
    ])
plain_crop_dataset = dict(
    salient_crop_dataset,
    pipeline=[
        *load_image_and_map,
        dict(type='SaliencyMultiView', num_views=2, transforms=[[
            dict(saliency_crop, min_salient_fraction=0.), *mocov2_photometric_steps]]),
        dict(type='PackSaliencyInputs'),
    ])
