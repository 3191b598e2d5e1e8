#!/usr/bin/env bash
# Brings each shipped assembly's PublicAPI.Unshipped.txt in step with the code (src/Abi.Sdk, and the notebook
# extension src/Abi.Sdk.Interactive packed inside it): records every public symbol that PublicApiAnalyzers reports as
# undeclared (RS0016) and drops every declared one that no longer exists (RS0017).
# Review the diff: every line is a promise to users.
set -euo pipefail
cd "$(dirname "$0")/.."
for project in Abi.Sdk Abi.Sdk.Interactive; do
  file=src/$project/PublicAPI.Unshipped.txt
  log=$(mktemp)
  dotnet build "src/$project" --no-incremental -p:TreatWarningsAsErrors=false > "$log" 2>&1 || true
  # A build of the extension also builds Abi.Sdk: keep only this project's warnings.
  grep -F "/src/$project/$project.csproj]" "$log" > "$log.own" || true
  sed -nE "s/.*warning RS0016: Symbol '(.*)' is not part of the declared public API.*/\1/p" "$log.own" | LC_ALL=C sort -u > "$log.new"
  sed -nE "s/.*warning RS0017: Symbol '(.*)' is part of the declared API, but is either not public or could not be found.*/\1/p" "$log.own" \
    | LC_ALL=C sort -u > "$log.gone"
  { tail -n +2 "$file" | grep -vxF -f "$log.gone" || true; cat "$log.new"; } | LC_ALL=C sort -u > "$log.all"
  { echo "#nullable enable"; cat "$log.all"; } > "$file"
  echo "$(wc -l < "$log.new") symbols added to and $(wc -l < "$log.gone") removed from $file"
  rm -f "$log" "$log.own" "$log.new" "$log.gone" "$log.all"
done
