#include "pg/storage_config.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "pg/export_job.hpp"
#include "pg/guard.hpp"
#include "pg/settings.hpp"
#include "pg/transaction.hpp"
#include "pg/vault_key.hpp"

extern "C" {
#include "postmaster/interrupt.h"
}

namespace budget_exports::pg {

namespace {

std::string setting_text(const char* value) { return value ? value : ""; }

// The key from budget_exports.storage_service_key_file; its content never reaches a message.
std::string read_key_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    throw std::invalid_argument("cannot read budget_exports.storage_service_key_file " + path + ": " +
                                strerror(errno));
  }
  std::string key((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  auto last = key.find_last_not_of(" \t\r\n");
  key.erase(last == std::string::npos ? 0 : last + 1);
  return key;
}

}  // namespace

std::string store_signature(const storage::StoreConfig& config) {
  return config.url + '\n' + config.bucket + '\n' + config.service_key + '\n' +
         std::to_string(config.connect_timeout_ms) + '\n' + std::to_string(config.total_timeout_ms);
}

storage::StoreConfig store_config_from_settings(const VaultReader& read_vault) {
  storage::StoreConfig config;
  config.url = setting_text(settings.storage_url);
  // The default local store: a pgsql_tmp-prefixed directory, which base backups skip
  // (PostgreSQL itself never empties it: only base/pgsql_tmp is cleared at startup).
  if (config.url.empty()) config.url = std::string("file://") + DataDir + "/pgsql_tmp_budget_exports";
  config.bucket = setting_text(settings.storage_bucket);
  config.connect_timeout_ms = settings.storage_connect_timeout_ms;
  config.total_timeout_ms = settings.storage_timeout_ms;

  std::string secret_name = setting_text(settings.storage_service_key_secret);
  std::string key_file = setting_text(settings.storage_service_key_file);
  std::optional<std::string> vault_key;
  if (!secret_name.empty()) vault_key = read_vault(secret_name);
  if (vault_key) {
    config.service_key = *vault_key;
  } else if (!key_file.empty()) {
    config.service_key = read_key_file(key_file);
  } else {
    config.service_key = setting_text(settings.storage_service_key);
  }
  return config;
}

storage::ObjectStore& current_store(WorkerContext& context) {
  storage::StoreConfig config = store_config_from_settings([](const std::string& secret_name) {
    return in_transaction("budget_exports: reading the storage key from Vault", true,
                          [&] { return read_vault_secret(secret_name); });
  });
  config.should_abort = [] { return ProcDiePending || ShutdownRequestPending; };  // SIGTERM ends a slow upload
  std::string wanted = store_signature(config);
  if (!context.store || context.store_signature != wanted) {
    context.store.reset();
    context.store = storage::open_store(config);
    context.store_signature = wanted;
  }
  return *context.store;
}

}  // namespace budget_exports::pg
