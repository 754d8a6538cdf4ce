#!/usr/bin/env bash
# fuzz.sh [DURATION] [TEST ...]: a coverage-guided fuzzing campaign of each parser in turn (Jazzer,
# one JVM per fuzz test), DURATION each (default 5m; Jazzer's forms: 30s, 5m, 1h). Without TEST
# names, every per-parser fuzz test. Prints one summary line per test: executions, corpus size and
# coverage as libFuzzer reports them; logs go to target/fuzz/<test>.log, the growing corpus to
# .cifuzz-corpus/ and any finding to a crash-* file in the repository root (both git-ignored).
# Needs JAVA_HOME to point to a JDK >= 25, as bin/kora test does.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
duration=${1:-5m}
shift || true
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
  tests=(SafetensorsFuzzTest ViTConfigFuzzTest AdapterConfigFuzzTest CifarBinaryFuzzTest IdxDatasetFuzzTest
         TinyImageNetFuzzTest ImageDecoderFuzzTest)
fi
mkdir -p target/fuzz
mvn -B -q test-compile
status=0
for t in "${tests[@]}"; do
  log=target/fuzz/$t.log
  if ! JAZZER_FUZZ=1 mvn -B -q surefire:test@fuzz -Dtest="$t" -Djazzer.max_duration="$duration" >"$log" 2>&1; then
    status=1
    echo "$t: FINDING or failure, see $log"
  fi
  last=$(grep -a -E '^#[0-9]+' "$log" | tail -n 1 || true)
  done_line=$(grep -a -E '^Done [0-9]+ runs' "$log" | tail -n 1 || true)
  echo "$t ($duration): ${done_line:-no Done line} | last status: ${last:-none}"
done
exit $status
