"""VARS attention: self-attention replaced by recurrent sparse reconstruction.

Shi, Song, Joshi, Darrell, Wang. *Visual Attention Emerges from Recurrent Sparse
Reconstruction*, ICML 2022 (https://arxiv.org/abs/2204.10962).

Pure torch; options are constructor arguments (the released code reads a global config).
"""
import functools
import math
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from torch import nn

from .solvers import ISTA, LISTA, cheapest_route, gram_step_bound, nonnegative_step_bound

DICTIONARIES = ('dynamic', 'static_dynamic')
SOLVERS = ('lista', 'ista')


def positive_random_features(x: torch.Tensor, proj: torch.Tensor) -> torch.Tensor:
    """Positive random features ``exp(x W - |x|^2 / 2) / sqrt(m)`` (Performer's FAVOR+).

    Their inner products estimate the softmax kernel ``exp(x . y)`` without negative values.

    Args:
        x (Tensor): Inputs, shape ``(B, heads, N, d)``.
        proj (Tensor): Random matrix ``W``, shape ``(heads, d, m)``.

    Returns:
        Tensor: Features, shape ``(B, heads, N, m)``.
    """
    # exp(xW - |x|^2 / 2) / sqrt(m), with the 1 / sqrt(m) moved into the exponent: one pass
    # over the (B, heads, N, m) features fewer.
    offset = x.pow(2).sum(dim=-1, keepdim=True) / 2 + math.log(proj.shape[-1]) / 2
    return torch.exp(x @ proj - offset)


def _pair(value: Union[int, Sequence[int]]) -> Tuple[int, int]:
    if isinstance(value, int):
        return value, value
    height, width = value
    return int(height), int(width)


