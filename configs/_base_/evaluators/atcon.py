# ATCON's evaluators as a fragment: F1 / precision / recall and mAP, the attention
# consistency ATCON maximises, Grad-CAM localisation of the annotated boxes, and the collapse
# guards with the label baselines (all-"present" F1, label prior). A config whose model is an
# ATCONClassifier (predict_attention) takes it with
#   val_evaluator = {{_base_.atcon_evaluator}}
# (a fragment defines no val_evaluator itself: the data bases already do).
atcon_evaluator = [
    dict(type='VOCMultiLabelMetric', items=('precision', 'recall', 'f1-score')),
    dict(type='VOCAveragePrecision'),
    dict(type='AttentionConsistencyMetric'),
    dict(type='AttentionLocalizationMetric', threshold=0.2),
    dict(type='CollapseGuardMetric'),
]
