"""Unrolled solvers for the sparse-coding problem behind VARS attention.

Every VARS module solves, per head and per value channel,

    min_a  0.5 * |v - D a|^2 + lam * |a|_1

given the Gram matrix ``G = D^T D`` (or an operator applying it) and ``b = D^T v``, or, with
the solvers' ``solve``, the dictionary ``D`` itself, from which each takes the cheapest way
to the same codes. Shapes follow the attention modules: codes and ``b`` are ``(..., m, d)``
(``m`` dictionary atoms, ``d`` value channels solved in parallel), ``D`` is ``(..., N, m)``,
``G`` is ``(..., m, m)``.
"""
import functools
from typing import Callable, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

#: One unrolled step before the shrinkage: folded codes ``(n, m, d)`` to ``(n, m, d)``.
Step = Callable[[torch.Tensor], torch.Tensor]


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


def nonnegative_step_bound(dictionary: torch.Tensor) -> torch.Tensor:
    """:func:`gram_step_bound` of ``G = D^T D`` for a dictionary ``D >= 0``, without ``G``.

    With no negative entry in ``D`` no entry of ``G`` is negative either, so the absolute row
    sums of ``G`` are its plain row sums ``G 1 = D^T (D 1)``: ``O(N m)`` work instead of the
    ``O(N m^2)`` of forming ``G``. The caller guarantees ``D >= 0`` (VARS-D's positive random
    features); a signed dictionary needs :func:`gram_step_bound` on the formed ``G``.

    Args:
        dictionary (Tensor): Non-negative dictionaries ``D``, shape ``(..., N, m)``.

    Returns:
        Tensor: Bounds ``max_i (G 1)_i + 1`` of shape ``(..., 1, 1)``, detached.
    """
    dictionary = dictionary.detach()
    row_sums = dictionary.transpose(-2, -1) @ dictionary.sum(dim=-1, keepdim=True)  # (..., m, 1)
    return row_sums.amax(dim=-2, keepdim=True) + 1


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


def _fold(x: torch.Tensor, lead: Tuple[int, ...], *tail: int) -> torch.Tensor:
    """Broadcast ``x`` to ``(*lead, *tail)`` and fold the leading dimensions into one.

    Args:
        x (Tensor): Broadcastable to ``(*lead, *tail)``.
        lead (tuple[int]): The leading (batch) dimensions.
        *tail (int): The trailing dimensions.

    Returns:
        Tensor: Shape ``(prod(lead), *tail)``, as ``bmm`` and ``baddbmm`` want it.
    """
    return x.expand(*lead, *tail).reshape(-1, *tail)


def _matrix_step(update: torch.Tensor, offset: torch.Tensor) -> Step:
    """The (L)ISTA step ``codes - (G codes - b) * inv_step`` with its matrix formed.

    The step is affine in the codes: with ``update = I - G * inv_step`` and
    ``offset = b * inv_step`` it is one fused ``baddbmm``, ``m^2 d`` multiply-adds.

    Args:
        update (Tensor): ``I - G * inv_step``, shape ``(..., m, m)``.
        offset (Tensor): ``b * inv_step``, shape ``(..., m, d)``.

    Returns:
        Callable: Maps folded codes ``(n, m, d)`` to the pre-shrinkage values.
    """
    lead, (size, channels) = offset.shape[:-2], offset.shape[-2:]
    return functools.partial(torch.baddbmm, offset.reshape(-1, size, channels),
                             _fold(update, lead, size, size))


