// The option table's [kafka] section, [kafka.properties] included (option_builder.h).
#include "config/option_builder.h"

#include "config/name_rules.h"
#include "config/option_binding.h"

namespace tracklake::config_internal {
namespace {

// Topic names are [a-zA-Z0-9._-], at most 249 characters.
std::optional<std::string> CheckTopicTemplate(std::string_view value) {
  return CheckNameTemplate(value, 249, "topic");
}
constexpr int64_t kMaxTransactionTimeoutSeconds = 900;  // the broker's default transaction.max.timeout.ms

// Brokers: host:port entries separated by commas.
std::optional<std::string> CheckBrokers(std::string_view value) {
  if (value.empty()) return std::nullopt;  // required with sink.type = "kafka" only (CheckWholeConfig)
  size_t start = 0;
  for (;;) {
    const size_t comma = value.find(',', start);
    const std::string_view entry = value.substr(start, comma == std::string_view::npos ? comma : comma - start);
    const size_t colon = entry.rfind(':');
    if (entry.empty() || colon == std::string_view::npos || colon == 0 || colon + 1 == entry.size() ||
        entry.substr(colon + 1).find_first_not_of("0123456789") != std::string_view::npos) {
      return "must be host:port entries separated by commas";
    }
    if (comma == std::string_view::npos) return std::nullopt;
    start = comma + 1;
  }
}

}  // namespace

std::vector<OptionSpec> KafkaSection() {
  return {
      Option("kafka", "brokers")
          .String(CheckBrokers, "host:port[,host:port...]")
          .Doc("Bootstrap servers of the Kafka cluster (librdkafka's bootstrap.servers); required with "
               "sink.type = \"kafka\". The collector starts even when none is reachable: /readyz says why.")
          .Bind(BindField<&Config::kafka, &Config::Kafka::brokers>()),
      Option("kafka", "topic_template")
          .String(CheckTopicTemplate, "[a-zA-Z0-9._-] and {event_type}")
          .Doc("Topic of each event type; {event_type} is replaced by the event type. Without "
               "{event_type} every event goes to one topic and the event_type header tells them apart.")
          .Bind(BindField<&Config::kafka, &Config::Kafka::topic_template>()),
      Option("kafka", "message_key")
          .Enum(MessageKeyNames())
          .Doc("Field whose value is each message's key (one key, one partition, in order); an event "
               "without it, or \"none\", has no key.")
          .Bind(BindField<&Config::kafka, &Config::Kafka::message_key>()),
      Option("kafka", "exactly_once")
          .Bool()
          .Doc("One transaction per batch, with the log position committed in it (consumer group "
               "\"tracklake.<node.id>.<log id>\"): a replay after a crash never publishes a batch twice "
               "for consumers with isolation.level = read_committed. false: an idempotent producer, "
               "at-least-once across restarts (docs/kafka.md).")
          .Bind(BindField<&Config::kafka, &Config::Kafka::exactly_once>()),
      Option("kafka", "transaction_timeout")
          .Seconds(1, kMaxTransactionTimeoutSeconds)
          .Because("brokers refuse more than transaction.max.timeout.ms (15 minutes by default)")
          .Doc("A batch's transaction is aborted by the broker when not committed within this time "
               "(librdkafka's transaction.timeout.ms).")
          .Bind(BindField<&Config::kafka, &Config::Kafka::transaction_timeout_s>()),
      Option("kafka.properties", "<librdkafka property>")
          .Scope(OptionScope::kPassThrough)
          .String()
          .DefaultText("none")
          .Doc("Any librdkafka producer property, passed through (security.protocol, sasl.mechanism, "
               "sasl.username, sasl.password, ssl.ca.location, client.id, linger.ms, compression.type, ...). "
               "Values whose name holds password, secret or key.pem are masked by `config check`. "
               "Refused: the ones tracklake sets for safety (bootstrap.servers, acks, enable.idempotence, "
               "transactional.id, transaction.timeout.ms, max.in.flight.requests.per.connection)."),
  };
}

}  // namespace tracklake::config_internal
