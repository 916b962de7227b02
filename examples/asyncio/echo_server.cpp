// The asyncio docs' TCP echo server using streams: each client's first message (up to 100
// bytes) is printed and sent back, then the connection is closed. Serves until interrupted;
// `echo_server [PORT] [--once]`: the port is 8888 unless given (0: a free one), and --once
// stops after the first client (for the example's test, examples/asyncio/echo_pair.sh).
//
//   import asyncio
//
//   async def handle_echo(reader, writer):
//       data = await reader.read(100)
//       message = data.decode()
//       addr = writer.get_extra_info('peername')
//
//       print(f"Received {message!r} from {addr!r}")
//
//       print(f"Send: {message!r}")
//       writer.write(data)
//       await writer.drain()
//
//       print("Close the connection")
//       writer.close()
//       await writer.wait_closed()
//
//   async def main():
//       server = await asyncio.start_server(
//           handle_echo, '127.0.0.1', 8888)
//
//       addrs = ', '.join(str(sock.getsockname()) for sock in server.sockets)
//       print(f'Serving on {addrs}')
//
//       async with server:
//           await server.serve_forever()
//
//   asyncio.run(main())
#include <concur/asyncio.hpp>

#include <any>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace asyncio = concur::asyncio;

/// Python's repr of an address: ('127.0.0.1', 8888).
std::string repr(const asyncio::SocketAddress& addr) {
    return "('" + addr.host + "', " + std::to_string(addr.port) + ")";
}

asyncio::Server* stop_after_first_client = nullptr; // set by --once

asyncio::Coroutine<> handle_echo(asyncio::StreamReader reader, asyncio::StreamWriter writer) {
    std::string data = co_await reader.read(100);
    const std::string& message = data;
    auto addr = std::any_cast<asyncio::SocketAddress>(writer.get_extra_info("peername"));

    std::printf("Received '%s' from %s\n", message.c_str(), repr(addr).c_str());

    std::printf("Send: '%s'\n", message.c_str());
    writer.write(data);
    co_await writer.drain();

    std::printf("Close the connection\n");
    writer.close();
    co_await writer.wait_closed();

    if (stop_after_first_client != nullptr) {
        stop_after_first_client->close(); // serve_forever() returns
    }
}

asyncio::Coroutine<> serve(int port, bool once) {
    asyncio::Server server = co_await asyncio::start_server(handle_echo, "127.0.0.1", port);

    std::string addrs;
    for (const asyncio::SocketAddress& addr : server.addresses()) {
        addrs += (addrs.empty() ? "" : ", ") + repr(addr);
    }
    std::printf("Serving on %s\n", addrs.c_str());
    std::fflush(stdout); // a client may be waiting for this line

    if (once) {
        stop_after_first_client = &server;
    }
    co_await server.serve_forever(); // `async with server`: the last handle closes it
}

int main(int argc, char** argv) {
    int port = 8888;
    bool once = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--once") == 0) {
            once = true;
        } else {
            port = std::atoi(argv[i]);
        }
    }
    try {
        asyncio::run(serve(port, once));
    } catch (const concur::KeyboardInterrupt&) {
        return 130; // Ctrl-C ends serve_forever(), as in Python (which prints a traceback too)
    }
}
