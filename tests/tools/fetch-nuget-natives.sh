#!/usr/bin/env bash
# Downloads published NuGet packages once (with the ordinary client: `dotnet restore` of a generated project whose
# PackageDownload items name them) into tests/tools/.cache/nuget, a NuGet global-packages layout that git ignores:
# ID/VERSION/ID.VERSION.nupkg beside the extracted files. The MSBuild package tests use two published versions of
# a package with Linux native libraries as baseline and new package (tests/Abi.Sdk.Build.Tests/RealPackageTests.cs).
#   usage: fetch-nuget-natives.sh ID VERSION...      prints the cache folder on its last line
# Sources: the machine's NuGet configuration (its default source). Later runs find the files and download nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${ABI_NUGET_CACHE_DIR:-$here/.cache/nuget}"
id="$1"; shift
lower=$(echo "$id" | tr '[:upper:]' '[:lower:]')
missing=()
for v in "$@"; do
  [ -e "$out/$lower/$v/$lower.$v.nupkg" ] || missing+=("$v")
done
if [ ${#missing[@]} -gt 0 ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  {
    echo '<Project Sdk="Microsoft.NET.Sdk">'
    echo '  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>'
    echo '  <ItemGroup>'
    # One item with every version ([a];[b]): NuGet takes duplicate items of one ID as a mistake (NU1505).
    versions=$(printf '[%s];' "${missing[@]}")
    echo "    <PackageDownload Include=\"$id\" Version=\"${versions%;}\" />"
    echo '  </ItemGroup>'
    echo '</Project>'
  } > "$work/fetch.csproj"
  dotnet restore "$work/fetch.csproj" --packages "$out" -v:q -nologo >&2
fi
echo "$out"
