#include "pg/vault_key.hpp"

#include <stdexcept>

#include "pg/spi.hpp"

namespace budget_exports::pg {

std::optional<std::string> read_vault_secret(const std::string& secret_name) {
  auto schema = spi_query("SELECT pg_catalog.to_regnamespace('vault') IS NOT NULL");
  if (schema.empty() || !schema[0][0] || *schema[0][0] != "t") return std::nullopt;
  // schema-qualified: the caller may run with any search_path
  auto rows = spi_query("SELECT decrypted_secret FROM vault.decrypted_secrets WHERE name = $1 LIMIT 1",
                        {secret_name});
  if (rows.empty() || !rows[0][0] || rows[0][0]->empty()) {
    throw std::invalid_argument("Supabase Vault has no secret named \"" + secret_name +
                                "\" (budget_exports.storage_service_key_secret)");
  }
  std::string key = *rows[0][0];
  key.erase(key.find_last_not_of(" \t\r\n") + 1);  // a pasted key often ends in a newline
  return key;
}

}  // namespace budget_exports::pg
