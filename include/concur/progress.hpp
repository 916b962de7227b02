// concur::progress: a tqdm-style progress display (part of the core library).
#pragma once

#include "concur/progress/bar.hpp"
#include "concur/progress/tqdm.hpp"
