"""OpenMMLab backbones with VARS attention: a ViT and an RVT-Ti-like conv-stem ViT.

Registered in mmpretrain's ``MODELS`` here, and in mmdet's and mmseg's by
:mod:`attn_plugins.scopes` (the tuple :data:`VARS_BACKBONES`) when those scopes are used, so
classification, self-supervised, detection and segmentation configs can all name them.

Each layer's token mixer is chosen by an ``attn_cfg`` dict: ``dictionary`` is
``'dynamic'`` (VARS-D), ``'static_dynamic'`` (VARS-SD) or ``'static'`` (VARS-S, patch tokens
only), the other keys go to :class:`~attn_plugins.vars.VARSAttention` or
:class:`~attn_plugins.vars.VARSStaticConv`; ``None`` keeps multi-head self-attention.
"""
from typing import Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmcv.cnn import build_norm_layer as build_conv_norm_layer
from mmcv.cnn.bricks import DropPath
from mmengine.model import BaseModule, ModuleList
from torch import nn

from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.models.backbones.vision_transformer import (TransformerEncoderLayer,
                                                            VisionTransformer)
from mmpretrain.models.utils import (LayerScale, MultiheadAttention, build_norm_layer,
                                     resize_pos_embed)
from mmpretrain.registry import MODELS

from .attention import VARSAttention, sparse_code_attention
from .static_conv import VARSStaticConv

AttnCfg = Optional[dict]


def build_vars_mixer(attn_cfg: dict, embed_dims: int, num_heads: int, grid: Tuple[int, int],
                     num_extra_tokens: int, qkv_bias: bool = True,
                     proj_drop: float = 0.) -> nn.Module:
    """Build the VARS token mixer an ``attn_cfg`` names.

    Args:
        attn_cfg (dict): ``dictionary`` (``'dynamic'``, ``'static_dynamic'`` or
            ``'static'``; default ``'dynamic'``) plus keyword arguments of the module.
        embed_dims (int): Token width.
        num_heads (int): Heads (VARS-D / VARS-SD).
        grid (tuple[int, int]): Patch grid at the configured input size; the static
            dictionaries of VARS-SD and VARS-S are laid out on it.
        num_extra_tokens (int): Tokens before the patch grid (a class token).
        qkv_bias (bool): Bias of the input projection. Defaults to True.
        proj_drop (float): Dropout after the output projection. Defaults to 0.

    Returns:
        nn.Module: A :class:`VARSAttention` or :class:`VARSStaticConv`.
    """
    cfg = dict(attn_cfg)
    dictionary = cfg.pop('dictionary', 'dynamic')
    if dictionary == 'static':
        if num_extra_tokens:
            raise ValueError("attn_cfg dictionary='static' (VARS-S) convolves the patch grid "
                             'and cannot hold a class token: set with_cls_token=False and an '
                             "out_type other than 'cls_token'")
        return VARSStaticConv(embed_dims, grid, v_bias=qkv_bias, proj_drop=proj_drop, **cfg)
    if dictionary == 'static_dynamic':
        cfg.setdefault('static_grid', grid)
        cfg.setdefault('num_extra_tokens', num_extra_tokens)
    return VARSAttention(embed_dims, num_heads, dictionary=dictionary, qv_bias=qkv_bias,
                         proj_drop=proj_drop, **cfg)


def _per_layer(cfgs, num_layers: int, name: str) -> list:
    """Expand a dict (or None) to one entry per layer, or check a list's length."""
    if cfgs is None or isinstance(cfgs, dict):
        return [cfgs] * num_layers
    cfgs = list(cfgs)
    if len(cfgs) != num_layers:
        raise ValueError(f'{name} lists {len(cfgs)} entries for {num_layers} layers: give '
                         'one entry per layer, or a single dict for all of them')
    return cfgs


