# The teacher-attention paper's contrastive claim at the CPU scale where MoCo v2 beats random
# weights (100 epochs on the 6,095 unlabelled Caltech-101 train images, ResNet-18, 64 px):
# MoCo v2 (baseline; the paper's students are SimCLR or MoCo) against MoCo v2 + the attention
# head trained on the default teacher's maps of the same images, random weights beside them.
# Evaluated like cast-vs-crop-vs-mocov2_cpu (Caltech-101 test at 64 px, never pretrained on;
# Grad-CAM at 128 px against held-out SOD masks and human fixations). The MoCo v2 trainings are shared with
# the other Caltech-scale experiments through the training pool. Co-training on human
# fixations needs fixations of the pretraining images, which Caltech-101 lacks: that arm is
# in simclr-vs-teacher-attn-vs-cotrain_cpu (BSDS500 + OSIE).
#   python tools/analysis/harness.py configs/experiments/mocov2-vs-teacher-attn_cpu.py
_mocov2 = 'configs/mocov2/mocov2_resnet18_1xb64-coslr-100e_caltech101-unlabelled_cpu.py'
name = 'mocov2-vs-teacher-attn_cpu'
description = ('MoCo v2 vs MoCo v2 + teacher attention (ResNet-18, unlabelled Caltech-101 '
               'train with the default teacher\'s maps, 100 epochs, 64 px).')
baseline = 'mocov2'
seeds = [0, 1, 2]
cfg_options = dict()
train_pool = 'work_dirs/experiments/trainings'
prerequisites = [
    dict(name='teacher-maps',
         command=['tools/gen_saliency.py', '--teacher', 'default', '--images',
                  '../shared/data/caltech101/images', '--out-dir',
                  'work_dirs/teacher_maps/caltech101', '--layout', 'tree']),
]
arms = [
    dict(name='random', config=_mocov2, checkpoint='random'),
    dict(name='mocov2', config=_mocov2),
    dict(name='teacher-attn', config='configs/teacher_attention/'
         'mocov2-teacher-attn_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py'),
]
evaluation = dict(
    tasks=['linear', 'knn', 'fewshot', 'corruption', 'grounding', 'fixations'],
    args=['--size', '64', '--grounding-size', '128'])
metrics = ['linear/top1', 'knn/top1', 'fewshot/5shot', 'corruption/speckle_noise',
           'corruption/gaussian_blur', 'corruption/spatter', 'corruption/saturate',
           'corruption/mean_reported', 'corruption/mean15', 'grounding/nss',
           'grounding/center_bias_nss', 'fixations/nss', 'fixations/center_bias_nss']
# The teacher-attention paper's claims (Yao et al., CVPR 2023): contrastive + teacher attention
# above contrastive on linear accuracy (67.61 -> 68.23 on ImageNet) and on the four reported
# corruptions.
claims = [
    dict(arm='teacher-attn', metric='linear/top1', direction='higher',
         paper='contrastive + teacher attention > contrastive, linear accuracy'),
    dict(arm='teacher-attn', metric='corruption/mean_reported', direction='higher',
         paper='contrastive + teacher attention > contrastive, four corruptions'),
]
