// Streaming SHA-256 (OpenSSL EVP) for the export's checksum column.
#pragma once

#include <cstddef>
#include <string>

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace budget_exports::storage {

class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(const void* data, std::size_t size);
    std::string final_hex();  // lowercase hex; the hasher starts over afterwards
    void restart();

private:
    EVP_MD_CTX* ctx_;
};

std::string sha256_hex(const std::string& data);
// Reads the file in chunks (bounded memory). Throws std::runtime_error on I/O errors.
std::string sha256_file_hex(const std::string& path);

}  // namespace budget_exports::storage
