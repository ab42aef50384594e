# Supervised ResNet-50 (mmpretrain's resnet50.py) with the teacher-attention head on stage 3:
# L = CE + lambda * KLD(m_p, m_t) - beta * NSS(m_p, p_t), the TeacherAttentionLoss plugin on
# mmpretrain's ImageClassifier.
_base_ = ['../plugins/teacher_attention_loss_resnet50.py']
model = dict(
    type='GuidedImageClassifier',
    backbone=dict(type='ResNet', depth=50, num_stages=4, out_indices=(3, ), style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=2048,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)),
    attention_losses=dict(teacher={{_base_.teacher_attention_loss}}))
