#!/usr/bin/env bash
# The README's run command: installs missing Debian packages, builds ConvScope and opens the
# visualizer on a built-in lesson. Extra arguments go to convscope (e.g. --lesson keras-pool).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target convscope
exec build/release/convscope "$@"
