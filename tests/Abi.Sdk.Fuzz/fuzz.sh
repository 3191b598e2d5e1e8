#!/usr/bin/env bash
# Fuzzes one target of Abi.Sdk.Fuzz with libFuzzer for SECONDS (default 60):
#   tests/Abi.Sdk.Fuzz/fuzz.sh TARGET [SECONDS] [more libFuzzer flags...]
# It builds the fuzz project, instruments its copy of Abi.Sdk.dll with sharpfuzz, builds the libFuzzer engine
# (driver/libfuzzer-dotnet.c, clang with libclang-rt), and runs it over seeds/TARGET and regressions/TARGET plus a
# growing work corpus. A crash, timeout or out-of-memory input lands in artifacts/fuzz/TARGET/findings/; replay it
# with `dotnet run --project tests/Abi.Sdk.Fuzz -c Release -- TARGET FILE`, fix it, and commit it under
# regressions/TARGET/. Set FUZZ_NO_BUILD=1 to reuse the last build. Run long campaigns under `nice -n 19`.
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: $0 TARGET [SECONDS] [libFuzzer flags...]" >&2
  exit 2
fi
target=$1
seconds=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/artifacts/fuzz"
bin="$out/bin"
work="$out/$target"
mkdir -p "$out" "$work/corpus" "$work/findings"

clang=$(command -v clang || command -v clang-14 || true)
if [ -z "$clang" ]; then
  echo "fuzz.sh: clang (with libclang-rt-dev for -fsanitize=fuzzer) is required" >&2
  exit 2
fi
sharpfuzz=$(command -v sharpfuzz || true)
if [ -z "$sharpfuzz" ]; then
  [ -x "$out/tools/sharpfuzz" ] || dotnet tool install --tool-path "$out/tools" SharpFuzz.CommandLine --version 2.3.0 >/dev/null
  sharpfuzz="$out/tools/sharpfuzz"
fi

if [ "${FUZZ_NO_BUILD:-0}" != 1 ] || [ ! -f "$bin/.instrumented" ]; then
  "$clang" -fsanitize=fuzzer -O2 -Wall -Wextra -Werror "$here/driver/libfuzzer-dotnet.c" -o "$out/libfuzzer-dotnet"
  rm -rf "$bin"
  dotnet build "$here/Abi.Sdk.Fuzz.csproj" -c Release -o "$bin" -p:UseAppHost=true >/dev/null
  # Only the SDK is instrumented: coverage of the runtime and of the decompressors would drown its edges.
  "$sharpfuzz" "$bin/Abi.Sdk.dll"
  touch "$bin/.instrumented"
fi

# The managed heap cap makes an input that needs more than input + 256 MB fail as OutOfMemoryException (a finding);
# FuzzTargets.Run also checks the bytes each input allocated. Hangs: libFuzzer's -timeout (generous: the machine may be shared).
export DOTNET_GCHeapHardLimit=0x14000000 DOTNET_TieredPGO=0 DOTNET_CLI_TELEMETRY_OPTOUT=1
mkdir -p "$here/regressions/$target"
exec "$out/libfuzzer-dotnet" --target_path="$bin/Abi.Sdk.Fuzz" --target_arg="$target" \
  -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -max_len=131072 -print_final_stats=1 \
  -artifact_prefix="$work/findings/" "$@" \
  "$work/corpus" "$here/seeds/$target" "$here/regressions/$target"
