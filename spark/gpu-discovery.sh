#!/usr/bin/env bash
# Spark's GPU discovery script for `kora sweep --device cuda` (spark.executor.resource.gpu.discoveryScript):
# prints the NVIDIA GPUs of the machine it runs on as Spark's resource JSON, e.g.
#   {"name": "gpu", "addresses": ["0", "1"]}
# Spark then gives each sweep task one of them. On a cluster every worker needs this file at the same path.
set -euo pipefail

if [ "${KORA_CUDA_EMULATOR:-}" = 1 ]; then # the engine's CPU stand-in: one device, number 0
  echo '{"name": "gpu", "addresses": ["0"]}'
  exit 0
fi
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu-discovery.sh: nvidia-smi is not on the PATH, so no NVIDIA GPU can be offered to Spark" >&2
  exit 1
fi
indices=$(nvidia-smi --query-gpu=index --format=csv,noheader)
if [ -z "$indices" ]; then
  echo "gpu-discovery.sh: nvidia-smi lists no GPU" >&2
  exit 1
fi
printf '%s\n' "$indices" | awk '
  BEGIN { printf "{\"name\": \"gpu\", \"addresses\": [" }
  { gsub(/[ \t\r]/, ""); if ($0 != "") { printf "%s\"%s\"", (n++ ? ", " : ""), $0 } }
  END { print "]}" }'