def _factored_step(left: torch.Tensor, right: torch.Tensor, offset: torch.Tensor) -> Step:
    """The step with ``G * inv_step = left^T right`` never formed.

    ``codes + offset - left^T (right codes)`` costs ``2 N m d`` multiply-adds a step against
    ``m^2 d`` with the matrix, and skips forming the ``m x m`` matrix: cheaper for few tokens.

    Args:
        left (Tensor): Shape ``(..., N, m)``, the step folded in.
        right (Tensor): Shape ``(..., N, m)``.
        offset (Tensor): ``b * inv_step``, shape ``(..., m, d)``.

    Returns:
        Callable: Maps folded codes ``(n, m, d)`` to the pre-shrinkage values.
    """
    lead, (size, channels) = offset.shape[:-2], offset.shape[-2:]
    num_tokens = right.shape[-2]
    left = _fold(left, lead, num_tokens, size).transpose(1, 2)
    right = _fold(right, lead, num_tokens, size)
    offset = offset.reshape(-1, size, channels)

    def step(codes: torch.Tensor) -> torch.Tensor:
        return torch.baddbmm(codes + offset, left, torch.bmm(right, codes), alpha=-1)

    return step


def _unrolled_steps(step: Step, codes: torch.Tensor, theta: torch.Tensor, num_steps: int,
                    shrink: Callable) -> torch.Tensor:
    """``codes <- shrink(step(codes), theta)``, repeated ``num_steps`` times.

    Args:
        step (Callable): From :func:`_matrix_step` or :func:`_factored_step`.
        codes (Tensor): Starting codes, shape ``(..., m, d)``.
        theta (Tensor): Threshold, broadcastable to ``(..., 1, 1)``.
        num_steps (int): Number of steps.
        shrink (Callable): ``shrink(z, theta)``.

    Returns:
        Tensor: Codes, shape ``(..., m, d)``.
    """
    shape = codes.shape
    codes = codes.reshape(-1, *shape[-2:])
    theta = _fold(theta, shape[:-2], 1, 1)
    for _ in range(num_steps):
        codes = shrink(step(codes), theta)
    return codes.reshape(shape)


def _gram_update(gram: torch.Tensor, inv_step: torch.Tensor) -> torch.Tensor:
    """The step matrix ``I - G * inv_step`` in one kernel.

    Args:
        gram (Tensor): ``G``, shape ``(..., m, m)``.
        inv_step (Tensor): Step, broadcastable to ``(..., 1, 1)``.

    Returns:
        Tensor: Shape ``(..., m, m)``.
    """
    eye = torch.eye(gram.shape[-1], dtype=gram.dtype, device=gram.device)
    return torch.addcmul(eye, gram, inv_step, value=-1)


def _eye_minus_product(left: torch.Tensor, right: torch.Tensor) -> torch.Tensor:
    """``I - left^T @ right`` as one ``baddbmm`` over the folded batch.

    Args:
        left (Tensor): Shape ``(..., N, m)``.
        right (Tensor): Shape ``(..., N, m)``, the same leading dimensions.

    Returns:
        Tensor: Shape ``(..., m, m)``.
    """
    num_tokens, size = right.shape[-2:]
    eye = torch.eye(size, dtype=right.dtype, device=right.device)
    out = torch.baddbmm(eye, left.reshape(-1, num_tokens, size).transpose(1, 2),
                        right.reshape(-1, num_tokens, size), alpha=-1)
    return out.reshape(*right.shape[:-2], size, size)


