"""Unrolled solvers for the sparse-coding problem behind VARS attention.

Every VARS module solves, per head and per value channel,

    min_a  0.5 * |v - D a|^2 + lam * |a|_1

given only the Gram matrix ``G = D^T D`` (or an operator applying it) and ``b = D^T v``.
Shapes follow the attention modules: codes and ``b`` are ``(..., m, d)`` (``m`` dictionary
atoms, ``d`` value channels solved in parallel), ``G`` is ``(..., m, m)``.
"""
from typing import Callable, Optional

import torch
import torch.nn.functional as F
from torch import nn


def soft_threshold(z: torch.Tensor, theta) -> torch.Tensor:
    """Soft-thresholding ``sign(z) * relu(|z| - theta)``, the proximal map of ``theta |.|_1``.

    Args:
        z (Tensor): Input of any shape.
        theta (float | Tensor): Threshold, broadcastable to ``z``.

    Returns:
        Tensor: Same shape as ``z``.
    """
    # Same values and gradients as sign(z) * relu(|z| - theta), in two kernels instead of four.
    return z - z.clamp(-theta, theta)


class _GELUShrink(torch.autograd.Function):
    """``sign(z) * GELU(|z| - theta)`` keeping only ``z`` and ``theta`` for backward.

    Plain autograd would keep four tensors the size of ``z`` per call (``z``, ``|z| - theta``,
    ``sign(z)``, the GELU output); the unrolled solver calls this once per step. The backward
    is made of differentiable ops, so double backward (``create_graph=True``) still works.
    """

    @staticmethod
    def forward(ctx, z, theta):
        ctx.save_for_backward(z, theta)
        return torch.sign(z) * F.gelu(z.abs() - theta)

    @staticmethod
    def backward(ctx, grad):
        z, theta = ctx.saved_tensors
        # d/dz = GELU'(|z| - theta) (the two signs cancel); d/dtheta = -sign(z) GELU'(.).
        grad_z = torch.ops.aten.gelu_backward(grad, z.abs() - theta)
        grad_theta = None
        if ctx.needs_input_grad[1]:
            grad_theta = (-grad_z * torch.sign(z)).sum_to_size(theta.shape)
        return grad_z, grad_theta


def gelu_shrink(z: torch.Tensor, theta) -> torch.Tensor:
    """Smooth shrinkage ``sign(z) * GELU(|z| - theta)`` used by the released LISTA blocks.

    Unlike :func:`soft_threshold` it lets a little gradient through below the threshold.

    Args:
        z (Tensor): Input of any shape.
        theta (float | Tensor): Threshold, broadcastable to ``z``.

    Returns:
        Tensor: Same shape as ``z``.
    """
    if not isinstance(theta, torch.Tensor):
        theta = z.new_tensor(theta)
    return _GELUShrink.apply(z, theta)


def gram_step_bound(gram: torch.Tensor) -> torch.Tensor:
    """Step bound ``L = max_i sum_j |G_ij| + 1`` for ISTA on the Gram matrix ``G``.

    The maximum absolute row sum bounds the top eigenvalue of ``G`` (Gershgorin), so a step
    of ``1 / L`` never overshoots; the ``+ 1`` keeps ``L`` away from zero. It is detached: the
    released code treats it as a constant step size, not as a path for gradients.

    Args:
        gram (Tensor): Gram matrices, shape ``(..., m, m)``.

    Returns:
        Tensor: Bounds of shape ``(..., 1, 1)``.
    """
    bound = gram.detach().abs().sum(dim=-1).amax(dim=-1) + 1
    return bound[..., None, None]


