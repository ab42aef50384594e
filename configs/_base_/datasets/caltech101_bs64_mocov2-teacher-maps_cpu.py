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
# And for co-training on human fixations instead of the teacher's maps:
# - human_cotrain_dataset: the same unlabelled images without maps (all-zero targets, left out
#   of the attention loss) plus the 1,000 training images of the default teacher's human data
#   (OSIE 1-1600 minus its held-out 1601-1700, Scene 1-400), each resized to 128 px on its long
#   side (as cheap as a Caltech image) with its fixations blurred by 0.03 of the width into a
#   density, as the teacher was trained; both through the plain crop, maps at the view size.
#   It replaces (does not merge into) the dataset of the config that takes it.
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

# (named apart from the data_root of the configs that take this base: bases may not share keys)
shared_data_root = '{{$ATTN_DATA_ROOT:../shared/data}}/'
plain_crop_views = [
    dict(type='SaliencyMultiView', num_views=2, transforms=[[
        dict(saliency_crop, min_salient_fraction=0., map_size=None),
        *mocov2_photometric_steps]]),
    dict(type='PackSaliencyInputs'),
]
human_fixation_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='SaliencyResize', scale=128, edge='long'),
    dict(type='FixationsToDensity', sigma_frac=0.03),
    dict(type='AddEmptyMaps', keys=('saliency', )),
    *plain_crop_views,
]
human_cotrain_dataset = dict(
    _delete_=True,  # it replaces a config's image-folder dataset, whose keys it has not
    type='ConcatDataset',
    datasets=[
        dict(type='ImageFolder', data_root=shared_data_root, img_dirs=['caltech101/images'],
             ann_file='caltech101/train.txt',
             pipeline=[dict(type='LoadImageFromFile'),
                       dict(type='AddEmptyMaps',
                            keys=('saliency', 'fixation_density', 'fixation_points')),
                       *plain_crop_views]),
        dict(type='OSIEFixations', data_root=shared_data_root + 'osie/', split='train',
             pipeline=human_fixation_pipeline),
        dict(type='SceneSaliencyFixations', data_root=shared_data_root + 'scene_saliency/',
             split='train', pipeline=human_fixation_pipeline),
    ])
