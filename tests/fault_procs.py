"""A relay or a worker in a process of its own, for the fault suite to SIGKILL mid-batch:
`python -m tests.fault_procs <search-relay|payments-worker> '<json: db_url, instance_dir, config>'`.
Each builds the app as the tests do and runs the real code path once over everything waiting:
`flask search relay --once` (one worker, small batches) or the payment reconciliation job."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from marketplace import jobs
from services.payments import relay
from tests.factories.app import make_app


def main(what: str, raw: str) -> int:
    spec = json.loads(raw)
    app = make_app(spec["db_url"], Path(spec["instance_dir"]), **spec.get("config", {}))
    if what == "search-relay":
        result = app.test_cli_runner().invoke(args=["search", "relay", "--once", "--workers", "1",
                                                    "--batch-size", str(spec.get("batch_size", 10))])
        print(result.output, flush=True)
        return result.exit_code
    if what == "payments-worker":
        done = jobs.run_job(app, jobs.scheduled(relay.reconcile))
        print(f"done {done}", flush=True)
        return 0
    raise SystemExit(f"unknown process {what}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
