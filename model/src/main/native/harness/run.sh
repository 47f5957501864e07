#!/usr/bin/env bash
# Build and run the standalone harness: bash run.sh [test|bench] [isa=N] [time=SECONDS]
# Extra compiler flags (e.g. tile-shape overrides -DMR=... for one variant) via EXTRA512/EXTRA2.
set -e
H="$(cd "$(dirname "$0")" && pwd)"; S="$H/.."
J="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
O="${OUT:-/tmp/rk_harness}"; mkdir -p "$O"
F="-O3 -std=gnu11 -fno-math-errno -fno-trapping-math -I$S -I$J/include -I$J/include/linux"
gcc $F -c "$S/dispatch.c" -o "$O/dispatch.o"
gcc $F -c "$S/kernel_portable.c" -o "$O/portable.o"
gcc $F -mavx2 -mfma ${EXTRA2:-} -c "$S/kernel_avx2.c" -o "$O/avx2.o"
gcc $F -mavx512f -mavx512dq -mavx2 -mfma ${EXTRA512:-} -c "$S/kernel_avx512.c" -o "$O/avx512.o"
gcc $F "$H/harness.c" "$O/dispatch.o" "$O/portable.o" "$O/avx2.o" "$O/avx512.o" -o "$O/harness" -lm -lpthread
gcc -O2 -mavx512f "$H/peak.c" -o "$O/peak"
[ "${1:-}" = test ] || "$O/peak"
exec "$O/harness" "$@"