def cheapest_route(num_tokens: int, size: int, channels: int, num_steps: int,
                   gram_formed: bool, learned: bool) -> str:
    """How an unrolled solver should work from a dictionary: the fewest multiply-adds.

    With ``N`` tokens, ``m`` atoms, ``d`` value channels and ``K`` steps the candidates are

    - ``'gram'``: form ``G = D^T D`` (``N m^2``, free when already formed), for LISTA
      ``A G A`` (``2 m^3``), then ``K`` steps with the ``m x m`` matrix (``K m^2 d``);
    - ``'product'`` (LISTA only): ``A G A = A D^T D A = (D A^T)^T (D A)``: one product
      gives ``D A`` and ``D A^T`` (``2 N m^2``), their product the matrix (``N m^2``), then
      ``K m^2 d``;
    - ``'factored'``: never form an ``m x m`` matrix; each step applies ``D`` (or ``D A``)
      and its partner's transpose, ``2 N m d``, after ``2 N m^2`` for ``D A, D A^T``
      (LISTA).

    Few tokens favour ``'factored'``, a middle band ``'product'`` and many tokens
    ``'gram'``: for LISTA at ViT-S width (``m = 128``, ``d = 64``, 5 steps) below 80 tokens,
    80 to 127, and from 128.

    Args:
        num_tokens (int): ``N``.
        size (int): ``m``.
        channels (int): ``d``.
        num_steps (int): ``K``.
        gram_formed (bool): Whether the caller has ``G`` already.
        learned (bool): LISTA (with ``A``) rather than ISTA.

    Returns:
        str: ``'gram'``, ``'product'`` or ``'factored'``.
    """
    gram = 0 if gram_formed else num_tokens * size**2
    steps = num_steps * size**2 * channels
    factored = 2 * num_steps * num_tokens * size * channels
    if learned:
        costs = [('gram', gram + 2 * size**3 + steps),
                 ('product', 3 * num_tokens * size**2 + steps),
                 ('factored', 2 * num_tokens * size**2 + factored)]
    else:
        costs = [('gram', gram + steps), ('factored', factored)]
    # A plain loop rather than min(..., key=...): torch.compile follows it with symbolic sizes.
    route, cheapest = costs[0]
    for name, cost in costs[1:]:
        if cost < cheapest:
            route, cheapest = name, cost
    return route


def _check_solver_args(num_steps: int, lam: float) -> None:
    if not isinstance(num_steps, int) or num_steps < 1:
        raise ValueError(f'num_steps must be a positive int, got {num_steps!r}')
    if lam < 0:
        raise ValueError(f'lam (the sparsity weight) must be >= 0, got {lam!r}')


