# The teacher-attention loss (Yao et al., CVPR 2023) as a plugin fragment, for a ResNet-50's
# stage 3 (1024 channels): lambda * KLD(m_p, m_t) - beta * NSS(m_p, p_t), p_t the top 10% of
# the teacher map. A config puts it into any guided algorithm with
#   model = dict(attention_losses=dict(teacher={{_base_.teacher_attention_loss}}))
# and a smaller backbone changes `layer` and `attn_head.in_channels` only.
teacher_attention_loss = dict(
    type='TeacherAttentionLoss',
    layer='backbone.layer3',
    attn_head=dict(
        type='SpatialAttentionHead',
        in_channels=1024,
        hid_channels=256,
        lam=1.0,
        beta=1.0,
        fixation_from='topk',
        fixation_ratio=0.1),
    target_key='saliency')
