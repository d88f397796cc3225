#!/usr/bin/env bash
# The Debian package, end to end (run by scripts/test.sh after ctest): builds the .deb with
# `cpack -G DEB` from an existing build folder, checks what it holds (files, dependencies, desktop
# entry, AppStream metainfo, man page), installs it with dpkg -i, runs the installed convscope from
# another folder with a scratch HOME (--version, a render, the window under Xvfb), removes it with
# dpkg -r and checks that none of its files is left. Any failing step fails the script, and the
# package is removed whatever happens. Needs root (or sudo) for dpkg.
# usage: scripts/test-package.sh [BUILD_DIR]    (default build/release, built beforehand)
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:-build/release}" && pwd)
start=$SECONDS

fail() {
  echo "test-package: FAILED: $*" >&2
  exit 1
}
steps=0
step() {
  steps=$((steps + 1))
  echo "test-package: $*"
}

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || fail "dpkg -i needs root or sudo"
  sudo=(sudo)
fi
for tool in cpack dpkg dpkg-deb xvfb-run appstreamcli desktop-file-validate; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps.sh installs it)"
done
[ -x "$build/convscope" ] || fail "$build/convscope is not built (cmake --build --preset release)"

scratch=$(mktemp -d)
installed=0
cleanup() {
  if [ "$installed" -eq 1 ]; then
    "${sudo[@]}" dpkg -r convscope >/dev/null 2>&1 || echo "test-package: dpkg -r convscope failed" >&2
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT

# NOTE: engineers share this machine: one package test at a time, and never over a convscope that
# someone installed on purpose.
exec 9>/tmp/convscope-test-package.lock
flock -w 600 9 || fail "another scripts/test-package.sh held the lock for 10 minutes"
if dpkg-query -W -f='${Status}' convscope 2>/dev/null | grep -q 'ok installed'; then
  fail "convscope is already installed on this machine; remove it first (dpkg -r convscope)"
fi

step "building the package (cpack -G DEB)"
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$scratch/pkg" >"$scratch/cpack.log" 2>&1 ||
  { cat "$scratch/cpack.log" >&2; fail "cpack -G DEB"; }
debs=("$scratch"/pkg/convscope_*.deb)
if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
  fail "cpack wrote no single convscope_*.deb"
fi
deb=${debs[0]}
version=$("$build/convscope" --version | awk '{print $2}')
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "the package's version is not $version"

step "checking what $(basename "$deb") holds"
dpkg-deb -x "$deb" "$scratch/root"
id=org.convscope.ConvScope
for f in usr/bin/convscope usr/share/convscope/shaders/conv2d.comp \
  usr/share/convscope/assets/images/landscape.jpg usr/share/applications/$id.desktop \
  usr/share/icons/hicolor/scalable/apps/$id.svg usr/share/metainfo/$id.metainfo.xml \
  usr/share/man/man1/convscope.1.gz; do
  [ -f "$scratch/root/$f" ] || fail "the package has no /$f"
done
depends=$(dpkg-deb -f "$deb" Depends)
for p in fonts-dejavu-core libegl1 libglfw3 libepoxy0 libjpeg62-turbo; do
  grep -q "\b$p\b" <<<"$depends" || fail "Depends: lacks $p ($depends)"
done
if find "$scratch/root" -name '*.ttf' -o -name '*.py' | grep -q .; then
  fail "the package holds copies of fonts or the samples' script"
fi
desktop-file-validate "$scratch/root/usr/share/applications/$id.desktop" ||
  fail "desktop-file-validate"
appstreamcli validate --no-net "$scratch/root/usr/share/metainfo/$id.metainfo.xml" ||
  fail "appstreamcli validate"
grep -q "release version=\"$version\"" "$scratch/root/usr/share/metainfo/$id.metainfo.xml" ||
  fail "the metainfo's release is not $version"
for section in 'NAME' 'THE WINDOW' 'COMMANDS' 'convscope render'; do
  zcat "$scratch/root/usr/share/man/man1/convscope.1.gz" | grep -q "$section" ||
    fail "the man page has no '$section'"
done

step "dpkg -i"
installed=1
"${sudo[@]}" dpkg -i "$deb" >"$scratch/dpkg.log" 2>&1 || { cat "$scratch/dpkg.log" >&2; fail "dpkg -i"; }
[ "$(command -v convscope)" = /usr/bin/convscope ] || fail "convscope is not /usr/bin/convscope"

# From a folder that is neither the source nor the build tree, with a scratch home.
mkdir -p "$scratch/elsewhere" "$scratch/home" "$scratch/state"
cd "$scratch/elsewhere"
export HOME="$scratch/home" XDG_STATE_HOME="$scratch/state"

step "convscope --version"
[ "$(/usr/bin/convscope --version)" = "convscope $version" ] || fail "convscope --version"
if command -v man >/dev/null; then
  warnings=$(LC_ALL=C.UTF-8 man --warnings -l "$scratch/root/usr/share/man/man1/convscope.1.gz" \
    2>&1 >/dev/null) || fail "man cannot show the man page: $warnings"
  [ -z "$warnings" ] || fail "man warns about the man page: $warnings"
fi

step "convscope render (auto backend)"
/usr/bin/convscope render --image /usr/share/convscope/assets/images/landscape.png \
  --kernel sobel-x --display signed --out edges.png || fail "convscope render"
[ "$(head -c 8 edges.png | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] ||
  fail "convscope render wrote no PNG"

step "the window under Xvfb (5 frames and a screenshot)"
xvfb-run -a -s "-screen 0 1920x1080x24" /usr/bin/convscope --frames 5 --screenshot window.png ||
  fail "the window under Xvfb"
[ "$(head -c 8 window.png | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] ||
  fail "the window wrote no PNG screenshot"
cd /

step "dpkg -r"
"${sudo[@]}" dpkg -r convscope >"$scratch/dpkg.log" 2>&1 || { cat "$scratch/dpkg.log" >&2; fail "dpkg -r"; }
installed=0
if dpkg-query -W -f='${Status}' convscope 2>/dev/null | grep -q 'ok installed'; then
  fail "convscope is still installed after dpkg -r"
fi
[ ! -e /usr/share/convscope ] || fail "/usr/share/convscope is left after dpkg -r"
left=$(cd "$scratch/root" && find . ! -type d | sed 's|^\.||' | while read -r f; do
  [ ! -e "$f" ] || echo "$f"
done)
[ -z "$left" ] || fail "files left after dpkg -r: $left"

echo "test-package: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB) in $((SECONDS - start)) s"
echo "test-package: $steps passed, 0 failed"
