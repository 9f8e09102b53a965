#!/usr/bin/env bash
# The deduplication window's heap per 1,000,000 ids and its add/find/read-back rates
# (docs/benchmarks.md, "Deduplication by time"). Arguments: events per journal entry (default 100 and 1).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -o -pl broker -am test-compile dependency:build-classpath -Dmdep.outputFile=target/dedup-classpath.txt
for per_entry in "${@:-100 1}"; do
  java -Xms2g -Xmx2g -XX:+UseParallelGC \
    -cp "broker/target/test-classes:broker/target/classes:$(cat broker/target/dedup-classpath.txt)" \
    io.tollgate.broker.topic.DedupWindowFootprint "$per_entry"
done
