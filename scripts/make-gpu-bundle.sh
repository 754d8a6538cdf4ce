#!/usr/bin/env bash
# Makes the bundle that scripts/gpu-check.sh runs on a GPU host with no JDK, Maven or network:
#   runtime/   a jlink'd Java runtime of the modules in scripts/gpu-bundle-modules.txt
#   jars/      kora4j.jar, its runtime libraries (kora4j-core's jar with kora.fatbin among them), the test classes, and JCuda's
#              natives cut down to the driver, runtime and cuBLAS bindings
#   junit/     JUnit's standalone console launcher (runs the tests tagged gpu)
#   native/    libcublas.so.12, the forwarding shim to CUDA 13's cuBLAS (shared/gpu/cublas12-shim)
#   emulator/  the CUDA stand-in (kernels/emu), so that KORA_CUDA_EMULATOR=1 ./gpu-check.sh rehearses it all here
#   gpu-test-classes.txt  the test classes tagged gpu, which gpu-check.sh runs one JVM each
#   test-data/golden, gpu-check.sh, bench_kora_torch.py, bench_step_torch.py, torch_timing.py, configs/
# and packs it as OUT.tar.xz. A device call carries 64 MiB in all, the checkout's tracked files
# included, so the bundle must fit in what they leave: the runtime is linked uncompressed with its
# native symbols stripped, and xz packs the whole (38 MiB, against 55 as a tar.gz of a
# zip-compressed runtime).
#
# Usage: scripts/make-gpu-bundle.sh OUT_DIR [SHIM_SCRIPT]
#   JAVA_HOME must be a JDK 25; nvcc must be on the PATH (the bundle is useless without kernels);
#   SHIM_SCRIPT defaults to ../shared/gpu/cublas12-shim/make-shim.sh beside the repository.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:?usage: $0 OUT_DIR [SHIM_SCRIPT]}
SHIM=${2:-$ROOT/../shared/gpu/cublas12-shim/make-shim.sh}
: "${JAVA_HOME:?set JAVA_HOME to a JDK 25}"
command -v nvcc >/dev/null || { echo "make-gpu-bundle: nvcc is not on the PATH: the jar would have no kernels" >&2; exit 1; }

cd "$ROOT"
mvn -B -q -f reactor.xml -pl :kora4j-core,:kora4j -DskipTests package
mvn -B -q -f reactor.xml -pl :kora4j-core,:kora4j test-compile
junit_version=$(sed -n 's:.*<junit.version>\(.*\)</junit.version>.*:\1:p' pom.xml)
platform_version="1.${junit_version#5.}" # JUnit 5.x.y ships with platform 1.x.y
mvn -B -q dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$platform_version" \
    -DoutputDirectory="$ROOT/target/junit"
unzip -l target/lib/kora4j-core-*.jar 'dev/kora4j/backend/cuda/kora.fatbin' >/dev/null \
    || { echo "make-gpu-bundle: target/lib's kora4j-core jar has no kora.fatbin" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT/jars" "$OUT/junit" "$OUT/native" "$OUT/emulator" "$OUT/test-data"
modules=$(sed 's/#.*//' scripts/gpu-bundle-modules.txt | tr -s ' \n' '\n' | grep . | paste -sd, -)
strip_native=()
command -v objcopy >/dev/null && strip_native=(--strip-native-debug-symbols "objcopy=$(command -v objcopy)")
"$JAVA_HOME/bin/jlink" --add-modules "$modules" "${strip_native[@]}" \
    --strip-debug --no-man-pages --no-header-files --compress=zip-0 --output "$OUT/runtime"

cp target/kora4j.jar "$OUT/jars/"
for jar in target/lib/*.jar; do
    case "$(basename "$jar")" in
        jcuda-natives-*|jcublas-natives-*) ;; # replaced by the cut-down natives below
        *) cp "$jar" "$OUT/jars/" ;;
    esac
done
(cd target/test-classes && "$JAVA_HOME/bin/jar" --create --file "$OUT/jars/kora4j-tests.jar" .)

# JCuda loads its natives from lib/ on the class path: keep the driver, runtime and cuBLAS (v2) bindings.
natives=$(mktemp -d)
unzip -q -o target/lib/jcuda-natives-*.jar 'lib/libJCudaDriver-*' 'lib/libJCudaRuntime-*' -d "$natives"
unzip -q -o target/lib/jcublas-natives-*.jar 'lib/libJCublas2-*' -d "$natives"
(cd "$natives" && "$JAVA_HOME/bin/jar" --create --file "$OUT/jars/jcuda-natives-min.jar" lib)
rm -rf "$natives"

bash "$SHIM" target/lib/jcublas-natives-*.jar "$OUT/native"
cp target/junit/junit-platform-console-standalone-*.jar "$OUT/junit/"
cp -r test-data/golden "$OUT/test-data/"
cp scripts/gpu-check.sh scripts/bench_kora_torch.py scripts/bench_step_torch.py scripts/torch_timing.py "$OUT/"
mkdir -p "$OUT/configs" && cp scripts/configs/*.json "$OUT/configs/"
grep -rl '@Tag("gpu")' src/test/java | sed 's|^src/test/java/||; s|\.java$||; s|/|.|g' | sort > "$OUT/gpu-test-classes.txt"
if [ -f core/target/cuda-emulator/libcuda.so.1 ]; then
    cp core/target/cuda-emulator/libcuda.so.1 core/target/cuda-emulator/libcublas.so.12 "$OUT/emulator/"
else
    echo "make-gpu-bundle: no CUDA stand-in in core/target/cuda-emulator (g++ missing?): the bundle cannot rehearse on the CPU"
fi

XZ_OPT="-6 -T0" tar -C "$(dirname "$OUT")" -cJf "$OUT.tar.xz" "$(basename "$OUT")"
size=$(stat -c %s "$OUT.tar.xz")
tree=$(git ls-files -z | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
room=$((64 * 1024 * 1024 - tree))
echo "make-gpu-bundle: $OUT.tar.xz, $((size / 1024 / 1024)) MiB; a device call has $((room / 1024 / 1024)) MiB beside the checkout's files"
if [ "$size" -ge "$room" ]; then
    echo "make-gpu-bundle: the bundle does not fit beside the checkout's $((tree / 1024 / 1024)) MiB in a device call's 64 MiB" >&2
    exit 1
fi
