"""The benchmark scripts' multiply-add counter against counts written out by hand."""
import os.path as osp
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, osp.join(osp.dirname(__file__), '..', '..', 'tools', 'benchmarks'))
from measure import multiply_adds  # noqa: E402


def test_linear_forward_and_backward():
    layer = torch.nn.Linear(8, 4)
    x = torch.randn(2, 8, requires_grad=True)
    # forward x W^T: 2*8*4; backward: grad of x (2*4*8) and of W (4*2*8).
    assert multiply_adds(lambda: layer(x).sum().backward()) == 3 * 2 * 8 * 4


def test_fused_attention_counted_as_its_products():
    batch, heads, tokens, dims = 2, 3, 5, 4
    q, k, v = (torch.randn(batch, heads, tokens, dims, requires_grad=True) for _ in range(3))
    macs = multiply_adds(lambda: F.scaled_dot_product_attention(q, k, v).sum().backward())
    # forward: q k^T and p v, N*N*d each; backward: two products per forward product.
    assert macs == 3 * 2 * batch * heads * tokens * tokens * dims


def test_elementwise_work_not_counted():
    x = torch.randn(100, requires_grad=True)
    assert multiply_adds(lambda: (x.exp() * 2).sum().backward()) == 0
