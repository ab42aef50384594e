"""Frozen encoders for evaluation: build a backbone from a config, load any checkpoint's
backbone weights into it, and extract features from mmpretrain datasets with BatchNorm in
eval mode.

- :func:`build_frozen_encoder`: the backbone of ``cfg.model`` with its input normalisation,
  weights from an mmengine checkpoint of this package (``state_dict`` with ``backbone.*``
  keys), an mmpretrain checkpoint (the same layout), a slim export
  (``tools/export_backbone.py``) or a plain torchvision ResNet state dict; or ``'random'``
  (the config's own initialisation, seeded).
- :class:`FrozenEncoder`: backbone + normalisation; ``forward`` gives globally pooled
  features; ``attention_maps`` gives Grad-CAM of a linear probe's top class, so
  :func:`~attn_plugins.evaluation.model_attention` (and every alignment tool) can score it.
- :func:`extract_features` / :func:`collect_images`: one pass over a dataloader.
- :func:`labelled_list_dataset`: a :class:`~attn_plugins.data.ClassFolderList` with the
  standard evaluation pipeline (short side ``size * 8 / 7``, centre crop ``size``).

The probes themselves (linear, kNN, few-shot) are the pure core :mod:`attn_plugins.probes`.
"""
import logging
import os.path as osp
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import torch
from mmengine.logging import MMLogger
from mmengine.registry import MODELS, init_default_scope
from mmengine.utils import ProgressBar
from torch import nn

from ..attention import grad_cam_from_activations
from ..engine.launch import load_config
from ..engine.transfer import checkpoint_state_dict
from ..probes import LinearProbe, file_digest, key_digest

#: ImageNet statistics (RGB), the default of every config of this package.
IMAGENET_MEAN = (123.675, 116.28, 103.53)
IMAGENET_STD = (58.395, 57.12, 57.375)


def normalisation_settings(cfg) -> dict:
    """``mean``, ``std`` and ``to_rgb`` of a config's data preprocessor.

    Reads ``cfg.model.data_preprocessor``, else the top-level ``cfg.data_preprocessor``
    (mmpretrain's dataset bases put it there), else ImageNet statistics with BGR -> RGB.

    Args:
        cfg (Config): The config.

    Returns:
        dict: ``mean`` and ``std`` (3 floats each) and ``to_rgb`` (bool).
    """
    pre = cfg.model.get('data_preprocessor') or cfg.get('data_preprocessor') or {}
    to_rgb = pre.get('to_rgb', pre.get('bgr_to_rgb', True))
    return dict(mean=tuple(pre.get('mean', IMAGENET_MEAN)),
                std=tuple(pre.get('std', IMAGENET_STD)), to_rgb=bool(to_rgb))


def module_normalisation_settings(preprocessor: nn.Module) -> dict:
    """``mean``, ``std`` and ``to_rgb`` of a built mmpretrain / mmengine data preprocessor.

    Args:
        preprocessor (nn.Module): E.g. ``model.data_preprocessor`` of a running model
            (``ClsDataPreprocessor``, ``SelfSupDataPreprocessor``, ...).

    Returns:
        dict: As :func:`normalisation_settings`.
    """
    mean = getattr(preprocessor, 'mean', None)
    std = getattr(preprocessor, 'std', None)
    to_rgb = getattr(preprocessor, 'to_rgb', getattr(preprocessor, '_channel_conversion', True))
    return dict(mean=IMAGENET_MEAN if mean is None else tuple(mean.flatten().tolist()),
                std=IMAGENET_STD if std is None else tuple(std.flatten().tolist()),
                to_rgb=bool(to_rgb))


def pool_features(outputs) -> torch.Tensor:
    """One vector per image from a backbone's output.

    The last output is used (mmpretrain backbones return a tuple, one entry per
    ``out_indices``): a (B, C, h, w) map is averaged over space (the global average pooling
    of the linear-evaluation protocol), (B, N, C) tokens over tokens, (B, C) kept.

    Args:
        outputs (Tensor | Sequence[Tensor]): The backbone's output.

    Returns:
        Tensor: (B, C) features.
    """
    last = outputs[-1] if isinstance(outputs, (tuple, list)) else outputs
    if isinstance(last, (tuple, list)):  # e.g. a ViT's (patch tokens, cls token)
        last = last[-1]
    if last.dim() == 4:
        return last.mean(dim=(2, 3))
    if last.dim() == 3:
        return last.mean(dim=1)
    if last.dim() == 2:
        return last
    raise ValueError(f'cannot pool a backbone output of shape {tuple(last.shape)} into one '
                     'vector per image')


