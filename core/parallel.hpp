// parallel_for: splits [0, count) into contiguous chunks over `threads` std::threads.
// Small and dependency-free; used by the trace and pooling (the fast path has its own pool).
#pragma once

#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

namespace cs {

inline int resolve_threads(int threads) {
  if (threads > 0) return threads;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

// fn(begin, end) runs on each chunk; the calling thread takes the first chunk.
template <class Fn>
void parallel_for(int64_t count, int threads, Fn&& fn) {
  const int64_t t = std::min<int64_t>(std::max(1, threads), count);
  if (t <= 1) {
    if (count > 0) fn(int64_t{0}, count);
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(t - 1));
  const int64_t chunk = (count + t - 1) / t;
  for (int64_t i = 1; i < t; ++i) {
    const int64_t b = i * chunk, e = std::min(count, b + chunk);
    if (b < e) pool.emplace_back([&fn, b, e] { fn(b, e); });
  }
  fn(int64_t{0}, std::min(count, chunk));
  for (auto& th : pool)
    th.join();
}

}  // namespace cs
