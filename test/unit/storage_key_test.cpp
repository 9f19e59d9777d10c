// Object keys (DESIGN.md 4 character set), URL encoding, SHA-256 and store configuration.
#include <gtest/gtest.h>

#include "core/storage/object_key.hpp"
#include "core/storage/object_store.hpp"
#include "core/storage/sha256.hpp"
#include "core/storage/supabase_store.hpp"
#include "storage_test_server.hpp"

namespace st = budget_exports::storage;

TEST(StorageKey, AcceptsEveryAllowedCharacter) {
    EXPECT_NO_THROW(st::validate_object_key("AZaz09_/!.*'() &$=@;:+,?-"));
    EXPECT_NO_THROW(st::validate_object_key("c0ffee/1234/budget-export-2024-05-01 (v2).pdf"));
}

TEST(StorageKey, RejectsCharactersOutsideTheSetNamingThePosition) {
    for (const std::string bad : {"a#b", "a%b", "a\\b", "a\"b", "a<b", "a\tb", "a~b", "a`b"}) {
        try {
            st::validate_object_key(bad);
            ADD_FAILURE() << "accepted " << bad;
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find("position 1"), std::string::npos) << e.what();
        }
    }
}

TEST(StorageKey, MessageNamesThePositionNotTheKey) {
    try {
        st::validate_object_key("secret-couple/export/x#y.pdf");
        FAIL();
    } catch (const std::invalid_argument& e) {
        std::string message = e.what();
        EXPECT_NE(message.find("'#'"), std::string::npos) << message;
        EXPECT_NE(message.find("position 22"), std::string::npos) << message;
        EXPECT_EQ(message.find("secret-couple"), std::string::npos) << message;
    }
}

TEST(StorageKey, RejectsNonAsciiSoCoupleFileNamesNeedASafeName) {
    // Documented behaviour: an accented file name is refused; the SQL layer supplies a
    // safe file_name (e.g. budget-export-<timestamp>.pdf) before the worker builds the key.
    EXPECT_THROW(st::object_key("couple", "export", "Zo\xc3\xab's budget.pdf"), std::invalid_argument);
    try {
        st::validate_object_key("c/e/Zo\xc3\xab.pdf");
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("byte 0xC3 at position 6"), std::string::npos) << e.what();
    }
}

TEST(StorageKey, RejectsBadShapes) {
    for (const std::string bad : {"", "/abs", "a/", "a//b", "a/../b", "..", "a/./b", "./a"})
        EXPECT_THROW(st::validate_object_key(bad), std::invalid_argument) << "'" << bad << "'";
    EXPECT_NO_THROW(st::validate_object_key("a/..b/c.."));  // dots inside a name are fine
    EXPECT_THROW(st::validate_object_key(std::string(st::kMaxObjectKeyBytes + 1, 'a')),
                 std::invalid_argument);
}

TEST(StorageKey, ObjectKeyJoinsAndChecksParts) {
    EXPECT_EQ(st::object_key("c1", "e1", "report.pdf"), "c1/e1/report.pdf");
    EXPECT_THROW(st::object_key("", "e1", "f"), std::invalid_argument);
    EXPECT_THROW(st::object_key("c1", "e/1", "f"), std::invalid_argument);
    EXPECT_THROW(st::object_key("c1", "e1", ".."), std::invalid_argument);
}

TEST(StorageKey, EncodeForUrlKeepsSlashesAndUnreserved) {
    EXPECT_EQ(st::encode_key_for_url("a b/c?d+e&f.pdf"), "a%20b/c%3Fd%2Be%26f.pdf");
    EXPECT_EQ(st::encode_key_for_url("A-z_0.9~/x"), "A-z_0.9~/x");
    EXPECT_EQ(st::encode_key_for_url("c/e/!*'() $=@;:,.csv"), "c/e/%21%2A%27%28%29%20%24%3D%40%3B%3A%2C.csv");
    EXPECT_EQ(st::encode_path_segment("a/b"), "a%2Fb");
    EXPECT_EQ(st::encode_path_segment(""), "");
}

