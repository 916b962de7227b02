// The bookkeeping behind threading::local: keys, per-thread tables, and who destroys a value
// when a thread exits while a local is being destroyed.
//
// Every change of ownership happens under one mutex: a value is unlinked from its local's list
// and from its thread's table together, and whoever unlinks it destroys it, outside the mutex
// (a destructor may use other locals). A local's destructor also waits for the values an
// exiting thread has unlinked but not yet destroyed, so that once it returns, all are gone.
#include "concur/threading/local.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <new>
#include <pthread.h>
#include <utility>
#include <vector>

namespace concur::threading::detail {

thread_local constinit LocalTable local_table;

struct LocalRegistry {
    std::mutex mutex;
    std::condition_variable drained; // some local's pending_ fell to zero
    std::vector<std::size_t> free_keys;
    std::size_t next_key = 0;
    pthread_key_t exit_key{};

    LocalRegistry() {
        // A key destructor runs at thread exit after every C++ thread_local destructor, so
        // values are still reachable from those; it runs again if they made new values.
        if (pthread_key_create(&exit_key, &LocalRegistry::thread_exit) != 0) {
            std::fputs("concur: pthread_key_create failed for threading::local\n", stderr);
            std::abort();
        }
    }

    // Never destroyed: threads may exit while static destructors run.
    static LocalRegistry& get() {
        static auto* instance = new LocalRegistry();
        return *instance;
    }

    static void unlink(LocalEntry* entry) noexcept {
        LocalBase& owner = *entry->owner;
        (entry->prev != nullptr ? entry->prev->next : owner.head_) = entry->next;
        if (entry->next != nullptr) {
            entry->next->prev = entry->prev;
        }
        entry->prev = entry->next = nullptr;
    }

    // Destroys the exiting thread's values one at a time, so that a value's destructor may
    // itself destroy a local (whose destructor must not wait for a value this thread holds).
    static void thread_exit(void* /*table*/) {
        LocalRegistry& r = get();
        LocalTable& table = local_table;
        for (;;) {
            LocalEntry* entry = nullptr;
            {
                std::scoped_lock lock(r.mutex);
                for (std::size_t i = 0; i < table.size && entry == nullptr; ++i) {
                    entry = table.slots[i].load(std::memory_order_relaxed);
                    if (entry != nullptr) {
                        table.slots[i].store(nullptr, std::memory_order_relaxed);
                        unlink(entry);
                        ++entry->owner->pending_;
                    }
                }
                if (entry == nullptr) {
                    delete[] table.slots;
                    table = LocalTable{};
                    return;
                }
            }
            LocalBase* owner = entry->owner;
            delete entry;
            std::scoped_lock lock(r.mutex);
            if (--owner->pending_ == 0) {
                r.drained.notify_all();
            }
        }
    }
};

LocalBase::LocalBase()
    : key_([] {
          LocalRegistry& r = LocalRegistry::get();
          std::scoped_lock lock(r.mutex);
          if (r.free_keys.empty()) {
              return r.next_key++;
          }
          const std::size_t key = r.free_keys.back();
          r.free_keys.pop_back();
          return key;
      }()) {}

LocalBase::~LocalBase() {
    LocalRegistry& r = LocalRegistry::get();
    LocalEntry* doomed = nullptr;
    {
        std::unique_lock lock(r.mutex);
        for (LocalEntry* entry = head_; entry != nullptr; entry = entry->next) {
            entry->table->slots[key_].store(nullptr, std::memory_order_relaxed);
        }
        doomed = std::exchange(head_, nullptr);
        // Free slots are reused, so a table never grows past the number of live locals. If
        // recording the key fails for lack of memory, the key is leaked, which is harmless.
        try {
            r.free_keys.push_back(key_);
        } catch (...) { // NOLINT(bugprone-empty-catch)
        }
        r.drained.wait(lock, [this] { return pending_ == 0; });
    }
    while (doomed != nullptr) {
        delete std::exchange(doomed, doomed->next);
    }
}

LocalEntry* LocalBase::attach(LocalEntry* entry) {
    LocalRegistry& r = LocalRegistry::get();
    std::unique_lock lock(r.mutex);
    LocalTable& table = local_table;
    LocalEntry* existing = nullptr;
    try {
        if (key_ >= table.size) {
            // Grow by doubling; the old slots move over under the mutex, so a local's
            // destructor never writes into a table being replaced.
            const std::size_t size = std::max<std::size_t>({key_ + 1, 2 * table.size, 8});
            auto* slots = new std::atomic<LocalEntry*>[size]();
            for (std::size_t i = 0; i < table.size; ++i) {
                slots[i].store(table.slots[i].load(std::memory_order_relaxed),
                               std::memory_order_relaxed);
            }
            delete[] table.slots;
            table.slots = slots;
            table.size = size;
        }
        existing = table.slots[key_].load(std::memory_order_relaxed);
        if (existing == nullptr && !table.registered) {
            if (pthread_setspecific(r.exit_key, &table) != 0) {
                throw std::bad_alloc();
            }
            table.registered = true;
        }
    } catch (...) {
        lock.unlock();
        delete entry;
        throw;
    }
    if (existing != nullptr) {
        lock.unlock();
        delete entry;
        return existing;
    }
    entry->owner = this;
    entry->table = &table;
    entry->next = head_;
    if (head_ != nullptr) {
        head_->prev = entry;
    }
    head_ = entry;
    table.slots[key_].store(entry, std::memory_order_relaxed);
    return entry;
}

void release_thread_locals() noexcept {
    LocalRegistry::thread_exit(nullptr);
}

} // namespace concur::threading::detail
