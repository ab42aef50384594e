# VARS's claim at CPU scale: attention as sparse reconstruction makes a ViT more robust. The
# same small ViT and DeiT-style recipe with self-attention (baseline: attn_cfgs=None) and
# with VARS-D attention, trained from scratch on Caltech-101's labelled train split at 32 px
# for 30 epochs; scored on its test split by the classifier (clean accuracy), by the
# frozen-feature tasks at 32 px (linear, kNN, and the 15 corruptions: mCE against the
# self-attention ViT), and by where the last layer's class token attends against held-out
# human fixations (OSIE + Scene), the center bias beside it.
#   python tools/analysis/harness.py configs/experiments/vars-d-vs-vit_cpu.py
name = 'vars-d-vs-vit_cpu'
description = 'VARS-D ViT vs self-attention ViT (Caltech-101, 32 px, 30 epochs).'
baseline = 'vit'
seeds = [0, 1, 2, 3, 4]  # runs of minutes: the protocol's 5 seeds
cfg_options = dict()
train_pool = 'work_dirs/experiments/trainings'
results_dir = 'results/vars_d_vs_vit_caltech101'  # finished runs kept here (committed)
_config = 'configs/vars/vars-d_vit-tiny-p4_1xb64-coslr-30e_caltech101-32px_cpu.py'
arms = [
    dict(name='vit', config=_config, cfg_options={'model.backbone.attn_cfgs': None}),
    dict(name='vars-d', config=_config),
]
evaluation = dict(tasks=['linear', 'knn', 'corruption', 'fixations'], args=['--size', '32'],
                  test=True)
metrics = ['test/accuracy/top1', 'linear/top1', 'corruption/mean15', 'corruption/mce',
           'fixations/nss', 'fixations/center_bias_nss']
# VARS's claims (Shi et al., ICML 2022) that this scale can test: more robust to corruptions
# (ImageNet-C) and attention maps closer to human fixations (MIT1003; here OSIE + Scene).
claims = [
    dict(arm='vars-d', metric='corruption/mce', direction='lower',
         paper='VARS-D is more robust than self-attention (ImageNet-C mCE)'),
    dict(arm='vars-d', metric='fixations/nss', direction='higher',
         trivial='fixations/center_bias_nss',
         paper="VARS-D's maps are closer to human fixations (MIT1003)"),
]
