// The exceptions of concurrent.futures, under the names Python gives them there.
#pragma once

#include "concur/core/exceptions.hpp"

namespace concur::futures {

/// The future was cancelled: concur's one CancelledError (a BaseException, as asyncio's).
using concur::CancelledError;
/// A wait ran out of time (concurrent.futures.TimeoutError is the built-in TimeoutError).
using concur::TimeoutError;
/// An operation not allowed in the future's state, such as a second set_result.
using concur::InvalidStateError;
/// The executor cannot run work any more.
using concur::BrokenExecutor;

/// A ThreadPoolExecutor whose worker initializer failed: pending and new work fail with this
/// (Python's concurrent.futures.thread.BrokenThreadPool).
class BrokenThreadPool : public BrokenExecutor {
public:
    using BrokenExecutor::BrokenExecutor;
};

} // namespace concur::futures
