// Python's multiprocessing: processes, pools, pipes, queues, shared memory.
#pragma once

#include "concur/multiprocessing/async_result.hpp" // IWYU pragma: export
#include "concur/multiprocessing/context.hpp"      // IWYU pragma: export
#include "concur/multiprocessing/exceptions.hpp"   // IWYU pragma: export
#include "concur/multiprocessing/pool.hpp"         // IWYU pragma: export
#include "concur/multiprocessing/process.hpp"      // IWYU pragma: export
#include "concur/multiprocessing/reduction.hpp"    // IWYU pragma: export
