#!/usr/bin/env bash
# Builds liboverlap.so: 40 small functions and one with a 4000-byte name. SymbolNameTests points every symbol's
# st_name at that long name in memory, so that the names' sum (160 KB) exceeds the file many times over, as a
# crafted file's could. Rerun from this directory: ./build.sh
set -euo pipefail
cd "$(dirname "$0")"
src=$(mktemp --suffix=.c)
trap 'rm -f "$src"' EXIT
for i in $(seq 0 39); do echo "int f$i(void) { return $i; }"; done > "$src"
printf 'int %s(void) { return 7; }\n' "$(printf 'L%.0s' $(seq 1 4000))" >> "$src"
gcc -shared -fPIC -Os -o liboverlap.so "$src"
strip liboverlap.so
