// concur::futures: Python's concurrent.futures.
#pragma once

#include "concur/futures/as_completed.hpp"
#include "concur/futures/exceptions.hpp"
#include "concur/futures/executor.hpp"
#include "concur/futures/future.hpp"
#include "concur/futures/map_results.hpp"
#include "concur/futures/thread_pool_executor.hpp"
#include "concur/futures/wait.hpp"
