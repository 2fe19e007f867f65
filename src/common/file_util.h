// Small POSIX file helpers with Status errors: durable atomic writes and directory syncs.
// Thread-safe (no shared state).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace tracklake {

// Creates dir and its parents (like mkdir -p).
Status CreateDirs(const std::string& dir);

// fsyncs a directory so that entries created or renamed in it survive a crash.
Status SyncDir(const std::string& dir);

// Writes data to path atomically and durably: write to "<path>.tmp-<pid>", fdatasync, rename
// over path, fsync the directory. A reader sees the old file or the whole new one, never half.
Status WriteFileAtomic(const std::string& path, std::string_view data);

Status WriteAll(int fd, const char* data, size_t n);

}  // namespace tracklake
