"""Speed of the kitchen for ``emojiml bench --only kitchen`` (the same product functions the CLI calls)."""

from __future__ import annotations

import time

import numpy as np


def kitchen_timings(style: str = "noto", requests: int = 8) -> dict:
    """Median and p90 ms of one composition at 128 px, and median s of one 4-result request, warm."""
    from emojiml.generate.kitchen import generate_kitchen
    from emojiml.generate.kitchen.compose import Recipe, compose
    from emojiml.generate.kitchen.evaluate import compositional_prompts
    from emojiml.generate.methods import GenerationRequest

    prompts = compositional_prompts()
    recipes = [
        Recipe(**generate_kitchen(GenerationRequest(p, style=style, n=1))[0].details["kitchen_recipe"]) for p in prompts
    ]
    compose_ms = []
    for recipe in recipes:
        started = time.perf_counter()
        compose(recipe)
        compose_ms.append((time.perf_counter() - started) * 1000)
    request_s = []
    for prompt in prompts[:requests]:
        started = time.perf_counter()
        generate_kitchen(GenerationRequest(prompt, style=style, n=4, seed=1))
        request_s.append(time.perf_counter() - started)
    return {
        "kitchen_compositions": len(compose_ms),
        "kitchen_composition_128px_ms_median": round(float(np.median(compose_ms)), 1),
        "kitchen_composition_128px_ms_p90": round(float(np.percentile(compose_ms, 90)), 1),
        "kitchen_request_4_results_s_median": round(float(np.median(request_s)), 3),
    }
