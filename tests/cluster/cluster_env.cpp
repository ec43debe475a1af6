#include "cluster_env.hpp"

#include <gtest/gtest.h>

#include <iostream>
#include <memory>

namespace redstream::test {
namespace {

class ClusterEnvironment : public ::testing::Environment {
  public:
    void SetUp() override {
        try {
            cluster_ = std::make_unique<RedisCluster>();
        } catch (const std::exception& e) {
            // A fatal failure here fails the program before any test runs.
            GTEST_FAIL() << "cluster bring-up failed: " << e.what();
        }
        std::cout << "[ cluster  ] " << cluster_->size() << " nodes ready in "
                  << cluster_->bring_up_time().count() << " ms" << std::endl;
    }
    void TearDown() override { cluster_.reset(); }

    RedisCluster& cluster() const { return *cluster_; }

  private:
    std::unique_ptr<RedisCluster> cluster_;
};

// Registered before main() runs (gtest_main calls RUN_ALL_TESTS); owned by
// GoogleTest from here on.
ClusterEnvironment* const environment =
    static_cast<ClusterEnvironment*>(::testing::AddGlobalTestEnvironment(new ClusterEnvironment));

}  // namespace

RedisCluster& shared_cluster() {
    return environment->cluster();
}

}  // namespace redstream::test
