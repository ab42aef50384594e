"""``ATCONClassifier``: mmpretrain's ``ImageClassifier`` with ATCON's consistency training."""
from typing import Dict, List, Optional, Tuple

import torch
from mmpretrain.models import ImageClassifier
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..attention import top_class_grad_cam
from .collapse import mask_binariness
from .consistency import attention_consistency, batchnorm_eval, consistency_loss

MODES = ('consistency', 'alternating', 'combined')


@MODELS.register_module()
class ATCONClassifier(ImageClassifier):
    """Image classifier fine-tuned for attention consistency (ATCON).

    Implementation of ATCON: Attention Consistency for Vision Models (Mirzazadeh, Dubost
    et al., WACV 2023). The consistency of an image is the correlation of two Grad-CAM maps
    of the model's top class on the backbone's last output, one of the image and one of the
    image masked by its Guided-Backprop map (:func:`attn_plugins.atcon.attention_consistency`);
    its loss is minus that, averaged over the batch, trained to second order. Consistency
    steps run with BatchNorm in eval mode; the classification steps (multi-label BCE from
    the head) in the model's own mode. Training modes:

    - ``'consistency'``: consistency loss only, no labels (fine-tuning a supervised
      checkpoint on unlabelled images);
    - ``'alternating'``: every batch is either labelled (head loss) or unlabelled
      (consistency loss), as flagged by ``ATCONAlternatingLoop``, which draws a labelled
      batch with probability ``alpha * S / (alpha * S + U)``;
    - ``'combined'``: ``head loss + alpha * consistency loss`` per step, the head loss on the
      labelled samples of the batch and the consistency loss on its *unlabelled* samples
      (ATCON's release draws a separate unlabelled batch for the consistency term);
      ``ATCONCombinedLoop`` joins one batch of each loader and flags every sample
      ``labeled`` / not.

    In ``predict`` (validation, test) each data sample also receives
    ``attention_consistency`` (0-d tensor), ``grad_cam`` (the ``(h, w)`` map ``A1``, no ReLU),
    ``attention_class`` (the explained class) and ``mask_binariness`` (mean ``|2 M - 1|`` of
    its guided mask), which ``AttentionConsistencyMetric``, ``AttentionLocalizationMetric``
    and ``CollapseGuardMetric`` read.

    Args:
        backbone (dict): Backbone config; its last output is the explained feature map.
        neck (dict, optional): Neck config (e.g. global average pooling).
        head (dict): Head config, e.g. ``MultiLabelLinearClsHead`` (BCE loss).
        mode (str): ``'consistency'``, ``'alternating'`` or ``'combined'``.
            Defaults to ``'consistency'``.
        alpha (float): Weight of the consistency loss in ``'combined'`` mode (the
            alternating loop reads its own ``alpha``). Defaults to 1.0.
        mask_intensity (float): ``w`` of the mask ``sigmoid(w * (g - mean g - std g / 2))``.
            Defaults to 8.0 (8 to 100 in the paper's runs).
        mask_standardize (bool): Use the scale-free mask
            ``sigmoid(w * ((g - mean g) / std g - 1 / 2))`` (see
            :func:`attn_plugins.atcon.guided_mask`). Defaults to False (ATCON's rule).
        predict_attention (bool): Compute the attention outputs in ``predict``. Costs about
            three forward and backward passes per batch. Defaults to True.
        **kwargs: Other arguments of ``ImageClassifier`` (``pretrained``, ``train_cfg``,
            ``data_preprocessor``, ``init_cfg``).
    """

    def __init__(self,
                 backbone: dict,
                 neck: Optional[dict] = None,
                 head: Optional[dict] = None,
                 mode: str = 'consistency',
                 alpha: float = 1.0,
                 mask_intensity: float = 8.0,
                 mask_standardize: bool = False,
                 predict_attention: bool = True,
                 **kwargs) -> None:
        if mode not in MODES:
            raise ValueError(f'mode must be one of {MODES}, got {mode!r}.')
        if head is None:
            raise ValueError('ATCONClassifier needs a head: its class scores are what the '
                             'attention explains.')
        if alpha < 0:
            raise ValueError(f'alpha must be >= 0, got {alpha!r}.')
        super().__init__(backbone=backbone, neck=neck, head=head, **kwargs)
        self.mode = mode
        self.alpha = alpha
        self.mask_intensity = mask_intensity
        self.mask_standardize = mask_standardize
        self.predict_attention = predict_attention

    def activations_and_logits(self, inputs: torch.Tensor
                               ) -> Tuple[torch.Tensor, torch.Tensor]:
        """The backbone's last output and the head's logits, in one pass.

        Args:
            inputs (Tensor): ``(B, 3, H, W)`` normalised images.

        Returns:
            tuple[Tensor, Tensor]: ``(B, C, h, w)`` activations and ``(B, K)`` logits.
        """
        feats = self.backbone(inputs)
        logits = self.head(self.neck(feats) if self.with_neck else feats)
        return feats[-1], logits

    def consistency_loss(self, inputs: torch.Tensor) -> Dict[str, torch.Tensor]:
        """ATCON's loss on a batch, with BatchNorm in eval mode.

        Args:
            inputs (Tensor): ``(B, 3, H, W)`` normalised images.

        Returns:
            dict[str, Tensor]: ``loss_consistency`` (minus the mean consistency).
        """
        with batchnorm_eval(self):
            loss = consistency_loss(self.activations_and_logits, inputs,
                                    mask_intensity=self.mask_intensity,
                                    mask_standardize=self.mask_standardize)
        return dict(loss_consistency=loss)

    def attention_maps(self, inputs: torch.Tensor) -> torch.Tensor:
        """Grad-CAM of the top class on the last stage (the map ATCON's consistency reads).

        Args:
            inputs (torch.Tensor): ``(B, 3, H, W)`` normalised images.

        Returns:
            torch.Tensor: ``(B, h, w)`` maps, detached.
        """
        return top_class_grad_cam(self, inputs)

    def loss(self, inputs: torch.Tensor, data_samples: List[DataSample]) -> dict:
        """Losses of a training batch, according to ``mode``.

        Args:
            inputs (Tensor): ``(B, 3, H, W)`` normalised images.
            data_samples (list[DataSample]): Their labels (unused by consistency steps);
                in ``'alternating'`` and ``'combined'`` mode each carries the ``labeled``
                flag.

        Returns:
            dict[str, Tensor]: ``loss_cls`` (the head's classification loss) and / or
            ``loss_consistency``.
        """
        if self.mode == 'consistency':
            return self.consistency_loss(inputs)
        if self.mode == 'alternating':
            if self._is_labeled(data_samples):
                return self.classification_loss(inputs, data_samples)
            return self.consistency_loss(inputs)
        labeled, unlabeled = self._split_labeled(data_samples)
        # The head sees the labelled images only, the consistency term the unlabelled ones.
        losses = self.classification_loss(inputs[labeled],
                                          [data_samples[i] for i in labeled.tolist()])
        losses['loss_consistency'] = self.alpha * self.consistency_loss(
            inputs[unlabeled])['loss_consistency']
        return losses

    def classification_loss(self, inputs: torch.Tensor,
                            data_samples: List[DataSample]) -> Dict[str, torch.Tensor]:
        """The head's loss (multi-label BCE), in the model's own train / eval mode.

        Args:
            inputs (Tensor): ``(B, 3, H, W)`` normalised images.
            data_samples (list[DataSample]): Their labels.

        Returns:
            dict[str, Tensor]: The head's losses, its ``loss`` renamed ``loss_cls`` so the
            log tells it from the total.
        """
        losses = super().loss(inputs, data_samples)
        if 'loss' in losses:
            losses['loss_cls'] = losses.pop('loss')
        return losses

    @staticmethod
    def _is_labeled(data_samples: List[DataSample]) -> bool:
        """The batch's ``labeled`` flag, set by ``ATCONAlternatingLoop``."""
        flags = {sample.metainfo.get('labeled') for sample in data_samples}
        if None in flags:
            raise ValueError("mode='alternating' needs batches flagged labeled / unlabeled: "
                             "use train_cfg=dict(type='ATCONAlternatingLoop', "
                             "unlabeled_dataloader=..., ...).")
        if len(flags) != 1:
            raise ValueError('a batch mixes labeled and unlabeled samples; '
                             'ATCONAlternatingLoop draws each batch from one loader.')
        return flags.pop()

    @staticmethod
    def _split_labeled(data_samples: List[DataSample]) -> Tuple[torch.Tensor, torch.Tensor]:
        """Indices of the labelled and the unlabelled samples of a combined-mode batch."""
        flags = [sample.metainfo.get('labeled') for sample in data_samples]
        if None in flags:
            raise ValueError("mode='combined' needs every sample flagged labeled / unlabeled: "
                             "use train_cfg=dict(type='ATCONCombinedLoop', "
                             "unlabeled_dataloader=..., ...).")
        flags = torch.tensor(flags, dtype=torch.bool)
        if flags.all() or not flags.any():
            raise ValueError("mode='combined' needs labelled and unlabelled samples in each "
                             "batch; ATCONCombinedLoop joins one batch of each loader.")
        return flags.nonzero().flatten(), (~flags).nonzero().flatten()

    def predict(self, inputs: torch.Tensor, data_samples: Optional[List[DataSample]] = None,
                **kwargs) -> List[DataSample]:
        """Class predictions and, with ``predict_attention``, the attention outputs.

        Args:
            inputs (Tensor): ``(B, 3, H, W)`` normalised images.
            data_samples (list[DataSample], optional): The samples to fill in.
            **kwargs: Passed to the head's ``predict``.

        Returns:
            list[DataSample]: With ``pred_score`` / ``pred_label`` and, with
            ``predict_attention``, ``attention_consistency``, ``grad_cam``,
            ``attention_class`` and ``mask_binariness``.
        """
        results = super().predict(inputs, data_samples, **kwargs)
        if not self.predict_attention:
            return results
        with batchnorm_eval(self):
            consistency, maps = attention_consistency(
                self.activations_and_logits, inputs, mask_intensity=self.mask_intensity,
                create_graph=False, return_maps=True, mask_standardize=self.mask_standardize)
        binariness = mask_binariness(maps['mask'])
        for i, sample in enumerate(results):
            sample.set_field(consistency[i], 'attention_consistency')
            sample.set_field(maps['cam'][i].detach(), 'grad_cam')
            sample.set_field(binariness[i], 'mask_binariness')
            sample.set_field(int(maps['classes'][i]), 'attention_class', field_type='metainfo')
        return results
