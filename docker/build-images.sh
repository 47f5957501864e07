#!/usr/bin/env bash
# Makes Docker available and builds, once and cached by content, the local images that the
# container tests and docker-compose.yml use; no image registry is needed. Writes the image names
# to target/docker/images.env (KEY=VALUE lines), which the tests read and .ci/run exports.
#
#   docker/build-images.sh            build (installing and starting Docker where root may)
#   docker/build-images.sh --no-install   fail instead of installing Docker
#   docker/build-images.sh --if-docker    build only where Docker runs; elsewhere say so and exit 0
#                                         (in CI, CI=true, a missing Docker still fails)
#
# Images: a JRE 17 base from Debian (debootstrap, then docker import); Apache Kafka from Maven
# Central with the official apache/kafka startup contract; Apache Flink from Maven Central with
# the official flink image's entrypoint contract; and, once `mvn package` has made the jars, the
# job image (Flink plus the job jar and the CLI).
set -euo pipefail
export DOCKER_BUILDKIT=0
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/target/docker"
INSTALL=true
IF_DOCKER=false
case "${1:-}" in
    --no-install) INSTALL=false ;;
    --if-docker) INSTALL=false; IF_DOCKER=true ;;
esac
mkdir -p "$OUT"
log() { echo "[build-images] $*" >&2; }

ensure_docker() {
    if docker info >/dev/null 2>&1; then
        return
    fi
    if $IF_DOCKER && [ "${CI:-}" != true ]; then
        log "Docker is not available: no images built (the container tests skip)."
        exit 0
    fi
    if ! $INSTALL || [ "$(id -u)" != 0 ]; then
        log "Docker is not available (docker info failed) and this script may not install it."
        exit 1
    fi
    if ! command -v dockerd >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1; then
        log "Installing docker.io, docker-compose and debootstrap from Debian ..."
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io docker-compose debootstrap >/dev/null
    fi
    if ! docker info >/dev/null 2>&1; then
        log "Starting dockerd ..."
        nohup dockerd >/var/log/reinforce-dockerd.log 2>&1 &
        for _ in $(seq 1 60); do
            docker info >/dev/null 2>&1 && break
            sleep 1
        done
    fi
    docker info >/dev/null 2>&1 || { log "dockerd did not start: see /var/log/reinforce-dockerd.log"; exit 1; }
}

# sha256 over the names and contents of a build context, first 12 hex digits.
context_hash() {
    (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-12
}

has_image() { docker image inspect "$1" >/dev/null 2>&1; }

build_base() {
    local packages="openjdk-17-jre-headless,procps,netcat-openbsd,curl"
    local tag="reinforce/jre17:bookworm-$(echo "$packages" | sha256sum | cut -c1-12)"
    if ! has_image "$tag"; then
        command -v debootstrap >/dev/null 2>&1 || { log "debootstrap is missing"; exit 1; }
        local dir
        dir="$(mktemp -d /var/tmp/reinforce-jre.XXXXXX)"
        log "Building $tag with debootstrap (about a minute) ..."
        debootstrap --variant=minbase --include="$packages" bookworm "$dir" http://deb.debian.org/debian >"$OUT/debootstrap.log" 2>&1 \
            || { log "debootstrap failed: see $OUT/debootstrap.log"; exit 1; }
        rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/usr/share/doc "$dir"/usr/share/man
        tar -C "$dir" -c . | docker import -c 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' - "$tag" >/dev/null
        rm -rf "$dir"
    fi
    echo "$tag"
}

maven_copy() { # module output-folder
    mvn -q -B -f "$ROOT/pom.xml" -pl "$1" -Dspotless.check.skip=true \
        org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$2" >&2
}

build_kafka() {
    local base="$1" context="$OUT/kafka"
    rm -rf "$context" && mkdir -p "$context/libs"
    cp "$ROOT/docker/kafka/"* "$context/"
    maven_copy kafka-embedded "$context/libs"
    local version
    version="$(ls "$context/libs" | sed -n 's/^kafka_2.13-\(.*\)\.jar$/\1/p')"
    local tag="reinforce/kafka:$version-$(context_hash "$context")"
    build_once "$tag" "$base" "$context"
}

# Builds image TAG from CONTEXT on BASE unless it exists; prints TAG.
build_once() {
    local tag="$1" base="$2" context="$3"
    if ! has_image "$tag"; then
        log "Building $tag ..."
        docker build -q --build-arg "BASE=$base" -t "$tag" "$context" >/dev/null
    fi
    echo "$tag"
}

build_flink() {
    local base="$1" context="$OUT/flink"
    rm -rf "$context" && mkdir -p "$context/lib"
    cp "$ROOT/docker/flink/Dockerfile" "$ROOT/docker/flink/docker-entrypoint.sh" \
        "$ROOT/docker/flink/config.default.yaml" "$ROOT/docker/flink/log4j-console.properties" \
        "$context/"
    maven_copy docker/flink "$context/lib"
    local version
    version="$(ls "$context/lib" | sed -n 's/^flink-runtime-\([0-9.]*\)\.jar$/\1/p')"
    local tag="reinforce/flink:$version-java17-$(context_hash "$context")"
    build_once "$tag" "$base" "$context"
}

build_job() { # the job image, from the jars `mvn package` made; skipped before that
    local flink="$1" context="$OUT/reinforce"
    local jar="$ROOT/job/target/reinforce-job.jar" classpath="$ROOT/cli/target/classpath.txt"
    local cli
    cli="$(ls "$ROOT"/cli/target/reinforce-cli-*.jar 2>/dev/null | head -1 || true)"
    if [ ! -f "$jar" ] || [ ! -f "$classpath" ] || [ -z "$cli" ]; then
        log "Skipping the job image: run mvn package first (no $jar yet)."
        return
    fi
    local version
    version="$(basename "$cli" | sed -n 's/^reinforce-cli-\(.*\)\.jar$/\1/p')"
    rm -rf "$context" && mkdir -p "$context/lib" "$context/usrlib"
    cp "$ROOT/docker/reinforce/"* "$context/"
    cp "$jar" "$context/usrlib/"
    cp "$cli" "$context/lib/"
    tr ':' '\n' < "$classpath" | while read -r file; do cp "$file" "$context/lib/"; done
    local tag="reinforce/job:$version-$(context_hash "$context")"
    if ! has_image "$tag"; then
        log "Building $tag ..."
        docker build -q --build-arg "BASE=$flink" -t "$tag" "$context" >/dev/null
    fi
    # reinforce/job:VERSION is the newest build of this version: ReinforceLearnerContainer's
    # default. Older builds go (one that a container still uses stays).
    docker tag "$tag" "reinforce/job:$version"
    docker images reinforce/job --format '{{.Repository}}:{{.Tag}}' \
        | grep -v -x -e "$tag" -e "reinforce/job:$version" \
        | xargs -r docker rmi >/dev/null 2>&1 || true
    echo "$tag"
}

ensure_docker
BASE="$(build_base)"
KAFKA="$(build_kafka "$BASE")"
FLINK="$(build_flink "$BASE")"
JOB="$(build_job "$FLINK")"
{
    echo "REINFORCE_IMAGE_KAFKA=$KAFKA"
    echo "REINFORCE_IMAGE_FLINK=$FLINK"
    if [ -n "$JOB" ]; then echo "REINFORCE_IMAGE_JOB=$JOB"; fi
} > "$OUT/images.env"
log "Images ready (target/docker/images.env):"
sed 's/^/  /' "$OUT/images.env" >&2
