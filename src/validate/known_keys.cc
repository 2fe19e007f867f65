#include "validate/known_keys.h"

namespace tracklake {

void KnownKeys::UseRules(size_t max_key_bytes) {
  if (max_key_bytes == max_key_bytes_) return;
  sequences_.clear();
  latest_ = nullptr;
  max_key_bytes_ = max_key_bytes;
}

const KnownKeys::Sequence* KnownKeys::Find(std::string_view event_type) const {
  return FindIn(*this, event_type);
}

void KnownKeys::Touch(const Sequence& seq) {
  Sequence& s = sequences_[static_cast<size_t>(&seq - sequences_.data())];
  s.last_used_ = ++clock_;
  latest_ = &s;
}

KnownKeys::Sequence& KnownKeys::SlotFor(std::string_view event_type) {
  if (Sequence* found = FindIn(*this, event_type)) return *found;
  if (sequences_.capacity() == 0) sequences_.reserve(kMaxSequences);  // slots never move
  if (sequences_.size() < kMaxSequences) {
    sequences_.emplace_back().event_type_ = event_type;
    return sequences_.back();
  }
  Sequence* oldest = &sequences_.front();
  for (Sequence& s : sequences_) {
    if (s.last_used_ < oldest->last_used_) oldest = &s;
  }
  oldest->event_type_ = event_type;
  return *oldest;
}

}  // namespace tracklake
