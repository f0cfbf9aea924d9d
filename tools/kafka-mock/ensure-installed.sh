#!/usr/bin/env bash
# Installs node-rdkafka (compiles librdkafka from source, offline, ~2 min on 2 cores) into
# tools/kafka-mock/node_modules once. Kept apart from the root install so `npm install && npm start`
# stays fast; the Kafka half of the event-bus contract suite needs it.
set -euo pipefail
cd "$(dirname "$0")"
if [ -f node_modules/node-rdkafka/build/Release/node-librdkafka.node ]; then
  exit 0
fi
echo "installing the Kafka mock broker (node-rdkafka, builds librdkafka; about two minutes)..."
npm install --no-audit --no-fund --no-package-lock >/dev/null
