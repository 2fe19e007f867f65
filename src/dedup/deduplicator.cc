#include "dedup/deduplicator.h"

#include <spdlog/spdlog.h>

#include <cstring>

namespace tracklake {
namespace {

constexpr int64_t kMillisPerSecond = 1000;
// Sizes of the 4-byte length that separates the app id from the event id in the hashed input.
constexpr int kLengthBytes = 4;
// Inputs up to this size are hashed from a stack copy: app ids are at most 64 bytes, event ids 128.
constexpr size_t kContiguousHashBytes = 256;

}  // namespace

Deduplicator::Deduplicator(const DedupOptions& options, std::unique_ptr<IdJournal> journal)
    : options_(options),
      key_(journal->key()),
      window_(options.window_s, options.max_ids),
      journal_(std::move(journal)) {}

Result<std::unique_ptr<Deduplicator>> Deduplicator::Open(const DedupOptions& options, int64_t now_ms) {
  JournalLoad load;
  Result<std::unique_ptr<IdJournal>> journal = IdJournal::Load(options.dir, now_ms / kMillisPerSecond,
                                                               options.window_s, load);
  if (!journal.ok()) return journal.status();
  std::unique_ptr<Deduplicator> d(new Deduplicator(options, std::move(journal).value()));
  {
    MutexLock lock(d->mu_);  // not shared yet: taken for the members' contract, uncontended
    // Sorted by second, so the window's marks ascend.
    for (const JournalEntry& e : load.entries) {
      if (!d->window_.Contains(e.hash)) d->window_.Insert(e.hash, e.second);
    }
  }
  load.entries.clear();
  load.entries.shrink_to_fit();
  d->loaded_ = std::move(load);
  return d;
}

uint64_t Deduplicator::Hash(std::string_view app_id, std::string_view event_id) const {
  // The app id's length first: ("ab", "c") and ("a", "bc") must differ.
  char length[kLengthBytes];
  for (int i = 0; i < kLengthBytes; ++i) length[i] = static_cast<char>(app_id.size() >> (8 * i));
  uint64_t hash;
  const size_t total = kLengthBytes + app_id.size() + event_id.size();
  if (total <= kContiguousHashBytes) {  // the usual case: one pass over a copy on the stack
    char input[kContiguousHashBytes];
    std::memcpy(input, length, kLengthBytes);
    std::memcpy(input + kLengthBytes, app_id.data(), app_id.size());
    std::memcpy(input + kLengthBytes + app_id.size(), event_id.data(), event_id.size());
    hash = SipHash13(key_, std::string_view(input, total));
  } else {
    SipHasher13 h(key_);
    h.Update(std::string_view(length, kLengthBytes));
    h.Update(app_id);
    h.Update(event_id);
    hash = h.Final();
  }
  return hash != 0 ? hash : 1;  // 0 marks an empty slot
}

void Deduplicator::Recovered(uint64_t hash, int64_t received_at_ms) {
  const int64_t second = received_at_ms / kMillisPerSecond;
  MutexLock lock(mu_);
  if (window_.Contains(hash)) return;  // journaled already (or twice in the log)
  window_.Insert(hash, second);
  unjournaled_.push_back({hash, second});
}

Status Deduplicator::Start(int64_t now_ms) {
  {
    MutexLock lock(journal_mu_);
    if (Status s = journal_->Start(now_ms / kMillisPerSecond); !s.ok()) return s;
  }
  return SyncJournal(now_ms);
}

Status Deduplicator::Claim(std::span<const uint64_t> hashes, int64_t received_at_ms, std::vector<bool>& duplicate,
                           DedupClaim& claim) {
  const int64_t second = received_at_ms / kMillisPerSecond;
  duplicate.assign(hashes.size(), false);
  claim.hashes.clear();
  MutexLock lock(mu_);
  window_.Expire(second);
  window_.Prefetch(hashes);
  claim.owner = next_owner_++;
  for (size_t i = 0; i < hashes.size(); ++i) {
    const uint64_t h = hashes[i];
    if (const Pending* p = pending_.Find(h)) {
      if (p->owner == claim.owner) {
        duplicate[i] = true;  // twice in this request
        continue;
      }
      // Another request's copy is not durable yet: neither a duplicate nor new. Take back what
      // this request claimed so far and let the client retry.
      for (uint64_t mine : claim.hashes) {
        window_.Forget(pending_.Find(mine)->position, mine);
        pending_.Erase(mine);
      }
      claim.hashes.clear();
      return Status::Unavailable("event " + std::to_string(i) +
                                 " repeats the event_id of an event still being written; retry");
    }
    if (window_.Contains(h)) {
      duplicate[i] = true;
      continue;
    }
    pending_.Insert(h, Pending{claim.owner, window_.Insert(h, second), second});
    claim.hashes.push_back(h);
  }
  return Status::Ok();
}

void Deduplicator::Resolve(const DedupClaim& claim, bool committed) {
  if (claim.hashes.empty()) return;
  MutexLock lock(mu_);
  for (uint64_t h : claim.hashes) {
    const Pending* p = pending_.Find(h);
    if (p == nullptr || p->owner != claim.owner) continue;
    if (committed) {
      unjournaled_.push_back({h, p->second});
    } else {
      window_.Forget(p->position, h);
    }
    pending_.Erase(h);
  }
}

Status Deduplicator::SyncJournal(int64_t now_ms) {
  MutexLock sync_lock(journal_mu_);
  std::vector<JournalEntry> entries;
  {
    MutexLock lock(mu_);
    entries.swap(unjournaled_);
  }
  Status s = journal_->Append(entries, now_ms / kMillisPerSecond);
  if (!s.ok()) {
    MutexLock lock(mu_);
    entries.insert(entries.end(), unjournaled_.begin(), unjournaled_.end());
    unjournaled_.swap(entries);
    return s;
  }
  journal_bytes_.store(journal_->disk_bytes(), std::memory_order_relaxed);
  return Status::Ok();
}

void Deduplicator::Close() {
  MutexLock sync_lock(journal_mu_);
  journal_->Close();
}

DedupStats Deduplicator::stats() const {
  DedupStats s;
  {
    MutexLock lock(mu_);
    s.ids = window_.size();
    s.memory_bytes = window_.MemoryBytes() + pending_.MemoryBytes() + unjournaled_.capacity() * sizeof(JournalEntry);
    s.evicted_early = window_.evicted_early();
  }
  s.journal_bytes = journal_bytes_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace tracklake
