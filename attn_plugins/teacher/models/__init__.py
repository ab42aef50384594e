"""OpenMMLab models of the teacher method (registered in mmpretrain's ``MODELS`` on import):
the ``SaliencyTeacher`` and the students with an attention head."""
from .attention import SelfSupervisedAttentionMixin, TeacherAttentionMixin
from .classifier import TeacherAttentionClassifier
from .moco import TeacherAttentionMoCo
from .saliency_teacher import SaliencyTeacher
from .simclr import TeacherAttentionSimCLR

__all__ = [
    'SaliencyTeacher', 'TeacherAttentionMixin', 'SelfSupervisedAttentionMixin',
    'TeacherAttentionSimCLR', 'TeacherAttentionMoCo', 'TeacherAttentionClassifier'
]