class FrozenEncoder(nn.Module):
    """A backbone with its input normalisation, used as a fixed feature extractor.

    Args:
        backbone (nn.Module): The backbone (an mmpretrain one: returns a tuple of stages).
        mean (Sequence[float]): Pixel mean (after the channel swap).
        std (Sequence[float]): Pixel standard deviation.
        to_rgb (bool): Swap mmcv's BGR images to RGB before normalising.
        probe (LinearProbe, optional): A linear probe on the pooled features; needed by
            :meth:`attention_maps` for backbones that have no attention of their own.
    """

    def __init__(self, backbone: nn.Module, mean: Sequence[float] = IMAGENET_MEAN,
                 std: Sequence[float] = IMAGENET_STD, to_rgb: bool = True,
                 probe: Optional[LinearProbe] = None) -> None:
        super().__init__()
        from mmpretrain.models.utils import ClsDataPreprocessor

        self.backbone = backbone
        # The same preprocessor mmpretrain classifiers use, so preprocess_images() and the
        # alignment tools treat this encoder like any model.
        self.data_preprocessor = ClsDataPreprocessor(mean=list(mean), std=list(std),
                                                     to_rgb=to_rgb)
        self.probe = probe

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) normalised inputs -> (B, C) pooled features."""
        return pool_features(self.backbone(inputs))

    def attention_maps(self, inputs: torch.Tensor) -> torch.Tensor:
        """Where the encoder looks: the backbone's own ``attention_maps`` when it has one
        (the VARS ViTs), else Grad-CAM on the last stage of the linear probe's top class.

        A probe on frozen features reads the encoder without changing it, so the map shows
        what the pretrained features themselves tie to the predicted class, the same way
        for every pretraining method.

        Args:
            inputs (Tensor): (B, 3, H, W) normalised inputs.

        Returns:
            Tensor: (B, h, w) maps (not scaled), detached.

        Raises:
            RuntimeError: Without a probe for a backbone with no attention of its own.
        """
        if hasattr(self.backbone, 'attention_maps'):
            with torch.no_grad():
                return self.backbone.attention_maps(inputs)
        if self.probe is None:
            raise RuntimeError('FrozenEncoder.attention_maps needs a linear probe (probe=...) '
                               'for Grad-CAM: fit one on the features first')
        with torch.enable_grad():
            outputs = self.backbone(inputs.detach().requires_grad_())
            feature_map = outputs[-1] if isinstance(outputs, (tuple, list)) else outputs
            if feature_map.dim() != 4:
                raise ValueError(f'Grad-CAM needs a (B, C, h, w) last stage, the backbone gives '
                                 f'{tuple(feature_map.shape)}')
            logits = self.probe.logits(feature_map.mean(dim=(2, 3)))
            scores = logits.gather(1, logits.argmax(dim=1, keepdim=True))[:, 0]
            return grad_cam_from_activations(feature_map, scores, relu=True)


def backbone_weights(checkpoint: str) -> Tuple[Dict[str, torch.Tensor], str]:
    """The backbone tensors of a checkpoint, keys relative to the backbone.

    Args:
        checkpoint (str): An mmengine / mmpretrain checkpoint (``state_dict`` with
            ``backbone.*`` keys; a self-supervised one also holds ``neck.*``,
            ``encoder_k.*``, ...), or a bare backbone state dict (torchvision ResNet names,
            ``tools/export_backbone.py`` output).

    Returns:
        tuple[dict, str]: The tensors and the prefix that was stripped (``'backbone.'`` or
        ``''``).
    """
    state = checkpoint_state_dict(checkpoint)
    prefix = 'backbone.' if any(key.startswith('backbone.') for key in state) else ''
    weights = {key[len(prefix):]: value for key, value in state.items()
               if key.startswith(prefix) and isinstance(value, torch.Tensor)}
    return weights, prefix


def load_backbone_weights(backbone: nn.Module, checkpoint: str) -> dict:
    """Load a checkpoint's backbone weights into ``backbone``; every backbone tensor must
    be found with its shape (a partly random encoder would be evaluated silently).

    Args:
        backbone (nn.Module): The built backbone.
        checkpoint (str): See :func:`backbone_weights`.

    Returns:
        dict: ``prefix`` (stripped from the checkpoint's keys), ``loaded`` (tensor count)
        and ``ignored`` (checkpoint tensors the backbone has no place for, e.g. a
        torchvision ``fc.*`` classifier).

    Raises:
        ValueError: When backbone tensors are missing from the checkpoint or differ in
            shape (another architecture or depth than the config's).
    """
    weights, prefix = backbone_weights(checkpoint)
    own = backbone.state_dict()
    missing = [key for key in own if key not in weights]
    wrong = [f'{key} {tuple(weights[key].shape)} vs {tuple(own[key].shape)}'
             for key in own if key in weights and weights[key].shape != own[key].shape]
    if missing or wrong:
        raise ValueError(
            f'{checkpoint} does not fit the config\'s backbone ({type(backbone).__name__}): '
            f'{len(missing)} tensors missing (e.g. {missing[:3]}), {len(wrong)} of another '
            f'shape (e.g. {wrong[:2]}); pass the config the checkpoint was trained with')
    backbone.load_state_dict({key: weights[key] for key in own}, strict=True)
    ignored = sorted(key for key in weights if key not in own)
    return dict(prefix=prefix, loaded=len(own), ignored=ignored)


def build_frozen_encoder(config: str, checkpoint: str, cfg_options: Optional[dict] = None,
                         seed: int = 0, device: str = 'cpu') -> Tuple[FrozenEncoder, dict]:
    """The backbone of ``config`` with the weights of ``checkpoint``, ready to extract.

    Args:
        config (str): A config whose ``model.backbone`` is the encoder (any pretraining or
            classification config of this package or of mmpretrain).
        checkpoint (str): A checkpoint file (see :func:`backbone_weights`), or ``'random'``
            for the config's own initialisation (``init_weights()``, seeded by ``seed``).
        cfg_options (dict, optional): Config overrides.
        seed (int): Seed of the random initialisation.
        device (str): Where the encoder goes.

    Returns:
        tuple[FrozenEncoder, dict]: The encoder (eval mode) and its identity: what the
        features depend on (config, backbone settings, checkpoint content hash or seed,
        normalisation), for cache keys and reports.

    Raises:
        ValueError: When the config has no ``model.backbone``.
        FileNotFoundError: When the checkpoint does not exist.
    """
    cfg = load_config(config, cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    backbone_cfg = cfg.get('model', {}).get('backbone')
    if not isinstance(backbone_cfg, dict):
        raise ValueError(f'{config} has no model.backbone to evaluate')
    backbone_cfg = backbone_cfg.to_dict() if hasattr(backbone_cfg, 'to_dict') else dict(
        backbone_cfg)
    # Never fetch pretrained weights here: the checkpoint (or the seed) says what to load.
    if _is_pretrained(backbone_cfg.get('init_cfg')):
        backbone_cfg.pop('init_cfg')
    backbone_cfg.pop('pretrained', None)
    norm = normalisation_settings(cfg)
    identity = dict(config=osp.basename(config), backbone=backbone_cfg, normalisation=norm)
    if checkpoint == 'random':
        torch.manual_seed(seed)
        backbone = MODELS.build(backbone_cfg)
        if hasattr(backbone, 'init_weights'):
            # mmengine logs one INFO block per parameter here; keep warnings only.
            logger = MMLogger.get_current_instance()
            level = logger.level
            logger.setLevel(logging.WARNING)
            try:
                backbone.init_weights()
            finally:
                logger.setLevel(level)
        identity.update(checkpoint='random', seed=seed)
    else:
        if not osp.isfile(checkpoint):
            raise FileNotFoundError(f'checkpoint not found: {checkpoint} (or give "random")')
        backbone = MODELS.build(backbone_cfg)
        identity.update(load_backbone_weights(backbone, checkpoint),
                        checkpoint=osp.abspath(checkpoint),
                        checkpoint_sha256=file_digest(checkpoint))
        identity.pop('ignored')
    encoder = FrozenEncoder(backbone, **norm)
    encoder.to(device)
    encoder.eval()
    identity['digest'] = key_digest({k: v for k, v in identity.items() if k != 'checkpoint'})
    return encoder, identity


def _is_pretrained(init_cfg) -> bool:
    configs = init_cfg if isinstance(init_cfg, (list, tuple)) else [init_cfg]
    return any(isinstance(c, dict) and c.get('type') == 'Pretrained' for c in configs)


class eval_mode:
    """Context manager: every submodule in eval mode inside, each one's own mode restored
    after (``model.train()`` would not do: mmpretrain's ResNet re-freezes stages and
    ``norm_eval`` layers in its ``train``)."""

    def __init__(self, module: nn.Module) -> None:
        self.module = module
        self.modes: List[Tuple[nn.Module, bool]] = []

    def __enter__(self) -> nn.Module:
        self.modes = [(m, m.training) for m in self.module.modules()]
        for m, _ in self.modes:
            m.training = False
        return self.module

    def __exit__(self, *exc) -> None:
        for m, mode in self.modes:
            m.training = mode


def _batch_inputs(batch) -> torch.Tensor:
    inputs = batch['inputs'] if isinstance(batch, dict) else batch
    return inputs if isinstance(inputs, torch.Tensor) else torch.stack(list(inputs))


def extract_features(encoder: FrozenEncoder, batches: Iterable, total: Optional[int] = None,
                     progress: bool = False) -> torch.Tensor:
    """Pooled features of every image of ``batches``, with the encoder in eval mode.

    BatchNorm uses its running statistics (eval mode), so an image's feature does not
    depend on the rest of its batch; the encoder's (and each submodule's) mode is
    restored afterwards, so a hook can call this in the middle of training.

    Args:
        encoder (FrozenEncoder): The encoder.
        batches (Iterable): A dataloader of packed samples (``dict(inputs=[uint8 (3, H, W)
            tensors], ...)``) or of uint8 (B, 3, H, W) tensors (BGR as mmcv loads).
        total (int, optional): Number of batches, for the progress bar.
        progress (bool): Show mmengine's progress bar (with an ETA).

    Returns:
        Tensor: (N, C) float32 features on the CPU, in the order of ``batches``.
    """
    if total is None and hasattr(batches, '__len__'):
        total = len(batches)
    bar = ProgressBar(total) if progress and total else None
    features = []
    device = next(encoder.parameters()).device
    with eval_mode(encoder), torch.no_grad():
        for batch in batches:
            inputs = encoder.data_preprocessor(dict(inputs=_batch_inputs(batch).to(device)),
                                               False)['inputs']
            features.append(encoder(inputs).float().cpu())
            if bar is not None:
                bar.update()
    if bar is not None:
        bar.file.write('\n')
    return torch.cat(features)


def collect_images(batches: Iterable) -> torch.Tensor:
    """Every image of a dataloader of packed samples as one uint8 (N, 3, H, W) tensor.

    Args:
        batches (Iterable): A dataloader whose pipeline ends with ``PackInputs`` and gives
            images of one size.

    Returns:
        Tensor: (N, 3, H, W) uint8 images, BGR.
    """
    return torch.cat([_batch_inputs(batch) for batch in batches])


def dataset_labels(dataset) -> torch.Tensor:
    """(N,) class index of each sample of a single-label mmpretrain dataset, in order."""
    return torch.tensor([int(dataset.get_cat_ids(i)[0]) for i in range(len(dataset))],
                        dtype=torch.long)


def evaluation_pipeline(size: int) -> List[dict]:
    """The linear-evaluation test pipeline at ``size`` pixels.

    Short side to ``round(size * 8 / 7)`` (256 for 224, as mmpretrain's ImageNet test
    pipeline), centre crop ``size``, no augmentation.

    Args:
        size (int): Side of the square input.

    Returns:
        list[dict]: Transform configs ending with ``PackInputs``.
    """
    return [dict(type='LoadImageFromFile'),
            dict(type='ResizeEdge', scale=round(size * 8 / 7), edge='short', backend='pillow'),
            dict(type='CenterCrop', crop_size=size),
            dict(type='PackInputs')]


def labelled_list_dataset(data_root: str, ann_file: str, size: int,
                          data_prefix: str = 'images',
                          exclude_classes: Sequence[str] = ('BACKGROUND_Google', )) -> dict:
    """A :class:`~attn_plugins.data.ClassFolderList` config with the evaluation pipeline.

    Args:
        data_root (str): Dataset root (e.g. ``../shared/data/caltech101``).
        ann_file (str): Split list under it (``train.txt`` / ``test.txt``).
        size (int): Input side.
        data_prefix (str): Image folder under the root.
        exclude_classes (Sequence[str]): Folders that are no class.

    Returns:
        dict: The dataset config.
    """
    return dict(type='ClassFolderList', data_root=data_root, ann_file=ann_file,
                data_prefix=data_prefix, exclude_classes=list(exclude_classes),
                pipeline=evaluation_pipeline(size), test_mode=True)


def eval_dataloader_cfg(dataset: dict, batch_size: int = 64, num_workers: int = 0) -> dict:
    """A deterministic (unshuffled) dataloader config around ``dataset``."""
    return dict(batch_size=batch_size, num_workers=num_workers,
                persistent_workers=False,
                sampler=dict(type='DefaultSampler', shuffle=False), dataset=dataset)

