#include "concur/multiprocessing/detail/shm_ring.hpp"

#include <algorithm>
#include <cstring>

namespace concur::multiprocessing::detail {

void Bell::ring() noexcept {
    // A read-modify-write, not a load: either it comes after a sleeper's increment and sees
    // it, or the sleeper's increment reads from it and so sees what we published before.
    if (sleepers.fetch_add(0, std::memory_order_seq_cst) != 0) {
        seq.fetch_add(1, std::memory_order_release);
        futex::wake_all(seq, /*shared=*/true);
    }
}

bool RingEnd::write(const char* p, std::size_t n) {
    Ring& r = *ring;
    std::uint64_t tail = r.tail.load(std::memory_order_relaxed);
    while (n > 0) {
        std::uint64_t head = r.head.load(std::memory_order_acquire);
        if (tail - head == kRingCapacity) {
            data_bell->ring(); // what is there already must be read before more fits
            // A full ring means a busy consumer: sleep (no spin) until a quarter is free.
            const std::uint64_t wanted = std::min<std::uint64_t>(n, kRingCapacity / 4);
            r.space_wanted.store(wanted, std::memory_order_relaxed);
            const bool ok = wait_on(
                r.space,
                [&] {
                    head = r.head.load(std::memory_order_acquire);
                    return kRingCapacity - (tail - head) >= wanted;
                },
                alive, context, 0);
            if (!ok) {
                return false;
            }
        }
        const std::size_t free = kRingCapacity - static_cast<std::size_t>(tail - head);
        const std::size_t at = static_cast<std::size_t>(tail & (kRingCapacity - 1));
        const std::size_t chunk = std::min({n, free, kRingCapacity - at});
        std::memcpy(r.data + at, p, chunk);
        p += chunk;
        n -= chunk;
        tail += chunk;
        // release: the bytes are visible before the consumer sees the new tail.
        r.tail.store(tail, std::memory_order_release);
    }
    return true;
}

bool RingEnd::read(char* p, std::size_t n, const Deadline& deadline) {
    Ring& r = *ring;
    std::uint64_t head = r.head.load(std::memory_order_relaxed);
    while (n > 0) {
        std::uint64_t tail = r.tail.load(std::memory_order_acquire);
        if (tail == head) {
            const bool ok = wait_on(
                *data_bell,
                [&] {
                    tail = r.tail.load(std::memory_order_acquire);
                    return tail != head;
                },
                alive, context, spin, deadline);
            if (!ok) {
                return false;
            }
        }
        const std::size_t at = static_cast<std::size_t>(head & (kRingCapacity - 1));
        const std::size_t chunk =
            std::min({n, static_cast<std::size_t>(tail - head), kRingCapacity - at});
        std::memcpy(p, r.data + at, chunk);
        p += chunk;
        n -= chunk;
        head += chunk;
        // release: we are done with the bytes before the producer may overwrite them.
        r.head.store(head, std::memory_order_release);
        if (kRingCapacity - (r.tail.load(std::memory_order_relaxed) - head) >=
            r.space_wanted.load(std::memory_order_relaxed)) {
            r.space.ring();
        }
    }
    return true;
}

bool RingEnd::write_frame(std::string_view payload, bool wake) {
    const auto size = static_cast<std::uint32_t>(payload.size());
    char header[4];
    std::memcpy(header, &size, 4);
    if (!write(header, 4) || !write(payload.data(), payload.size())) {
        return false;
    }
    if (wake) {
        data_bell->ring();
    }
    return true;
}

bool RingEnd::read_frame(std::string& out, const Deadline& deadline) {
    char header[4];
    if (!read(header, 4, deadline)) {
        return false;
    }
    std::uint32_t size = 0;
    std::memcpy(&size, header, 4);
    out.resize(size);
    return read(out.data(), size, Deadline{});
}

} // namespace concur::multiprocessing::detail
