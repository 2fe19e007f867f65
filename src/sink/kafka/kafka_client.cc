#include "sink/kafka/kafka_client.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <cstring>

namespace tracklake {
namespace {

constexpr size_t kErrorBytes = 512;
constexpr int kQueueFullWaitMs = 50;

// What tracklake sets for its guarantees; the pass-through properties come after and may not
// name these (config refuses them).
std::vector<std::pair<std::string, std::string>> SafeProducerSettings(const KafkaClientOptions& o) {
  std::vector<std::pair<std::string, std::string>> s = {
      {"bootstrap.servers", o.brokers},
      {"acks", "all"},
      {"enable.idempotence", "true"},
      {"max.in.flight.requests.per.connection", "5"},  // the most idempotence keeps in order
      {"compression.type", "zstd"},
      {"linger.ms", "5"},
      {"message.timeout.ms", std::to_string(o.transaction_timeout_ms)},
      // How long a message waits for a topic the brokers do not know (or are still creating
      // automatically) before it fails as _UNKNOWN_TOPIC: librdkafka's 30 s would hold the sink.
      {"topic.metadata.propagation.max.ms", "5000"},
  };
  if (o.transactional) {
    s.emplace_back("transactional.id", o.transactional_id);
    s.emplace_back("transaction.timeout.ms", std::to_string(o.transaction_timeout_ms));
  }
  return s;
}

// librdkafka's own log lines go to ours (never its stderr), without secrets: it logs no
// configuration values unless debug=conf is set.
void LogLine(const rd_kafka_t*, int level, const char* facility, const char* text) {
  constexpr int kWarning = 4;
  if (level <= kWarning) {
    spdlog::warn("kafka: {}: {}", facility, text);
  } else {
    spdlog::debug("kafka: {}: {}", facility, text);
  }
}

KafkaError FromErrorObject(rd_kafka_error_t* error) {
  KafkaError e;
  e.code = rd_kafka_err2name(rd_kafka_error_code(error));
  e.message = rd_kafka_error_string(error);
  e.fatal = rd_kafka_error_is_fatal(error);
  e.abort_needed = rd_kafka_error_txn_requires_abort(error);
  e.retriable = rd_kafka_error_is_retriable(error);
  rd_kafka_error_destroy(error);
  return e;
}

std::optional<KafkaError> Check(rd_kafka_error_t* error) {
  if (error == nullptr) return std::nullopt;
  return FromErrorObject(error);
}

KafkaError FromCode(rd_kafka_resp_err_t err) {
  KafkaError e;
  e.code = rd_kafka_err2name(err);
  e.message = rd_kafka_err2str(err);
  e.retriable = err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
                err == RD_KAFKA_RESP_ERR__TRANSPORT || err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN;
  return e;
}

// A message's opaque: where its delivery report goes. It shares the round's error list, so a
// report served after the round gave up (purged messages) still writes into live memory.
struct ReportSlot {
  std::shared_ptr<std::vector<std::string>> errors;
  size_t index;
};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
  auto* slot = static_cast<ReportSlot*>(message->_private);
  if (slot == nullptr) return;
  (*slot->errors)[slot->index] = message->err ? rd_kafka_err2name(message->err) : "";
  delete slot;
}

Status SetAll(rd_kafka_conf_t* conf, const std::vector<std::pair<std::string, std::string>>& settings,
              const std::map<std::string, std::string>& properties) {
  char error[kErrorBytes];
  auto set = [&](const std::string& name, const std::string& value) -> Status {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error, sizeof(error)) != RD_KAFKA_CONF_OK) {
      // librdkafka's message names the property; the value may be a secret and is not echoed.
      return Status::InvalidArgument("kafka: " + std::string(error));
    }
    return Status::Ok();
  };
  for (const auto& [name, value] : settings) {
    if (Status s = set(name, value); !s.ok()) return s;
  }
  for (const auto& [name, value] : properties) {
    if (Status s = set(name, value); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace

struct KafkaClient::Handles {
  rd_kafka_t* producer = nullptr;
  rd_kafka_t* consumer = nullptr;  // made on first ReadPosition
  rd_kafka_consumer_group_metadata_t* group = nullptr;
  ~Handles() {
    if (group != nullptr) rd_kafka_consumer_group_metadata_destroy(group);
    if (consumer != nullptr) rd_kafka_destroy(consumer);
    if (producer != nullptr) rd_kafka_destroy(producer);
  }
};

std::string KafkaError::ToString() const { return code + ": " + message; }

Result<std::unique_ptr<KafkaClient>> KafkaClient::Create(const KafkaClientOptions& options) {
  std::unique_ptr<KafkaClient> client(new KafkaClient(options));
  client->handles_ = std::make_unique<Handles>();
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (Status s = SetAll(conf, SafeProducerSettings(options), options.properties); !s.ok()) {
    rd_kafka_conf_destroy(conf);
    return s;
  }
  rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
  rd_kafka_conf_set_log_cb(conf, LogLine);
  char error[kErrorBytes];
  client->handles_->producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
  if (client->handles_->producer == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status::InvalidArgument("kafka: cannot create the producer: " + std::string(error));
  }
  if (options.transactional) {
    client->handles_->group = rd_kafka_consumer_group_metadata_new(options.transactional_id.c_str());
  }
  return client;
}

Status KafkaClient::Validate(const KafkaClientOptions& options) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  Status s = SetAll(conf, SafeProducerSettings(options), options.properties);
  rd_kafka_conf_destroy(conf);
  return s;
}

KafkaClient::KafkaClient(const KafkaClientOptions& options) : options_(options) {}
KafkaClient::~KafkaClient() = default;

std::optional<KafkaError> KafkaClient::Connect(int64_t timeout_ms) {
  if (options_.transactional)
    return Check(rd_kafka_init_transactions(handles_->producer, static_cast<int>(timeout_ms)));
  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(handles_->producer, 0, nullptr, &metadata,
                                                    static_cast<int>(timeout_ms));
  if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return FromCode(err);
  return std::nullopt;
}

std::optional<KafkaError> KafkaClient::CheckTopic(const std::string& topic, int64_t timeout_ms) {
  rd_kafka_topic_t* handle = rd_kafka_topic_new(handles_->producer, topic.c_str(), nullptr);
  if (handle == nullptr) return FromCode(rd_kafka_last_error());
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(handles_->producer, 0, handle, &metadata, static_cast<int>(timeout_ms));
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    err = metadata->topic_cnt == 1 ? metadata->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR && metadata->topics[0].partition_cnt == 0) {
      err = RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE;
    }
  }
  if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
  rd_kafka_topic_destroy(handle);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return std::nullopt;
  return FromCode(err);
}

