// How long a failed export waits before its next attempt: base * 2^retries, capped, with
// "equal jitter" (half fixed, half random) so a storage outage does not end in a stampede.
#pragma once

#include <cstdint>
#include <random>

namespace budget_exports::jobs {

struct BackoffPolicy {
    std::int64_t base_ms = 1000;
    std::int64_t max_ms = 300000;
};

// retries_so_far: 0 before the first retry. Result in [ceiling/2, ceiling], ceiling =
// min(max_ms, base_ms * 2^retries_so_far).
std::int64_t retry_delay_ms(const BackoffPolicy& policy, int retries_so_far, std::mt19937_64& random);

}  // namespace budget_exports::jobs
