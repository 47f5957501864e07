#!/usr/bin/env bash
# Builds the native gradient kernel: bash build.sh OUTDIR JAVA_HOME
# Writes OUTDIR/linux-<arch>/libreinforce_kernel.so. Skips (exit 0, with a warning) when no C
# compiler or no jni.h is available; fails (non-zero) when compilation itself fails.
set -u
OUTDIR="${1:?usage: build.sh OUTDIR JAVA_HOME}"
JHOME="${2:-${JAVA_HOME:-}}"
case "${BASH_SOURCE[0]}" in
    */*) SRC="${BASH_SOURCE[0]%/*}" ;;
    *) SRC=. ;;
esac
SRC="$(cd "$SRC" && pwd)" || exit 1

CC_BIN=""
for c in "${CC:-}" gcc cc; do
    if [ -n "$c" ] && command -v "$c" >/dev/null 2>&1; then CC_BIN="$c"; break; fi
done
if [ -z "$CC_BIN" ]; then
    echo "[WARNING] native kernel skipped: no C compiler (gcc or cc) found"
    exit 0
fi

JNI_INC=""
for h in "$JHOME" "$JHOME/.." "${JAVA_HOME:-}"; do
    if [ -n "$h" ] && [ -f "$h/include/jni.h" ]; then JNI_INC="$(cd "$h/include" && pwd)"; break; fi
done
if [ -z "$JNI_INC" ]; then
    echo "[WARNING] native kernel skipped: jni.h not found under ${JHOME:-<no java.home>}/include"
    exit 0
fi

ARCH="$(uname -m)"
case "$ARCH" in
    x86_64 | amd64) ARCH=x86_64 ;;
    aarch64 | arm64) ARCH=aarch64 ;;
esac
DEST="$OUTDIR/linux-$ARCH"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/rk_build.XXXXXX")" || exit 1
trap 'rm -rf "$TMP"' EXIT

CFLAGS="-O3 -std=gnu11 -fPIC -fno-math-errno -fno-trapping-math -fvisibility=hidden -I$SRC -I$JNI_INC -I$JNI_INC/linux"
compile() { # out.o src.c extra-flags...
    local out="$1" src="$2"
    shift 2
    "$CC_BIN" $CFLAGS "$@" -c "$SRC/$src" -o "$TMP/$out" || exit 1
}

OBJS=("$TMP/dispatch.o" "$TMP/portable.o" "$TMP/optim.o" "$TMP/ranker.o")
compile dispatch.o dispatch.c -fvisibility=default
compile portable.o kernel_portable.c
# The ranker's portable scores must round like Java's loop; its vector paths set their own targets
compile ranker.o ranker.c -fvisibility=default -ffp-contract=off
# Adam's loop must round like Java: no contraction of a * b + c into a fused multiply-add
compile optim.o optim.c -fvisibility=default -ffp-contract=off
VARIANTS="portable"
if [ "$ARCH" = x86_64 ]; then
    compile avx2.o kernel_avx2.c -mavx2 -mfma
    compile avx512.o kernel_avx512.c -mavx512f -mavx512dq -mavx2 -mfma
    OBJS+=("$TMP/avx2.o" "$TMP/avx512.o")
    VARIANTS="portable, avx2+fma, avx512f+dq"
fi
"$CC_BIN" -shared -fPIC -o "$TMP/libreinforce_kernel.so" "${OBJS[@]}" -lm -lpthread || exit 1
mkdir -p "$DEST" || exit 1
mv -f "$TMP/libreinforce_kernel.so" "$DEST/libreinforce_kernel.so" || exit 1
echo "[INFO] native kernel built: $DEST/libreinforce_kernel.so ($VARIANTS)"
