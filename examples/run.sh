#!/usr/bin/env bash
# The library as a user gets it: installs kora4j-core into the local Maven repository, builds this
# project against the installed artifact, links a runtime with jlink over the dev.kora4j.core module
# (and what it requires), and trains the example MLP on that runtime. `bin/kora test` runs it.
# Needs JAVA_HOME to be a JDK >= 25 (bin/kora sets it).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
: "${JAVA_HOME:?JAVA_HOME must name a JDK >= 25}"

mvn -B -q -f "$ROOT/core/pom.xml" -DskipTests install
rm -rf "$HERE/target/lib" "$HERE/target/image"
mvn -B -q -f "$HERE/pom.xml" package
"$JAVA_HOME/bin/jlink" --module-path "$HERE/target/lib" --add-modules dev.kora4j.core \
    --strip-debug --no-header-files --no-man-pages --output "$HERE/target/image"
modules=$("$HERE/target/image/bin/java" --list-modules)
grep -q '^dev.kora4j.core' <<< "$modules" || { echo "examples: the linked image lacks dev.kora4j.core" >&2; exit 1; }
echo "examples: linked $(wc -l <<< "$modules") modules into target/image ($(du -sh "$HERE/target/image" | cut -f1))"
# the built-in GEMM blocking: a test run neither pays for a tune nor writes the user's cache
KORA_TUNE=off "$HERE/target/image/bin/java" -cp "$HERE/target/classes" example.TrainMlp
