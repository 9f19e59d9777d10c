#include "core/storage/sha256.hpp"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace budget_exports::storage {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
    if (ctx_ == nullptr) throw std::bad_alloc();
    restart();
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::restart() {
    if (EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("sha256: EVP_DigestInit_ex failed");
}

void Sha256::update(const void* data, std::size_t size) {
    if (size > 0 && EVP_DigestUpdate(ctx_, data, size) != 1)
        throw std::runtime_error("sha256: EVP_DigestUpdate failed");
}

std::string Sha256::final_hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx_, digest, &length) != 1)
        throw std::runtime_error("sha256: EVP_DigestFinal_ex failed");
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    restart();
    return out;
}

std::string sha256_hex(const std::string& data) {
    Sha256 hash;
    hash.update(data.data(), data.size());
    return hash.final_hex();
}

std::string sha256_file_hex(const std::string& path) {
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rbe"), &std::fclose);
    if (!file) throw std::runtime_error(std::string("sha256: cannot open file: ") + std::strerror(errno));
    Sha256 hash;
    char buffer[64 * 1024];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) hash.update(buffer, n);
    if (std::ferror(file.get())) throw std::runtime_error("sha256: read error");
    return hash.final_hex();
}

}  // namespace budget_exports::storage