def ista(apply_gram: Callable[[torch.Tensor], torch.Tensor],
         b: torch.Tensor,
         step_bound,
         lam,
         num_steps: int,
         init: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Plain ISTA: ``a <- S_{lam/L}(a - (G a - b) / L)`` for ``num_steps`` steps.

    With ``L`` at least the top eigenvalue of ``G`` every step lowers (or keeps) the objective
    ``0.5 |v - D a|^2 + lam |a|_1``. This form takes ``G`` as an operator, for dictionaries
    never written as matrices (VARS-S's FFT convolutions); an explicit Gram matrix goes
    through :class:`ISTA`, which folds the step into a single matrix.

    Args:
        apply_gram (Callable): Maps codes ``a`` to ``G a``.
        b (Tensor): ``D^T v``, the shape of the codes.
        step_bound (float | Tensor): ``L``, broadcastable to ``b``.
        lam (float | Tensor): Sparsity weight, broadcastable to ``b``.
        num_steps (int): Number of unrolled steps.
        init (Tensor, optional): Starting codes; zeros when omitted.

    Returns:
        Tensor: Codes, the shape of ``b``.
    """
    inv_step = 1 / step_bound
    offset, theta = b * inv_step, lam * inv_step
    codes = torch.zeros_like(b) if init is None else init
    for _ in range(num_steps):
        codes = soft_threshold(codes - apply_gram(codes) * inv_step + offset, theta)
    return codes


def _unrolled_steps(gram: torch.Tensor, b: torch.Tensor, inv_step: torch.Tensor,
                    theta, codes: torch.Tensor, num_steps: int, shrink) -> torch.Tensor:
    """``codes <- shrink(codes - (G codes - b) * inv_step, theta * inv_step)``, repeated.

    The update is affine in the codes, ``(I - G * inv_step) codes + b * inv_step``, so its
    matrix and offset are formed once and each step is one matrix product, one add and the
    shrinkage: far fewer kernels (and tensors kept for backward) than the literal form.
    """
    eye = torch.eye(gram.shape[-1], dtype=gram.dtype, device=gram.device)
    update = eye - gram * inv_step
    offset = b * inv_step
    theta = theta * inv_step
    for _ in range(num_steps):
        codes = shrink(update @ codes + offset, theta)
    return codes


def _check_solver_args(num_steps: int, lam: float) -> None:
    if not isinstance(num_steps, int) or num_steps < 1:
        raise ValueError(f'num_steps must be a positive int, got {num_steps!r}')
    if lam < 0:
        raise ValueError(f'lam (the sparsity weight) must be >= 0, got {lam!r}')


class ISTA(nn.Module):
    """Plain unrolled ISTA on an explicit Gram matrix (no learned parameters).

    Starts from ``a = 0`` with step ``1 / L`` and soft-thresholding, so the objective never
    increases, and one step with ``lam = 0`` gives ``a = b / L``: VARS then reduces to linear
    attention ``D D^T v / L``.

    Args:
        num_steps (int): Unrolled steps. Defaults to 5.
        lam (float): Sparsity weight. Defaults to 0.3.

    Example:
        >>> solver = ISTA(num_steps=5, lam=0.3)
        >>> dictionary = torch.rand(2, 16, 8)            # (B, N, m)
        >>> gram = dictionary.transpose(-2, -1) @ dictionary
        >>> b = dictionary.transpose(-2, -1) @ torch.randn(2, 16, 4)
        >>> solver(gram, b, gram_step_bound(gram)).shape
        torch.Size([2, 8, 4])
    """

    def __init__(self, num_steps: int = 5, lam: float = 0.3):
        super().__init__()
        _check_solver_args(num_steps, lam)
        self.num_steps = num_steps
        self.lam = lam

    def forward(self, gram: torch.Tensor, b: torch.Tensor,
                step_bound: torch.Tensor) -> torch.Tensor:
        """Solve for the codes.

        Args:
            gram (Tensor): ``G = D^T D``, shape ``(..., m, m)``.
            b (Tensor): ``D^T v``, shape ``(..., m, d)``.
            step_bound (Tensor): ``L``, shape ``(..., 1, 1)``.

        Returns:
            Tensor: Codes ``a``, shape ``(..., m, d)``.
        """
        return _unrolled_steps(gram, b, 1 / step_bound, self.lam, torch.zeros_like(b),
                               self.num_steps, soft_threshold)

    def extra_repr(self) -> str:
        return f'num_steps={self.num_steps}, lam={self.lam}'


class LISTA(nn.Module):
    """Learned ISTA as in the released VARS blocks.

    ``G' = A G A`` with a learned ``A`` (identity at init), a learned threshold scale ``s``
    and a learned step scale ``t`` (both 1 at init); with ``theta = s * lam`` and
    ``L' = L / t``::

        a_0 = S(b, theta)
        a   <- S(a - (G' a - b) / L', theta / L')      (num_steps times)

    where ``S(z, theta) = sign(z) * GELU(|z| - theta)``. The learned pieces trade ISTA's
    monotone descent for speed and accuracy in few steps.

    Args:
        dict_size (int): Number of dictionary atoms ``m`` (the size of ``A``).
        num_steps (int): Unrolled steps. Defaults to 5.
        lam (float): Sparsity weight. Defaults to 0.3.
    """

    def __init__(self, dict_size: int, num_steps: int = 5, lam: float = 0.3):
        super().__init__()
        _check_solver_args(num_steps, lam)
        self.num_steps = num_steps
        self.lam = lam
        self.gram_transform = nn.Parameter(torch.eye(dict_size))
        self.threshold_scale = nn.Parameter(torch.ones(1))
        self.step_scale = nn.Parameter(torch.ones(1))

    def forward(self, gram: torch.Tensor, b: torch.Tensor,
                step_bound: torch.Tensor) -> torch.Tensor:
        """Solve for the codes.

        Args:
            gram (Tensor): ``G = D^T D``, shape ``(..., m, m)``.
            b (Tensor): ``D^T v``, shape ``(..., m, d)``.
            step_bound (Tensor): ``L``, shape ``(..., 1, 1)``.

        Returns:
            Tensor: Codes ``a``, shape ``(..., m, d)``.
        """
        transform = self.gram_transform
        theta = self.lam * self.threshold_scale
        return _unrolled_steps(transform @ gram @ transform, b, self.step_scale / step_bound,
                               theta, gelu_shrink(b, theta), self.num_steps, gelu_shrink)

    def extra_repr(self) -> str:
        return (f'dict_size={self.gram_transform.shape[0]}, num_steps={self.num_steps}, '
                f'lam={self.lam}')
