#!/bin/bash
# The entrypoint contract of the official flink image, for Flink run from Maven Central jars:
#   jobmanager | taskmanager   start that process in the foreground
#   anything else              run it (e.g. bash)
# FLINK_PROPERTIES (YAML "key: value" lines) is appended to conf/config.yaml; the JVM memory flags
# come from Flink's own BashJavaUtils, as bin/taskmanager.sh computes them.
set -euo pipefail
FLINK_HOME=/opt/flink
CONF_DIR="$FLINK_HOME/conf"
CLASSPATH="$FLINK_HOME/lib/*"
LOGGING="-Dlog4j.configurationFile=$CONF_DIR/log4j-console.properties"
# The Vector API kernel needs its module; the rest is what Flink needs on Java 17.
JAVA_OPTS="--add-modules=jdk.incubator.vector --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED"

configure() {
    cp "$CONF_DIR/config.default.yaml" "$CONF_DIR/config.yaml"
    # Each FLINK_PROPERTIES line replaces the default of its key: config.yaml is YAML, and a key
    # given twice makes it invalid.
    local line key
    while IFS= read -r line; do
        key="${line%%:*}"
        [ -z "$key" ] || [ "$key" = "$line" ] && continue
        grep -v "^${key}:" "$CONF_DIR/config.yaml" > "$CONF_DIR/config.yaml.tmp" || true
        mv "$CONF_DIR/config.yaml.tmp" "$CONF_DIR/config.yaml"
        printf '%s\n' "$line" >> "$CONF_DIR/config.yaml"
    done <<< "${FLINK_PROPERTIES:-}"
    # Register with an address other containers can reach, whatever the container's hostname.
    local address
    address="$(hostname -i | awk '{print $1}')"
    if ! grep -q '^taskmanager.host:' "$CONF_DIR/config.yaml"; then
        echo "taskmanager.host: $address" >> "$CONF_DIR/config.yaml"
    fi
    grep -q "$(hostname)" /etc/hosts || echo "$address $(hostname)" >> /etc/hosts || true
}

resources() { # GET_TM_RESOURCE_PARAMS | GET_JM_RESOURCE_PARAMS
    local output
    if ! output="$(java -cp "$CLASSPATH" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" \
            --configDir "$CONF_DIR" 2>&1)" || ! grep -q '^BASH_JAVA_UTILS_EXEC_RESULT:' <<< "$output"; then
        echo "Flink's BashJavaUtils $1 failed on $CONF_DIR/config.yaml:" >&2
        echo "$output" >&2
        exit 1
    fi
    grep '^BASH_JAVA_UTILS_EXEC_RESULT:' <<< "$output" | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://'
}

# Starts Flink's process CLASS with the JVM options Flink resolves for RESOURCES.
run_flink() {
    local resources_kind="$1" class="$2"
    configure
    resolved="$(resources "$resources_kind")"
    mapfile -t params <<< "$resolved"
    # shellcheck disable=SC2086
    exec java ${params[0]} $JAVA_OPTS $LOGGING ${FLINK_ENV_JAVA_OPTS:-} -cp "$CLASSPATH" \
        "$class" --configDir "$CONF_DIR" ${params[1]}
}

case "${1:-}" in
    jobmanager)
        run_flink GET_JM_RESOURCE_PARAMS \
            org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
        ;;
    taskmanager)
        run_flink GET_TM_RESOURCE_PARAMS org.apache.flink.runtime.taskexecutor.TaskManagerRunner
        ;;
    *)
        exec "$@"
        ;;
esac
