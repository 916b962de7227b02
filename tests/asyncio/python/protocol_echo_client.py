"""A Python asyncio.Protocol client for concur's interop tests (tests/asyncio/test_interop.cpp).

    python3 protocol_echo_client.py PORT

Connects to 127.0.0.1:PORT with loop.create_connection, writes a greeting and a 1 MiB
payload from connection_made(), collects what data_received() gets until all of it is back,
closes, checks every byte and prints "OK" (exit status 0); otherwise a message on stderr and
exit status 1. Every wait is bounded by a timeout.
"""
import asyncio
import sys

MESSAGE = b"Hello World!\n" + bytes((i * 13 + i // 253) % 256 for i in range(1 << 20))
TIMEOUT = 20


class EchoClientProtocol(asyncio.Protocol):
    def __init__(self, on_con_lost):
        self.on_con_lost = on_con_lost
        self.received = bytearray()
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        transport.write(MESSAGE[:13])
        transport.write(MESSAGE[13:])

    def data_received(self, data):
        self.received += data
        if len(self.received) >= len(MESSAGE):
            self.transport.close()

    def connection_lost(self, exc):
        if not self.on_con_lost.done():
            self.on_con_lost.set_result(exc)


async def main(port):
    loop = asyncio.get_running_loop()
    on_con_lost = loop.create_future()
    transport, protocol = await asyncio.wait_for(
        loop.create_connection(lambda: EchoClientProtocol(on_con_lost), "127.0.0.1", port),
        TIMEOUT)
    try:
        exc = await asyncio.wait_for(on_con_lost, TIMEOUT)
    finally:
        transport.close()
    if exc is not None:
        raise exc
    if bytes(protocol.received) != MESSAGE:
        raise AssertionError(f"received {len(protocol.received)} bytes that differ from the "
                             f"{len(MESSAGE)} sent")
    print("OK", flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    try:
        asyncio.run(main(int(sys.argv[1])))
    except Exception as e:  # the test shows this output when it fails
        print(f"protocol_echo_client.py: {type(e).__name__}: {e!r}", file=sys.stderr)
        sys.exit(1)
