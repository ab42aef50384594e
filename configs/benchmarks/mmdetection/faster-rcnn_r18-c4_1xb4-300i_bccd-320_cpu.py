# CPU-size sibling of faster-rcnn_r50-c4_8xb2-ms-24k_voc0712.py: the same C4 model (res5
# shared head with extra norm) on a ResNet-18, BN instead of SyncBN, BCCD at 320x240, 300
# iterations of 4 images. Starts from random weights; transfer a pretraining run with
#   python tools/train.py THIS_CONFIG --pretrained work_dirs/<pretraining>/epoch_N.pth
# (ResNet-18 checkpoints of any output stride: strides and dilations are set here, the
# weights are the same).
_base_ = [
    './_base_/models/faster-rcnn_r50-c4-extra-norm.py',
    './_base_/datasets/bccd_320_cpu.py',
    './_base_/schedules/sgd-steplr_300i_cpu.py',
]

norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    backbone=dict(depth=18, norm_cfg=norm_cfg),
    rpn_head=dict(in_channels=256, feat_channels=256),
    roi_head=dict(
        shared_head=dict(depth=18, norm_cfg=norm_cfg),
        bbox_roi_extractor=dict(out_channels=256),
        bbox_head=dict(in_channels=512, num_classes=3)),
    # Fewer proposals and sampled RoIs than the VOC recipe (2000 / 512 / 1000): the res5 head
    # runs once per RoI and takes most of the CPU time.
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=2000, max_per_img=300),
        rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(rpn=dict(nms_pre=1000, max_per_img=200)))
