// concur::queue: Python's queue module.
#pragma once
