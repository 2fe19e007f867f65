#include "validate/known_keys.h"

namespace tracklake {

void KnownKeys::UseRules(size_t max_key_bytes) {
  if (max_key_bytes == max_key_bytes_) return;
  sequences_.clear();
  latest_ = nullptr;
  max_key_bytes_ = max_key_bytes;
}

size_t KnownKeys::IndexOf(std::string_view event_type) const {
  size_t i = 0;
  while (i < sequences_.size() && sequences_[i].event_type_ != event_type) ++i;
  return i;
}

const KnownKeys::Sequence* KnownKeys::Find(std::string_view event_type) const {
  const size_t i = IndexOf(event_type);
  return i < sequences_.size() ? &sequences_[i] : nullptr;
}

void KnownKeys::Touch(const Sequence& seq) {
  Sequence& s = sequences_[static_cast<size_t>(&seq - sequences_.data())];
  s.last_used_ = ++clock_;
  latest_ = &s;
}

KnownKeys::Sequence& KnownKeys::SlotFor(std::string_view event_type) {
  if (const size_t i = IndexOf(event_type); i < sequences_.size()) return sequences_[i];
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
