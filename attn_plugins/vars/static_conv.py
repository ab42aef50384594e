"""VARS-S: a static convolutional dictionary solved by ISTA (pure torch)."""
from typing import Optional, Sequence, Tuple, Union

import torch
from torch import nn

from .solvers import ista, soft_threshold


class VARSStaticConv(nn.Module):
    """VARS-S token mixer: sparse reconstruction with a static convolutional dictionary.

    Each channel ``c`` of ``v = Linear(x)``, seen as an ``H x W`` image, is reconstructed as
    ``sum_k t_ck (*) a_ck`` (circular convolution) from ``K`` unit-norm templates ``t_ck``
    the size of the grid (depthwise: templates never mix channels). Convolutions run as
    products in the 2-D Fourier domain. The codes solve

        min_a 0.5 |v_c - D_c a|^2 + lam |a|_1

    by plain ISTA with soft-thresholding (ReLU shrinkage), started like the released code at
    ``a_0 = S(D^T v, lam)``. ``lam`` is measured in units of each channel's standard
    deviation over the tokens (per sample, detached; the released block computes this
    statistic, ``x_norm``, beside its threshold): a fixed absolute threshold of 3.5 silences
    every code of a block fed layer-normalised tokens, and with no active code no gradient
    reaches the templates. The step bound ``L_c`` is the top eigenvalue of ``D_c^T D_c``,
    recomputed (detached) at every call: with depthwise templates the Gram matrix at each
    frequency ``f`` is the rank-one ``conj(T(f)) T(f)^T``, so its top eigenvalue is exactly
    ``max_f sum_k |T_ck(f)|^2`` and needs no iterative estimate (the released code tracks it
    with an SVD every 100 iterations).

    The reconstruction goes through a learned full-size depthwise filter (identity at init,
    the released ``kernel2``) and the output projection.

    Args:
        embed_dims (int): Token width ``C``.
        grid_size (int | tuple[int, int]): Patch grid ``(H, W)``; the templates have this
            size, so the token count ``N = H * W`` is fixed (no class token).
        num_templates (int): Templates per channel ``K``. Defaults to 5.
        num_steps (int): ISTA steps after the initial shrinkage. Defaults to 3.
        lam (float): Sparsity weight, in units of the channel's standard deviation.
            Defaults to 3.5.
        v_bias (bool): Bias in the value projection. Defaults to True.
        proj_bias (bool): Bias in the output projection. Defaults to True.
        proj_drop (float): Dropout after the output projection. Defaults to 0.

    Example:
        >>> mixer = VARSStaticConv(embed_dims=32, grid_size=7)
        >>> mixer(torch.randn(2, 49, 32)).shape
        torch.Size([2, 49, 32])
    """

    def __init__(self,
                 embed_dims: int,
                 grid_size: Union[int, Sequence[int]],
                 num_templates: int = 5,
                 num_steps: int = 3,
                 lam: float = 3.5,
                 v_bias: bool = True,
                 proj_bias: bool = True,
                 proj_drop: float = 0.):
        super().__init__()
        if num_steps < 0:
            raise ValueError(f'num_steps must be >= 0, got {num_steps!r}')
        if lam < 0:
            raise ValueError(f'lam (the sparsity weight) must be >= 0, got {lam!r}')
        self.embed_dims = embed_dims
        self.grid_size = ((grid_size, grid_size) if isinstance(grid_size, int)
                          else tuple(int(s) for s in grid_size))
        self.num_templates = num_templates
        self.num_steps = num_steps
        self.lam = lam

        self.v = nn.Linear(embed_dims, embed_dims, bias=v_bias)
        self.templates = nn.Parameter(
            torch.randn(embed_dims, num_templates, *self.grid_size))
        out_filter = torch.zeros(embed_dims, *self.grid_size)
        out_filter[:, 0, 0] = 1  # a delta: the filter starts as the identity
        self.out_filter = nn.Parameter(out_filter)
        self.proj = nn.Linear(embed_dims, embed_dims, bias=proj_bias)
        self.proj_drop = nn.Dropout(proj_drop)

    def template_spectra(self) -> torch.Tensor:
        """Fourier transforms of the unit-norm templates, ``(C, K, H, W // 2 + 1)``."""
        templates = self.templates
        norm = templates.flatten(-2).norm(dim=-1).clamp_min(1e-12)[..., None, None]
        return torch.fft.rfft2(templates / norm)

    def step_bound(self, spectra: torch.Tensor) -> torch.Tensor:
        """Top eigenvalue of each channel's Gram operator, ``(C, 1, 1, 1)``, detached.

        Args:
            spectra (Tensor): Output of :meth:`template_spectra`.
        """
        power = spectra.detach().abs().pow(2).sum(dim=-3)  # (C, H, W//2+1)
        return power.flatten(1).amax(dim=1).clamp_min(1e-6)[:, None, None, None]

    def forward(self, x: torch.Tensor, hw: Optional[Tuple[int, int]] = None,
                return_codes: bool = False):
        """Mix tokens by convolutional sparse reconstruction.

        Args:
            x (Tensor): Tokens, shape ``(B, N, C)`` with ``N = H * W`` in row-major order.
            hw (tuple[int, int], optional): Patch grid of the tokens; checked against
                ``grid_size`` when given.
            return_codes (bool): Also return the codes for inspection.

        Returns:
            Tensor | tuple[Tensor, dict]: Output ``(B, N, C)``; with ``return_codes`` also
            ``dict(codes=(B, C, K, H, W))``.
        """
        batch, num_tokens, channels = x.shape
        height, width = self.grid_size
        if num_tokens != height * width or (hw is not None and tuple(hw) != self.grid_size):
            raise ValueError(
                f'VARS-S templates are {height}x{width}: they need N = {height * width} '
                f'tokens on that grid, got N = {num_tokens} (hw={hw}). Build the module '
                'with the grid of your input resolution, or use VARS-D.')
        size = (height, width)
        v = self.v(x).transpose(1, 2).reshape(batch, channels, 1, height, width)

        spectra = self.template_spectra()  # (C, K, H, W//2+1)

        def apply_gram(codes):
            # D^T D a: reconstruct (sum over templates), then correlate with each template.
            recon = (spectra * torch.fft.rfft2(codes)).sum(dim=-3, keepdim=True)
            return torch.fft.irfft2(spectra.conj() * recon, s=size)

        b = torch.fft.irfft2(spectra.conj() * torch.fft.rfft2(v), s=size)  # (B, C, K, H, W)
        step_bound = self.step_bound(spectra)
        lam = self.lam * v.detach().flatten(-2).std(dim=-1, unbiased=False)[..., None, None]
        codes = ista(apply_gram, b, step_bound, lam, self.num_steps,
                     init=soft_threshold(b, lam))

        recon_spectrum = (spectra * torch.fft.rfft2(codes)).sum(dim=-3)  # (B, C, H, W//2+1)
        out = torch.fft.irfft2(recon_spectrum * torch.fft.rfft2(self.out_filter), s=size)
        out = out.reshape(batch, channels, num_tokens).transpose(1, 2)
        out = self.proj_drop(self.proj(out))
        if return_codes:
            return out, dict(codes=codes)
        return out

    def extra_repr(self) -> str:
        return (f'embed_dims={self.embed_dims}, grid_size={self.grid_size}, '
                f'num_templates={self.num_templates}, num_steps={self.num_steps}, '
                f'lam={self.lam}')
