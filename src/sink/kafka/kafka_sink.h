// The Kafka sink: each messages object (the events of one batch, one event type, encoded by
// encode/json_messages.h) goes to the topic of its event type (kafka.topic_template, default
// "tracking.{event_type}"), one message per event with its key and headers.
//
// exactly_once (the default): one transaction per batch (transactional.id "tracklake.<node>.<log
// id>"). The transaction also commits the log position (DeliveredBatches) as the offset of the
// consumer group of the same name on partition 0 of the batch's topic. At start, and after any
// failure whose outcome is unknown, the sink reads the position back and answers Delivered for
// a batch already in Kafka without producing it again; so a replay after a crash never
// publishes a batch twice for consumers reading with isolation.level = read_committed.
// Without exactly_once: an idempotent producer, at-least-once across restarts.
//
// Outcomes of Put:
//   - kDelivered: every message has a successful delivery report (and the transaction committed);
//   - kRetry: no broker, a broker outage, a timeout, an aborted transaction: the log keeps the
//     batch and the pipeline retries with backoff;
//   - kRejected (the batch goes to the dead-letter area with this reason): the topic does not
//     exist, authorization failed, or messages are over the broker's size limit. In the last case
//     every other message is delivered first (in the committed transaction) and the reason names
//     the events that were not.
// The collector starts even when no broker answers; Readiness says why until one does.
//
// Thread-safety: Put may be called from several threads; they are served one at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "metrics/metrics.h"
#include "sink/sink.h"

namespace tracklake {

struct KafkaSinkOptions {
  std::string brokers;
  std::string topic_template = "tracking.{event_type}";
  bool exactly_once = true;
  int64_t transaction_timeout_ms = 60'000;
  int64_t connect_timeout_ms = 10'000;            // each attempt at reaching the brokers
  std::map<std::string, std::string> properties;  // [kafka.properties]
};

// Kafka topic names: 1 to 249 of [a-zA-Z0-9._-], not "." or "..".
bool IsValidTopicName(std::string_view name);

// "tracklake.<node>.<log id>" (or "tracklake.<node>" for a log from before log ids).
std::string KafkaTransactionalId(std::string_view node_id, std::string_view log_id);

// InvalidArgument for options librdkafka refuses or a template that makes invalid topic names.
// OnLogOpened makes the producer (transactional.id from the log) and starts a thread that
// reaches the brokers in the background; metrics are registered in metrics.
Result<std::unique_ptr<Sink>> MakeKafkaSink(const KafkaSinkOptions& options, MetricsRegistry& metrics);

}  // namespace tracklake