class VARSTransformerEncoderLayer(TransformerEncoderLayer):
    """mmpretrain's ViT encoder layer with a VARS token mixer in place of self-attention.

    Norms, FFN, residuals, layer scale and drop path are those of
    :class:`mmpretrain.models.backbones.vision_transformer.TransformerEncoderLayer`, and so
    are the parameter names (``ln1``, ``attn``, ``ln2``, ``ffn``).

    Args:
        attn_cfg (dict): The VARS mixer, see :func:`build_vars_mixer`.
        grid (tuple[int, int]): Patch grid at the configured input size.
        num_extra_tokens (int): Tokens before the patch grid.
        **kwargs: Arguments of ``TransformerEncoderLayer`` (``embed_dims``,
            ``num_heads``, ``feedforward_channels``, ``drop_path_rate``, ...).
    """

    def __init__(self, attn_cfg: dict, grid: Tuple[int, int], num_extra_tokens: int,
                 **kwargs):
        super().__init__(**kwargs)
        embed_dims = kwargs['embed_dims']
        self.attn = build_vars_mixer(
            attn_cfg, embed_dims, kwargs['num_heads'], grid, num_extra_tokens,
            qkv_bias=kwargs.get('qkv_bias', True), proj_drop=kwargs.get('drop_rate', 0.))
        # MultiheadAttention applies layer scale and drop path itself; VARS leaves them here.
        layer_scale = kwargs.get('layer_scale_init_value', 0.)
        self.gamma1 = (LayerScale(embed_dims, layer_scale_init_value=layer_scale)
                       if layer_scale > 0 else nn.Identity())
        drop_path = kwargs.get('drop_path_rate', 0.)
        self.drop_path = DropPath(drop_path) if drop_path > 0 else nn.Identity()

    def forward(self, x: torch.Tensor, hw: Optional[Tuple[int, int]] = None) -> torch.Tensor:
        """Args: x (Tensor): ``(B, N, C)``; hw (tuple, optional): patch grid of ``x``."""
        x = x + self.drop_path(self.gamma1(self.attn(self.ln1(x), hw=hw)))
        return self.ffn(self.ln2(x), identity=x)


