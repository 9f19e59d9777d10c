#include "pg/overdue_exports.hpp"

#include "pg/export_job.hpp"
#include "pg/shared_state.hpp"
#include "pg/spi.hpp"
#include "pg/transaction.hpp"

namespace budget_exports::pg {

int expire_overdue_exports_if_asked(WorkerContext& context) {
  if (!take_expiry_request()) return 0;
  std::string schema = "\"";
  for (char c : context.queue.schema()) schema += (c == '"') ? std::string("\"\"") : std::string(1, c);
  schema += "\"";
  auto rows = in_transaction("budget_exports: expiring overdue exports", false, [&] {
    return spi_query("SELECT expired, still_locked FROM " + schema + ".budget_exports_expire_overdue()");
  });
  if (rows.empty() || !rows[0][0] || !rows[0][1]) return 0;
  // The download that asked usually still holds its row lock: look again next round.
  if (std::stoi(*rows[0][1]) > 0) defer_expiry_request();
  return std::stoi(*rows[0][0]);
}

}  // namespace budget_exports::pg
