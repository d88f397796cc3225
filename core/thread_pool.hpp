// A small persistent pool of worker threads for the CPU fast path, so a convolution that runs every
// frame (while the user drags a weight) does not create threads per call.
// Internal to core; depends on nothing but the standard library.
#pragma once

#include <cstdint>
#include <functional>

namespace cs::detail {

// Runs body(task) for every task in [0, count) on at most `threads` threads, the calling thread
// being one of them, and returns when all tasks have finished. Tasks are handed out one at a time
// in increasing order. Calls from several threads are served one after another; a call made from
// inside a task runs its tasks serially on that thread. `body` must not throw.
void run_tasks(int64_t count, int threads, const std::function<void(int64_t)>& body);

// Worker threads currently alive (for tests: they are created on first use and then reused).
int pool_worker_count();

}  // namespace cs::detail
