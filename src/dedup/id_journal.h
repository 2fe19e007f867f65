// The deduplicator's durable memory: the hashes of accepted client ids with the second they were
// accepted, in journal files of <wal.dir>/dedup, so that the window survives a restart and a
// kill -9 even for ids whose log segments were delivered and trimmed.
//
// Format (little-endian; docs/wal-format.md):
//   KEY                  "TLDKEY01", k0 u64, k1 u64, masked crc32c u32 (of the 24 bytes before)
//   ids-<20 digits>.log  header: "TLDJRNL1", version u32, 0 u32, key fingerprint u64, file
//                        number u64, masked crc32c u32 (of the 32 bytes before), 0 u32;
//                        then blocks: masked crc32c u32 (of count and entries), count u32,
//                        count x (hash u64, second u32)
//
// Nothing a client sends is written here: entries are keyed SipHash outputs (clients cannot choose
// them) and the collector's own clock. Reading back, everything is checked again: the key file's
// checksum; each file's magic, version and key fingerprint (a file of another key is ignored);
// each block's bounds and checksum (the first bad block ends the file: a torn tail); each entry's
// second (within the window, not in the future beyond a day of clock change).
//
// Thread-compatible: the deduplicator serialises calls.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/siphash.h"
#include "common/status.h"

namespace tracklake {

struct JournalEntry {
  uint64_t hash = 0;
  int64_t second = 0;
};

struct JournalLoad {
  std::vector<JournalEntry> entries;  // within the window, in file order
  uint64_t files = 0;
  uint64_t skipped_bytes = 0;  // damaged or torn, or of files that could not be used
  bool new_key = false;        // no usable KEY: a fresh one (journal files of another key ignored)
};

class IdJournal {
 public:
  // Reads the key and every journal file of dir, writing nothing (the caller may not own the
  // directory yet). A missing dir or KEY gives a fresh random key.
  static Result<std::unique_ptr<IdJournal>> Load(const std::string& dir, int64_t now_s, int64_t window_s,
                                                 JournalLoad& out);
  ~IdJournal() { Close(); }
  IdJournal(const IdJournal&) = delete;
  IdJournal& operator=(const IdJournal&) = delete;

  const SipKey& key() const { return key_; }

  // Creates dir and writes a new key if needed, deletes files whose entries all expired or that
  // belong to another key, and opens a new file for appends.
  Status Start(int64_t now_s);
  // Appends entries as blocks and fdatasyncs; rotates files and deletes expired ones. On error
  // nothing is known to be durable: the caller keeps the entries and tries again.
  Status Append(std::span<const JournalEntry> entries, int64_t now_s);
  void Close();

  uint64_t disk_bytes() const;

 private:
  struct File {
    uint64_t bytes = 0;
    int64_t newest_second = 0;
    bool usable = true;
  };
  IdJournal(std::string dir, int64_t window_s) : dir_(std::move(dir)), window_s_(window_s) {}
  std::string PathOf(uint64_t number) const;
  Status OpenNewFile(int64_t now_s);
  void DeleteExpired(int64_t now_s);

  std::string dir_;
  int64_t window_s_ = 0;
  SipKey key_;
  bool write_key_ = false;
  std::map<uint64_t, File> files_;  // by number
  int fd_ = -1;
  uint64_t active_ = 0;  // number of the file fd_ appends to
  int64_t active_since_s_ = 0;
};

// A fingerprint of the key, stored in journal headers: tells a file of another key apart
// without revealing the key.
uint64_t KeyFingerprint(const SipKey& key);

}  // namespace tracklake
