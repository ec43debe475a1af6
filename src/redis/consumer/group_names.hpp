// Default names of a group consumer. Resumable consumers must find their
// group and their pending entries again after a restart, so their names are
// stable (the host name; in a container that is the container id). A
// load-balanced member is unique per process unless the user names it.
#pragma once

#include <string>

#include <redstream/redis/consumer.hpp>

namespace redstream::detail {

/// This machine's name (gethostname), or "localhost" if it has none.
std::string host_name();

/// `<host>:resumable` or `<host>:load_balanced`; options.group if set.
std::string group_name(const ConsumerOptions& options, const std::string& host);

/// options.consumer if set; else the group (resumable) or
/// `<host>:<pid>:<n>`, n counting the consumers made by this process
/// (load_balanced).
std::string member_name(const ConsumerOptions& options, const std::string& group,
                        const std::string& host);

}  // namespace redstream::detail