@MODELS.register_module()
class VARSVisionTransformer(VisionTransformer):
    """Vision Transformer whose self-attention is replaced by VARS attention.

    Everything but the token mixer is mmpretrain's
    :class:`~mmpretrain.models.backbones.VisionTransformer`: ``arch`` presets
    (``'deit-tiny'``, ``'deit-small'``, ``'base'``, ...), patch embedding, class token,
    position embedding, ``out_indices``, ``out_type``, ``frozen_stages`` and ``init_cfg``;
    checkpoints keep its parameter names. VARS-D runs at any input size; VARS-SD's static
    dictionary, laid out on the ``img_size`` patch grid, is interpolated to other grids.

    Args:
        attn_cfgs (dict | Sequence[dict | None] | None): Token mixer of every layer, or
            one per layer; ``None`` keeps multi-head self-attention (see
            :func:`build_vars_mixer`). Defaults to ``dict(dictionary='dynamic')``: VARS-D
            with 5 LISTA steps, lambda 0.3 and twice as many random features as head dims.
        **kwargs: Arguments of ``VisionTransformer`` (``arch``, ``img_size``,
            ``patch_size``, ``out_indices``, ``drop_path_rate``, ``layer_cfgs``,
            ``init_cfg``, ...).
    """

    def __init__(self,
                 attn_cfgs: Union[AttnCfg, Sequence[AttnCfg]] = dict(dictionary='dynamic'),
                 **kwargs):
        if isinstance(kwargs.get('out_indices'), tuple):
            # VisionTransformer rewrites negative indices in place, which a tuple refuses.
            kwargs['out_indices'] = list(kwargs['out_indices'])
        super().__init__(**kwargs)
        layer_cfgs = _per_layer(kwargs.get('layer_cfgs', dict()), self.num_layers,
                                'layer_cfgs')
        attn_cfgs = _per_layer(attn_cfgs, self.num_layers, 'attn_cfgs')
        dpr = np.linspace(0, kwargs.get('drop_path_rate', 0.), self.num_layers)
        # Rebuild the encoder layers that VisionTransformer made, with the VARS mixers.
        self.layers = ModuleList()
        for i in range(self.num_layers):
            layer_cfg = dict(
                embed_dims=self.embed_dims,
                num_heads=self.arch_settings['num_heads'],
                feedforward_channels=self.arch_settings['feedforward_channels'],
                layer_scale_init_value=kwargs.get('layer_scale_init_value', 0.),
                drop_rate=kwargs.get('drop_rate', 0.),
                drop_path_rate=dpr[i],
                qkv_bias=kwargs.get('qkv_bias', True),
                norm_cfg=kwargs.get('norm_cfg', dict(type='LN', eps=1e-6)))
            layer_cfg.update(layer_cfgs[i])
            if attn_cfgs[i] is None:
                self.layers.append(TransformerEncoderLayer(**layer_cfg))
            else:
                self.layers.append(VARSTransformerEncoderLayer(
                    attn_cfg=attn_cfgs[i], grid=self.patch_resolution,
                    num_extra_tokens=self.num_extra_tokens, **layer_cfg))
        if self.frozen_stages > 0:
            self._freeze_stages()

    def _embed(self, x: torch.Tensor) -> Tuple[torch.Tensor, Tuple[int, int]]:
        """Images ``(B, 3, H, W)`` to the first layer's tokens ``(B, N, C)`` and patch grid."""
        B = x.shape[0]
        x, patch_resolution = self.patch_embed(x)
        if self.cls_token is not None:
            x = torch.cat((self.cls_token.expand(B, -1, -1), x), dim=1)
        x = x + resize_pos_embed(
            self.pos_embed, self.patch_resolution, patch_resolution,
            mode=self.interpolate_mode, num_extra_tokens=self.num_extra_tokens)
        return self.pre_norm(self.drop_after_pos(x)), patch_resolution

    @staticmethod
    def _run_layer(layer: nn.Module, x: torch.Tensor, hw: Tuple[int, int]) -> torch.Tensor:
        if isinstance(layer, VARSTransformerEncoderLayer):
            return layer(x, hw=hw)
        return layer(x)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Args: x (Tensor): images ``(B, 3, H, W)``. Returns: tuple of the ``out_indices``
        outputs, shaped by ``out_type`` as in ``VisionTransformer``."""
        x, patch_resolution = self._embed(x)
        outs = []
        for i, layer in enumerate(self.layers):
            x = self._run_layer(layer, x, patch_resolution)
            if i == len(self.layers) - 1 and self.final_norm:
                x = self.ln1(x)
            if i in self.out_indices:
                outs.append(self._format_output(x, patch_resolution))
        return tuple(outs)

    def attention_maps(self, x: torch.Tensor) -> torch.Tensor:
        """Where the last layer's query token looks, one weight per patch.

        The query is the class token (the mean of the tokens without one). A VARS-D / VARS-SD
        last layer gives its sparse-code attention
        (:func:`~attn_plugins.vars.sparse_code_attention`: the query's dictionary affinity
        with each token through the atoms, weighted by their code energy); a
        self-attention last layer gives the query's softmax attention row, averaged over
        heads. Only the layers up to the last one run.

        Args:
            x (Tensor): images ``(B, 3, H, W)``, normalised as for ``forward``.

        Returns:
            Tensor: ``(B, h, w)`` maps on the patch grid.

        Raises:
            TypeError: If the last layer mixes tokens by VARS-S convolution (no query).
        """
        tokens, hw = self._embed(x)
        for layer in self.layers[:-1]:
            tokens = self._run_layer(layer, tokens, hw)
        last = self.layers[-1]
        normed = last.ln1(tokens)
        query = 0 if self.cls_token is not None else None
        if isinstance(last.attn, VARSAttention):
            _, parts = last.attn(normed, hw=hw, return_codes=True)
            weights = sparse_code_attention(parts['codes'], parts['dictionary'], query)
        elif isinstance(last.attn, MultiheadAttention):
            attn = last.attn
            B, N, _ = normed.shape
            q, k, _ = attn.qkv(normed).reshape(B, N, 3, attn.num_heads,
                                               attn.head_dims).permute(2, 0, 3, 1, 4)
            q = q[:, :, :1] if query is not None else q.mean(dim=2, keepdim=True)
            scores = (q @ k.transpose(-2, -1)) * attn.head_dims**-0.5  # (B, heads, 1, N)
            weights = scores.softmax(dim=-1)[:, :, 0].mean(dim=1)
        else:
            raise TypeError(f'the last layer mixes tokens with {type(last.attn).__name__}, '
                            'which has no query token to read attention from')
        return weights[:, self.num_extra_tokens:].reshape(-1, *hw)


class ConvFFN(nn.Module):
    """RVT's convolutional feed-forward network on tokens laid out on their grid.

    1x1 conv, BN, GELU, 3x3 depthwise conv, BN, GELU, 1x1 conv, BN; the depthwise conv
    gives the model its sense of position (RVT has no position embedding).

    Args:
        embed_dims (int): Token width.
        hidden_dims (int): Hidden width.
        norm_cfg (dict): Norm of the conv layers. Defaults to ``dict(type='BN')``.
        drop (float): Dropout after the activations and the output. Defaults to 0.
    """

    def __init__(self, embed_dims: int, hidden_dims: int, norm_cfg: dict = dict(type='BN'),
                 drop: float = 0.):
        super().__init__()
        self.fc1 = nn.Conv2d(embed_dims, hidden_dims, 1)
        self.norm1 = build_conv_norm_layer(norm_cfg, hidden_dims)[1]
        self.dwconv = nn.Conv2d(hidden_dims, hidden_dims, 3, padding=1, groups=hidden_dims)
        self.norm2 = build_conv_norm_layer(norm_cfg, hidden_dims)[1]
        self.fc2 = nn.Conv2d(hidden_dims, embed_dims, 1)
        self.norm3 = build_conv_norm_layer(norm_cfg, embed_dims)[1]
        self.act = nn.GELU()
        self.drop = nn.Dropout(drop)

    def forward(self, x: torch.Tensor, hw: Tuple[int, int]) -> torch.Tensor:
        """Args: x (Tensor): ``(B, N, C)`` with ``N = H * W``; hw: ``(H, W)``.
        Returns: Tensor ``(B, N, C)``."""
        B, N, C = x.shape
        x = x.transpose(1, 2).reshape(B, C, *hw)
        x = self.drop(self.act(self.norm1(self.fc1(x))))
        x = self.act(self.norm2(self.dwconv(x)))
        x = self.drop(self.norm3(self.fc2(x)))
        return x.flatten(2).transpose(1, 2)


class VARSRVTBlock(BaseModule):
    """Pre-norm block of the RVT-like backbone: ``x + mixer(LN(x))``, ``x + FFN(LN(x))``.

    Args:
        embed_dims (int): Token width.
        num_heads (int): Heads of the mixer.
        grid (tuple[int, int]): Patch grid at the configured input size.
        attn_cfg (dict, optional): VARS mixer (:func:`build_vars_mixer`); None for
            multi-head self-attention.
        mlp_ratio (float): FFN hidden width over ``embed_dims``. Defaults to 4.
        qkv_bias (bool): Bias of the mixer's input projection. Defaults to True.
        drop_rate (float): Dropout in the mixer output and FFN. Defaults to 0.
        drop_path_rate (float): Stochastic depth. Defaults to 0.
        norm_cfg (dict): Token norm. Defaults to ``dict(type='LN', eps=1e-6)``.
        ffn_norm_cfg (dict): Norm inside the conv FFN. Defaults to ``dict(type='BN')``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self, embed_dims: int, num_heads: int, grid: Tuple[int, int],
                 attn_cfg: AttnCfg = None, mlp_ratio: float = 4., qkv_bias: bool = True,
                 drop_rate: float = 0., drop_path_rate: float = 0.,
                 norm_cfg: dict = dict(type='LN', eps=1e-6),
                 ffn_norm_cfg: dict = dict(type='BN'), init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.ln1 = build_norm_layer(norm_cfg, embed_dims)
        if attn_cfg is None:
            self.attn = MultiheadAttention(embed_dims, num_heads, qkv_bias=qkv_bias,
                                           proj_drop=drop_rate)
        else:
            self.attn = build_vars_mixer(attn_cfg, embed_dims, num_heads, grid, 0,
                                         qkv_bias=qkv_bias, proj_drop=drop_rate)
        self.ln2 = build_norm_layer(norm_cfg, embed_dims)
        self.ffn = ConvFFN(embed_dims, int(embed_dims * mlp_ratio), ffn_norm_cfg, drop_rate)
        self.drop_path = DropPath(drop_path_rate) if drop_path_rate > 0 else nn.Identity()

    def forward(self, x: torch.Tensor, hw: Tuple[int, int]) -> torch.Tensor:
        """Args: x (Tensor): ``(B, N, C)``; hw: patch grid ``(H, W)``, ``N = H * W``."""
        if isinstance(self.attn, MultiheadAttention):
            mixed = self.attn(self.ln1(x))
        else:
            mixed = self.attn(self.ln1(x), hw=hw)
        x = x + self.drop_path(mixed)
        return x + self.drop_path(self.ffn(self.ln2(x), hw))


