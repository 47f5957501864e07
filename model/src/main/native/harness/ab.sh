#!/usr/bin/env bash
# A/B timing of the AVX-512 kernel: a git revision ("old") against the working tree ("new"), both
# linked into one program that calls them alternately, so that the noise of a shared machine
# falls on both; prints median (and best) forward+backward times per shape.
#   bash ab.sh REV [B d n [reps [beta]]]     e.g. bash ab.sh HEAD~1 1024 128 1000 300
# Extra compiler flags for the new side (tuning knobs such as -DMC=32) via NEWX.
set -e
H="$(cd "$(dirname "$0")" && pwd)"; S="$H/.."
REV="${1:?usage: ab.sh REV [B d n [reps [beta]]]}"; shift
J="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
O="$(mktemp -d "${TMPDIR:-/tmp}/rk_ab.XXXXXX")"; trap 'rm -rf "$O"' EXIT
mkdir -p "$O/old"
for f in kernel.h kernel_body.h kernel_avx512.c; do
    git -C "$S" show "$REV:./$f" > "$O/old/$f"
done
F="-O3 -std=gnu11 -fno-math-errno -fno-trapping-math -mavx512f -mavx512dq -mavx2 -mfma"
gcc $F -I"$O/old" -Drk_forward_scratch_avx512=old_fs -Drk_backward_scratch_avx512=old_bs \
    -Drk_forward_avx512=old_f -Drk_backward_avx512=old_b -c "$O/old/kernel_avx512.c" -o "$O/old.o"
gcc $F -I"$S" ${NEWX:-} -c "$S/kernel_avx512.c" -o "$O/new.o"
gcc $F -I"$S" "$H/ab.c" "$O/old.o" "$O/new.o" -o "$O/ab" -lm
if [ $# -eq 0 ]; then set -- 1024 128 1000 300; fi
"$O/ab" "$@"
