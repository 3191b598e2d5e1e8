#!/usr/bin/env bash
# Records a digest of abidiff's answer for libLLVM-15 vs libLLVM-16 (abidiff needs minutes and >100 MB for this
# pair, too slow for the test suite): exit code, and count + SHA-256 of the sorted removed and added ELF symbols
# as listed (one per alias group: "name, aliases a, b" counts name). For this pair Abi.Sdk's lists equal them
# exactly; RealLibraryTests compares.
# Usage: tests/Abi.Sdk.Tests/Fixtures/abi/record-llvm-abidiff.sh [abidiff-output-file exit-code]
set -euo pipefail
cd "$(dirname "$0")"
lib=/usr/lib/x86_64-linux-gnu
if [ $# -eq 2 ]; then
  out=$1; rc=$2
else
  out=$(mktemp); rc=0
  abidiff --no-show-locs "$lib/libLLVM-15.so.1" "$lib/libLLVM-16.so.1" > "$out" || rc=$?
fi
list() { # $1 = Removed|Added
  awk -v want="$1" '
    /^[0-9]+ (Removed|Added) (function|variable) symbols? not referenced by debug info:$/ { cur = ($2 == want); next }
    /^[^ ]/ { cur = 0; next }
    cur && /^  \[[DA]\] / {
      line = substr($0, 7); n = index(line, ", aliases ");
      if (n == 0) print line; else print substr(line, 1, n - 1)
    }' "$out" | LC_ALL=C sort -u
}
removed=$(list Removed); added=$(list Added)
count() { if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l; fi; }
digest() { if [ -z "$1" ]; then printf '' | sha256sum | cut -d' ' -f1; else printf '%s\n' "$1" | sha256sum | cut -d' ' -f1; fi; }
{
  echo "# abidiff $(abidiff --version | awk '{print $2}') --no-show-locs libLLVM-15.so.1 libLLVM-16.so.1 (Debian 12 libllvm15/libllvm16)"
  echo "exit = $rc"
  echo "removed.count = $(count "$removed")"
  echo "removed.sha256 = $(digest "$removed")"
  echo "added.count = $(count "$added")"
  echo "added.sha256 = $(digest "$added")"
} > llvm-15-16.abidiff-summary.txt
cat llvm-15-16.abidiff-summary.txt
