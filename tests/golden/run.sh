#!/usr/bin/env bash
# Runs every command of commands.txt with CONVSCOPE (argument 1) in a scratch folder and prints
# a transcript: exit status, stdout, stderr (timings masked) and a digest of each file written.
#   tests/golden/run.sh build/release/convscope            compare with cli.expected (exit 1 on a difference)
#   tests/golden/run.sh build/release/convscope --record   rewrite cli.expected
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exe=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
mode=${2:-compare}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
transcript() {
  cd "$scratch"
  while IFS= read -r line; do
    [[ -z "$line" || "$line" == \#* ]] && continue
    rm -rf work && mkdir work && cd work
    cp "$here"/inputs/* .
    cp "$here"/../../assets/images/*.png "$here"/../../assets/images/*.jpg .
    ls -1 >../before
    read -r -a args <<<"$line"
    set +e
    "$exe" "${args[@]}" >../out 2>../err
    status=$?
    set -e
    echo "\$ convscope $line"
    echo "status $status"
    # Timings vary from run to run: mask them.
    sed -E 's/[0-9]+(\.[0-9]+)? (ms|s)\b/T \2/g' ../out | sed 's/^/out: /'
    sed -E 's/[0-9]+(\.[0-9]+)? (ms|s)\b/T \2/g' ../err | sed 's/^/err: /'
    for f in $(ls -1 | sort); do
      if ! grep -qxF "$f" ../before; then
        echo "file $f $(wc -c <"$f") bytes sha256 $(sha256sum "$f" | cut -d' ' -f1)"
      fi
    done
    cd "$scratch"
  done <"$here/commands.txt"
}
if [ "$mode" = --record ]; then
  transcript >"$here/cli.expected"
  echo "recorded $(grep -c '^\$ ' "$here/cli.expected") commands in $here/cli.expected"
else
  transcript >"$scratch.actual"
  if diff -u "$here/cli.expected" "$scratch.actual"; then
    echo "all $(grep -c '^\$ ' "$here/cli.expected") commands byte-identical to cli.expected"
    rm -f "$scratch.actual"
  else
    echo "CLI output differs from tests/golden/cli.expected (diff above); if the change is intended, re-record with --record" >&2
    rm -f "$scratch.actual"
    exit 1
  fi
fi
