#include "sink/kafka/kafka_sink.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <thread>
#include <unordered_map>

#include "common/mutex.h"
#include "encode/json_messages.h"
#include "event/names.h"
#include "sink/kafka/delivered_batches.h"
#include "sink/kafka/kafka_client.h"
#include "sink/record_calls.h"

namespace tracklake {
namespace {

constexpr std::string_view kProbeEventType = "probe_event_type";
constexpr size_t kMaxTopicName = 249;
constexpr auto kReconnectWait = std::chrono::seconds(2);
constexpr auto kTopicKnownFor = std::chrono::seconds(60);
// A topic that turned out missing is refused at once for this long, instead of every batch
// waiting topic.metadata.propagation.max.ms to learn it again.
constexpr auto kTopicMissingFor = std::chrono::seconds(60);
constexpr std::string_view kTooLarge = "MSG_SIZE_TOO_LARGE";
constexpr const char* kMissingTopic = "the topic does not exist (and the brokers do not create topics automatically)";
// Broker errors that no retry fixes: the batch goes to the dead-letter area with the reason.
constexpr std::string_view kPermanentErrors[] = {
    "UNKNOWN_TOPIC_OR_PART",        "_UNKNOWN_TOPIC",          "TOPIC_AUTHORIZATION_FAILED",
    "CLUSTER_AUTHORIZATION_FAILED", "INVALID_TOPIC_EXCEPTION", "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
    "GROUP_AUTHORIZATION_FAILED",   "INVALID_RECORD",
};

KafkaClientOptions ClientOptions(const KafkaSinkOptions& o, const std::string& transactional_id) {
  KafkaClientOptions c;
  c.brokers = o.brokers;
  c.transactional = o.exactly_once;
  c.transactional_id = transactional_id;
  c.transaction_timeout_ms = o.transaction_timeout_ms;
  c.properties = o.properties;
  return c;
}

bool IsPermanent(std::string_view code) {
  return std::find(std::begin(kPermanentErrors), std::end(kPermanentErrors), code) != std::end(kPermanentErrors);
}

std::string EventList(const std::vector<MessageView>& messages, const std::vector<size_t>& positions) {
  std::vector<uint64_t> numbers;
  numbers.reserve(positions.size());
  for (size_t p : positions) numbers.push_back(p + 1);
  std::string out = LineList(numbers);
  out += " (event_id";
  for (size_t i = 0; i < positions.size() && i < 3; ++i) {
    out += (i ? ", " : " ") + std::string(messages[positions[i]].Header(kEventIdKey));
  }
  return out + (positions.size() > 3 ? ", ...)" : ")");
}

class KafkaSink : public Sink {
 public:
  KafkaSink(const KafkaSinkOptions& options, MetricsRegistry& metrics) : options_(options), metrics_(metrics) {
    produced_ = &metrics.GetCounter("tracklake_kafka_messages_produced_total",
                                    "Messages delivered to Kafka (in committed transactions with exactly_once).");
    committed_ = &metrics.GetCounter("tracklake_kafka_transactions_total", "Kafka transactions by outcome.",
                                     R"(outcome="committed")");
    aborted_ = &metrics.GetCounter("tracklake_kafka_transactions_total", "Kafka transactions by outcome.",
                                   R"(outcome="aborted")");
    skipped_ = &metrics.GetCounter("tracklake_kafka_batches_already_delivered_total",
                                   "Batches replayed after a restart that the committed log position showed were "
                                   "already in Kafka, so not produced again.");
    latency_ = &metrics.GetHistogram("tracklake_kafka_batch_delivery_seconds",
                                     "Time to deliver one batch to Kafka (produce, delivery reports, commit).",
                                     LatencyBuckets());
    metrics.AddGauge("tracklake_kafka_producer_queue_messages", "Messages waiting in the Kafka producer's queues.",
                     [depth = queue_depth_] { return static_cast<double>(depth->load()); });
    metrics.AddGauge("tracklake_kafka_connected",
                     "1 while the Kafka sink's producer has reached the brokers; 0 before, and while a replacement "
                     "producer (after a fenced or unknown commit) reconnects.",
                     [connected = connected_flag_] { return connected->load() ? 1.0 : 0.0; });
    not_ready_ = "kafka: connecting to " + options_.brokers;
  }

