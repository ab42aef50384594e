# Full scale of mocov2-vs-teacher-attn_cpu.py: MoCo v2 ResNet-50 on ImageNet, 200 epochs
# (8 GPUs), with and without the attention head on the teacher's maps of ImageNet
# (tools/gen_saliency.py writes data/imagenet/saliency_teacher first); all five frozen-feature
# tasks at 224 px. Configs only: untested at this scale. Co-training on human fixations at
# full scale is simclr-vs-teacher-attn-vs-cotrain.py's (ImageNet + SALICON), so this spec
# keeps the CPU spec's first two claims only.
_base_ = ['./mocov2-vs-teacher-attn_cpu.py']
name = 'mocov2-vs-teacher-attn'
description = 'MoCo v2 vs MoCo v2 + teacher attention (ResNet-50, ImageNet, 200 epochs).'
prerequisites = []  # the teacher's ImageNet maps are the dataset config's
results_dir = None  # the CPU spec's kept runs are not this scale's
arms = [
    dict(name='random', checkpoint='random',
         config='configs/mocov2/mocov2_resnet50_8xb32-coslr-200e_in1k.py'),
    dict(name='mocov2', config='configs/mocov2/mocov2_resnet50_8xb32-coslr-200e_in1k.py'),
    dict(name='teacher-attn',
         config='configs/teacher_attention/mocov2-teacher-attn_resnet50_8xb32-coslr-200e_in1k.py'),
]
evaluation = dict(
    tasks=['linear', 'knn', 'fewshot', 'corruption', 'grounding', 'fixations'],
    args=['--size', '224', '--batch-size', '128'])
claims = [
    dict(arm='teacher-attn', metric='linear/top1', direction='higher',
         paper='contrastive + teacher attention > contrastive, linear accuracy'),
    dict(arm='teacher-attn', metric='corruption/mean_reported', direction='higher',
         paper='contrastive + teacher attention > contrastive, four corruptions'),
]
