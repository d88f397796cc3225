// The fast path's persistent worker threads: created on first use, reused by every later call,
// joined at program exit. Workers spin briefly after a job before sleeping, because the app and
// the benchmarks call back to back and a condition-variable wake-up costs tens of microseconds.
// Depends on nothing but the standard library.
#include "core/thread_pool.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace cs::detail {
namespace {

thread_local bool t_inside_task = false;

// How long an idle thread polls before it sleeps on a condition variable.
constexpr auto kSpinTime = std::chrono::microseconds(200);

// Polls `done` for up to kSpinTime. It never yields: on a busy machine sched_yield hands the core
// to another process for a whole time slice (milliseconds), far longer than a job; after
// kSpinTime the caller blocks on a condition variable instead. Returns whether `done` became true.
template <class Pred>
bool spin_until(Pred done) {
  const auto deadline = std::chrono::steady_clock::now() + kSpinTime;
  for (unsigned i = 1;; ++i) {
    if (done()) return true;
    if (i % 64 == 0 && std::chrono::steady_clock::now() >= deadline) return false;
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#endif
  }
}

class ThreadPool {
 public:
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_stop = true;
      m_generation.fetch_add(1);
    }
    m_wake.notify_all();
    for (std::thread& t : m_workers) {
      t.join();
    }
  }

  int worker_count() {
    std::lock_guard<std::mutex> call(m_call);
    return static_cast<int>(m_workers.size());
  }

  void run(int64_t count, int threads, const std::function<void(int64_t)>& body) {
    std::lock_guard<std::mutex> call(m_call);  // one job at a time
    const int helpers = static_cast<int>(std::min<int64_t>(threads, count)) - 1;
    while (static_cast<int>(m_workers.size()) < helpers) {
      const int index = static_cast<int>(m_workers.size());
      m_workers.emplace_back([this, index] { worker_loop(index); });
    }
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_body = &body;
      m_count = count;
      m_next.store(0);
      m_helpers = helpers;
      m_active.store(helpers);
      m_generation.fetch_add(1);
    }
    m_wake.notify_all();
    drain();
    // Wait for the helpers: spin first (they usually finish within microseconds of us).
    if (!spin_until([this] { return m_active.load() == 0; })) {
      std::unique_lock<std::mutex> lock(m_mutex);
      m_done.wait(lock, [this] { return m_active.load() == 0; });
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    m_body = nullptr;
  }

 private:
  void drain() {
    t_inside_task = true;
    for (int64_t task = m_next.fetch_add(1); task < m_count; task = m_next.fetch_add(1)) {
      (*m_body)(task);
    }
    t_inside_task = false;
  }

  void worker_loop(int index) {
    uint64_t seen = 0;
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      seen = m_generation.load();
      // A worker created for the job being published right now joins it.
      if (m_body != nullptr && index < m_helpers) --seen;
    }
    for (;;) {
      spin_until([&] { return m_generation.load() != seen; });
      bool join = false;
      {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_wake.wait(lock, [&] { return m_generation.load() != seen; });
        if (m_stop) return;
        seen = m_generation.load();
        join = index < m_helpers;
      }
      if (!join) continue;
      drain();
      if (m_active.fetch_sub(1) == 1) {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_done.notify_all();
      }
    }
  }

  std::mutex m_call;   // serializes run()
  std::mutex m_mutex;  // guards the job fields below and the condition variables
  std::condition_variable m_wake, m_done;
  std::vector<std::thread> m_workers;
  const std::function<void(int64_t)>* m_body = nullptr;
  int64_t m_count = 0;
  int m_helpers = 0;
  bool m_stop = false;
  std::atomic<int64_t> m_next{0};
  std::atomic<int> m_active{0};
  std::atomic<uint64_t> m_generation{0};
};

ThreadPool& pool() {
  static ThreadPool instance;
  return instance;
}

}  // namespace

void run_tasks(int64_t count, int threads, const std::function<void(int64_t)>& body) {
  if (count <= 0) return;
  if (threads <= 1 || count == 1 || t_inside_task) {
    for (int64_t task = 0; task < count; ++task)
      body(task);
    return;
  }
  pool().run(count, threads, body);
}

int pool_worker_count() {
  return pool().worker_count();
}

}  // namespace cs::detail
