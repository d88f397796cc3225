#!/usr/bin/env bash
# Remakes the pictures in docs/images/ that show the window (docs/ui.md and the README link them),
# with the program itself: `--frames --screenshot` under Xvfb. Run after a change to the look:
#   scripts/make-screenshots.sh [build/release/convscope]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
exe=${1:-$root/build/release/convscope}
out=$root/docs/images
mkdir -p "$out"
shot() {  # shot NAME SIZE ARGS...
  local name=$1 size=$2
  shift 2
  XDG_STATE_HOME=$(mktemp -d) LIBGL_ALWAYS_SOFTWARE=1 \
    xvfb-run -a -s "-screen 0 3840x2160x24" "$exe" --size "$size" --frames 4 \
    --screenshot "$out/$name.png" "$@"
}
for lesson in vertical-edge rgb-3-filters depthwise dilation-2 avg-pool-ceil; do
  for size in 1280x720 1920x1080; do
    shot "canvas-$lesson-$size" "$size" --lesson "$lesson" --step 15
    shot "canvas-$lesson-$size-presentation" "$size" --lesson "$lesson" --step 15 --presentation
  done
done
shot canvas-rgb-3-filters-3840x2160 3840x2160 --lesson rgb-3-filters --step 15
shot canvas-rgb-3-filters-3840x2160-presentation 3840x2160 --lesson rgb-3-filters --step 15 --presentation
# The README's strip: one window of rgb-3-filters in three moments (a product, a channel done, the
# value written), presentation mode at 1280×720.
for step in 4 15 27; do
  shot "strip-rgb-3-filters-step-$step" 1280x720 --lesson rgb-3-filters --step "$step" --presentation
done
# The dark theme and the colour-blind-safe palette (docs/ui.md, "Look and feel").
for lesson in vertical-edge rgb-3-filters; do
  for size in 1280x720 1920x1080; do
    shot "canvas-$lesson-$size-dark" "$size" --lesson "$lesson" --step 15 --theme dark
  done
done
shot canvas-padding-1-1920x1080-blue-orange 1920x1080 --lesson padding-1 --step 40 --palette blue-orange
shot canvas-padding-1-1920x1080-dark-blue-orange 1920x1080 --lesson padding-1 --step 40 \
  --theme dark --palette blue-orange
# Both diverging palettes as normal vision, protanopia, deuteranopia and tritanopia see them
# (tests/ui_palette_test.cpp simulates them), when the test program was built beside convscope.
palette_test=$(dirname "$exe")/tests/ui_palette_test
if [ -x "$palette_test" ]; then
  CONVSCOPE_PALETTE_PNG="$out/palette-colour-vision.png" "$palette_test" \
    --gtest_filter='ColourVision.WritesTheSimulatedStrips' >/dev/null
fi
# The pictures docs/ui.md shows inline.
shot lesson-vertical-edge 1600x900 --lesson vertical-edge --step 43
shot rgb-two-filters 1600x900 --lesson rgb-2-filters --step 33
shot max-pooling 1600x900 --lesson keras-pool --step 9
shot presentation 1280x720 --lesson padding-1 --step 123 --presentation
# The Lesson menu's two submenus on the projector (docs/ui.md): a transposed convolution's gather
# reading, and np.convolve's 'full' mode.
shot transposed-stride-2-1280x720-presentation 1280x720 --lesson transpose-stride-2 --step 15 \
  --presentation
shot np-convolve-full-1280x720-presentation 1280x720 --lesson np-convolve-full --step 9 \
  --presentation
# The Receptive field view with a cell hovered (docs/ui.md): --frames ignores the mouse, so the
# window runs on its own, xdotool points at cell (3, 1) of the last layer (where the status file
# says it is drawn) and F12 writes the picture.
receptive_shot() {  # receptive_shot NAME SIZE
  local tmp
  tmp=$(mktemp -d)
  cat >"$tmp/stack.json" <<'END'
[{"kernel": "sobel-x", "stride": 2, "padding": 1}, {"pool": "max", "kernel": 2},
 {"kernel": "gaussian-3", "dilation": 2, "padding": 2}]
END
  XDG_STATE_HOME=$tmp XDG_PICTURES_DIR=$tmp LIBGL_ALWAYS_SOFTWARE=1 \
    xvfb-run -a -s "-screen 0 3840x2160x24" bash -c '
      cd "$1"; "$0" --layers stack.json --size "$2" --status-file st.json & pid=$!
      win=$(timeout 30 xdotool search --sync --onlyvisible --pid $pid | head -1)
      xdotool windowfocus --sync "$win"
      for _ in $(seq 60); do [ -s st.json ] && break; sleep 0.5; done; sleep 1
      read -r x y < <(python3 -c "import json, sys
g = json.load(open(sys.argv[1]))[\"receptive\"][\"grids\"][3]
print(int(g[0] + g[2] * 1.5), int(g[1] + g[2] * 3.5))" "$1/st.json")
      xdotool mousemove --window "$win" "$x" "$y"; sleep 2; xdotool key F12; sleep 3
      kill $pid' "$exe" "$tmp" "$2"
  mv "$tmp"/convscope-*.png "$out/$1.png"
  rm -rf "$tmp"
}
receptive_shot receptive-field 1280x720
# The stack editor with the seed README's 4-layer stack (3×3, padding 1, four times) and the last
# layer's feature map on the built-in photo: it waits until the status file says the map shows
# the current stack, points at cell (5, 5) of the last layer and presses F12.
stack_shot() {  # stack_shot NAME SIZE
  local tmp
  tmp=$(mktemp -d)
  cat >"$tmp/seed-4.json" <<'END'
[{"kernel": "box-blur", "padding": 1}, {"kernel": "box-blur", "padding": 1},
 {"kernel": "box-blur", "padding": 1}, {"kernel": "box-blur", "padding": 1}]
END
  XDG_STATE_HOME=$tmp XDG_PICTURES_DIR=$tmp LIBGL_ALWAYS_SOFTWARE=1 \
    xvfb-run -a -s "-screen 0 3840x2160x24" bash -c '
      cd "$1"; "$0" --layers seed-4.json --size "$2" --status-file st.json & pid=$!
      win=$(timeout 30 xdotool search --sync --onlyvisible --pid $pid | head -1)
      xdotool windowfocus --sync "$win"
      ready="import json, sys; r = json.load(open(sys.argv[1]))[\"receptive\"]; sys.exit(0 if r[\"map\"][\"current\"] else 1)"
      for _ in $(seq 120); do python3 -c "$ready" st.json 2>/dev/null && break; sleep 0.5; done
      read -r x y < <(python3 -c "import json, sys
g = json.load(open(sys.argv[1]))[\"receptive\"][\"grids\"][4]
print(int(g[0] + g[2] * 5.5), int(g[1] + g[2] * 5.5))" "$1/st.json")
      xdotool mousemove --window "$win" "$x" "$y"; sleep 2; xdotool key F12; sleep 3
      kill $pid' "$exe" "$tmp" "$2"
  mv "$tmp"/convscope-*.png "$out/$1.png"
  rm -rf "$tmp"
}
stack_shot receptive-field-stack 1600x900
# Quiz mode (docs/ui.md, "Quiz mode"): the shape question after two wrong answers, with its hint.
shot quiz-vertical-edge-1280x720 1280x720 --lesson vertical-edge --step 0 --quiz \
  --quiz-answer 3x3 --quiz-answer 2x2 --quiz-answer 4x4 --frames 6