class VARSAttention(nn.Module):
    """VARS-D / VARS-SD attention on tokens ``(B, N, C)``.

    Per head (head dim ``d``, ``m = rand_feat_ratio * d`` random features):

    1. ``q, v`` come from one linear layer ``C -> 2C``; the key is tied to ``q``.
    2. ``q`` is L2-normalised and mapped to positive random features
       ``Phi = exp(q W - |q|^2 / 2) / sqrt(m)`` with a frozen ``W ~ N(0, 1)`` of shape
       ``d x m``, stored as a buffer so it travels with the checkpoint.
    3. The dictionary ``D`` is ``Phi`` (``'dynamic'``) or ``[Phi, S]`` with a learned static
       part ``S`` of shape ``heads x N x m`` (``'static_dynamic'``); each column is
       L2-normalised over the tokens.
    4. ``min_a 0.5 |v - D a|^2 + lam |a|_1`` is solved by unrolled (L)ISTA from
       ``G = D^T D``, ``b = D^T v`` and ``L = max row abs-sum of G + 1``, by the route
       with the fewest multiply-adds for the shape
       (:func:`~attn_plugins.vars.solvers.cheapest_route`): with many tokens through
       ``G``; with few from ``D`` itself, LISTA's ``A G A`` as ``(D A^T)^T (D A)`` or never
       formed, and for VARS-D (``D >= 0``) ``L`` as ``D^T (D 1)``, so ``G`` is not formed
       at all. The results are the same up to rounding.
    5. The output is ``proj(concat_heads(D a))``.

    With ``solver='ista'``, one step and ``lam=0`` the output is the linear attention
    ``proj(D D^T v / L)``: self-attention is the special case.

    Args:
        embed_dims (int): Token width ``C``.
        num_heads (int): Number of heads; must divide ``embed_dims``. Defaults to 8.
        dictionary (str): ``'dynamic'`` (VARS-D) or ``'static_dynamic'`` (VARS-SD).
            Defaults to ``'dynamic'``.
        num_steps (int): Unrolled solver steps. Defaults to 5.
        lam (float): Sparsity weight. Defaults to 0.3.
        rand_feat_ratio (int): ``m / d``. Defaults to 2.
        solver (str): ``'lista'`` (learned, as released) or ``'ista'`` (plain).
            Defaults to ``'lista'``.
        qv_bias (bool): Bias in the ``q, v`` projection. Defaults to True.
        proj_bias (bool): Bias in the output projection. Defaults to True.
        proj_drop (float): Dropout after the output projection. Defaults to 0.
        static_grid (int | tuple[int, int], optional): Patch grid ``(H, W)`` the static
            dictionary is built for; required for ``'static_dynamic'``.
        num_extra_tokens (int): Tokens before the patch grid (a class token); their rows
            of the static dictionary are kept as they are when the grid is resized.
            Defaults to 0.
        static_interpolation (str): Mode used to resize the static dictionary to another
            patch grid. Defaults to ``'bicubic'``.
        compile (bool): Run the computation through ``torch.compile``: one compiled
            function, shared by all instances with the same options. The first call
            compiles (tens of seconds on a CPU), a second input shape compiles once more
            for shapes in general. Needs a C++ compiler on CPU. Defaults to False.

    Example:
        >>> attn = VARSAttention(embed_dims=64, num_heads=4)
        >>> attn(torch.randn(2, 50, 64)).shape
        torch.Size([2, 50, 64])
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int = 8,
                 dictionary: str = 'dynamic',
                 num_steps: int = 5,
                 lam: float = 0.3,
                 rand_feat_ratio: int = 2,
                 solver: str = 'lista',
                 qv_bias: bool = True,
                 proj_bias: bool = True,
                 proj_drop: float = 0.,
                 static_grid: Optional[Union[int, Sequence[int]]] = None,
                 num_extra_tokens: int = 0,
                 static_interpolation: str = 'bicubic',
                 compile: bool = False):
        super().__init__()
        if embed_dims % num_heads != 0:
            raise ValueError(f'embed_dims ({embed_dims}) must be divisible by num_heads '
                             f'({num_heads})')
        if dictionary not in DICTIONARIES:
            raise ValueError(f'dictionary must be one of {DICTIONARIES}, got {dictionary!r}')
        if solver not in SOLVERS:
            raise ValueError(f'solver must be one of {SOLVERS}, got {solver!r}')
        if not isinstance(rand_feat_ratio, int) or rand_feat_ratio < 1:
            raise ValueError(f'rand_feat_ratio must be a positive int, got {rand_feat_ratio!r}')
        if dictionary == 'static_dynamic' and static_grid is None:
            raise ValueError("dictionary='static_dynamic' needs static_grid, the (H, W) patch "
                             'grid its static atoms are laid out on')

        self.embed_dims = embed_dims
        self.num_heads = num_heads
        self.head_dims = embed_dims // num_heads
        self.num_rand_features = rand_feat_ratio * self.head_dims
        self.dictionary = dictionary
        # Not ``self.compile``: that would hide ``nn.Module.compile``.
        self.use_compile = compile

        self.qv = nn.Linear(embed_dims, embed_dims * 2, bias=qv_bias)
        self.proj = nn.Linear(embed_dims, embed_dims, bias=proj_bias)
        self.proj_drop = nn.Dropout(proj_drop)
        # Frozen N(0, 1) projection: a buffer, so it is saved and loaded but never trained.
        self.register_buffer(
            'rand_proj', torch.randn(num_heads, self.head_dims, self.num_rand_features))

        dict_size = self.num_rand_features
        if dictionary == 'static_dynamic':
            self.static_grid = _pair(static_grid)
            self.num_extra_tokens = num_extra_tokens
            self.static_interpolation = static_interpolation
            num_tokens = num_extra_tokens + self.static_grid[0] * self.static_grid[1]
            self.static_dict = nn.Parameter(
                torch.randn(num_heads, num_tokens, self.num_rand_features))
            dict_size *= 2
        if solver == 'lista':
            self.solver = LISTA(dict_size, num_steps=num_steps, lam=lam)
        else:
            self.solver = ISTA(num_steps=num_steps, lam=lam)

    def _static_atoms(self, num_tokens: int,
                      hw: Optional[Tuple[int, int]]) -> torch.Tensor:
        """The static dictionary for ``num_tokens`` tokens, ``(heads, N, m)``.

        A different patch grid ``hw`` gets the static atoms resized over the grid; the
        extra (class) tokens keep theirs.
        """
        static = self.static_dict
        if num_tokens == static.shape[1]:
            return static
        expected = self.num_extra_tokens + (hw[0] * hw[1] if hw is not None else 0)
        if hw is None or num_tokens != expected:
            raise ValueError(
                f'VARS-SD was built for {static.shape[1]} tokens ({self.num_extra_tokens} '
                f'extra + a {self.static_grid[0]}x{self.static_grid[1]} patch grid) but got '
                f'{num_tokens} tokens and hw={hw}. Pass the patch grid as hw=(H, W) with '
                f'N = {self.num_extra_tokens} + H * W so the static dictionary can be '
                "interpolated, or use dictionary='dynamic', which works at any resolution.")
        extra = static[:, :self.num_extra_tokens]
        grid = static[:, self.num_extra_tokens:]
        heads, _, num_features = grid.shape
        # (heads, H0*W0, m) -> (1, heads*m, H0, W0): the atoms are images over the grid.
        grid = grid.permute(0, 2, 1).reshape(1, heads * num_features, *self.static_grid)
        grid = F.interpolate(grid, size=hw, mode=self.static_interpolation,
                             align_corners=False)
        grid = grid.reshape(heads, num_features, hw[0] * hw[1]).permute(0, 2, 1)
        return torch.cat([extra, grid], dim=1)

    def forward(self, x: torch.Tensor, hw: Optional[Tuple[int, int]] = None,
                return_codes: bool = False):
        """Attend by sparse reconstruction.

        Args:
            x (Tensor): Tokens, shape ``(B, N, C)``.
            hw (tuple[int, int], optional): Patch grid of the tokens after the extra
                tokens; only VARS-SD at a new resolution needs it.
            return_codes (bool): Also return the codes and dictionary for inspection.

        Returns:
            Tensor | tuple[Tensor, dict]: Output ``(B, N, C)``; with ``return_codes`` also
            ``dict(codes=(B, heads, m', d), dictionary=(B, heads, N, m'))`` where
            ``dictionary @ codes`` is each head's reconstruction of ``v`` (``m' = m`` for
            VARS-D, ``2m`` for VARS-SD).
        """
        attend = _compiled_attend() if self.use_compile else VARSAttention._attend
        return attend(self, x, hw, return_codes)

    def _attend(self, x: torch.Tensor, hw: Optional[Tuple[int, int]], return_codes: bool):
        """The computation behind :meth:`forward` (what ``compile=True`` compiles).

        Args:
            x (Tensor): Tokens, shape ``(B, N, C)``.
            hw (tuple[int, int], optional): Patch grid after the extra tokens.
            return_codes (bool): Also return the codes and dictionary.

        Returns:
            Tensor | tuple[Tensor, dict]: As :meth:`forward`.
        """
        batch, num_tokens, channels = x.shape
        qv = self.qv(x).reshape(batch, num_tokens, 2, self.num_heads, self.head_dims)
        q, v = qv.permute(2, 0, 3, 1, 4)  # each (B, heads, N, d)

        # The released code multiplies q by d ** -0.25 first; normalising cancels that scale.
        q = F.normalize(q, dim=-1)
        features = positive_random_features(q, self.rand_proj)  # (B, heads, N, m)
        if self.dictionary == 'static_dynamic':
            static = self._static_atoms(num_tokens, hw)
            features = torch.cat([features, static.expand(batch, -1, -1, -1)], dim=-1)

        # The learned static atoms are signed, so VARS-SD needs the absolute row sums of G
        # for L and always forms G; VARS-D's D >= 0 gives L without it.
        route = cheapest_route(num_tokens, features.shape[-1], self.head_dims,
                               self.solver.num_steps, self.dictionary == 'static_dynamic',
                               isinstance(self.solver, LISTA))
        if route == 'gram':
            out, codes, dictionary = self._solve_by_gram(features, v, return_codes)
        else:
            out, codes, dictionary = self._solve_by_dictionary(features, v)
        out = out.transpose(1, 2).reshape(batch, num_tokens, channels)
        out = self.proj_drop(self.proj(out))
        if return_codes:
            return out, dict(codes=codes, dictionary=dictionary)
        return out

    def _solve_by_gram(self, features: torch.Tensor, v: torch.Tensor, return_dictionary: bool
                       ) -> Tuple[torch.Tensor, torch.Tensor, Optional[torch.Tensor]]:
        """Codes and reconstruction through ``G``: the cheaper way with many tokens.

        The dictionary is ``D = F diag(s)``, the features ``F`` with each column scaled to
        unit norm over the tokens, ``s = 1 / |F_:j|``. ``D`` is not formed: ``s`` is folded
        into the small matrices, ``G = s F^T F s``, ``b = s F^T v`` and ``D a = F (s a)``,
        and ``L`` comes from ``G``.

        Args:
            features (Tensor): ``F``, shape ``(B, heads, N, m')``.
            v (Tensor): Values, shape ``(B, heads, N, d)``.
            return_dictionary (bool): Also form ``D``, for ``return_codes``.

        Returns:
            tuple[Tensor, Tensor, Tensor | None]: Reconstruction ``D a``
            ``(B, heads, N, d)``, codes ``a`` ``(B, heads, m', d)`` and ``D``
            ``(B, heads, N, m')`` or None.
        """
        features_t = features.transpose(-2, -1)
        gram = features_t @ features  # (B, heads, m', m')
        scale = gram.diagonal(dim1=-2, dim2=-1).clamp_min(1e-12).rsqrt()  # (B, heads, m')
        gram = gram * (scale[..., :, None] * scale[..., None, :])
        b = (features_t @ v) * scale[..., None]  # (B, heads, m', d)
        codes = self.solver(gram, b, gram_step_bound(gram))
        out = features @ (codes * scale[..., None])
        dictionary = features * scale[..., None, :] if return_dictionary else None
        return out, codes, dictionary

    def _solve_by_dictionary(self, features: torch.Tensor, v: torch.Tensor
                             ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Codes and reconstruction from ``D`` itself: the cheaper way with few tokens.

        ``D`` is formed (``N x m'``, smaller than ``G`` here) and the solver works from it
        (:meth:`~attn_plugins.vars.solvers.LISTA.solve`). VARS-D's ``D >= 0`` gives ``L``
        as ``D^T (D 1)`` without ``G``.

        Args:
            features (Tensor): ``F``, shape ``(B, heads, N, m')``.
            v (Tensor): Values, shape ``(B, heads, N, d)``.

        Returns:
            tuple[Tensor, Tensor, Tensor]: Reconstruction ``D a`` ``(B, heads, N, d)``,
            codes ``a`` ``(B, heads, m', d)`` and ``D`` ``(B, heads, N, m')``.
        """
        # The 1e-6 floor on the column norm is the 1e-12 floor on its square in the G form.
        dictionary = F.normalize(features, dim=-2, eps=1e-6)
        b = dictionary.transpose(-2, -1) @ v  # (B, heads, m', d)
        if self.dictionary == 'dynamic':
            codes = self.solver.solve(dictionary, b, nonnegative_step_bound(dictionary))
        else:
            gram = dictionary.transpose(-2, -1) @ dictionary
            codes = self.solver.solve(dictionary, b, gram_step_bound(gram), gram=gram)
        return dictionary @ codes, codes, dictionary

    def extra_repr(self) -> str:
        return (f'embed_dims={self.embed_dims}, num_heads={self.num_heads}, '
                f'dictionary={self.dictionary!r}, num_rand_features={self.num_rand_features}, '
                f'compile={self.use_compile}')


@functools.lru_cache(maxsize=None)
def _compiled_attend():
    """``torch.compile`` of :meth:`VARSAttention._attend`, built once on first use.

    Returns:
        Callable: Called as ``fn(module, x, hw, return_codes)``, like the plain method.
    """
    return torch.compile(VARSAttention._attend)


def sparse_code_attention(codes: torch.Tensor, dictionary: torch.Tensor,
                          query_index: Optional[int] = None) -> torch.Tensor:
    """Where one token looks through a VARS layer's sparse code: a weight per token.

    VARS has no attention matrix; a token's output is its reconstruction ``D_q a`` from the
    dictionary atoms (columns of ``D``, each a weighting of the tokens) with codes ``a``.
    The weight of token ``j`` for query ``q`` is the dictionary affinity of the two through
    the atoms, each atom counted by the energy of its code:

        ``A_qj = mean_heads sum_k D_qk |a_k| D_jk``,  ``|a_k|`` the L2 norm of row k of ``a``.

    With every atom equally active this is the row ``D_q . D_j`` of the linear attention
    ``D D^T`` that VARS reduces to without sparsity; atoms the sparse code switches off
    contribute nothing. With VARS-D (non-negative random features) the weights are
    non-negative; VARS-SD's learned static atoms can make some negative.

    Args:
        codes (Tensor): ``(B, heads, m, d)`` sparse codes (``VARSAttention(...,
            return_codes=True)``).
        dictionary (Tensor): ``(B, heads, N, m)`` column-normalised dictionary.
        query_index (int, optional): The query token (e.g. 0, a class token); ``None`` uses
            the mean of all tokens' dictionary rows.

    Returns:
        Tensor: ``(B, N)`` weight of every token.

    Example:
        >>> attn = VARSAttention(embed_dims=32, num_heads=2)
        >>> _, parts = attn(torch.randn(1, 17, 32), return_codes=True)
        >>> sparse_code_attention(parts['codes'], parts['dictionary'], query_index=0).shape
        torch.Size([1, 17])
    """
    if codes.ndim != 4 or dictionary.ndim != 4 or codes.shape[:3] != (
            dictionary.shape[0], dictionary.shape[1], dictionary.shape[3]):
        raise ValueError(f'codes (B, heads, m, d) and dictionary (B, heads, N, m) do not match: '
                         f'{tuple(codes.shape)} and {tuple(dictionary.shape)}')
    atom_energy = codes.norm(dim=-1)  # (B, heads, m)
    query = dictionary.mean(dim=2) if query_index is None \
        else dictionary[:, :, query_index]  # (B, heads, m)
    weights = torch.einsum('bhm,bhnm->bhn', query * atom_energy, dictionary)
    return weights.mean(dim=1)
