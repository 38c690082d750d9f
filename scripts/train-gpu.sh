#!/usr/bin/env bash
# Train the GAN, the VAE (and the GAN without its seed-collapse fixes, as an ablation), the 64 -> 128 px
# upscaler and a 64 px judge on one GPU for a fixed budget, evaluate them on held-out emoji, and write
# checkpoints, JSON figures and sample grids under OUT. Builds nothing: DATA is a data set folder from
# `emojiml build-dataset` or its packed copy (`emojiml.generate.data.pack_dataset`, what travels to a GPU).
#
#   scripts/train-gpu.sh DATA OUT [MINUTES] [DEVICE] [MAX_STEPS]
#
# MINUTES (default 5.5) is the GAN/VAE training budget; the upscaler gets half, the judge 0.3 of it, all run
# in parallel; evaluation adds about 1.5 minutes (none starts after MINUTES + 2). DEVICE defaults to cuda; CI runs it with cpu and a few
# steps. PYTHON picks the interpreter (default python3). JOBS picks the jobs (default: the five above); the
# warm starts from the shipped VAE (JOBS="vaegan vaegan-wide vae-cont") keep exports at doubling steps under
# OUT/kept-JOB/ and are chosen afterwards on training emoji (emojiml.generate.gpu_run.RECIPES); INIT_FROM
# names another VAE export for them to start from (a kept checkpoint of an earlier run).
set -euo pipefail
DATA=${1:?usage: scripts/train-gpu.sh DATA OUT [MINUTES] [DEVICE] [MAX_STEPS]}
OUT=${2:?usage: scripts/train-gpu.sh DATA OUT [MINUTES] [DEVICE] [MAX_STEPS]}
MINUTES=${3:-5.5}
DEVICE=${4:-cuda}
MAX_STEPS=${5:-}
PYTHON=${PYTHON:-python3}
HERE=$(cd "$(dirname "$0")/.." && pwd)
export PYTHONPATH="$HERE${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
# no evaluation starts later than the budget plus two minutes, so the whole run ends in a known time
DEADLINE=$("$PYTHON" -c "import time; print(time.time() + 60 * ($MINUTES + 2))")
ARGS=(--data "$DATA" --out "$OUT" --minutes "$MINUTES" --device "$DEVICE" --deadline "$DEADLINE")
if [ -n "$MAX_STEPS" ]; then ARGS+=(--max-steps "$MAX_STEPS"); fi
# shellcheck disable=SC2206  # JOBS is a space-separated list of names
if [ -n "${JOBS:-}" ]; then ARGS+=(--jobs $JOBS); fi
if [ -n "${INIT_FROM:-}" ]; then ARGS+=(--init-from "$INIT_FROM"); fi  # the recipes' start (default: shipped VAE)
"$PYTHON" -m emojiml.generate.gpu_run "${ARGS[@]}"
