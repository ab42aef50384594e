# CPU-size sibling of faster-rcnn_r50-c4_8xb2-ms-24k_voc-format.py: a VOC-format set of
# one's own, here the raccoon photos (XML in annotations/, images in images/, split by
# CSV files), with the ResNet-18 C4 model of faster-rcnn_r18-c4_1xb4-300i_bccd-320_cpu.py.
# Starts from random weights; transfer with --pretrained PRETRAIN.pth.
_base_ = [
    './faster-rcnn_r18-c4_1xb4-300i_bccd-320_cpu.py',
]

data_root = '{{$ATTN_DATA_ROOT:../shared/data}}/raccoon/'
classes = ('raccoon', )
split_format = dict(img_subdir='images', ann_subdir='annotations')

model = dict(roi_head=dict(bbox_head=dict(num_classes=len(classes))))
train_dataloader = dict(
    dataset=dict(data_root=data_root, metainfo=dict(_delete_=True, classes=classes),
                 ann_file='train_labels.csv', **split_format))
val_dataloader = dict(
    dataset=dict(data_root=data_root, metainfo=dict(_delete_=True, classes=classes),
                 ann_file='test_labels.csv', **split_format))
test_dataloader = val_dataloader
