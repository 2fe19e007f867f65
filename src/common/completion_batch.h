// Hand-offs to other threads once per batch of completions instead of once per completion.
//
// The log writer runs the completions of a whole group commit in a row (tens of them at high
// rates). Each one that answered its request by waking the server thread at once cost a queue
// push under the server's lock, a wake-up, and often a preemption of the writer by the woken
// thread halfway through the group. A thread that runs completions in a row opens a
// CompletionBatch around them; a completion that would hand work to another thread queues it
// where that thread will take it and registers a flush (the wake-up) instead, and each distinct
// flush runs once, when the batch ends.
//
// Thread-safety: a batch belongs to the thread that made it; Current() is per thread.
#pragma once

#include <array>
#include <cstddef>
#include <utility>
#include <vector>

namespace tracklake {

class CompletionBatch {
 public:
  using Flush = void (*)(void* arg);

  // Becomes the calling thread's current batch (an enclosing one is current again after it).
  CompletionBatch();
  // Runs the registered flushes, each once, in the order they were first registered.
  ~CompletionBatch();
  CompletionBatch(const CompletionBatch&) = delete;
  CompletionBatch& operator=(const CompletionBatch&) = delete;

  // The calling thread's innermost open batch, or nullptr when it has none.
  static CompletionBatch* Current();

  // Runs flush(arg) when the batch ends; the same pair registered again runs only once.
  void AtEnd(Flush flush, void* arg);

 private:
  using Entry = std::pair<Flush, void*>;
  CompletionBatch* outer_;
  // A batch sees one distinct flush per server: kept inline, so that a group commit of one
  // request (light traffic) costs no allocation for it.
  std::array<Entry, 4> first_{};
  size_t first_count_ = 0;
  std::vector<Entry> more_;
};

}  // namespace tracklake
