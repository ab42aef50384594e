# ATCON's combined mode on Pascal VOC 2012, from ImageNet weights: BCE + alpha * L_cons on
# every labelled batch (16 images per class of train; consistency term with BatchNorm in
# eval mode), alpha = 1, Adam 5e-6; the schedule of the supervised baseline.
_base_ = ['./supervised_resnet50_1xb16-adam-100e_voc2012-16shot.py']

model = dict(type='ATCONClassifier', mode='combined', alpha=1.0, mask_intensity=8.0)
val_evaluator = [
    dict(type='VOCMultiLabelMetric', items=('precision', 'recall', 'f1-score')),
    dict(type='VOCAveragePrecision'),
    dict(type='AttentionConsistencyMetric'),
    dict(type='AttentionLocalizationMetric', threshold=0.2),
]
test_evaluator = val_evaluator