class ISTA(nn.Module):
    """Plain unrolled ISTA (no learned parameters), from ``G`` or from the dictionary.

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
        >>> solver.solve(dictionary, b, gram_step_bound(gram)).shape
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
        inv_step = 1 / step_bound
        return self._iterate(_matrix_step(_gram_update(gram, inv_step), b * inv_step), b,
                             inv_step)

    def solve(self, dictionary: torch.Tensor, b: torch.Tensor, step_bound: torch.Tensor,
              gram: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Solve from the dictionary; the same codes as :meth:`forward` on ``G = D^T D``.

        The route with the fewest multiply-adds (:func:`cheapest_route`): with few tokens
        each step applies ``D`` and ``D^T`` and no ``m x m`` matrix is formed; otherwise
        ``I - G / L`` is formed (from ``D`` in one product, the step folded into ``D``).

        Args:
            dictionary (Tensor): ``D``, shape ``(..., N, m)``.
            b (Tensor): ``D^T v``, shape ``(..., m, d)``.
            step_bound (Tensor): ``L``, shape ``(..., 1, 1)``.
            gram (Tensor, optional): ``D^T D`` when the caller has formed it already,
                shape ``(..., m, m)``.

        Returns:
            Tensor: Codes ``a``, shape ``(..., m, d)``.
        """
        inv_step = 1 / step_bound
        num_tokens, size = dictionary.shape[-2:]
        route = cheapest_route(num_tokens, size, b.shape[-1], self.num_steps,
                               gram is not None, learned=False)
        if route == 'factored':
            step = _factored_step(dictionary * inv_step, dictionary, b * inv_step)
        elif gram is not None:
            step = _matrix_step(_gram_update(gram, inv_step), b * inv_step)
        else:
            step = _matrix_step(_eye_minus_product(dictionary * inv_step, dictionary),
                                b * inv_step)
        return self._iterate(step, b, inv_step)

    def _iterate(self, step: Step, b: torch.Tensor, inv_step: torch.Tensor) -> torch.Tensor:
        """Steps from ``a = 0`` with soft-thresholding at ``lam * inv_step``.

        Args:
            step (Callable): From :func:`_matrix_step` or :func:`_factored_step`.
            b (Tensor): ``D^T v``, shape ``(..., m, d)``.
            inv_step (Tensor): ``1 / L``, shape ``(..., 1, 1)``.

        Returns:
            Tensor: Codes, shape ``(..., m, d)``.
        """
        return _unrolled_steps(step, torch.zeros_like(b), self.lam * inv_step,
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
        inv_step = self.step_scale / step_bound
        return self._iterate(self._gram_step(gram, b, inv_step), b, inv_step)

    def solve(self, dictionary: torch.Tensor, b: torch.Tensor, step_bound: torch.Tensor,
              gram: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Solve from the dictionary; the same codes as :meth:`forward` on ``G = D^T D``.

        ``A G A = A D^T D A = (D A^T)^T (D A)``, so with few tokens the ``m^3`` products are
        skipped: the route with the fewest multiply-adds (:func:`cheapest_route`) forms the
        matrix from ``D A`` and ``D A^T``, or never forms it and applies them at every step.

        Args:
            dictionary (Tensor): ``D``, shape ``(..., N, m)``.
            b (Tensor): ``D^T v``, shape ``(..., m, d)``.
            step_bound (Tensor): ``L``, shape ``(..., 1, 1)``.
            gram (Tensor, optional): ``D^T D`` when the caller has formed it already,
                shape ``(..., m, m)``.

        Returns:
            Tensor: Codes ``a``, shape ``(..., m, d)``.
        """
        inv_step = self.step_scale / step_bound
        num_tokens, size = dictionary.shape[-2:]
        route = cheapest_route(num_tokens, size, b.shape[-1], self.num_steps,
                               gram is not None, learned=True)
        if route == 'gram':
            if gram is None:
                gram = dictionary.transpose(-2, -1) @ dictionary
            return self._iterate(self._gram_step(gram, b, inv_step), b, inv_step)
        transform = self.gram_transform
        both = dictionary @ torch.cat([transform, transform.T], dim=1)  # (..., N, 2m)
        d_a, d_at = both.split(size, dim=-1)
        if route == 'product':
            step = _matrix_step(_eye_minus_product(d_at * inv_step, d_a), b * inv_step)
        else:
            step = _factored_step(d_at * inv_step, d_a, b * inv_step)
        return self._iterate(step, b, inv_step)

    def _gram_step(self, gram: torch.Tensor, b: torch.Tensor,
                   inv_step: torch.Tensor) -> Step:
        """The step with ``I - A G A * inv_step`` formed from the Gram matrix.

        Args:
            gram (Tensor): ``G = D^T D``, shape ``(..., m, m)``.
            b (Tensor): ``D^T v``, shape ``(..., m, d)``.
            inv_step (Tensor): ``t / L``, shape ``(..., 1, 1)``.

        Returns:
            Callable: See :func:`_matrix_step`.
        """
        transform = self.gram_transform
        return _matrix_step(_gram_update(transform @ gram @ transform, inv_step),
                            b * inv_step)

    def _iterate(self, step: Step, b: torch.Tensor, inv_step: torch.Tensor) -> torch.Tensor:
        """Steps from ``a_0 = S(b, theta)`` with shrinkage at ``theta * inv_step``.

        Args:
            step (Callable): From :func:`_matrix_step` or :func:`_factored_step`.
            b (Tensor): ``D^T v``, shape ``(..., m, d)``.
            inv_step (Tensor): ``t / L``, shape ``(..., 1, 1)``.

        Returns:
            Tensor: Codes, shape ``(..., m, d)``.
        """
        theta = self.lam * self.threshold_scale
        return _unrolled_steps(step, gelu_shrink(b, theta), theta * inv_step, self.num_steps,
                               gelu_shrink)

    def extra_repr(self) -> str:
        return (f'dict_size={self.gram_transform.shape[0]}, num_steps={self.num_steps}, '
                f'lam={self.lam}')
