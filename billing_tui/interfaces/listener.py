"""`billing-tui hl7-listen`: HL7 v2 over MLLP (TCP), each message imported as it arrives and
answered with its ACK on the same connection.

python-hl7's asyncio server reads the MLLP blocks; the store works on one thread of its
own (a database connection belongs to the thread that opened it), so messages from all
connections are imported one at a time, in the order they arrive, while the event loop
goes on reading. A message the store cannot take (the database gone away, say) is
answered AE with "send it again": the sender keeps it and nothing is lost.
"""

from __future__ import annotations

import asyncio
import itertools
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import hl7.mllp

from .hl7 import bare_ack, reject

BLOCK_LIMIT = 4 * 1024 * 1024  # one message; a DFT of 50 charges is a few kilobytes


def serve(store, host: str, port: int, *, ready: Callable[[int], None] | None = None) -> None:
    """Listen until SIGINT or SIGTERM; ready(port) is called once the socket is bound."""
    asyncio.run(_serve(store, host, port, ready))


async def _serve(store, host: str, port: int, ready) -> None:
    loop = asyncio.get_running_loop()
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hl7-store")
    numbers = itertools.count(1)

    def take(block: bytes, source: str, cut_short: bool = False) -> str:
        position = next(numbers)
        try:
            receipt = store.inbound.receive(
                block, source=source, position=position, truncated=cut_short
            )
        except Exception as problem:  # noqa: BLE001 - the sender must hear back, always
            from ..logs import logger

            logger.error("hl7-listen message %d failed: %s", position, type(problem).__name__)
            text = "the billing database could not take the message now; send it again"
            print(f"billing-tui: message #{position}: {text} ({type(problem).__name__})",
                  file=sys.stderr, flush=True)  # fmt: skip
            return bare_ack("AE", text, reject("", text, "207"))
        label = " ".join(p for p in (receipt.message_type, receipt.control_id) if p) or "message"
        stream = sys.stdout if receipt.ok else sys.stderr
        print(f"{source} #{position} {label}: {receipt.code} {receipt.detail}",
              file=stream, flush=True)  # fmt: skip
        return receipt.ack

    async def client(reader, writer) -> None:
        peer = writer.get_extra_info("peername") or ("?", 0)
        source = f"mllp {peer[0]}:{peer[1]}"
        try:
            while True:
                try:
                    block = await reader.readblock()
                except asyncio.IncompleteReadError as cut:
                    if cut.partial.strip(b"\x0b\x1c\r\n "):
                        # The peer hung up mid-message: nobody to answer, but a person
                        # should know it came.
                        await loop.run_in_executor(
                            worker, take, cut.partial.lstrip(b"\x0b"), source, True
                        )
                    return
                except hl7.mllp.InvalidBlockError:
                    text = "not MLLP: a message must start with \\x0b and end with \\x1c\\r"
                    writer.writeblock(bare_ack("AR", text, reject("", text)).encode())
                    await writer.drain()
                    continue
                except ValueError:
                    text = f"a message over {BLOCK_LIMIT // 1024 // 1024} MB"
                    writer.writeblock(bare_ack("AR", text, reject("", text)).encode())
                    await writer.drain()
                    continue
                ack = await loop.run_in_executor(worker, take, block, source)
                writer.writeblock(ack.encode())
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            return
        finally:
            writer.close()

    server = await hl7.mllp.start_hl7_server(client, host, port, limit=BLOCK_LIMIT)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    bound = server.sockets[0].getsockname()[1]
    print(f"Listening for HL7 v2 (MLLP) on {host}:{bound}; Ctrl+C to stop", flush=True)
    if ready is not None:
        ready(bound)
    try:
        await stop.wait()
    finally:
        server.close()
        await server.wait_closed()
        worker.shutdown(wait=True)
