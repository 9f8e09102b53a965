#!/usr/bin/env bash
# Fuzzes each Jazzer @FuzzTest for a bounded time (docs/security.md, "Fuzzing").
#
#   bench/fuzz.sh                 # every target
#   bench/fuzz.sh protocols:io.tollgate.protocols.CloudEventJsonFuzzTest#structured
#
# Each target runs alone in fuzzing mode (JAZZER_FUZZ=1), coverage-guided over Tollgate's,
# Jackson's and the schema validator's classes. A finding fails the run and Jazzer writes its
# input into the target's src/test/resources/...Inputs/<method>/ directory, where the normal
# test run then replays it. Each target is bounded by its @FuzzTest(maxDuration = "60s"). The summary line per target gives libFuzzer's executions, exec/s
# and whether it crashed; full logs are in bench/results/fuzz-<timestamp>/.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(
    broker:io.tollgate.broker.tcp.FrameDecoderFuzzTest#anyBytesInAnyChunks
    broker:io.tollgate.broker.subscription.StreamFrameFuzzTest#anyClientMessage
    broker:io.tollgate.broker.http.websocket.WebSocketFramesFuzzTest#anyBytesInAnyChunks
    protocols:io.tollgate.protocols.CloudEventJsonFuzzTest#structured
    protocols:io.tollgate.protocols.CloudEventJsonFuzzTest#batch
    protocols:io.tollgate.protocols.CloudEventJsonFuzzTest#binary
    protocols:io.tollgate.protocols.filter.FilterFuzzTest#parseBindAndMatch
    protocols:io.tollgate.protocols.redaction.RedactionFuzzTest#redactAnything
    broker:io.tollgate.broker.topic.TopicSchemasFuzzTest#anySchemaAndAnyData
  )
fi

out="bench/results/fuzz-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
echo "target | seconds | executions | exec/s | result" | tee "$out/summary.txt"
for target in "${TARGETS[@]}"; do
  module=${target%%:*}
  test=${target#*:}
  log="$out/${test##*.}.log"
  set +e
  JAZZER_FUZZ=1 JAZZER_INSTRUMENT='io.tollgate.**,com.fasterxml.jackson.**,com.networknt.**' \
    ./mvnw -B -o -pl "$module" -am test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.hooks=true \
      >"$log" 2>&1
  rc=$?
  set -e
  done_line=$(grep -aE '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)
  runs=$(sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1/' <<<"$done_line")
  secs=$(sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\2/' <<<"$done_line")
  rate=$(grep -aoE 'exec/s: [0-9]+' "$log" | tail -1 | cut -d' ' -f2 || true)
  result=$([ $rc -eq 0 ] && echo "no crash" || echo "FAILED (rc $rc, see $log)")
  echo "$test | ${secs:-?} | ${runs:-?} | ${rate:-?} | $result" | tee -a "$out/summary.txt"
done
