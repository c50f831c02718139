#!/usr/bin/env bash
# Builds the C++ core tests under AddressSanitizer + UndefinedBehaviorSanitizer (with the book's debug
# invariant checks after every mutation) and runs them; any sanitizer report fails the run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/build"
mkdir -p "$out"
CXX="${CXX:-g++}"
sources=("$here/core_test.cc" "$here"/../src/core/*.cc "$here"/../src/core/flow/*.cc "$here"/../src/core/study/*.cc)
echo "building core tests with ASan + UBSan ($CXX)..."
"$CXX" -std=c++17 -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror \
  -fsanitize=address,undefined -fno-sanitize-recover=all -DTRANCHE_DEBUG_INVARIANTS \
  "${sources[@]}" -o "$out/core_test_sanitized"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  "$out/core_test_sanitized"
echo "sanitized core tests: clean"