TEST(StorageSha256, KnownValues) {
    EXPECT_EQ(st::sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(st::sha256_hex(""),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    std::string dir = storage_test::make_temp_dir("sha");
    storage_test::write_file(dir + "/abc", "abc");
    EXPECT_EQ(st::sha256_file_hex(dir + "/abc"), st::sha256_hex("abc"));
    EXPECT_THROW(st::sha256_file_hex(dir + "/missing"), std::runtime_error);
    std::filesystem::remove_all(dir);
}

TEST(StorageSha256, StreamingEqualsOneShot) {
    st::Sha256 hash;
    hash.update("a", 1);
    hash.update("bc", 2);
    EXPECT_EQ(hash.final_hex(), st::sha256_hex("abc"));
    hash.update("abc", 3);  // starts over after final_hex
    EXPECT_EQ(hash.final_hex(), st::sha256_hex("abc"));
}

TEST(StorageConfig, RejectsBadConfigurations) {
    auto open = [](st::StoreConfig c) { return st::open_store(c); };
    st::StoreConfig ok;
    ok.url = "https://project.supabase.co/storage/v1";
    ok.service_key = "key";
    EXPECT_NO_THROW(open(ok));

    auto with = [&](auto change) { st::StoreConfig c = ok; change(c); return c; };
    EXPECT_THROW(open(with([](auto& c) { c.url = "ftp://x"; })), std::invalid_argument);
    EXPECT_THROW(open(with([](auto& c) { c.url = "http://example.com/storage/v1"; })), std::invalid_argument);
    EXPECT_NO_THROW(open(with([](auto& c) { c.url = "http://127.0.0.1:5000"; })));
    EXPECT_NO_THROW(open(with([](auto& c) { c.url = "http://storage:5000"; c.allow_plain_http = true; })));
    EXPECT_THROW(open(with([](auto& c) { c.url = "https://"; })), std::invalid_argument);
    EXPECT_THROW(open(with([](auto& c) { c.url += "?x=1"; })), std::invalid_argument);
    EXPECT_THROW(open(with([](auto& c) { c.service_key = ""; })), std::invalid_argument);
    EXPECT_THROW(open(with([](auto& c) { c.service_key = "k\r\nX-Evil: 1"; })), std::invalid_argument);
    EXPECT_THROW(open(with([](auto& c) { c.bucket = "a/b"; })), std::invalid_argument);
    EXPECT_THROW(open(with([](auto& c) { c.total_timeout_ms = 0; })), std::invalid_argument);
    EXPECT_THROW(open(with([](auto& c) { c.url = "file://relative/dir"; })), std::invalid_argument);
    EXPECT_NO_THROW(open(with([](auto& c) { c.url = "file:///tmp/exports"; c.service_key = ""; })));
}

TEST(StorageConfig, SignedDownloadUrlIsAbsoluteEncodedAndNamesTheFile) {
    const std::string base = "https://p.supabase.co/storage/v1";
    EXPECT_EQ(st::SupabaseStore::signed_download_url(base, "budget-exports", "c/e/Our budget (v2) a+b&c=d.csv",
                                                     "h.p.s"),
              base + "/object/sign/budget-exports/c/e/Our%20budget%20%28v2%29%20a%2Bb%26c%3Dd.csv"
                     "?token=h.p.s&download=Our%20budget%20%28v2%29%20a%2Bb%26c%3Dd.csv");
    EXPECT_EQ(st::SupabaseStore::signed_download_url("http://127.0.0.1:5000/", "b", "k/x?y#z.pdf", "t"),
              "http://127.0.0.1:5000/object/sign/b/k/x%3Fy%23z.pdf?token=t&download=x%3Fy%23z.pdf");
    EXPECT_EQ(st::SupabaseStore::signed_download_url("http://127.0.0.1:5000", "b", "k/f.csv", "t"),
              "http://127.0.0.1:5000/object/sign/b/k/f.csv?token=t&download=f.csv");
    EXPECT_THROW(st::SupabaseStore::signed_download_url("not a url", "b", "k", "t"), std::invalid_argument);
}

TEST(StorageConfig, TokenIsTakenFromTheSignedUrlAnswer) {
    // the batch route answers the key unescaped, so it may contain '?' and '&'
    EXPECT_EQ(st::SupabaseStore::token_of("/object/sign/b/c/a?b&token=x.csv?token=eyJ.eyJ.sig-_"), "eyJ.eyJ.sig-_");
    EXPECT_EQ(st::SupabaseStore::token_of("/object/sign/b/k"), "");
    EXPECT_EQ(st::SupabaseStore::token_of("/object/sign/b/k?token=a b"), "");
    EXPECT_EQ(st::SupabaseStore::token_of("/object/sign/b/k?token=t&download=x"), "");
}
