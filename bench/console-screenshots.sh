#!/usr/bin/env bash
# Refreshes docs/img/console-*.png: runs the web console's browser test (e2e/ConsoleTest), which
# photographs each view, and has it copy the pictures into docs/img. Needs chromium and
# chromium-driver (Debian's; .ci/install-browser installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl broker -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=ConsoleTest -Dfailsafe.failIfNoSpecifiedTests=false -Dtollgate.console.screenshots="$PWD/docs/img"
ls -1 docs/img/console-*.png
