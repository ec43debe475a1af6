// to_prometheus(): a StreamerStats in the Prometheus text exposition format.
// Each family is written whole (HELP, TYPE, every object's sample), as the
// format asks: a family's samples may not be split by another family's.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <redstream/core/error.hpp>
#include <redstream/redis/streamer_stats.hpp>

namespace redstream {

namespace {

template <class Stats>
struct Family {
    const char* name;  // after "<prefix>_<object>_"
    const char* type;  // counter or gauge
    const char* help;
    std::uint64_t (*value)(const Stats&);
};

// The samples of one kind of object share their families.
template <class Stats>
using Families = std::initializer_list<Family<Stats>>;

const Families<ProducerStats> producer_families{
    {"sent_total", "counter", "Sends taken.", [](const ProducerStats& s) { return s.sent; }},
    {"confirmed_total", "counter", "Sends the server stored.",
     [](const ProducerStats& s) { return s.confirmed; }},
    {"failed_total", "counter", "Sends that failed, refused ones included.",
     [](const ProducerStats& s) { return s.failed; }},
    {"in_flight", "gauge", "Sends taken and not yet completed.",
     [](const ProducerStats& s) { return std::uint64_t{s.in_flight}; }},
    {"sent_bytes_total", "counter", "Bytes of XADD commands shipped to the server.",
     [](const ProducerStats& s) { return s.bytes; }},
};

const Families<ConsumerStats> consumer_families{
    {"queued", "gauge", "Messages read ahead and waiting for the application.",
     [](const ConsumerStats& s) { return std::uint64_t{s.queued}; }},
    {"queued_max", "gauge", "High-water mark of the messages read ahead.",
     [](const ConsumerStats& s) { return std::uint64_t{s.max_queued}; }},
    {"reads_total", "counter", "Read round trips completed.",
     [](const ConsumerStats& s) { return s.reads; }},
    {"delivered_total", "counter", "Messages read from the server.",
     [](const ConsumerStats& s) { return s.delivered; }},
    {"redelivered_total", "counter", "Group deliveries of entries delivered before.",
     [](const ConsumerStats& s) { return s.redelivered; }},
    {"acked_total", "counter", "Group entries the server confirmed acked.",
     [](const ConsumerStats& s) { return s.acked; }},
    {"ack_not_pending_total", "counter", "Acks of entries no longer pending in the group.",
     [](const ConsumerStats& s) { return s.not_pending; }},
    {"deleted_total", "counter", "Pending entries whose body was deleted (acked, not delivered).",
     [](const ConsumerStats& s) { return s.deleted; }},
    {"groups_recreated_total", "counter", "Groups created again after they vanished.",
     [](const ConsumerStats& s) { return s.groups_recreated; }},
    {"claimed_total", "counter", "Entries claimed from idle members.",
     [](const ConsumerStats& s) { return s.claimed; }},
    {"dead_lettered_total", "counter", "Entries moved to the dead-letter stream.",
     [](const ConsumerStats& s) { return s.dead_lettered; }},
    {"dead_letter_failed_total", "counter", "Dead-letter moves the server refused.",
     [](const ConsumerStats& s) { return s.dead_letter_failed; }},
    {"leases_renewed_total", "counter", "Entries whose idle time was reset by a lease.",
     [](const ConsumerStats& s) { return s.leases_renewed; }},
    {"claims_failed_total", "counter", "Claims of idle entries that failed (entries stay pending).",
     [](const ConsumerStats& s) { return s.claims_failed; }},
    {"leases_failed_total", "counter", "Lease renewals that failed (others may claim the entries).",
     [](const ConsumerStats& s) { return s.leases_failed; }},
};

const Families<net::ClientStats> connection_families{
    {"reconnects_total", "counter", "Connections made again after one was up.",
     [](const net::ClientStats& s) { return s.reconnects; }},
    {"received_bytes_total", "counter", "Bytes read from the server.",
     [](const net::ClientStats& s) { return s.bytes_in; }},
    {"sent_bytes_total", "counter", "Bytes written to the server.",
     [](const net::ClientStats& s) { return s.bytes_out; }},
    {"pending", "gauge", "Requests queued or waiting for their reply.",
     [](const net::ClientStats& s) { return std::uint64_t{s.pending}; }},
};

// Colons are valid in a metric name but reserved for recording rules.
bool is_metric_name(std::string_view name) {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (!letter && (i == 0 || c < '0' || c > '9')) return false;
    }
    return true;
}

// A label pair, its value escaped as the format says: \\, \" and \n.
void label(std::string& out, std::string_view name, std::string_view value) {
    if (out.back() != '{') out += ',';
    out.append(name).append("=\"");
    for (const char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    out += '"';
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : ",") + p;
    return out;
}

// Writes every family of one kind of object; `labels(i)` gives the i-th
// object's label set, `stats(i)` its counters.
template <class Stats, class Labels, class Get>
void write_families(std::string& out, const std::string& prefix, Families<Stats> families,
                    std::size_t count, Labels labels, Get stats) {
    if (count == 0) return;
    std::vector<std::string> label_sets;
    for (std::size_t i = 0; i < count; ++i)
        label_sets.push_back(labels(i));
    for (const auto& f : families) {
        const std::string name = prefix + f.name;
        out.append("# HELP ").append(name).append(" ").append(f.help).append("\n");
        out.append("# TYPE ").append(name).append(" ").append(f.type).append("\n");
        for (std::size_t i = 0; i < count; ++i)
            out.append(name)
                .append(label_sets[i])
                .append(" ")
                .append(std::to_string(f.value(stats(i))))
                .append("\n");
    }
}

}  // namespace

std::string to_prometheus(const StreamerStats& stats, const PrometheusOptions& options) {
    if (!is_metric_name(options.prefix))
        throw Error(make_error_code(errc::invalid_argument),
                    "PrometheusOptions::prefix is not a metric name: '" + options.prefix + "'");
    std::string out;
    const auto& producers = stats.producers;
    write_families(
        out, options.prefix + "_producer_", producer_families, producers.size(),
        [&](std::size_t i) {
            std::string l = "{";
            label(l, "producer", std::to_string(i));
            label(l, "stream", producers[i].stream);
            return l + "}";
        },
        [&](std::size_t i) -> const ProducerStats& { return producers[i].stats; });
    const auto& consumers = stats.consumers;
    write_families(
        out, options.prefix + "_consumer_", consumer_families, consumers.size(),
        [&](std::size_t i) {
            std::string l = "{";
            label(l, "consumer", std::to_string(i));
            label(l, "streams", join(consumers[i].streams));
            label(l, "group", consumers[i].group);
            label(l, "member", consumers[i].member);
            return l + "}";
        },
        [&](std::size_t i) -> const ConsumerStats& { return consumers[i].stats; });
    const auto& connections = stats.connections;
    write_families(
        out, options.prefix + "_connection_", connection_families, connections.size(),
        [&](std::size_t i) {
            std::string l = "{";
            label(l, "connection", std::to_string(i));
            label(l, "endpoint", connections[i].endpoint);
            label(l, "owner", connections[i].owner);
            return l + "}";
        },
        [&](std::size_t i) -> const net::ClientStats& { return connections[i].stats; });
    return out;
}

}  // namespace redstream
