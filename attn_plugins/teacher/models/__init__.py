"""OpenMMLab model of the teacher method (registered in mmpretrain's ``MODELS`` on import):
the ``SaliencyTeacher``. Students are any algorithm with a ``TeacherAttentionLoss``
(:mod:`attn_plugins.guidance`)."""
from .saliency_teacher import SaliencyTeacher

__all__ = ['SaliencyTeacher']
