# CPU-size CAST model: ResNet-18 with output stride 16 (last stage dilated), so 96 px crops
# still give a 6x6 Grad-CAM grid. The queue (128 keys) must stay well below the number of
# training images (200), or it fills with keys of the query's own image.
_base_ = ['./cast_resnet50.py']
model = dict(
    queue_len=128,
    backbone=dict(depth=18, strides=(1, 2, 2, 1), dilations=(1, 1, 1, 2)),
    neck=dict(in_channels=512))
