// Python's multiprocessing: processes, pools, pipes, queues, shared memory.
#pragma once

#include "concur/multiprocessing/async_result.hpp"  // IWYU pragma: export
#include "concur/multiprocessing/barrier.hpp"       // IWYU pragma: export
#include "concur/multiprocessing/connection.hpp"    // IWYU pragma: export
#include "concur/multiprocessing/context.hpp"       // IWYU pragma: export
#include "concur/multiprocessing/exceptions.hpp"    // IWYU pragma: export
#include "concur/multiprocessing/pool.hpp"          // IWYU pragma: export
#include "concur/multiprocessing/process.hpp"       // IWYU pragma: export
#include "concur/multiprocessing/queues.hpp"        // IWYU pragma: export
#include "concur/multiprocessing/reduction.hpp"     // IWYU pragma: export
#include "concur/multiprocessing/shared_memory.hpp" // IWYU pragma: export
#include "concur/multiprocessing/sharedctypes.hpp"  // IWYU pragma: export
#include "concur/multiprocessing/synchronize.hpp"   // IWYU pragma: export
