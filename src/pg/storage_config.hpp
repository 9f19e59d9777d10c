// The object store's configuration from the budget_exports.storage_* settings, shared by
// the worker (which keeps its store and reopens it after a SIGHUP changed them) and by
// budget_exports_sign_url() in a backend.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/storage/object_store.hpp"

namespace budget_exports::pg {

struct WorkerContext;

// Reads a Vault secret by name; nullopt when there is no Vault. The worker and a backend
// differ only in how they get a transaction around it.
using VaultReader = std::function<std::optional<std::string>(const std::string& secret_name)>;

// url, bucket, timeouts and the service key: from Vault when
// budget_exports.storage_service_key_secret is set and schema vault exists, else from
// budget_exports.storage_service_key_file, else budget_exports.storage_service_key.
// should_abort is left for the caller (the worker and a backend stop on different flags).
storage::StoreConfig store_config_from_settings(const VaultReader& read_vault);

// Everything a store depends on (the key included, so a rotated key reopens it); compare,
// never print.
std::string store_signature(const storage::StoreConfig& config);

// The worker's store for the current settings (file://<data directory>/budget_exports by
// default). Called with no transaction open; reading Vault opens a short one.
storage::ObjectStore& current_store(WorkerContext& context);

}  // namespace budget_exports::pg
