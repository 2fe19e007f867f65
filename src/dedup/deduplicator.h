// Idempotent retries: the collector drops an event whose (app_id, event_id) it already accepted
// within a window (dedup.window), so a client that resends a request after a lost answer, a
// timeout or a restart of the collector does not duplicate it. Only ids the client chose before
// its first attempt can make a retry idempotent; ids the server generates are never looked up.
//
// Keys are SipHash-1-3 of the app id and the event id under a random key of this log
// directory (dedup/KEY): clients can neither predict nor collide them. The ids live in an
// IdWindow in memory (19-31 bytes per id, at most max_ids) and in an IdJournal on disk; at
// start the window is rebuilt from the journal and from the log's event records.
//
// A request's ids are claimed at once, before its records go to the log, and resolved when the
// log's commit ends:
//   - an id accepted before (committed) is a duplicate: the event is dropped and answered as
//     accepted (the client's earlier attempt succeeded);
//   - an id claimed by another request whose commit has not ended is refused with
//     Unavailable (503 + Retry-After): acknowledging it now could acknowledge an event whose
//     only copy then fails to commit; the retry meets the committed id (a duplicate) or, if that
//     commit failed, a free id;
//   - the same id twice in one request: the second is a duplicate;
//   - a commit that fails frees its ids again, so the client's retry is accepted.
//
// The journal's invariant, kept by the pipeline: every id of a log record is durable in the
// journal before the record's segment is released (SyncJournal, then Wal::Release).
//
// Thread-safety: Claim, Resolve, SyncJournal and stats are safe from any thread. Open,
// Recovered and Start are for the single-threaded start-up.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/mutex.h"
#include "common/siphash.h"
#include "common/status.h"
#include "dedup/flat_map64.h"
#include "dedup/id_journal.h"
#include "dedup/id_window.h"

namespace tracklake {

struct DedupOptions {
  std::string dir;  // <wal.dir>/dedup
  int64_t window_s = 600;
  size_t max_ids = 4'000'000;
};

struct DedupStats {
  uint64_t ids = 0;
  uint64_t memory_bytes = 0;
  uint64_t evicted_early = 0;  // ids dropped before their window ended (max_ids reached)
  uint64_t journal_bytes = 0;
};

// One request's claims, for Resolve.
struct DedupClaim {
  uint64_t owner = 0;
  std::vector<uint64_t> hashes;  // the ids this request claimed (new ones)
};

class Deduplicator {
 public:
  // Reads the key and the journal; writes nothing yet.
  static Result<std::unique_ptr<Deduplicator>> Open(const DedupOptions& options, int64_t now_ms);

  // The key of one event. Never 0.
  uint64_t Hash(std::string_view app_id, std::string_view event_id) const;

  // Start-up, while the log is replayed: an accepted event found in it.
  void Recovered(uint64_t hash, int64_t received_at_ms);
  // After the replay, holding the log directory: writes a new key, journals the ids that only
  // the log held, opens the journal for appends.
  Status Start(int64_t now_ms);

  // Decides every id of one request (hashes, all received at received_at_ms). duplicate[i] tells
  // whether hashes[i] is dropped. Unavailable, with nothing claimed, when an id is claimed by
  // another request whose commit has not ended.
  Status Claim(std::span<const uint64_t> hashes, int64_t received_at_ms, std::vector<bool>& duplicate,
               DedupClaim& claim);
  // The commit of a claiming request ended.
  void Resolve(const DedupClaim& claim, bool committed);

  // Makes every id committed so far durable in the journal. An error leaves them buffered for
  // the next call (and the caller must then keep the log segments that hold them).
  Status SyncJournal(int64_t now_ms);
  void Close();

  DedupStats stats() const;
  const JournalLoad& loaded() const { return loaded_; }

 private:
  struct Pending {
    uint64_t owner = 0;
    uint64_t position = 0;  // in the window, for taking the insert back
    int64_t second = 0;
  };
  Deduplicator(const DedupOptions& options, std::unique_ptr<IdJournal> journal);

  const DedupOptions options_;
  const SipKey key_;
  JournalLoad loaded_;

  mutable Mutex mu_;
  IdWindow window_ GUARDED_BY(mu_);
  FlatMap64<Pending> pending_ GUARDED_BY(mu_);             // claimed, commit not ended
  std::vector<JournalEntry> unjournaled_ GUARDED_BY(mu_);  // committed, not yet in the journal
  uint64_t next_owner_ GUARDED_BY(mu_) = 1;

  Mutex journal_mu_;  // serialises SyncJournal
  std::unique_ptr<IdJournal> journal_ GUARDED_BY(journal_mu_);
  std::atomic<uint64_t> journal_bytes_{0};
};

}  // namespace tracklake
