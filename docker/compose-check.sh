#!/usr/bin/env bash
# Brings docker-compose.yml up with the local images, waits until the learner has published
# parameters learned from the simulator's events, prints them (reinforce inspect), and tears the
# stack down. Run after `mvn package` (the job image needs the jars); .ci/run runs it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash docker/build-images.sh --no-install
set -a
# shellcheck disable=SC1091
. target/docker/images.env
set +a
if [ -z "${REINFORCE_IMAGE_JOB:-}" ]; then
    echo "[compose-check] no job image: run mvn package first" >&2
    exit 1
fi
export KAFKA_IMAGE="$REINFORCE_IMAGE_KAFKA" FLINK_IMAGE="$REINFORCE_IMAGE_FLINK" REINFORCE_IMAGE="$REINFORCE_IMAGE_JOB"
if command -v docker-compose >/dev/null 2>&1; then
    COMPOSE=(docker-compose)
else
    COMPOSE=(docker compose)
fi
COMPOSE+=(-p reinforce-check -f "$ROOT/docker-compose.yml")
down() { "${COMPOSE[@]}" down -v --remove-orphans >/dev/null 2>&1 || true; }
trap down EXIT
down
echo "[compose-check] starting the stack with ${COMPOSE[0]} ..." >&2
"${COMPOSE[@]}" up -d
deadline=$((SECONDS + 300))
while true; do
    out="$("${COMPOSE[@]}" run --rm --no-deps -T simulator /opt/reinforce/bin/reinforce inspect \
        --bootstrap-servers kafka:9092 --json 2>/dev/null || true)"
    if echo "$out" | grep -q '"version":[1-9][0-9]*,"eventsApplied":[1-9]'; then
        break
    fi
    if [ $SECONDS -gt $deadline ]; then
        echo "[compose-check] no parameters were published within 5 minutes; the logs:" >&2
        "${COMPOSE[@]}" logs --tail=40 >&2 || true
        exit 1
    fi
    sleep 5
done
echo "[compose-check] published: $(echo "$out" | grep '^{' | head -1 | cut -c1-160)..."
echo "[compose-check] passed"
