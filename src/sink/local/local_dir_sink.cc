#include "sink/local/local_dir_sink.h"

#include <filesystem>

#include "common/file_util.h"

namespace tracklake {
namespace {

class LocalDirSink final : public Sink {
 public:
  explicit LocalDirSink(std::string root) : root_(std::move(root)) {}

  DeliveryResult Put(const LakeObject& object) override {
    const std::optional<std::filesystem::path> path = PathUnder(root_, object.key);
    if (!path) return {DeliveryOutcome::kRejected, "the key " + object.key + " would leave the lake directory"};
    Status s = CreateDirs(path->parent_path().string());
    if (s.ok()) s = WriteFileAtomic(path->string(), object.bytes);
    // Every local failure (full disk, permissions being fixed) is worth retrying: nothing
    // about the object itself can make a local write fail for good.
    if (!s.ok()) return {DeliveryOutcome::kRetry, s.ToString()};
    return {};
  }

  std::string_view name() const override { return "local"; }

 private:
  const std::string root_;
};

}  // namespace

std::unique_ptr<Sink> MakeLocalDirSink(std::string root) { return std::make_unique<LocalDirSink>(std::move(root)); }

}  // namespace tracklake
