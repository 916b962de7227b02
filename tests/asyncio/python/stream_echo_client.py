"""A Python asyncio stream client for concur's interop tests (tests/asyncio/test_interop.cpp).

    python3 stream_echo_client.py PORT

Connects to 127.0.0.1:PORT with asyncio.open_connection, sends a few lines and reads each
echo with readline(), then sends a 1 MiB payload while reading it back with readexactly(),
checks every byte, closes, and prints "OK" (exit status 0). Any mismatch or error: a message
on stderr and exit status 1. Every wait is bounded by a timeout.
"""
import asyncio
import sys

LINES = [b"hello\n", b"from python asyncio\n", b"\n", b"x" * 1000 + b"\n",
         "h\u00e9llo w\u00f6rld\n".encode()]
PAYLOAD = bytes((i * 7 + i // 251) % 256 for i in range(1 << 20))
TIMEOUT = 20


async def main(port):
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), TIMEOUT)
    for line in LINES:
        writer.write(line)
        await writer.drain()
        echoed = await asyncio.wait_for(reader.readline(), TIMEOUT)
        if echoed != line:
            raise AssertionError(f"line {line[:40]!r} came back as {echoed[:40]!r}")
    # Read while writing: the server echoes as it reads, so neither side's buffers fill up.
    echo = asyncio.create_task(reader.readexactly(len(PAYLOAD)))
    writer.write(PAYLOAD)
    await asyncio.wait_for(writer.drain(), TIMEOUT)
    echoed = await asyncio.wait_for(echo, TIMEOUT)
    if echoed != PAYLOAD:
        first = next(i for i, (a, b) in enumerate(zip(echoed, PAYLOAD)) if a != b)
        raise AssertionError(f"the payload differs from byte {first} on")
    writer.close()
    await asyncio.wait_for(writer.wait_closed(), TIMEOUT)
    print("OK", flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    try:
        asyncio.run(main(int(sys.argv[1])))
    except Exception as e:  # the test shows this output when it fails
        print(f"stream_echo_client.py: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
