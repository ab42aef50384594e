# The C4 benchmark on a detection set of your own in Pascal VOC format. Edit `data_root`,
# `classes` and the split files below (a copy of this file is the usual way), then
#   python tools/train.py THIS_CONFIG --pretrained PRETRAIN.pth
# Layout under data_root: JPEGImages/<id>.jpg, Annotations/<id>.xml and split lists of ids
# (ImageSets/Main/*.txt), or a CSV split with a `filename` column (set img_subdir /
# ann_subdir if the folders have other names, as in the raccoon CPU sibling). For the FPN
# model, put './faster-rcnn_r50-fpn_8xb2-ms-24k_voc0712.py' in `_base_` instead.
_base_ = './faster-rcnn_r50-c4_8xb2-ms-24k_voc0712.py'

data_root = 'data/my_voc_set/'
classes = ('class_a', 'class_b')
train_split = 'ImageSets/Main/trainval.txt'
test_split = 'ImageSets/Main/test.txt'

model = dict(roi_head=dict(bbox_head=dict(num_classes=len(classes))))
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='VOCFormatDataset',
        data_root=data_root,
        metainfo=dict(classes=classes),
        ann_file=train_split,
        filter_cfg=dict(filter_empty_gt=True, min_size=32),
        pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='VOCFormatDataset',
        data_root=data_root,
        metainfo=dict(classes=classes),
        ann_file=test_split,
        test_mode=True,
        pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
# Area under the precision-recall curve (VOC2010+); '11points' is VOC2007's.
val_evaluator = dict(eval_mode='area')
test_evaluator = val_evaluator
