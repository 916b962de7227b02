// concur::futures: Python's concurrent.futures.
#pragma once
