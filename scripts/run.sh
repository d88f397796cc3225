#!/usr/bin/env bash
# The README's run command: installs missing Debian packages, builds ConvScope and opens the
# visualizer on a built-in lesson. Extra arguments go to convscope (e.g. --lesson keras-pool).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target convscope
if [ $# -eq 0 ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display here (DISPLAY is not set): printing the built-in lesson instead." >&2
  echo "Run scripts/run.sh on a desktop, or under xvfb-run, to open the window." >&2
  exec build/release/convscope lesson
fi
exec build/release/convscope "$@"
