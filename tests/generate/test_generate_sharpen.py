"""The output sharpening both image models apply to finished images (and never to what training sees)."""

from __future__ import annotations

import torch

from emojiml.generate.blocks import unsharp_mask
from emojiml.generate.vae import ConditionalVAE, VAEConfig


def _soft_edge() -> torch.Tensor:
    ramp = torch.linspace(-0.6, 0.6, 16).clamp(-0.3, 0.3)  # a blurred step
    return ramp.view(1, 1, 1, 16).expand(2, 4, 16, 16).clone()


def test_amount_zero_and_flat_images_are_left_alone():
    x = _soft_edge()
    assert torch.equal(unsharp_mask(x, 0.0), x)
    flat = torch.full((1, 4, 8, 8), 0.25)
    assert torch.allclose(unsharp_mask(flat, 1.0), flat, atol=1e-6)


def test_a_soft_edge_gets_steeper_and_stays_in_range():
    x = _soft_edge()
    sharp = unsharp_mask(x, 1.0)
    steepest = lambda image: image.diff(dim=-1).abs().max()  # noqa: E731
    assert steepest(sharp) > 1.2 * steepest(x)
    assert sharp.min() >= -1 and sharp.max() <= 1
    assert sharp.shape == x.shape


def test_render_is_the_sharpened_sample_and_sample_stays_raw():
    config = VAEConfig(styles=("noto",), groups=("g",), size=16, widths=(32, 16, 8), enc_widths=(8, 16))
    model = ConditionalVAE(config).eval()
    cond = model.condition(torch.randn(3, 384), torch.zeros(3, dtype=torch.long), torch.zeros(3, dtype=torch.long))
    with torch.no_grad():
        raw = model.sample(cond, torch.Generator().manual_seed(0))
        finished = model.render(cond, torch.Generator().manual_seed(0))
    assert torch.allclose(finished, unsharp_mask(raw, config.sharpen))
    assert not torch.allclose(finished, raw)
    assert VAEConfig.from_dict({"styles": ["noto"], "groups": ["g"]}).sharpen == 1.0  # older files: the default
