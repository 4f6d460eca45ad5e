"""Start a benchmark server: uvicorn, one or more workers, on a socket that keeps TCP_NODELAY.

`uvicorn --workers N` binds its shared socket with `socket.socket(family=...)`, whose protocol
number is 0, and asyncio only sets TCP_NODELAY on sockets whose protocol is IPPROTO_TCP: so
with several workers every response written in two parts (headers, body) waits for the
client's delayed ACK, about 40 ms. Measured here, that turned a 5 ms request into a 48 ms one.
This launcher binds the socket itself, with the protocol given, and hands it to uvicorn's own
process supervisor, so N workers measure the server and not Nagle's algorithm.

    python -m tests.benchmarks.serve PORT WORKERS
"""

from __future__ import annotations

import socket
import sys

import uvicorn
from uvicorn.supervisors import Multiprocess


def main(port: int, workers: int) -> None:
    config = uvicorn.Config(
        "tests.benchmarks.server:create",
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.set_inheritable(True)
    server = uvicorn.Server(config)
    if workers == 1:
        server.run(sockets=[sock])
    else:
        Multiprocess(config, sockets=[sock]).run()


if __name__ == "__main__":
    try:
        main(int(sys.argv[1]), int(sys.argv[2]))
    except KeyboardInterrupt:  # how the benchmark stops it
        pass
