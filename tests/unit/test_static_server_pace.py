"""The static server's paced files (devtools/static_server.Pace): what the first-visit tests
use to play a slow network and a dead one."""

from __future__ import annotations

import http.client
import threading
import urllib.request
from pathlib import Path

from devtools.static_server import Pace, StaticServer


def test_a_paced_file_arrives_whole_a_chunk_at_a_time(tmp_path: Path) -> None:
    data = bytes(range(256)) * 64  # 16 KB
    (tmp_path / "big.bin").write_bytes(data)
    pace = {"big.bin": Pace(rate=1_000_000, chunk=4096)}
    chunks = []
    with StaticServer(tmp_path, pace=pace) as server, \
            urllib.request.urlopen(server.url + "big.bin", timeout=10) as response:
        while chunk := response.read1(65536):
            chunks.append(chunk)
    assert b"".join(chunks) == data
    assert len(chunks) >= 4  # sent in pieces, not at once


def test_a_dead_connection_sends_part_and_then_nothing_until_the_server_stops(
    tmp_path: Path,
) -> None:
    (tmp_path / "big.bin").write_bytes(b"x" * 10_000)
    server = StaticServer(tmp_path, pace={"big.bin": Pace(rate=1_000_000, stop_after=3000,
                                                          chunk=1000)}).start()
    received = bytearray()
    done = threading.Event()

    def read() -> None:
        try:
            with urllib.request.urlopen(server.url + "big.bin", timeout=30) as response:
                while chunk := response.read1(65536):
                    received.extend(chunk)
                    if len(received) >= 3000:
                        done.set()
        except (OSError, http.client.HTTPException):
            pass  # the connection ends short of its Content-Length: expected
        finally:
            done.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert done.wait(10)
    assert bytes(received) == b"x" * 3000
    server.stop()  # ends the held connection at once
    reader.join(10)
    assert not reader.is_alive()
    assert bytes(received) == b"x" * 3000
