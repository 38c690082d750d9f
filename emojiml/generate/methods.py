"""One generation function for every method (kitchen, gan, vae): what the CLI and the Studio pages call.

A method is a function ``(GenerationRequest) -> list[GeneratedEmoji]`` registered by name in ``METHODS`` as a
``"module:function"`` path, imported only when used, so a page never loads weights it does not need and a new
method needs no page change. Every method returns 128x128 RGBA images with a Slack-style name.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image

from emojiml.errors import EmojimlError

EXPRESSIONS = ("joy", "sadness", "anger", "fear", "surprise", "disgust", "neutral")

# name -> "module:function"; the function takes a GenerationRequest and returns list[GeneratedEmoji].
METHODS: dict[str, str] = {
    "kitchen": "emojiml.generate.kitchen:generate_kitchen",
    "gan": "emojiml.generate.sample:generate_with_gan",
    "vae": "emojiml.generate.sample:generate_with_vae",
}


class UnknownMethodError(EmojimlError):
    """A generation method that is not registered or cannot be loaded here."""


@dataclass(frozen=True)
class GenerationRequest:
    """What a person asked for; fields a method does not use are ignored by it (the page says which apply)."""

    prompt: str
    style: str = "noto"
    expression: str | None = None  # one of EXPRESSIONS, or None to follow the prompt
    palette: str | None = None  # a named palette or a hex colour such as "#3b82f6"
    group: str | None = None  # a Unicode group, or None to infer it from the prompt
    n: int = 8
    seed: int = 0
    # (recipe, preference -1..1) from people's ratings (``feedback.recipe_preferences``); a method that ranks
    # recipes (the kitchen) adds them to its ranking, the others ignore them. A tuple, so requests stay hashable.
    preferences: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class GeneratedEmoji:
    """One result: the 128x128 RGBA image, its Slack-style name and how it was made."""

    image: Image.Image
    name: str  # Slack-style, without colons: "crying_cactus"
    method: str
    seed: int
    svg: str | None = None  # vector source where the method has one (kitchen)
    recipe: str = ""  # how it was made, in words ("🌵 base + 😭 eyes and tears")
    prompt_score: float | None = None  # the judge's image->text match for the prompt, if computed
    details: dict[str, object] = field(default_factory=dict)


def slack_name(text: str, most: int = 32) -> str:
    """A Slack/Discord custom-emoji name from free text: lowercase letters, digits and underscores."""
    name = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:most].strip("_")
    return name or "emoji"


def method_function(method: str) -> Callable[[GenerationRequest], list[GeneratedEmoji]]:
    """The registered function for ``method``, imported on first use."""
    if method not in METHODS:
        raise UnknownMethodError(f"Unknown generation method {method!r}; choose one of: {', '.join(METHODS)}.")
    module_name, function_name = METHODS[method].split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise UnknownMethodError(f"The {method} method is not available in this install ({error}).") from error
    return getattr(module, function_name)


def available_methods() -> tuple[str, ...]:
    """The registered methods whose code is present in this install."""
    present = []
    for method, path in METHODS.items():
        if importlib.util.find_spec(path.split(":")[0]) is not None:
            present.append(method)
    return tuple(present)


def generate(request: GenerationRequest, method: str = "kitchen") -> list[GeneratedEmoji]:
    """``request.n`` new emoji made by ``method``: the one function the CLI and the pages call."""
    return method_function(method)(request)
