// concur::queue: Python's queue module.
#pragma once

#include "concur/queue/exceptions.hpp"
#include "concur/queue/lifo_queue.hpp"
#include "concur/queue/priority_queue.hpp"
#include "concur/queue/queue.hpp"
#include "concur/queue/simple_queue.hpp"
