// resolve_threads: what ExecOptions::threads = 0 ("all hardware threads") means here.
// The work itself runs on the persistent pool in thread_pool.hpp.
#pragma once

#include <thread>

namespace cs {

inline int resolve_threads(int threads) {
  if (threads > 0) return threads;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

}  // namespace cs
