#!/usr/bin/env bash
# The GPU checks, run by hand on a CUDA machine in the repository root (`bash bench/gpu.sh`; logs under $OUT or
# ./test-artifacts/gpu): the CUDA tests, the interior point on the GPU (bench.solvers --gpu) and the models' 2^n
# evaluations there (bench.models). Wheels of the packages that machine lacks may wait in .whl/ (installed first);
# one too big for a single transfer may come in pieces, `split -b 50M NAME.whl .whl/NAME.whl.part-`, one piece per
# call (carry each .whl/NAME.whl.part-xx on its own; ignored files stay on a warm machine), joined here once the last
# has come (MODELS then names the text models).
set -uo pipefail
for first in .whl/*.whl.part-aa; do
  if [ -e "$first" ]; then  # a piece missing: the joined file is no zip, and is left out
    cat "${first%aa}"* > "${first%.part-aa}"
    python3 -m zipfile -t "${first%.part-aa}" >/dev/null 2>&1 || rm -f "${first%.part-aa}"
  fi
done
out="${OUT:-test-artifacts/gpu}"
mkdir -p "$out"
export OMP_WAIT_POLICY=PASSIVE PYTHONUNBUFFERED=1 INTERACTION_EXPLORER_CACHE="${TMPDIR:-/tmp}/ie-gpu-cache"
if compgen -G ".whl/*.whl" >/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    && export PYTHONPATH="/tmp/site${PYTHONPATH:+:$PYTHONPATH}"
fi
nvidia-smi --query-gpu=name,memory.total,memory.used,driver_version --format=csv | tee "$out/gpu.txt"
python3 -c "import torch; print('torch', torch.__version__, torch.cuda.get_device_name())" | tee -a "$out/gpu.txt"
PYTHONPATH=".:tests${PYTHONPATH:+:$PYTHONPATH}" timeout 60 python3 -m pytest -q -p no:cacheprovider --noconftest \
  tests/engine/test_and_or.py -k "cuda or gpu" 2>&1 \
  | tail -5 | tee "$out/tests.txt"
timeout "${SOLVER_SECONDS:-360}" python3 -m bench.solvers --gpu 2>&1 | tee "$out/solvers.md"
models="${MODELS:-tabular-mlp-wide tabular-mlp-deep digits-cnn digits-mlp mnist3-resnet mnist3-vgg photo-efficientnet-lite0}"
# shellcheck disable=SC2086 # one argument per model id
timeout "${MODEL_SECONDS:-100}" python3 -m bench.models --models $models 2>&1 | tee "$out/models.md"
