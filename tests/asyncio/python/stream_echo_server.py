"""A Python asyncio stream echo server for concur's interop tests (tests/asyncio/test_interop.cpp).

    python3 stream_echo_server.py

Serves 127.0.0.1 on a free port with asyncio.start_server, prints the port on its first
line of stdout, and echoes whatever each connection sends (read(65536), write, drain) until
the connection ends. Exits when its stdin closes (or when it is killed).
"""
import asyncio
import sys


async def handle_echo(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle_echo, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    # Serve until stdin ends: the test closes its end to stop us.
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    while await stdin.read(4096):
        pass
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