std::optional<KafkaError> KafkaClient::Begin() { return Check(rd_kafka_begin_transaction(handles_->producer)); }

ProduceOutcome KafkaClient::Produce(const std::string& topic, const std::vector<MessageView>& messages,
                                    const std::vector<bool>& skip, int64_t timeout_ms) {
  ProduceOutcome out;
  auto errors = std::make_shared<std::vector<std::string>>(messages.size());
  for (size_t i = 0; i < messages.size(); ++i) {
    if (skip[i]) continue;
    const MessageView& m = messages[i];
    rd_kafka_headers_t* headers = rd_kafka_headers_new(m.headers.size());
    for (const MessageHeader& h : m.headers) {
      rd_kafka_header_add(headers, h.name.data(), static_cast<ssize_t>(h.name.size()), h.value.data(),
                          static_cast<ssize_t>(h.value.size()));
    }
    void* key = m.key ? const_cast<char*>(m.key->data()) : nullptr;
    const size_t key_size = m.key ? m.key->size() : 0;
    void* value = const_cast<char*>(m.value.data());
    const size_t value_size = m.value.size();
    (*errors)[i] = "_NO_REPORT";
    auto* slot = new ReportSlot{errors, i};
    for (;;) {
      const rd_kafka_resp_err_t err = rd_kafka_producev(
          handles_->producer, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(RD_KAFKA_PARTITION_UA),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_size), RD_KAFKA_V_VALUE(value, value_size),
          RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(slot), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;  // librdkafka owns the headers now
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(handles_->producer, kQueueFullWaitMs);  // serves delivery reports, making room
        continue;
      }
      rd_kafka_headers_destroy(headers);
      delete slot;
      if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
        (*errors)[i] = kRefusedTooLarge;  // never entered the transaction: the others may go on
      } else {
        (*errors)[i] = rd_kafka_err2name(err);
        out.error = FromCode(err);
        out.error->abort_needed = options_.transactional;
      }
      break;
    }
    if (out.error) break;
  }
  const rd_kafka_resp_err_t flushed = rd_kafka_flush(handles_->producer, static_cast<int>(timeout_ms));
  if (flushed != RD_KAFKA_RESP_ERR_NO_ERROR && !out.error) {
    out.error = FromCode(flushed);
    out.error->abort_needed = options_.transactional;
  }
  if (out.error) {
    // Reports still owed point into this round: purge so none arrives after it.
    rd_kafka_purge(handles_->producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(handles_->producer, 0);
    rd_kafka_poll(handles_->producer, 0);
  }
  out.errors = *errors;
  return out;
}

