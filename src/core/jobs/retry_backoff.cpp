#include "core/jobs/retry_backoff.hpp"

#include <algorithm>

namespace budget_exports::jobs {

std::int64_t retry_delay_ms(const BackoffPolicy& policy, int retries_so_far, std::mt19937_64& random) {
    std::int64_t base = std::max<std::int64_t>(policy.base_ms, 0);
    std::int64_t cap = std::max<std::int64_t>(policy.max_ms, 0);
    std::int64_t ceiling = base;
    for (int i = 0; i < retries_so_far && ceiling < cap; i++) ceiling *= 2;  // no overflow: stops at cap
    ceiling = std::min(ceiling, cap);
    if (ceiling <= 1) return ceiling;
    std::uniform_int_distribution<std::int64_t> jitter(0, ceiling / 2);
    return ceiling - ceiling / 2 + jitter(random);
}

}  // namespace budget_exports::jobs
