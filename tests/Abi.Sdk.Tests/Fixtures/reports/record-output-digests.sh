#!/usr/bin/env bash
# Records the SHA-256 and exit code of what `abi` prints for the real library pairs the tests use (text, JSON and
# SARIF), so that a faster writer is held to today's bytes (ReportOutputDigestTests). SARIF's semanticVersion is
# replaced by "VERSION" before hashing (it follows the package version, not the writer).
# Usage: tests/Abi.Sdk.Tests/Fixtures/reports/record-output-digests.sh [ABI-COMMAND]
#   ABI-COMMAND defaults to "dotnet src/Abi.Cli/bin/Release/net10.0/abi.dll" (build it first); record with the
#   build whose output is the reference.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../../.." && pwd)
abi=${1:-dotnet $root/src/Abi.Cli/bin/Release/net10.0/abi.dll}
lib=/usr/lib/x86_64-linux-gnu
cases=(
  "symbols libc.so.6"
  "symbols --json libc.so.6"
  "symbols libLLVM-16.so.1 libLLVM-15.so.1"
  "symbols --json libLLVM-16.so.1 libLLVM-15.so.1"
  "symbols libtinfo.so.5 libtinfo.so.6"
  "symbols --json libtinfo.so.5 libtinfo.so.6"
  "symbols libboost_filesystem.so.1.74.0 libboost_filesystem.so.1.81.0"
  "symbols --json libboost_filesystem.so.1.74.0 libboost_filesystem.so.1.81.0"
)
for pair in "libLLVM-15.so.1 libLLVM-16.so.1" "libtinfo.so.5 libtinfo.so.6" "libboost_filesystem.so.1.74.0 libboost_filesystem.so.1.81.0"; do
  cases+=("diff $pair" "diff --json $pair" "diff --sarif $pair")
done
out=$(mktemp)
trap 'rm -f "$out"' EXIT
{
  echo "# SHA-256 of the standard output, exit code, and the abi arguments (library names under $lib);"
  echo "# recorded by record-output-digests.sh. ReportOutputDigestTests runs each line."
  for c in "${cases[@]}"; do
    set -- $c
    args=("$1"); shift
    for a in "$@"; do case $a in --*) args+=("$a");; *) args+=("$lib/$a");; esac; done
    rc=0
    $abi "${args[@]}" > "$out" || rc=$?
    digest=$(sed -E 's/^(\s*"semanticVersion": )"[^"]*"/\1"VERSION"/' "$out" | sha256sum | cut -d' ' -f1)
    echo "$digest $rc $c"
  done
} > "$(dirname "$0")/real-library-outputs.txt"
cat "$(dirname "$0")/real-library-outputs.txt"