std::optional<KafkaError> KafkaClient::SendPosition(const std::string& topic, int64_t offset,
                                                    const std::string& metadata, int64_t timeout_ms) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_t* p = rd_kafka_topic_partition_list_add(list, topic.c_str(), 0);
  p->offset = offset;
  p->metadata = std::malloc(metadata.size());  // freed by the list, with librdkafka's free()
  std::memcpy(p->metadata, metadata.data(), metadata.size());
  p->metadata_size = metadata.size();
  std::optional<KafkaError> e = Check(
      rd_kafka_send_offsets_to_transaction(handles_->producer, list, handles_->group, static_cast<int>(timeout_ms)));
  rd_kafka_topic_partition_list_destroy(list);
  return e;
}

std::optional<KafkaError> KafkaClient::Commit(int64_t timeout_ms) {
  return Check(rd_kafka_commit_transaction(handles_->producer, static_cast<int>(timeout_ms)));
}

std::optional<KafkaError> KafkaClient::Abort(int64_t timeout_ms) {
  return Check(rd_kafka_abort_transaction(handles_->producer, static_cast<int>(timeout_ms)));
}

Result<std::string> KafkaClient::ReadPosition(const std::string& topic, int64_t timeout_ms) {
  if (handles_->consumer == nullptr) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    // Only settings a consumer knows: the connection and security ones pass through as given.
    std::map<std::string, std::string> connection;
    for (const auto& [name, value] : options_.properties) {
      if (name.rfind("security.", 0) == 0 || name.rfind("sasl.", 0) == 0 || name.rfind("ssl.", 0) == 0 ||
          name.rfind("ssl_", 0) == 0 || name == "client.id" || name.rfind("socket.", 0) == 0 ||
          name == "broker.address.family") {
        connection[name] = value;
      }
    }
    Status s = SetAll(conf,
                      {{"bootstrap.servers", options_.brokers},
                       {"group.id", options_.transactional_id},
                       {"enable.auto.commit", "false"},
                       {"isolation.level", "read_committed"}},
                      connection);
    if (!s.ok()) {
      rd_kafka_conf_destroy(conf);
      return s;
    }
    rd_kafka_conf_set_log_cb(conf, LogLine);
    char error[kErrorBytes];
    handles_->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof(error));
    if (handles_->consumer == nullptr) {
      rd_kafka_conf_destroy(conf);
      return Status::Unavailable("kafka: cannot create the position reader: " + std::string(error));
    }
  }
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), 0);
  const rd_kafka_resp_err_t err = rd_kafka_committed(handles_->consumer, list, static_cast<int>(timeout_ms));
  Result<std::string> out = std::string();
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    out = Status::Unavailable(std::string("kafka: cannot read the log position: ") + rd_kafka_err2name(err));
  } else if (list->elems[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    out = Status::Unavailable(std::string("kafka: cannot read the log position: ") +
                              rd_kafka_err2name(list->elems[0].err));
  } else if (list->elems[0].metadata != nullptr) {
    out = std::string(static_cast<const char*>(list->elems[0].metadata), list->elems[0].metadata_size);
  }
  rd_kafka_topic_partition_list_destroy(list);
  return out;
}

int64_t KafkaClient::QueueLength() const { return rd_kafka_outq_len(handles_->producer); }

}  // namespace tracklake
