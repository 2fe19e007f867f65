// Small POSIX file helpers with Status errors: durable atomic writes and directory syncs.
// Thread-safe (no shared state).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace tracklake {

// Creates dir and its parents (like mkdir -p), each new one made durable in its parent: a lake
// file's own directory sync does not keep a partition directory created for it (a new hour) on
// a filesystem without a journal, and once the file is delivered its log records are trimmed.
Status CreateDirs(const std::string& dir);

// fsyncs a directory so that entries created or renamed in it survive a crash.
Status SyncDir(const std::string& dir);

// Writes data to path atomically and durably: write to "<dir>/.<name>.tmp", fdatasync, rename
// over path, fsync the directory. A reader sees the old file or the whole new one, never half.
// REQUIRES: no other writer of the same path at the same time (each batch has its own name).
Status WriteFileAtomic(const std::string& path, std::string_view data);

Status WriteAll(int fd, const char* data, size_t n);

// The whole file. Errors name the path; a missing file is NotFound.
Result<std::string> ReadFile(const std::string& path);

}  // namespace tracklake
