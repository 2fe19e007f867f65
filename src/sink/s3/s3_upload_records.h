// Multipart uploads in flight, recorded on the collector's disk (a file per upload in a
// directory beside the log) from the moment S3 gave the upload id until the upload completed or
// was aborted. A crash (kill -9) in between leaves the record, and the next start aborts that
// upload before anything else goes up: otherwise its parts stay billed as storage until a
// lifecycle rule removes them, while the replay uploads the object again under a new id. (The
// instant between CreateMultipartUpload's answer and the record's fsync is the one a crash can
// still orphan; the bucket's AbortIncompleteMultipartUpload rule covers it.)
//
// Record file "<sha256 of key and id>.upload": "tracklake-upload 1\n<key>\n<upload id>\n",
// written atomically. Read back, a record is used only if the key is under the sink's prefix with
// a lake file's name and the id has S3's characters; anything else is reported and deleted.
//
// Thread-safety: Add and Remove may run on several delivery threads at once (one file each).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tracklake {

class UploadRecords {
 public:
  explicit UploadRecords(std::string dir) : dir_(std::move(dir)) {}  // "" records nothing

  Status Add(const std::string& key, const std::string& upload_id) const;
  void Remove(const std::string& key, const std::string& upload_id) const;

  struct Entry {
    std::string path;
    std::string key;
    std::string upload_id;
  };
  // The valid records whose key is <key_prefix><a lake key>.
  std::vector<Entry> List(std::string_view key_prefix) const;
  void Forget(const Entry& entry) const;

 private:
  std::string PathOf(const std::string& key, const std::string& upload_id) const;
  std::string dir_;
};

}  // namespace tracklake
