"""The judge's image->text score: how well a drawn emoji matches a prompt, used to rank kitchen candidates.

The judge (``models.evaluation_judge``) was trained contrastively on real emoji framed like
``generate.data.frame`` (visible pixels cropped, a small margin, 32 px); candidates are framed the same way
before scoring, so the score compares drawings, not margins.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from emojiml.generate.data import frame

JUDGE_FRAME = 64  # framed at 64 px, then area-downsampled to the judge's 32 px


def judge_text_vectors(images: list[Image.Image]) -> np.ndarray:
    """(N, 384) unit vectors: what the judge thinks each image shows, in the sentence encoder's space."""
    import torch

    from emojiml import models
    from emojiml.generate.transforms import premultiplied

    judge = models.evaluation_judge()
    arrays = np.stack([np.asarray(frame(image, JUDGE_FRAME), dtype=np.uint8) for image in images])
    with torch.no_grad():
        return judge.text_vectors(premultiplied(arrays, judge.config.size)).numpy()


def prompt_scores(images: list[Image.Image], prompt: str) -> np.ndarray:
    """(N,) cosine between each image's judge vector and the prompt's sentence vector."""
    from emojiml import models

    if not images:
        return np.zeros(0, dtype=np.float32)
    return judge_text_vectors(images) @ models.prompt_vector(prompt)
