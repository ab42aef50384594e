"""Agreement with pytorch-grad-cam (the `grad-cam` package, a test-only dependency): the same
Grad-CAM at layer resolution, on a CNN and on ViT tokens, to 1e-5."""
import pytorch_grad_cam
import torch
import torchvision
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

from attn_plugins.attention import grad_cam, token_grid
from tests.test_attention.test_token_grad_cam import TinyViT


class LayerResolutionGradCAM(pytorch_grad_cam.GradCAM):
    """pytorch-grad-cam's GradCAM without its final resize to the input size: its maps at
    the layer's resolution (still ReLU'd and min-max scaled, as it returns them)."""

    def get_target_width_height(self, input_tensor):
        return None


def peer_maps(model, layer, inputs, target, reshape=None):
    with LayerResolutionGradCAM(model=model, target_layers=[layer],
                                reshape_transform=reshape) as cam:
        maps = cam(input_tensor=inputs, targets=[ClassifierOutputTarget(target)] * len(inputs))
    return torch.from_numpy(maps)


def test_cnn_agrees_with_pytorch_grad_cam():
    torch.manual_seed(0)
    model = torchvision.models.resnet18(num_classes=7).eval()
    inputs = torch.randn(3, 3, 64, 64)
    ours = grad_cam(model, model.layer4, inputs, targets=4, normalize='minmax')
    theirs = peer_maps(model, model.layer4, inputs, 4)
    assert ours.shape == theirs.shape == (3, 2, 2)
    torch.testing.assert_close(ours, theirs, atol=1e-5, rtol=0)


def test_vit_tokens_agree_with_pytorch_grad_cam():
    torch.manual_seed(0)
    model = TinyViT().eval()
    inputs = torch.randn(3, 3, 16, 16)
    reshape = token_grid(1)
    ours = grad_cam(model, model.blocks[0], inputs, targets=2, normalize='minmax',
                    reshape=reshape)
    theirs = peer_maps(model, model.blocks[0], inputs, 2, reshape=reshape)
    assert ours.shape == theirs.shape == (3, 4, 4)
    torch.testing.assert_close(ours, theirs, atol=1e-5, rtol=0)
