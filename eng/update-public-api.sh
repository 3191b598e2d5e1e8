#!/usr/bin/env bash
# Brings src/Abi.Sdk/PublicAPI.Unshipped.txt in step with the code: records every public symbol that
# PublicApiAnalyzers reports as undeclared (RS0016) and drops every declared one that no longer exists (RS0017).
# Review the diff: every line is a promise to users.
set -euo pipefail
cd "$(dirname "$0")/.."
file=src/Abi.Sdk/PublicAPI.Unshipped.txt
log=$(mktemp)
dotnet build src/Abi.Sdk --no-incremental -p:TreatWarningsAsErrors=false > "$log" 2>&1 || true
sed -nE "s/.*warning RS0016: Symbol '(.*)' is not part of the declared public API.*/\1/p" "$log" | LC_ALL=C sort -u > "$log.new"
sed -nE "s/.*warning RS0017: Symbol '(.*)' is part of the declared API, but is either not public or could not be found.*/\1/p" "$log" \
  | LC_ALL=C sort -u > "$log.gone"
{ tail -n +2 "$file" | grep -vxF -f "$log.gone" || true; cat "$log.new"; } | LC_ALL=C sort -u > "$log.all"
{ echo "#nullable enable"; cat "$log.all"; } > "$file"
echo "$(wc -l < "$log.new") symbols added to and $(wc -l < "$log.gone") removed from $file"
rm -f "$log" "$log.new" "$log.gone" "$log.all"
