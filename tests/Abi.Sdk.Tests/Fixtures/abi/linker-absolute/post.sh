#!/usr/bin/env bash
# Renames the absolute symbol _DYNAMIX to _DYNAMIC in v1.so's string tables (same length, so nothing moves).
set -euo pipefail
perl -0777 -pi -e 's/_DYNAMIX\0/_DYNAMIC\0/g' "$(dirname "$0")/v1.so"
