# The teacher-attention paper's contrastive claim at the CPU scale where MoCo v2 beats random
# weights (100 epochs on the 6,095 unlabelled Caltech-101 train images, ResNet-18, 64 px):
# MoCo v2 (baseline; the paper's students are SimCLR or MoCo) against MoCo v2 + the attention
# head trained on the default teacher's maps of the same images, and against co-training:
# the same head trained on human fixations directly (the teacher's own OSIE + Scene training
# images mixed into the pool), random weights beside them.
# Seeds, maps (the prerequisite), training pool and evaluation are cast-vs-crop-vs-mocov2_cpu's
# (Caltech-101 test at 64 px, never pretrained on; Grad-CAM at 128 px against held-out SOD
# masks and human fixations); the MoCo v2 trainings are shared through the pool.
#   python tools/analysis/harness.py configs/experiments/mocov2-vs-teacher-attn_cpu.py
_base_ = ['./cast-vs-crop-vs-mocov2_cpu.py']
name = 'mocov2-vs-teacher-attn_cpu'
description = ('MoCo v2 vs MoCo v2 + teacher attention vs co-training on human fixations '
               '(ResNet-18, unlabelled Caltech-101 train with the default teacher\'s maps or '
               'OSIE + Scene train\'s fixations mixed in, 100 epochs, 64 px).')
results_dir = 'results/mocov2_vs_teacher_attn_caltech101'  # finished runs kept here (committed)
arms = [
    dict(name='random', checkpoint='random', config='configs/mocov2/'
         'mocov2_resnet18_1xb64-coslr-100e_caltech101-unlabelled_cpu.py'),
    dict(name='mocov2', config='configs/mocov2/'
         'mocov2_resnet18_1xb64-coslr-100e_caltech101-unlabelled_cpu.py'),
    dict(name='teacher-attn', config='configs/teacher_attention/'
         'mocov2-teacher-attn_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py'),
    dict(name='cotrain', config='configs/teacher_attention/'
         'mocov2-cotrain_resnet18_1xb64-coslr-100e_caltech101-human_cpu.py'),
]
transfer = []  # the paper's claims are linear and corruption accuracy
metrics = ['linear/top1', 'knn/top1', 'fewshot/5shot', 'corruption/speckle_noise',
           'corruption/gaussian_blur', 'corruption/spatter', 'corruption/saturate',
           'corruption/mean_reported', 'corruption/mean15', 'grounding/nss',
           'grounding/center_bias_nss', 'fixations/nss', 'fixations/center_bias_nss']
# The teacher-attention paper's claims (Yao et al., CVPR 2023): contrastive + teacher attention
# above contrastive on linear accuracy (67.61 -> 68.23 on ImageNet) and on the four reported
# corruptions; co-training on the human maps directly below the teacher.
claims = [
    dict(arm='teacher-attn', metric='linear/top1', direction='higher',
         paper='contrastive + teacher attention > contrastive, linear accuracy'),
    dict(arm='teacher-attn', metric='corruption/mean_reported', direction='higher',
         paper='contrastive + teacher attention > contrastive, four corruptions'),
    dict(arm='cotrain', metric='linear/top1', direction='lower', against='teacher-attn',
         paper='co-training on human maps < teacher attention'),
]
