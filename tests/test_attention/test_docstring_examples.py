"""The runnable examples in the attention docstrings run and print what they claim."""
import doctest

import pytest

from attn_plugins.attention import gradcam, guided, targets


@pytest.mark.parametrize('module', [gradcam, guided, targets])
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
