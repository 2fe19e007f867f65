#include "common/completion_batch.h"

#include <algorithm>

namespace tracklake {

namespace {
thread_local CompletionBatch* current_batch = nullptr;
}  // namespace

CompletionBatch::CompletionBatch() : outer_(current_batch) { current_batch = this; }

CompletionBatch::~CompletionBatch() {
  // Restored first: a flush that completes more work hands it off directly, not to this batch.
  current_batch = outer_;
  for (size_t i = 0; i < first_count_; ++i) first_[i].first(first_[i].second);
  for (const auto& [flush, arg] : more_) flush(arg);
}

CompletionBatch* CompletionBatch::Current() { return current_batch; }

void CompletionBatch::AtEnd(Flush flush, void* arg) {
  const Entry entry{flush, arg};
  const auto first_end = first_.begin() + static_cast<std::ptrdiff_t>(first_count_);
  if (std::find(first_.begin(), first_end, entry) != first_end) return;
  if (first_count_ < first_.size()) {
    first_[first_count_++] = entry;
  } else if (std::find(more_.begin(), more_.end(), entry) == more_.end()) {
    more_.push_back(entry);
  }
}

}  // namespace tracklake
