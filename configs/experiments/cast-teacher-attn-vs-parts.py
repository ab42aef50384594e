# Full scale of cast-teacher-attn-vs-parts_cpu.py: ResNet-50, COCO train2017 with saliency
# maps, 200 epochs on 8 GPUs; the teacher-attention part is the composed config without the
# CAST loss and with MoCo's loss at full weight again (CAST's recipe weighs it 0.25); it keeps
# CAST's crop (at this scale no COCO config trains teacher attention on plain crops). Configs
# only: untested at this scale.
_base_ = ['./cast-teacher-attn-vs-parts_cpu.py']
name = 'cast-teacher-attn-vs-parts'
description = ('CAST + teacher attention vs its parts vs MoCo v2 (ResNet-50, COCO, 200 '
               'epochs).')
prerequisites = []  # COCO's saliency maps are the dataset config's
_composed = 'configs/composed/cast-teacher-attn-mocov2_resnet50_8xb32-coslr-200e_coco.py'
results_dir = None  # the CPU spec's kept runs are not this scale's
arms = [
    dict(name='mocov2', config='configs/cast/mocov2_resnet50_8xb32-coslr-200e_coco.py'),
    dict(name='cast', config='configs/cast/cast-mocov2_resnet50_8xb32-coslr-200e_coco.py'),
    dict(name='teacher-attn', config=_composed,
         cfg_options={'model.attention_losses.cast': None, 'model.algorithm_weight': 1.0}),
    dict(name='cast+teacher-attn', config=_composed),
]
evaluation = dict(
    tasks=['linear', 'knn', 'fewshot', 'corruption', 'grounding', 'fixations'],
    args=['--size', '224', '--batch-size', '128'])
