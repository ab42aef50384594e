"""``SaliencyTeacher``: the saliency network trained on human fixations (Yao et al.)."""
from typing import Dict, List, Optional, Union

import torch
from mmengine.model import BaseModel
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ...data import stack_field
from ...data.fields import FIXATION_DENSITY, FIXATION_MAP, PRED_SALIENCY
from ...saliency import cc_loss, kld_loss, nss_loss
from ..saliency_net import SaliencyDecoder

MODELS.register_module(module=SaliencyDecoder)

LOSS_TERMS = ('kld', 'cc', 'nss')


@MODELS.register_module()
class SaliencyTeacher(BaseModel):
    """Encoder-decoder that maps an image to a saliency map, trained on human fixations.

    The encoder is any mmpretrain backbone returning several stages (``out_indices``); the
    decoder (:class:`attn_plugins.teacher.SaliencyDecoder`) merges them, reads out one logit
    per pixel and adds a learned center-bias prior; a softmax over the pixels gives the
    predicted fixation distribution at the input's size. Training minimises

    ``w_kld * KLD(P, density) - w_cc * CC(P, density) - w_nss * NSS(P, fixations)``

    against the ``fixation_density`` and ``fixation_map`` that ``FixationsToDensity`` and
    ``PackSaliencyInputs`` put on the data samples. ``predict`` sets ``pred_saliency``
    (h, w) on each sample, which ``SaliencyMetric`` scores.

    Args:
        backbone (dict): the encoder, e.g. ``dict(type='ResNet', depth=18,
            out_indices=(1, 2, 3))``.
        decoder (dict): a ``SaliencyDecoder`` config whose ``in_channels`` match the
            encoder stages.
        loss_weights (dict): weights of ``'kld'``, ``'cc'`` and ``'nss'`` (a missing term
            is not used).
        data_preprocessor (dict, optional): defaults to ``ClsDataPreprocessor``
            (normalisation and BGR to RGB).
        init_cfg (dict, optional): e.g. ImageNet weights for the encoder.
    """

    def __init__(self,
                 backbone: dict,
                 decoder: dict,
                 loss_weights: Optional[Dict[str, float]] = None,
                 data_preprocessor: Optional[Union[dict, torch.nn.Module]] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        if isinstance(data_preprocessor, dict) or data_preprocessor is None:
            # Built here: mmengine's BaseModel would look it up in its own registry.
            data_preprocessor = dict(data_preprocessor or {})
            data_preprocessor.setdefault('type', 'ClsDataPreprocessor')
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.loss_weights = dict(kld=1.0, cc=1.0, nss=1.0) if loss_weights is None \
            else dict(loss_weights)
        unknown = set(self.loss_weights) - set(LOSS_TERMS)
        if unknown or not self.loss_weights:
            raise ValueError(f'loss_weights must weight some of {LOSS_TERMS}, got '
                             f'{sorted(self.loss_weights)}')
        self.backbone = MODELS.build(backbone)
        self.decoder = MODELS.build(decoder)

    def forward(self, inputs: torch.Tensor, data_samples: Optional[List[DataSample]] = None,
                mode: str = 'tensor'):
        """``'tensor'``: the log-density (B, H, W); ``'loss'``: a dict of losses;
        ``'predict'``: the data samples with ``pred_saliency`` set."""
        if mode == 'tensor':
            return self.log_density(inputs)
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}".')

    def log_density(self, inputs: torch.Tensor) -> torch.Tensor:
        """Log of the predicted fixation distribution over the pixels.

        Args:
            inputs (torch.Tensor): normalised images, (B, 3, H, W).

        Returns:
            torch.Tensor: (B, H, W); ``exp`` of it sums to 1 per image.
        """
        logits = self.decoder(self.backbone(inputs), inputs.shape[-2:])  # (B, H, W)
        return logits.flatten(1).log_softmax(dim=1).view_as(logits)

    def loss(self, inputs: torch.Tensor,
             data_samples: List[DataSample]) -> Dict[str, torch.Tensor]:
        """KLD, CC and NSS losses against the packed human fixations.

        Args:
            inputs (torch.Tensor): normalised images, (B, 3, H, W).
            data_samples (list[DataSample]): with ``fixation_density`` and
                ``fixation_map``, each (H, W).

        Returns:
            dict[str, torch.Tensor]: ``loss_kld``, ``loss_cc``, ``loss_nss`` (weighted).
        """
        pred = self.log_density(inputs).exp()  # (B, H, W), sums to 1
        losses = {}
        if 'kld' in self.loss_weights or 'cc' in self.loss_weights:
            density = stack_field(data_samples, FIXATION_DENSITY, pred.device)  # (B, H, W)
        if 'kld' in self.loss_weights:
            losses['loss_kld'] = self.loss_weights['kld'] * kld_loss(pred, density)
        if 'cc' in self.loss_weights:
            losses['loss_cc'] = self.loss_weights['cc'] * cc_loss(pred, density)
        if 'nss' in self.loss_weights:
            fixations = stack_field(data_samples, FIXATION_MAP, pred.device)  # (B, H, W)
            losses['loss_nss'] = self.loss_weights['nss'] * nss_loss(pred, fixations)
        return losses

    def attention_maps(self, inputs: torch.Tensor) -> torch.Tensor:
        """The predicted saliency distribution of each image.

        Args:
            inputs (torch.Tensor): ``(B, 3, H, W)`` normalised images.

        Returns:
            torch.Tensor: ``(B, H, W)`` maps, detached.
        """
        with torch.no_grad():
            return self.log_density(inputs).exp()

    def predict(self, inputs: torch.Tensor,
                data_samples: Optional[List[DataSample]] = None) -> List[DataSample]:
        """Set ``pred_saliency``, the predicted distribution (H, W), on each sample."""
        maps = self.log_density(inputs).exp()
        if data_samples is None:
            data_samples = [DataSample() for _ in range(len(maps))]
        for sample, saliency_map in zip(data_samples, maps):
            sample.set_field(saliency_map, PRED_SALIENCY)
        return data_samples

    @torch.no_grad()
    def saliency_maps(self, images: Union[torch.Tensor, List[torch.Tensor]]) -> torch.Tensor:
        """Saliency maps of raw images, scaled to a maximum of 1 (what map files hold).

        Used by ``tools/gen_saliency.py`` and ``OnlineTeacherHook``.

        Args:
            images (torch.Tensor | list[torch.Tensor]): images as the pipeline loads them
                (uint8 or float, BGR for ``LoadImageFromFile``), (B, 3, H, W) or a list of
                (3, H, W) of one size.

        Returns:
            torch.Tensor: (B, H, W) float maps in [0, 1], on the teacher's device.
        """
        inputs = self.data_preprocessor(dict(inputs=images), False)['inputs']
        maps = self.log_density(inputs).exp()
        return maps / maps.flatten(1).amax(dim=1).clamp_min(1e-30)[:, None, None]
