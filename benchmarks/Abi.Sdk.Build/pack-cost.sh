#!/usr/bin/env bash
# What native ABI validation adds to `dotnet pack` of a package with five native libraries (docs/performance.md).
# Packs Abi.Sdk.Build from its Release build output into a feed of its own, makes a baseline package 1.0.0 and a
# package project 2.0.0 with five libraries of this machine (zlib, libgcc_s, OpenSSL's libcrypto, SQLite, libxml2:
# all installed by .ci/run's packages), then times `dotnet pack --no-restore` of the project with validation off and
# on (baseline 1.0.0 from the global packages folder) with hyperfine.
#   usage: benchmarks/Abi.Sdk.Build/pack-cost.sh [RUNS]      (first: dotnet build src/Abi.Sdk.Build -c Release)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${1:-10}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=0.1.0-perf
dotnet pack "$repo/src/Abi.Sdk.Build" -c Release --no-build -o "$work/feed" -p:PackageVersion=$version -v:q -nologo >/dev/null
cat > "$work/NuGet.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config><add key="globalPackagesFolder" value="$work/packages" /></config>
  <packageSources><add key="local" value="$work/feed" /></packageSources>
</configuration>
XML
libs=()
for l in libz.so.1 libgcc_s.so.1 libcrypto.so.3 libsqlite3.so.0 libxml2.so.2; do
  f=$(readlink -f "/usr/lib/x86_64-linux-gnu/$l"); libs+=("$f")
done
project() { # project DIR VERSION
  mkdir -p "$1"
  {
    echo '<Project Sdk="Microsoft.NET.Sdk">'
    echo "  <PropertyGroup><TargetFramework>net10.0</TargetFramework><PackageId>Perf.Natives</PackageId><Version>$2</Version>"
    echo "    <PackageOutputPath>$work/feed</PackageOutputPath><NativeAbiBaselineVersion>1.0.0</NativeAbiBaselineVersion></PropertyGroup>"
    echo "  <ItemGroup><PackageReference Include=\"Abi.Sdk.Build\" Version=\"$version\" PrivateAssets=\"all\" />"
    for f in "${libs[@]}"; do echo "    <None Include=\"$f\" Pack=\"true\" PackagePath=\"runtimes/linux-x64/native/\" />"; done
    echo '  </ItemGroup>'
    echo '</Project>'
  } > "$1/Perf.Natives.csproj"
}
project "$work/base" 1.0.0
project "$work/new" 2.0.0
(cd "$work/base" && dotnet pack -v:q -nologo >/dev/null)
# The first validated pack restores the baseline into the global packages folder; the timed runs find it there.
(cd "$work/new" && dotnet pack -v:q -nologo -p:EnableNativeAbiValidation=true >/dev/null)
uptime
cd "$work/new"
hyperfine --warmup 1 --runs "$runs" \
  -n 'pack, validation off' 'dotnet pack --no-restore -nologo -v:q -p:EnableNativeAbiValidation=false' \
  -n 'pack, validation on' 'dotnet pack --no-restore -nologo -v:q -p:EnableNativeAbiValidation=true'
# The task's own time, from MSBuild's performance summary.
dotnet pack --no-restore -nologo -p:EnableNativeAbiValidation=true -clp:PerformanceSummary | grep -E 'ValidateNativeAbi|_NativeAbiResolveBaseline' || true
uptime
