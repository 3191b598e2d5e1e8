#!/usr/bin/env bash
# Records every public symbol of Abi.Sdk that PublicApiAnalyzers reports as undeclared (RS0016) into
# src/Abi.Sdk/PublicAPI.Unshipped.txt. Review the diff: every line is a promise to users.
set -euo pipefail
cd "$(dirname "$0")/.."
file=src/Abi.Sdk/PublicAPI.Unshipped.txt
dotnet build src/Abi.Sdk --no-incremental -p:TreatWarningsAsErrors=false 2>&1 \
  | sed -nE "s/.*warning RS0016: Symbol '(.*)' is not part of the declared public API.*/\1/p" > /tmp/abi-public-api-new.txt || true
{ tail -n +2 "$file"; cat /tmp/abi-public-api-new.txt; } | LC_ALL=C sort -u > /tmp/abi-public-api-all.txt
{ echo "#nullable enable"; cat /tmp/abi-public-api-all.txt; } > "$file"
echo "$(wc -l < /tmp/abi-public-api-new.txt) symbols added to $file"
