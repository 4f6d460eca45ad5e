"""Start a benchmark server: uvicorn with one or more workers, through schema/http/serving.py
(which keeps TCP_NODELAY on the workers' connections, as `civicgraph serve` does).

    python -m tests.benchmarks.serve PORT WORKERS
"""

from __future__ import annotations

import sys

from schema.http import serving


def main(port: int, workers: int) -> None:
    serving.run(
        "tests.benchmarks.server:create",
        "127.0.0.1",
        port,
        workers,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    try:
        main(int(sys.argv[1]), int(sys.argv[2]))
    except KeyboardInterrupt:  # how the benchmark stops it
        pass