  void OnLogOpened(std::string_view node_id, std::string_view log_id) override {
    {
      MutexLock lock(mu_);
      transactional_id_ = KafkaTransactionalId(node_id, log_id);
      Recreate();
    }
    connector_ = std::thread([this] { ConnectLoop(); });
  }

  ~KafkaSink() override {
    {
      MutexLock lock(stop_mu_);
      stopping_ = true;
    }
    stop_cv_.notify_all();
    if (connector_.joinable()) connector_.join();
  }

  std::string_view name() const override { return "kafka"; }

  // Ready once the brokers answered: a later outage is absorbed by the log like any sink's.
  Status Readiness() const override {
    if (ever_connected_.load()) return Status::Ok();
    MutexLock lock(ready_mu_);
    return Status::Unavailable(not_ready_);
  }

  DeliveryResult Put(const LakeObject& object) override {
    const std::string topic = NameFromTemplate(options_.topic_template, object.batch.event_type);
    if (!IsValidTopicName(topic)) {
      return {DeliveryOutcome::kRejected,
              fmt::format("Kafka {}: \"{}\" is not a valid topic name", object.key, topic)};
    }
    Result<std::vector<MessageView>> messages = ReadMessages(object.bytes);
    if (!messages.ok()) {
      return {DeliveryOutcome::kRejected, fmt::format("Kafka {}: {}", object.key, messages.status().ToString())};
    }
    const auto t0 = std::chrono::steady_clock::now();
    MutexLock lock(mu_);
    if (auto e = EnsureConnected()) return Failed(topic, *e);
    if (auto e = EnsureTopic(topic)) return Failed(topic, *e);
    DeliveryResult result = options_.exactly_once ? PutTransactional(topic, object, *messages)
                                                  : PutIdempotent(topic, object, *messages);
    queue_depth_->store(client_->QueueLength());
    if (result.outcome != DeliveryOutcome::kRetry) {
      latency_->Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return result;
  }

 private:
  // Reaches the brokers (init_transactions) unless already done.
  std::optional<KafkaError> EnsureConnected() REQUIRES(mu_) {
    if (connected_flag_->load()) return std::nullopt;
    if (!client_) return KafkaError{"_STATE", "the producer could not be created", false, false, true};
    std::optional<KafkaError> e = client_->Connect(options_.connect_timeout_ms);
    if (e && e->fatal) Recreate();
    MutexLock lock(ready_mu_);
    if (e) {
      not_ready_ = fmt::format("kafka: no answer from the brokers at {} yet: {}", options_.brokers, e->ToString());
      return e;
    }
    if (!ever_connected_.load()) spdlog::info("kafka sink connected to {}", options_.brokers);
    ever_connected_.store(true);
    connected_flag_->store(true);
    return std::nullopt;
  }

  void ConnectLoop() {
    for (bool first = true;; first = false) {
      {
        UniqueLock lock(stop_mu_);
        if (stop_cv_.wait_for(lock, first ? std::chrono::seconds(0) : kReconnectWait,
                              [&]() REQUIRES(stop_mu_) { return stopping_; })) {
          return;
        }
      }
      std::optional<KafkaError> e;
      {
        MutexLock lock(mu_);
        e = EnsureConnected();
      }
      if (!e) return;
      if (first)
        spdlog::warn(
            "kafka sink: no answer from the brokers at {} yet ({}); events are kept in the log "
            "and /readyz answers 503 until one answers",
            options_.brokers, e->ToString());
    }
  }

  // A fatal error (fenced by a newer producer with our id, ...) leaves the producer unusable:
  // make a new one, which must reach the brokers again.
  void Recreate() REQUIRES(mu_) {
    client_.reset();  // the old one must be gone before its successor fences it
    Result<std::unique_ptr<KafkaClient>> client = KafkaClient::Create(ClientOptions(options_, transactional_id_));
    if (client.ok()) {
      client_ = std::move(client).value();
    } else {
      spdlog::error("kafka sink: cannot create the producer: {}", client.status().ToString());
    }
    connected_flag_->store(false);
    positions_.clear();
  }

  // A metadata request does not make brokers create a topic; producing to it does where they
  // create topics automatically. So an unknown topic is tried once, and refused at once for a
  // while after the brokers confirmed it missing.
  std::optional<KafkaError> EnsureTopic(const std::string& topic) REQUIRES(mu_) {
    const auto now = std::chrono::steady_clock::now();
    if (auto it = known_topics_.find(topic); it != known_topics_.end() && now - it->second < kTopicKnownFor) {
      return std::nullopt;
    }
    std::optional<KafkaError> e = client_->CheckTopic(topic, options_.connect_timeout_ms);
    if (!e) {
      known_topics_[topic] = now;
      missing_topics_.erase(topic);
      return std::nullopt;
    }
    if (e->code != "UNKNOWN_TOPIC_OR_PART") return e;
    if (auto it = missing_topics_.find(topic); it != missing_topics_.end() && now - it->second < kTopicMissingFor) {
      return KafkaError{e->code, kMissingTopic, false, false, false};
    }
    return std::nullopt;
  }

  DeliveryResult Failed(const std::string& topic, KafkaError e) REQUIRES(mu_) {
    if (e.code == "_UNKNOWN_TOPIC" || e.code == "UNKNOWN_TOPIC_OR_PART") {
      missing_topics_[topic] = std::chrono::steady_clock::now();
      e.message = kMissingTopic;
    }
    metrics_
        .GetCounter("tracklake_kafka_delivery_errors_total", "Kafka delivery errors by librdkafka's error name.",
                    fmt::format("reason=\"{}\"", LabelValue(e.code)))
        .Inc();
    const bool permanent = IsPermanent(e.code);
    return {permanent ? DeliveryOutcome::kRejected : DeliveryOutcome::kRetry,
            fmt::format("Kafka topic {}: {}", topic, e.ToString())};
  }

  // The committed log position of topic, read back once (and again after an outcome we cannot
  // know).
  Result<DeliveredBatches*> Position(const std::string& topic) REQUIRES(mu_) {
    if (auto it = positions_.find(topic); it != positions_.end()) return &it->second;
    Result<std::string> text = client_->ReadPosition(topic, options_.connect_timeout_ms);
    if (!text.ok()) return text.status();
    DeliveredBatches batches;
    if (!text->empty()) {
      Result<DeliveredBatches> decoded = DeliveredBatches::Decode(*text);
      if (!decoded.ok()) {
        return Status::Corruption(
            fmt::format("the consumer group {} has a committed offset on {} that tracklake did "
                        "not write ({}); is another program using this group?",
                        transactional_id_, topic, decoded.status().message()));
      }
      batches = std::move(decoded).value();
    }
    return &(positions_[topic] = std::move(batches));
  }

  DeliveryResult PutTransactional(const std::string& topic, const LakeObject& object,
                                  const std::vector<MessageView>& messages) REQUIRES(mu_) {
    Result<DeliveredBatches*> position = Position(topic);
    if (!position.ok())
      return {DeliveryOutcome::kRetry, fmt::format("Kafka topic {}: {}", topic, position.status().ToString())};
    DeliveredBatches& delivered = **position;
    delivered.Advance(object.batch.delivered_below);
    switch (delivered.Lookup(object.batch.first_seq)) {
      case DeliveredBatches::State::kDelivered:
        skipped_->Inc();
        spdlog::info("Kafka topic {}: {} was committed before a restart; not producing it again", topic, object.key);
        return {DeliveryOutcome::kDelivered, ""};
      case DeliveredBatches::State::kDeliveredWithRejects:
        skipped_->Inc();
        return {DeliveryOutcome::kRejected,
                fmt::format("Kafka topic {}: {} was committed before a restart without its messages over the size "
                            "limit",
                            topic, object.key)};
      case DeliveredBatches::State::kNotDelivered: break;
    }
    const std::vector<bool> none(messages.size(), false);
    if (auto e = client_->Begin()) return AbortAndFail(topic, *e);
    ProduceOutcome produced = client_->Produce(topic, messages, none, options_.transaction_timeout_ms);
    if (produced.error) return AbortAndFail(topic, *produced.error);
    // Messages over the producer's message.max.bytes never entered the transaction: the others
    // are committed and the batch is marked, then rejected. Any failed delivery report (the
    // broker refusing a record batch as too large included) aborts the whole transaction.
    std::vector<size_t> too_large;
    for (size_t i = 0; i < messages.size(); ++i) {
      if (produced.errors[i] == kRefusedTooLarge) {
        too_large.push_back(i);
      } else if (!produced.errors[i].empty()) {
        KafkaError e{produced.errors[i], "a message's delivery failed", false, true, false};
        if (e.code == kTooLarge) {
          e.message =
              "the broker refused a record batch as too large: the topic's max.message.bytes is below the "
              "producer's message.max.bytes (lower it in [kafka.properties])";
        }
        return AbortAndFail(topic, e);
      }
    }
    DeliveredBatches next = delivered;
    next.Add(object.batch.first_seq, !too_large.empty());
    const std::string text = next.Encode();
    if (text.size() > DeliveredBatches::kMaxText) {
      client_->Abort(options_.transaction_timeout_ms);
      aborted_->Inc();
      return {DeliveryOutcome::kRetry,
              fmt::format("Kafka topic {}: {} batches were delivered ahead of an older one still waiting; this "
                          "one waits for it",
                          topic, delivered.listed())};
    }
    if (auto e = client_->SendPosition(topic, static_cast<int64_t>(next.below()), text,
                                       options_.transaction_timeout_ms)) {
      return AbortAndFail(topic, *e);
    }
    if (auto e = client_->Commit(options_.transaction_timeout_ms)) {
      if (e->abort_needed) return AbortAndFail(topic, *e);
      return Unknown(topic, *e);
    }
    committed_->Inc();
    delivered = std::move(next);
    produced_->Inc(messages.size() - too_large.size());
    if (!too_large.empty()) return TooLarge(topic, object, messages, too_large);
    return {DeliveryOutcome::kDelivered, ""};
  }

  DeliveryResult PutIdempotent(const std::string& topic, const LakeObject& object,
                               const std::vector<MessageView>& messages) REQUIRES(mu_) {
    const size_t fingerprint = std::hash<std::string_view>{}(object.bytes);
    std::vector<bool> done = remembered_.Take(object.key, fingerprint, messages.size());
    ProduceOutcome produced = client_->Produce(topic, messages, done, options_.transaction_timeout_ms);
    std::vector<size_t> too_large;
    std::string other_error;
    for (size_t i = 0; i < messages.size(); ++i) {
      if (done[i]) continue;
      if (produced.errors[i].empty()) {
        done[i] = true;
        produced_->Inc();
      } else if (produced.errors[i] == kRefusedTooLarge) {
        too_large.push_back(i);
        done[i] = true;  // never sendable: counted in the rejection below
      } else if (other_error.empty()) {
        other_error = produced.errors[i];
      }
    }
    if (produced.error || !other_error.empty()) {
      remembered_.Keep(object.key, fingerprint, std::move(done));
      return Failed(topic,
                    produced.error ? *produced.error : KafkaError{other_error, "delivery failed", false, false, true});
    }
    if (!too_large.empty()) {
      remembered_.Keep(object.key, fingerprint, std::move(done));
      return TooLarge(topic, object, messages, too_large);
    }
    return {DeliveryOutcome::kDelivered, ""};
  }

  DeliveryResult TooLarge(const std::string& topic, const LakeObject& object, const std::vector<MessageView>& messages,
                          const std::vector<size_t>& too_large) REQUIRES(mu_) {
    Failed(topic, KafkaError{std::string(kTooLarge), "", false, false, false});
    return {DeliveryOutcome::kRejected,
            fmt::format("Kafka topic {} {}: {} event(s) over the producer's message.max.bytes (MSG_SIZE_TOO_LARGE) "
                        "can never be sent: events {} of the batch; the other {} events were delivered, the whole "
                        "batch is kept",
                        topic, object.key, too_large.size(), EventList(messages, too_large),
                        messages.size() - too_large.size())};
  }

  // The transaction failed before its commit: abort it (nothing of it is visible to
  // read_committed consumers) and report.
  DeliveryResult AbortAndFail(const std::string& topic, const KafkaError& e) REQUIRES(mu_) {
    if (e.fatal) {
      Recreate();
      return Failed(topic, e);
    }
    if (auto abort = client_->Abort(options_.transaction_timeout_ms)) return Unknown(topic, *abort);
    aborted_->Inc();
    return Failed(topic, e);
  }

  // An outcome we cannot know (a commit that timed out, an abort that failed): a new producer
  // with the same transactional.id fences the old one, whose transaction the coordinator then
  // completes or aborts; the positions are read again, so the next attempt sees what really
  // got committed.
  DeliveryResult Unknown(const std::string& topic, const KafkaError& e) REQUIRES(mu_) {
    Recreate();
    return Failed(topic, e);
  }

  const KafkaSinkOptions options_;
  Mutex mu_;  // one Put (one transaction) at a time
  std::string transactional_id_ GUARDED_BY(mu_);
  std::unique_ptr<KafkaClient> client_ GUARDED_BY(mu_);
  std::unordered_map<std::string, DeliveredBatches> positions_ GUARDED_BY(mu_);  // by topic
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> known_topics_ GUARDED_BY(mu_);
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> missing_topics_ GUARDED_BY(mu_);
  std::atomic<bool> ever_connected_{false};
  AcceptedRecords remembered_;  // at-least-once mode

  MetricsRegistry& metrics_;
  Counter* produced_ = nullptr;
  Counter* committed_ = nullptr;
  Counter* aborted_ = nullptr;
  Counter* skipped_ = nullptr;
  Histogram* latency_ = nullptr;
  const std::shared_ptr<std::atomic<int64_t>> queue_depth_ = std::make_shared<std::atomic<int64_t>>(0);
  const std::shared_ptr<std::atomic<bool>> connected_flag_ = std::make_shared<std::atomic<bool>>(false);

  mutable Mutex ready_mu_;
  std::string not_ready_ GUARDED_BY(ready_mu_);

  Mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ GUARDED_BY(stop_mu_) = false;
  std::thread connector_;
};

}  // namespace

bool IsValidTopicName(std::string_view name) {
  if (name.empty() || name.size() > kMaxTopicName || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
  });
}

std::string KafkaTransactionalId(std::string_view node_id, std::string_view log_id) {
  if (log_id.empty()) return fmt::format("tracklake.{}", node_id);
  return fmt::format("tracklake.{}.{}", node_id, log_id);
}

Result<std::unique_ptr<Sink>> MakeKafkaSink(const KafkaSinkOptions& options, MetricsRegistry& metrics) {
  if (!IsValidTopicName(NameFromTemplate(options.topic_template, kProbeEventType))) {
    return Status::InvalidArgument("kafka.topic_template \"" + options.topic_template +
                                   "\" does not make valid topic names (1-249 of [a-zA-Z0-9._-])");
  }
  if (options.brokers.empty()) return Status::InvalidArgument("kafka.brokers is empty");
  if (Status s = KafkaClient::Validate(ClientOptions(options, "tracklake.validate")); !s.ok()) return s;
  return std::unique_ptr<Sink>(std::make_unique<KafkaSink>(options, metrics));
}

}  // namespace tracklake
