"""The runnable examples in the attention docstrings run and print what they claim."""
import pytest

from attn_plugins.attention import gradcam, guided, targets
from tests.conftest import run_doctests


@pytest.mark.parametrize('module', [gradcam, guided, targets])
def test_docstring_examples(module):
    run_doctests(module)
