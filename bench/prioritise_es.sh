#!/bin/bash
# Run a benchmark above the machine's background load: the command (and the gunicorn servers and
# wrk it starts) at nice -10, and every thread of the Elasticsearch JVM at nice -10 for as long as
# it runs, back to 0 afterwards. Both sides of a ratio (app and direct Elasticsearch) get the same
# priority, so what other users of a shared machine run takes only the CPU the bench leaves idle.
# Needs root. Usage: bench/prioritise_es.sh .venv/bin/python bench/search_load.py --pin ...
set -euo pipefail
renice_es() {
  for pid in $(pgrep -f org.elasticsearch.bootstrap.Elasticsearch); do
    for task in /proc/"$pid"/task/*; do renice -n "$1" -p "${task##*/}" >/dev/null 2>&1 || true; done
  done
}
renice_es -10
trap 'renice_es 0' EXIT
nice -n -10 "$@"
