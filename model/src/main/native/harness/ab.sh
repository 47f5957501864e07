#!/usr/bin/env bash
# A/B timing of one ISA's kernel (ISA=avx512, the default, or avx2): a git revision ("old") against
# the working tree ("new"), both linked into one program that calls them alternately, so that the
# noise of a shared machine falls on both; prints median (and best) forward+backward times per
# shape, and the new side's predict and backward with action values.
#   bash ab.sh REV [B d n [reps [beta]]]     e.g. ISA=avx2 bash ab.sh HEAD~1 1024 128 1000 300
# Extra compiler flags for the new side (tuning knobs such as -DMC=32) via NEWX.
set -e
H="$(cd "$(dirname "$0")" && pwd)"; S="$H/.."
REV="${1:?usage: ab.sh REV [B d n [reps [beta]]]}"; shift
J="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
O="$(mktemp -d "${TMPDIR:-/tmp}/rk_ab.XXXXXX")"; trap 'rm -rf "$O"' EXIT
mkdir -p "$O/old"
I="${ISA:-avx512}"
case "$I" in
    avx512) F="-mavx512f -mavx512dq -mavx2 -mfma" ;;
    avx2) F="-mavx2 -mfma" ;;
    *) echo "ISA must be avx512 or avx2" >&2; exit 2 ;;
esac
F="-O3 -std=gnu11 -fno-math-errno -fno-trapping-math $F"
for f in kernel.h kernel_body.h "kernel_$I.c"; do
    git -C "$S" show "$REV:./$f" > "$O/old/$f"
done
# whether the old backward takes action values (its kernel.h declares predict with them)
OLDV=0; if grep -q rk_predict_fn "$O/old/kernel.h"; then OLDV=1; fi
gcc $F -I"$O/old" -Drk_forward_scratch_$I=old_fs -Drk_backward_scratch_$I=old_bs \
    -Drk_forward_$I=old_f -Drk_backward_$I=old_b -Drk_predict_$I=old_p \
    -c "$O/old/kernel_$I.c" -o "$O/old.o"
gcc $F -I"$S" ${NEWX:-} -c "$S/kernel_$I.c" -o "$O/new.o"
gcc $F -I"$S" -DAB_ISA="$I" -DAB_OLD_VALUES=$OLDV "$H/ab.c" "$O/old.o" "$O/new.o" -o "$O/ab" -lm
if [ $# -eq 0 ]; then set -- 1024 128 1000 300; fi
"$O/ab" "$@"
