// The librdkafka boundary of the Kafka sink: a producer (transactional, or idempotent only)
// built from the sink's settings and the pass-through properties, the transaction steps, and a
// consumer handle used only to read the log position back (DeliveredBatches; it never joins the
// group nor fetches messages). librdkafka's C API and its errors stay inside this file pair.
//
// Thread-compatible: the sink serializes every call (one transaction at a time).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "encode/json_messages.h"

namespace tracklake {

struct KafkaClientOptions {
  std::string brokers;
  bool transactional = true;
  std::string transactional_id;  // also the name of the bookkeeping consumer group
  int64_t transaction_timeout_ms = 60'000;
  std::map<std::string, std::string> properties;  // passed through, after the sink's own
};

// A failed librdkafka call, classified the way the sink acts on it.
struct KafkaError {
  std::string code;           // librdkafka's error name ("MSG_SIZE_TOO_LARGE", "_TIMED_OUT"): a bounded set
  std::string message;        // librdkafka's words
  bool fatal = false;         // the producer is unusable (fenced, ...): make a new one
  bool abort_needed = false;  // the transaction must be aborted
  bool retriable = false;     // the same call may be repeated
  std::string ToString() const;
};

// A message librdkafka refused before sending: bigger than the producer's message.max.bytes.
inline constexpr std::string_view kRefusedTooLarge = "local:MSG_SIZE_TOO_LARGE";

// Per message of a produce round: the delivery report's error name, "" when delivered, or
// kRefusedTooLarge.
struct ProduceOutcome {
  std::vector<std::string> errors;  // parallel to the messages produced
  std::optional<KafkaError> error;  // a failure not tied to one message (flush timed out, ...)
};

class KafkaClient {
 public:
  // InvalidArgument naming the property librdkafka refuses. Starts librdkafka's threads, which
  // connect in the background.
  static Result<std::unique_ptr<KafkaClient>> Create(const KafkaClientOptions& options);
  // The same checks as Create, without creating anything.
  static Status Validate(const KafkaClientOptions& options);
  ~KafkaClient();
  KafkaClient(const KafkaClient&) = delete;
  KafkaClient& operator=(const KafkaClient&) = delete;

  // Transactional: init_transactions (finds the coordinator, fences an older producer with the
  // same id and completes its open transaction). Otherwise: one metadata round trip.
  std::optional<KafkaError> Connect(int64_t timeout_ms);

  // Whether the topic exists: nullopt when it does, else the broker's error (UNKNOWN_TOPIC_OR_PART,
  // TOPIC_AUTHORIZATION_FAILED, LEADER_NOT_AVAILABLE while being created, _TIMED_OUT, ...).
  std::optional<KafkaError> CheckTopic(const std::string& topic, int64_t timeout_ms);

  std::optional<KafkaError> Begin();
  // Produces the messages (those with skip[i] false) to topic with their keys and headers, then
  // waits until every one has a delivery report (or timeout_ms).
  ProduceOutcome Produce(const std::string& topic, const std::vector<MessageView>& messages,
                         const std::vector<bool>& skip, int64_t timeout_ms);
  // The log position, as the committed offset (and its metadata) of the group on topic's
  // partition 0, inside the open transaction.
  std::optional<KafkaError> SendPosition(const std::string& topic, int64_t offset, const std::string& metadata,
                                         int64_t timeout_ms);
  std::optional<KafkaError> Commit(int64_t timeout_ms);
  std::optional<KafkaError> Abort(int64_t timeout_ms);

  // The group's committed metadata on topic's partition 0; "" when none was ever committed.
  Result<std::string> ReadPosition(const std::string& topic, int64_t timeout_ms);

  // Messages waiting in librdkafka's queues.
  int64_t QueueLength() const;

 private:
  explicit KafkaClient(const KafkaClientOptions& options);
  struct Handles;
  KafkaClientOptions options_;
  std::unique_ptr<Handles> handles_;
};

}  // namespace tracklake
