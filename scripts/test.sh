#!/usr/bin/env bash
# The README's test command: installs missing Debian packages, builds ConvScope (Release), builds
# and briefly runs the libFuzzer targets, then runs the whole CTest suite (core, cli, gpu, ui) under
# a virtual X server. GPU tests use Mesa's EGL surfaceless platform; nothing is skipped. Last, the
# .deb is built, installed, run and removed (scripts/test-package.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
if [ -f fuzz/CMakeLists.txt ]; then
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$jobs"
  for f in build/fuzz/fuzz/*_fuzz; do
    [ -x "$f" ] || continue
    name=$(basename "$f")
    corpus=$(mktemp -d)
    cp -r "fuzz/corpus/${name%_fuzz}/." "$corpus/" 2>/dev/null || true
    echo "fuzzing $name for 20 s"
    "$f" -max_total_time=20 -print_final_stats=0 "$corpus" 2>&1 | tail -n 3
    rm -rf "$corpus"
  done
fi
# GPU tests fail (never skip) when GL is missing under CI.
export CI="${CI:-1}"
# Mesa's software rasterizer on every platform the tests use.
export LIBGL_ALWAYS_SOFTWARE=1
export XDG_STATE_HOME="$(mktemp -d)"
xvfb-run -a -s "-screen 0 3840x2160x24" ctest --preset release -j "$jobs" "$@"
scripts/test-package.sh build/release
