#!/usr/bin/env bash
# A/B of `./reinforce bench` between two git revisions on this machine, alternating the order of
# each pair so that drift of the machine hits both sides alike. Each revision is cloned and built
# (mvn package, no install: nothing in ~/.m2 changes) in a directory of its own, then the CLI is
# run with the JVM flags ./reinforce uses. Prints one line per run and the medians.
#
#   [SHAPE=D:ACTIONS (32:10)] [ARGS_A="..."] [ARGS_B="..."] [JVM_A="..."] [JVM_B="..."] \
#       cli/scripts/bench-ab.sh REV_A REV_B [EVENTS (2000000)] [PAIRS (4)] [FORMATS ("json binary")]
#
# ARGS_A and ARGS_B are more bench flags for one side, e.g. learner options, to compare two
# settings on one revision; JVM_A and JVM_B more JVM flags, after ./reinforce's.
# Example: cli/scripts/bench-ab.sh main~5 main 2000000 4 "json binary"
# Example: ARGS_A="--learner-property estimator=reinforce" cli/scripts/bench-ab.sh main main
# Example: ARGS_A="--rewards split" ARGS_B="--rewards split" cli/scripts/bench-ab.sh main~1 main 1000000 3 binary
# (with --rewards split each line also gives the joined rate and its ratio to the pre-joined one
# of the same run, and the medians of the joined rates follow)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
REV_A=$1 REV_B=$2 EVENTS=${3:-2000000} PAIRS=${4:-4} FORMATS=${5:-"json binary"} SHAPE=${SHAPE:-32:10}
ARGS_A=${ARGS_A:-} ARGS_B=${ARGS_B:-} JVM_A=${JVM_A:-} JVM_B=${JVM_B:-}
WORK="$(mktemp -d "${TMPDIR:-/tmp}/bench-ab.XXXXXX")"
echo "Building $REV_A and $REV_B in $WORK ..." >&2
for side in a b; do
    rev=$REV_A; [ "$side" = b ] && rev=$REV_B
    git clone -q "$ROOT" "$WORK/$side"
    git -C "$WORK/$side" checkout -q "$rev"
    mvn -q -B -f "$WORK/$side/pom.xml" package -DskipTests -Dspotless.check.skip=true >&2
done

run() { # side format
    local tree="$WORK/$1"
    local out="$WORK/$1-$2-$RANDOM.json"
    local extra=$ARGS_A jvm=$JVM_A
    [ "$1" = b ] && extra=$ARGS_B jvm=$JVM_B
    (cd "$tree" && java --add-modules=jdk.incubator.vector \
        --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
        --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
        --add-opens=java.base/java.nio=ALL-UNNAMED -Djava.awt.headless=true -Xmx1g -XX:+UseParallelGC $jvm \
        -cp "cli/target/reinforce-cli-0.1.0-SNAPSHOT.jar:$(cat cli/target/classpath.txt)" \
        org.flinkreinforce.cli.Reinforce bench --events "$EVENTS" --format "$2" --shape "$SHAPE" \
        --latency-seconds 2 --summary "$out" $extra >"$out.log" 2>&1)
    python3 - "$out" "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
joined = (f" joined {d['joinedEventsPerSecond']:.0f} joined/pre-joined {d['joinedToPreJoined']:.3f}"
          if 'joinedEventsPerSecond' in d else "")
print(f"{sys.argv[2]} {sys.argv[3]:6} steady {d['eventsPerSecond']:.0f} raw {d['rawConsumerRecordsPerSecond']:.0f}"
      f" learner/raw {d['ratioToRawConsumer']:.3f}{joined}", flush=True)
PY
}

for pair in $(seq 1 "$PAIRS"); do
    for format in $FORMATS; do
        if (( pair % 2 )); then run a "$format"; run b "$format"; else run b "$format"; run a "$format"; fi
    done
done | tee "$WORK/runs.txt"
python3 - "$WORK/runs.txt" "$REV_A" "$REV_B" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
for fmt in sorted({r[1] for r in rows}):
    a = statistics.median(float(r[3]) for r in rows if r[0] == "a" and r[1] == fmt)
    b = statistics.median(float(r[3]) for r in rows if r[0] == "b" and r[1] == fmt)
    print(f"{fmt}: median steady events/s {sys.argv[2]} {a:,.0f}, {sys.argv[3]} {b:,.0f}, b/a {b / a:.3f}")
    if any(len(r) > 8 and r[1] == fmt for r in rows):
        a = statistics.median(float(r[9]) for r in rows if r[0] == "a" and r[1] == fmt)
        b = statistics.median(float(r[9]) for r in rows if r[0] == "b" and r[1] == fmt)
        print(f"{fmt}: median joined events/s {sys.argv[2]} {a:,.0f}, {sys.argv[3]} {b:,.0f}, b/a {b / a:.3f}")
PY
