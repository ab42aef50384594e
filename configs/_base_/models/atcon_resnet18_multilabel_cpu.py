# CPU-size ATCON classifier: ResNet-18 from scratch (no download on a CPU box) with output
# stride 16 (last stage dilated), so 96 px images still give a 6x6 Grad-CAM grid; the
# number of classes comes from the config that uses it.
_base_ = ['./atcon_resnet50_multilabel.py']
model = dict(
    backbone=dict(depth=18, strides=(1, 2, 2, 1), dilations=(1, 1, 1, 2), init_cfg=None),
    head=dict(in_channels=512))
