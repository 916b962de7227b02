// Protocols (Python's asyncio.protocols): the callbacks a transport calls as data arrives and
// the connection changes state, for code that wants the fastest path, without coroutines.
#pragma once

#include <cstddef>
#include <exception>
#include <span>
#include <string_view>

namespace concur::asyncio {

class Transport;

/// What every protocol receives (Python's asyncio.BaseProtocol). The default implementations
/// do nothing.
class BaseProtocol {
public:
    virtual ~BaseProtocol() = default;
    /// The connection is made. `transport` stays valid until connection_lost() returns (or
    /// longer, for whoever holds it with shared_from_this()).
    virtual void connection_made(Transport& transport) { (void)transport; }
    /// The connection is lost or closed: `exc` is null on a regular close or end of stream,
    /// the error otherwise. Called once, last.
    virtual void connection_lost(std::exception_ptr exc) { (void)exc; }
    /// The transport's write buffer went over its high-water mark.
    virtual void pause_writing() {}
    /// The transport's write buffer drained to its low-water mark.
    virtual void resume_writing() {}

protected:
    BaseProtocol() = default;
    BaseProtocol(const BaseProtocol&) = default;
    BaseProtocol& operator=(const BaseProtocol&) = default;
};

/// A streaming protocol (Python's asyncio.Protocol).
class Protocol : public BaseProtocol {
public:
    /// Some data arrived; `data` is valid only during the call.
    virtual void data_received(std::string_view data) { (void)data; }
    /// The peer sent end of stream. Return true to keep the transport open for writing (half
    /// close), false to close it (the default).
    virtual bool eof_received() { return false; }
};

/// A streaming protocol that hands the transport its own buffer to receive into, sparing a
/// copy (Python's asyncio.BufferedProtocol).
class BufferedProtocol : public BaseProtocol {
public:
    /// A buffer to receive into, ideally at least `sizehint` bytes; must not be empty.
    virtual std::span<char> get_buffer(std::size_t sizehint) = 0;
    /// `nbytes` bytes were written at the start of the last buffer get_buffer() returned.
    virtual void buffer_updated(std::size_t nbytes) = 0;
    /// As Protocol::eof_received().
    virtual bool eof_received() { return false; }
};

} // namespace concur::asyncio
