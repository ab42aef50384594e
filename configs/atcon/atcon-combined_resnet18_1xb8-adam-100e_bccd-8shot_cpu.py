# CPU-size sibling of atcon-combined_resnet50_1xb16-adam-100e_voc2012-16shot.py on BCCD:
# BCE + alpha * L_cons (alpha = 1) on every labelled batch of the 9 few-shot images,
# ResNet-18 from scratch, the schedule of the supervised CPU baseline.
_base_ = ['./supervised_resnet18_1xb8-adam-100e_bccd-8shot_cpu.py']

model = dict(type='ATCONClassifier', mode='combined', alpha=1.0, mask_intensity=8.0)
val_evaluator = [
    dict(type='VOCMultiLabelMetric', items=('precision', 'recall', 'f1-score')),
    dict(type='VOCAveragePrecision'),
    dict(type='AttentionConsistencyMetric'),
    dict(type='AttentionLocalizationMetric', threshold=0.2),
]
test_evaluator = val_evaluator
