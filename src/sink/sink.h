// A sink puts one finished lake file (an "object") where readers find it: a local directory,
// S3, Firehose, Kafka. Every sink has the same shape and reports one of three outcomes; the
// pipeline owns retries and backoff, and routes rejected objects to the dead-letter area.
//
// Thread-safety: Put may be called from several delivery threads at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tracklake {

// Which events of which log an object holds, so that a sink can make delivery exactly-once
// (Kafka: docs/kafka.md) without parsing object keys. Filled in by the pipeline.
struct BatchIdentity {
  std::string node_id;
  std::string log_id;      // the write-ahead log's id (wal/log_id.h); "" for a log from before log ids
  std::string event_type;  // of every event in the object ("_rejected" for the dead-letter partition)
  uint64_t first_seq = 0;  // the sealed batch's log range; a replay re-delivers it with the same range
  uint64_t last_seq = 0;
  // Every batch of this log whose first_seq is below this was delivered (or dead-lettered)
  // before this Put began. Never decreases within one process; after a restart it may start
  // lower (a delivered record lost with the process), never above a batch not yet delivered.
  uint64_t delivered_below = 0;
};

struct LakeObject {
  // Relative key, e.g. "page_view/dt=2026-11-26/hr=06/node-00000000000000000001-00000000000000000042.ndjson.gz".
  // Deterministic for the same batch, so a replay overwrites instead of duplicating.
  std::string key;
  std::string bytes;
  uint64_t events = 0;
  BatchIdentity batch;
};

enum class DeliveryOutcome {
  kDelivered,  // durable at the destination
  kRetry,      // transient (I/O error, throttling, outage): try again later
  kRejected,   // will never succeed as is: keep it in the dead-letter area
};

struct DeliveryResult {
  DeliveryOutcome outcome = DeliveryOutcome::kDelivered;
  std::string detail;  // for logs: why it was not delivered
  // With kRejected: the destination itself refuses (no such bucket or stream, credentials,
  // permissions, wrong region), so every object for it fails the same way until an operator
  // fixes it: the pipeline reports itself not ready (/readyz 503) until the destination passes
  // Check again. False: only this object can never go (an event over a record limit).
  bool destination_refuses = false;
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual DeliveryResult Put(const LakeObject& object) = 0;
  virtual std::string_view name() const = 0;

  // Where objects of event_type go, for grouping failures ("s3://bucket/prefix", a stream
  // name); one destination for every type unless the sink has several.
  virtual std::string Destination(std::string_view event_type) const {
    (void)event_type;
    return std::string(name());
  }
  // A cheap request that fails as Put would for event_type's destination (credentials, bucket or
  // stream, region): kDelivered when it would accept objects, kRejected with
  // destination_refuses when it refuses, kRetry when it cannot tell (unreachable, throttled).
  virtual DeliveryResult Check(std::string_view event_type) {
    (void)event_type;
    return {};
  }
  // Cleans up at the destination what a previous run left unfinished (S3: multipart uploads
  // recorded before a crash). Called once at start, before any Put; failures are logged and
  // retried at the next start.
  virtual void Recover() {}
  // Called once by the pipeline after the log is opened and before the first Put: which log the
  // objects come from (sinks that keep delivery state per log, such as Kafka's, start here).
  virtual void OnLogOpened(std::string_view /*node_id*/, std::string_view /*log_id*/) {}
  // Ok, or why the sink cannot deliver now (e.g. no broker reached since start): /readyz says it.
  // Cheap and safe from any thread.
  virtual Status Readiness() const { return Status::Ok(); }
};

// Object key for a batch: "<partition>/<node>-<log>-<first_seq>-<last_seq><extension>", seqs as
// 20 zero-padded digits so one log's keys sort by position. The log id (wal/log_id.h) keeps a new
// log's keys apart from an older log's; a log from before log ids ("") has no "<log>-" part.
std::string ObjectKey(std::string_view partition, std::string_view node_id, std::string_view log_id,
                      uint64_t first_seq, uint64_t last_seq, std::string_view extension);

// Whether key has the exact shape ObjectKey makes (an event type or _rejected, dt=/hr=, then
// node, optional log id, two 20-digit sequence numbers and a lake file extension), so that a name
// read back from disk (the dead-letter directory) can become an object key without naming
// anything else (no "..", no other prefix).
bool IsLakeKey(std::string_view key);

// Whether key is what ObjectKey makes of validated names: '/'-separated components of
// [A-Za-z0-9_.=-], none empty, "." or "..", not starting with '/'. Every key the pipeline
// delivers is checked, so that no sink, and no dead-letter directory, is handed a path out.
bool IsSafeObjectKey(std::string_view key);

// root/key when key is safe and the result stays under root (lexically); nullopt otherwise.
std::optional<std::filesystem::path> PathUnder(const std::string& root, std::string_view key);

// A per-event-type destination name (stream, topic): every "{event_type}" in the template
// replaced by the event type.
inline constexpr std::string_view kEventTypePlaceholder = "{event_type}";
std::string NameFromTemplate(std::string_view name_template, std::string_view event_type);

}  // namespace tracklake