def _conv_out(size: int, kernel: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - kernel) // stride + 1


@MODELS.register_module()
class VARSRVT(BaseBackbone):
    """RVT-Ti-like backbone with VARS attention, as in the VARS paper's RVT experiments.

    A conv stem (7x7/2 conv, BN, 3x3/2 max-pool, 4x4/4 conv: stride 16), no position
    embedding, stages of pre-norm blocks with a VARS mixer and RVT's conv FFN, and a
    depthwise 3x3/2 conv between stages that halves the grid and widens the tokens.

    Args:
        arch (str | dict): ``'tiny'`` (RVT-Ti: widths 192, 384; depths 10, 2; heads 6, 12)
            or ``'small'`` (width 384, depth 12, 6 heads), or a dict with the lists
            ``embed_dims``, ``depths``, ``num_heads`` and the float ``mlp_ratio``.
            Defaults to ``'tiny'``.
        img_size (int | tuple[int, int]): Input size the static dictionaries (VARS-SD,
            VARS-S) are laid out for. Defaults to 224.
        in_channels (int): Input channels. Defaults to 3.
        attn_cfgs (dict | Sequence[dict | None] | None): Mixer of every block, or one per
            block over all stages (see :func:`build_vars_mixer`). Defaults to
            ``dict(dictionary='dynamic')``.
        out_indices (int | Sequence[int]): Stages to output. Defaults to -1 (the last).
        out_type (str): ``'avg_featmap'``: ``LN(GAP(x))`` of each output stage, ``(B, C)``
            (RVT's classifier input); ``'featmap'``: ``LN(x)`` as ``(B, C, H, W)``.
            Defaults to ``'avg_featmap'``.
        qkv_bias (bool): Bias of the mixers' input projections. Defaults to True.
        drop_rate (float): Dropout rate. Defaults to 0.
        drop_path_rate (float): Stochastic depth, rising linearly over the blocks.
            Defaults to 0.
        norm_cfg (dict): Token norm. Defaults to ``dict(type='LN', eps=1e-6)``.
        conv_norm_cfg (dict): Norm of the stem and conv FFNs. Defaults to
            ``dict(type='BN')``.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """
    arch_zoo = {
        **dict.fromkeys(['t', 'tiny'], dict(embed_dims=[192, 384], depths=[10, 2],
                                            num_heads=[6, 12], mlp_ratio=4.)),
        **dict.fromkeys(['s', 'small'], dict(embed_dims=[384], depths=[12], num_heads=[6],
                                             mlp_ratio=4.)),
    }
    OUT_TYPES = ('avg_featmap', 'featmap')

    def __init__(self,
                 arch: Union[str, dict] = 'tiny',
                 img_size: Union[int, Sequence[int]] = 224,
                 in_channels: int = 3,
                 attn_cfgs: Union[AttnCfg, Sequence[AttnCfg]] = dict(dictionary='dynamic'),
                 out_indices: Union[int, Sequence[int]] = -1,
                 out_type: str = 'avg_featmap',
                 qkv_bias: bool = True,
                 drop_rate: float = 0.,
                 drop_path_rate: float = 0.,
                 norm_cfg: dict = dict(type='LN', eps=1e-6),
                 conv_norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[Union[dict, list]] = None):
        super().__init__(init_cfg=init_cfg)
        if isinstance(arch, str):
            if arch.lower() not in self.arch_zoo:
                raise ValueError(f'arch {arch!r} is not one of {sorted(set(self.arch_zoo))}; '
                                 'or give a dict with embed_dims, depths, num_heads, mlp_ratio')
            arch = self.arch_zoo[arch.lower()]
        missing = {'embed_dims', 'depths', 'num_heads', 'mlp_ratio'} - set(arch)
        if missing:
            raise ValueError(f'arch dict lacks {sorted(missing)}')
        if out_type not in self.OUT_TYPES:
            raise ValueError(f'out_type must be one of {self.OUT_TYPES}, got {out_type!r}')
        self.arch_settings = arch
        widths, depths = list(arch['embed_dims']), list(arch['depths'])
        num_stages = len(depths)
        out_indices = [out_indices] if isinstance(out_indices, int) else list(out_indices)
        out_indices = [i + num_stages if i < 0 else i for i in out_indices]
        if any(not 0 <= i < num_stages for i in out_indices):
            raise ValueError(f'out_indices {out_indices} must index the {num_stages} stages')
        self.out_indices = out_indices
        self.out_type = out_type

        stem_width = 32
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, stem_width, 7, stride=2, padding=2),
            build_conv_norm_layer(conv_norm_cfg, stem_width)[1],
            nn.MaxPool2d(3, stride=2, padding=1),
            nn.Conv2d(stem_width, widths[0], 4, stride=4))
        height, width = (img_size, img_size) if isinstance(img_size, int) else img_size
        grid = tuple(_conv_out(_conv_out(_conv_out(s, 7, 2, 2), 3, 2, 1), 4, 4, 0)
                     for s in (height, width))
        self.drop_after_stem = nn.Dropout(drop_rate)

        attn_cfgs = _per_layer(attn_cfgs, sum(depths), 'attn_cfgs')
        dpr = np.linspace(0, drop_path_rate, sum(depths))
        self.stages = ModuleList()
        self.pools = ModuleList()
        block_idx = 0
        for stage, depth in enumerate(depths):
            self.stages.append(ModuleList([
                VARSRVTBlock(widths[stage], arch['num_heads'][stage], grid,
                             attn_cfgs[block_idx + i], mlp_ratio=arch['mlp_ratio'],
                             qkv_bias=qkv_bias, drop_rate=drop_rate,
                             drop_path_rate=dpr[block_idx + i], norm_cfg=norm_cfg,
                             ffn_norm_cfg=conv_norm_cfg) for i in range(depth)]))
            block_idx += depth
            if stage < num_stages - 1:
                if widths[stage + 1] % widths[stage]:
                    raise ValueError(f'stage widths must grow by whole multiples (depthwise '
                                     f'pooling), got {widths[stage]} -> {widths[stage + 1]}')
                self.pools.append(nn.Conv2d(widths[stage], widths[stage + 1], 3, stride=2,
                                            padding=1, groups=widths[stage]))
                grid = tuple(_conv_out(s, 3, 2, 1) for s in grid)
        for i in out_indices:
            self.add_module(f'norm{i}', build_norm_layer(norm_cfg, widths[i]))

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Args: x (Tensor): images ``(B, 3, H, W)``. Returns: tuple with one output per
        ``out_indices`` stage, ``(B, C)`` or ``(B, C, H/16/2^s, W/16/2^s)``."""
        x = self.drop_after_stem(self.stem(x))
        outs = []
        for stage, blocks in enumerate(self.stages):
            B, C, H, W = x.shape
            tokens = x.flatten(2).transpose(1, 2)
            for block in blocks:
                tokens = block(tokens, (H, W))
            if stage in self.out_indices:
                norm = getattr(self, f'norm{stage}')
                if self.out_type == 'avg_featmap':
                    outs.append(norm(tokens.mean(dim=1)))
                else:
                    outs.append(norm(tokens).transpose(1, 2).reshape(B, C, H, W))
            x = tokens.transpose(1, 2).reshape(B, C, H, W)
            if stage < len(self.pools):
                x = self.pools[stage](x)
        return tuple(outs)


#: The backbones transfer configs (mmdet, mmseg scopes) name.
VARS_BACKBONES = (VARSVisionTransformer, VARSRVT)
