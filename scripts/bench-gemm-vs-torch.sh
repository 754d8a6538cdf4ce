#!/usr/bin/env bash
# GEMM products of kora4j (JMH's GemmBenchmark) beside torch.matmul (scripts/gemm_torch.py) on the
# same cases, alternated round by round, with the ratios and how sure each is (scripts/gemm_ratios.py).
# Usage: JAVA_HOME=<a JDK 25> scripts/bench-gemm-vs-torch.sh PYTHON [--rounds R] [--out DIR] [--only CASE ...]
#   Needs target/benchmarks.jar: mvn -f reactor.xml -pl :kora4j-core,:kora4j -Pjmh -DskipTests package
#   --rounds R: every case runs R times on each side (default 5), ours first in even rounds.
#   --out DIR: where each round's results go (ours-R.json from JMH, torch-R.json; default a new
#   temporary folder); gemm_ratios.py DIR prints the table again.
#   --only: the cases (GemmBenchmark's names); default the ViT shapes of the issue, attention's
#   per-head products and the weight gradient at 4160 tokens.
#   KORA_JAVA_OPTS goes to our JMH forks (e.g. -XX:UseAVX=2); PyTorch takes its own environment
#   (ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 for the same).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${1:?usage: $0 PYTHON [--rounds R] [--out DIR] [--only CASE ...]}
shift
ROUNDS=5
OUT=""
CASES=(4096x192x576xnt 4096x768x192xnt 12544x768x2304xnt 12544x3072x768xnt 576x4160x192xtn
  65x64x65xntx192 65x65x64xnnx192 65x65x64xtnx192 197x64x197xntx48 197x197x64xnnx48 197x197x64xtnx48)
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=${2:?--rounds needs a count}; shift 2 ;;
    --out) OUT=${2:?--out needs a folder}; shift 2 ;;
    --only) shift; CASES=(); while [ $# -gt 0 ] && [[ "$1" != --* ]]; do CASES+=("$1"); shift; done ;;
    *) echo "error: unknown option '$1'" >&2; exit 2 ;;
  esac
done
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "error: --rounds must be a positive integer, got '$ROUNDS'" >&2; exit 2; }
[ ${#CASES[@]} -gt 0 ] || { echo "error: --only needs at least one case" >&2; exit 2; }
JAR="$ROOT/target/benchmarks.jar"
[ -f "$JAR" ] || { echo "error: $JAR is missing; build it with: mvn -f reactor.xml -pl :kora4j-core,:kora4j -Pjmh -DskipTests package" >&2; exit 2; }
JAVA="${JAVA_HOME:?set JAVA_HOME to a JDK 25}/bin/java"
[ -n "$OUT" ] || OUT=$(mktemp -d "${TMPDIR:-/tmp}/kora-gemm-vs-torch.XXXXXX")
mkdir -p "$OUT"
TCMALLOC=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
PRELOAD=""
[ -f "$TCMALLOC" ] && PRELOAD=$TCMALLOC
shapes=$(IFS=,; echo "${CASES[*]}")

ours() {
  "$JAVA" --add-modules jdk.incubator.vector -jar "$JAR" GemmBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1 -p "shape=$shapes" \
    -jvmArgsAppend "--add-modules jdk.incubator.vector -XX:+UseSerialGC ${KORA_JAVA_OPTS:-}" \
    -rf json -rff "$OUT/ours-$1.json" > "$OUT/ours-$1.log" 2>&1 ||
    { echo "error: JMH failed in round $1; its output is in $OUT/ours-$1.log" >&2; exit 1; }
}
theirs() { LD_PRELOAD=$PRELOAD "$PY" "$ROOT/scripts/gemm_torch.py" --only "${CASES[@]}" --json "$OUT/torch-$1.json" > /dev/null; }

for ((round = 0; round < ROUNDS; round++)); do
  if ((round % 2 == 0)); then ours $round; theirs $round; else theirs $round; ours $round; fi
  echo "round $((round + 1)) of $ROUNDS done ($OUT)" >&2
done
"$PY" "$ROOT/scripts/gemm_ratios.py" "$OUT"
