#!/usr/bin/env bash
# CI: pack the library and the tool into a local feed, then use them as users do:
#   - every notebook in docs/notebooks runs headlessly (dotnet-repl) against the packed Abi.Sdk; any cell error fails;
#     each notebook's "CHECK ..." lines are compared with what the inputs are known to give, and the tables the
#     package's own notebook formatters rendered are read back and compared with NAME.expected.txt (.ci/notebooks.cs);
#   - every file-based example in docs/examples runs with `#:package Abi.Sdk@VERSION` from the feed;
#   - the abi tool is installed from the feed (framework-dependent `any` package, and the Native AOT linux-x64 one).
# Usage: .ci/pack-and-run-notebooks.sh   (from anywhere; needs network access to restore the packages' dependencies)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

feed="$PWD/artifacts/packages"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$feed" && mkdir -p "$feed"

# A prerelease suffix unique to this run: NuGet caches packages by id and version, so a fixed version could be
# served from the cache instead of the feed.
prefix=$(sed -nE 's:.*<VersionPrefix>(.*)</VersionPrefix>.*:\1:p' Directory.Build.props)
version="$prefix-ci.$(date -u +%Y%m%d%H%M%S)"
echo "== packing $version into artifacts/packages"
dotnet pack src/Abi.Sdk -c Release -o "$feed" -p:VersionSuffix="${version#"$prefix-"}" -v:q -nologo
dotnet pack src/Abi.Cli -c Release -o "$feed" -p:VersionSuffix="${version#"$prefix-"}" -v:q -nologo
dotnet pack src/Abi.Cli -c Release -r any -o "$feed" -p:VersionSuffix="${version#"$prefix-"}" -v:q -nologo
dotnet pack src/Abi.Cli -c Release -r linux-x64 -o "$feed" -p:VersionSuffix="${version#"$prefix-"}" -v:q -nologo
ls -l "$feed"

cat > "$work/NuGet.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local" value="$feed" />
  </packageSources>
</configuration>
XML

echo "== the abi tool from the feed: framework-dependent and Native AOT"
expected=$(dotnet run --project src/Abi.Cli -c Release -- symbols tests/Abi.Sdk.Tests/Fixtures/elf/libversioned.so)
for rid in any linux-x64; do
  dotnet tool install --tool-path "$work/tool-$rid" --add-source "$feed" --version "$version" "Abi.Cli.$rid" >/dev/null 2>&1 ||
    dotnet tool install --tool-path "$work/tool-$rid" --configfile "$work/NuGet.config" --add-source "$feed" --version "$version" "Abi.Cli.$rid" >/dev/null
  diff -u <(echo "$expected") <("$work/tool-$rid/abi" symbols tests/Abi.Sdk.Tests/Fixtures/elf/libversioned.so)
  echo "abi from Abi.Cli.$rid: same output as dotnet run"
done
# The Native AOT package installs one native executable and no managed entry assembly.
native=$(find "$work/tool-linux-x64/.store" -type f -name abi | head -1)
[ -n "$native" ] && [ "$(head -c4 "$native" | od -An -tx1 | tr -d ' ')" = "7f454c46" ] &&
  [ -z "$(find "$work/tool-linux-x64/.store" -name abi.dll)" ] || { echo "Abi.Cli.linux-x64 did not install a native abi"; exit 1; }
echo "Abi.Cli.linux-x64 installed a native executable: ${native#"$work/"}"

echo "== file-based examples against #:package Abi.Sdk@$version"
for example in docs/examples/*.cs; do
  name=$(basename "$example" .cs)
  copy="$work/examples/$name.cs"
  mkdir -p "$work/examples"
  cp "$work/NuGet.config" "$work/examples/NuGet.config"
  # The same script with its project reference replaced by the package reference a user writes.
  sed -E "s|^#:project .*Abi\.Sdk\.csproj\$|#:package Abi.Sdk@$version|" "$example" > "$copy"
  grep -q "^#:package Abi.Sdk@$version" "$copy" || { echo "$example: no '#:project ...Abi.Sdk.csproj' line to replace"; exit 1; }
  args=(tests/Abi.Sdk.Tests/Fixtures/elf/libversioned.so)
  dotnet run --file "$copy" -- "${args[@]}" > "$work/$name.out"
  if [ -f "docs/examples/$name.expected.txt" ]; then
    diff -u "docs/examples/$name.expected.txt" "$work/$name.out"
  fi
  echo "$example: ok with the package"
done

echo "== notebooks against the package"
repl="$work/repl"
dotnet tool install --tool-path "$repl" dotnet-repl --version 0.3.259 >/dev/null
failed=0
checks=()
for notebook in docs/notebooks/*.ipynb; do
  name=$(basename "$notebook" .ipynb)
  out="$work/$name.out.ipynb"
  dotnet run .ci/notebooks.cs -- prepare "$feed" "$notebook" "$work/$name.ipynb"
  # Run from the notebook's folder, as an editor does: the notebooks reach the fixtures by relative paths.
  # (dotnet-repl exits non-zero when a cell fails, but says nothing of which: the check below does.)
  (cd docs/notebooks && "$repl/dotnet-repl" --run "$work/$name.ipynb" --exit-after-run --output-path "$out" > "$work/$name.log" 2>&1) ||
    { echo "$notebook: dotnet-repl exited with $?"; failed=1; }
  checks+=("$out" "$notebook")
done
# dotnet-repl's exit code does not reflect cell errors: read them, and the checked outputs, from the executed notebooks.
dotnet run .ci/notebooks.cs -- check "$version" "${checks[@]}" || failed=1
exit "$failed"
