// The one cluster every test of this program shares: a GoogleTest
// environment starts 3 masters with a replica each before the first test and
// stops them after the last. Bring-up takes seconds, so a cluster per test
// would make the suite slow; tests that change the topology (failover,
// resharding) start a cluster of their own.
#pragma once

#include "support/redis_cluster.hpp"

namespace redstream::test {

/// The shared cluster (valid while tests run).
RedisCluster& shared_cluster();

}  // namespace redstream::test
