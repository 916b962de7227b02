// What a loop closes for its owners: transports, servers, signal handlers and child watchers
// register here, so that closing the loop releases their descriptors even if nobody closed
// them first (Python leaves them to the garbage collector with a ResourceWarning).
#pragma once

namespace concur::asyncio::detail {

/// An object bound to a loop that must let go of its resources when the loop closes. Linked
/// into the loop's list while registered; loop thread only.
class LoopResource {
public:
    /// The loop is closing: release descriptors and watches; call no user code.
    virtual void loop_closing() noexcept = 0;

protected:
    LoopResource() = default;
    LoopResource(const LoopResource&) = delete;
    LoopResource& operator=(const LoopResource&) = delete;
    ~LoopResource() = default;

private:
    friend class ResourceList;
    LoopResource* prev_resource_ = nullptr;
    LoopResource* next_resource_ = nullptr;
    bool linked_ = false;
};

/// The loop's registered resources: O(1) link and unlink.
class ResourceList {
public:
    void link(LoopResource* r) noexcept {
        if (r->linked_) {
            return;
        }
        r->linked_ = true;
        r->prev_resource_ = nullptr;
        r->next_resource_ = head_;
        if (head_ != nullptr) {
            head_->prev_resource_ = r;
        }
        head_ = r;
    }
    void unlink(LoopResource* r) noexcept {
        if (!r->linked_) {
            return;
        }
        r->linked_ = false;
        if (r->prev_resource_ != nullptr) {
            r->prev_resource_->next_resource_ = r->next_resource_;
        } else {
            head_ = r->next_resource_;
        }
        if (r->next_resource_ != nullptr) {
            r->next_resource_->prev_resource_ = r->prev_resource_;
        }
        r->prev_resource_ = r->next_resource_ = nullptr;
    }
    /// Tells each resource, newest first, that the loop closes; each is unlinked first, so it
    /// may free itself.
    void close_all() noexcept {
        while (LoopResource* r = head_) {
            unlink(r);
            r->loop_closing();
        }
    }

private:
    LoopResource* head_ = nullptr;
};

} // namespace concur::asyncio::detail
