// The Storage service key from Supabase Vault (vault.decrypted_secrets), by secret name.
// Runs SPI: call inside a transaction with SPI connected (the worker: in_transaction;
// a backend function: its own SPI_connect). The key never reaches a message.
#pragma once

#include <optional>
#include <string>

namespace budget_exports::pg {

// nullopt when schema vault does not exist (not a Supabase database); throws
// std::invalid_argument when Vault exists but has no such secret (or it is empty).
std::optional<std::string> read_vault_secret(const std::string& secret_name);

}  // namespace budget_exports::pg
