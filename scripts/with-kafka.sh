#!/usr/bin/env bash
# Run a command with a Kafka broker available as $KAFKA_BOOTSTRAP.
# If KAFKA_BOOTSTRAP is already set, that broker is used and nothing is started or stopped.
# Otherwise the project's single-node KRaft broker (scripts/kafka.sh) is started for the
# command and stopped afterwards — only if this script started it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if [[ -n "${KAFKA_BOOTSTRAP:-}" ]]; then
  exec "$@"
fi

started=0
cleanup() {
  if [[ $started == 1 ]]; then
    "$here/kafka.sh" stop || true
  fi
}
trap cleanup EXIT INT TERM

if ! "$here/kafka.sh" status >/dev/null 2>&1; then
  "$here/kafka.sh" start
  started=1
fi
"$here/kafka.sh" wait
export KAFKA_BOOTSTRAP="127.0.0.1:${KAFKA_PORT:-19092}"
"$@"
