// The worker's pure C++ helpers: the line-item spool between the read and render steps,
// retry backoff, and reading export_filters.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>
#include <sys/stat.h>

#include "core/jobs/export_request.hpp"
#include "core/jobs/retry_backoff.hpp"
#include "core/render/render.hpp"
#include "core/spool/line_item_spool.hpp"
#include <fstream>
#include "sample_budget.hpp"

using namespace budget_exports;

namespace {

std::string temp_path(const char* name) {
    return ::testing::TempDir() + "/" + name + "-" + std::to_string(::getpid());
}

report::LineItem item_with_everything() {
    report::LineItem item;
    item.date = report::Date{2026, 2, 28};
    item.category = "Flowers & Décor";
    item.description = std::string("multi\nline \"quoted\"\0with a NUL", 31);
    item.vendor = "Fleurs de Zoë";
    item.payment_method = "card";
    item.amount = report::Money{-123456};
    item.type = report::TransactionType::refund;
    item.notes = "";
    item.tags = {"deposit", "", "refundable"};
    return item;
}

}  // namespace

TEST(LineItemSpool, RoundTripsEveryFieldInOrder) {
    std::string path = temp_path("spool-fields");
    report::LineItem first = item_with_everything();
    report::LineItem undated;
    undated.description = "no date";
    undated.amount = report::Money{5};
    {
        spool::LineItemSpoolWriter writer(path);
        writer.write(first);
        writer.write(undated);
        writer.close();
        EXPECT_EQ(writer.count(), 2);
    }
    spool::LineItemSpoolReader reader(path);
    report::LineItem read;
    ASSERT_TRUE(reader.next(read));
    EXPECT_EQ(read.date, first.date);
    EXPECT_EQ(read.category, first.category);
    EXPECT_EQ(read.description, first.description);
    EXPECT_EQ(read.vendor, first.vendor);
    EXPECT_EQ(read.amount, first.amount);
    EXPECT_EQ(read.type, first.type);
    EXPECT_EQ(read.tags, first.tags);
    ASSERT_TRUE(reader.next(read));
    EXPECT_FALSE(read.date.has_value()) << "a reused item must not keep the previous date";
    EXPECT_TRUE(read.tags.empty());
    EXPECT_EQ(read.description, "no date");
    EXPECT_FALSE(reader.next(read));
    // Renderers read the spool twice (measure, then draw).
    ASSERT_TRUE(reader.rewind());
    ASSERT_TRUE(reader.next(read));
    EXPECT_EQ(read.description, first.description);
    std::remove(path.c_str());
}

namespace {

// A source that cannot rewind, like a cursor: renderers copy it to a temporary spool.
class OnceOnly : public report::LineItemSource {
public:
    explicit OnceOnly(std::uint64_t count) : rows_(count) {}
    bool next(report::LineItem& item) override { return rows_.next(item); }

private:
    sample::GeneratedLineItemSource rows_;
};

}  // namespace

TEST(LineItemSpool, RenderersReadASourceThatCannotRewindThroughACopy) {
    const report::Report report = sample::sample_report(120);
    for (const char* format : {"pdf", "excel", "csv"}) {
        OnceOnly source(120);
        ASSERT_FALSE(source.rewind());
        const std::string path = temp_path((std::string("once.") + format).c_str());
        EXPECT_NO_THROW(render::render(format, report, source, path)) << format;
        std::ifstream file(path, std::ios::binary | std::ios::ate);
        EXPECT_GT(static_cast<long>(file.tellg()), 1000) << format;
        std::remove(path.c_str());
    }
}

TEST(LineItemSpool, StreamsALargeSampleWithTheSameTotals) {
    std::string path = temp_path("spool-large");
    sample::GeneratedLineItemSource generated(50000);
    report::LineItemTotals written;
    {
        spool::LineItemSpoolWriter writer(path);
        report::LineItem item;
        while (generated.next(item)) {
            writer.write(item);
            written.add(item);
        }
        writer.close();
    }
    spool::LineItemSpoolReader reader(path);
    EXPECT_EQ(report::compute_line_item_totals(reader), written);
    EXPECT_EQ(written.count, 50000);
    std::remove(path.c_str());
}

// The worker rewrites its spool in place for every job (core/io/rewritten_file.hpp): nothing
// of a longer previous budget is read back after a shorter one, and a new spool file is
// readable by its owner only.
TEST(LineItemSpool, ARewrittenSpoolHoldsOnlyTheNewItems) {
    std::string path = temp_path("spool-rewrite");
    std::remove(path.c_str());
    {
        spool::LineItemSpoolWriter writer(path);
        for (int i = 0; i < 1000; i++) writer.write(item_with_everything());
        writer.close();
    }
    struct stat first {};
    ASSERT_EQ(::stat(path.c_str(), &first), 0);
    EXPECT_EQ(first.st_mode & 0777, 0600u);
    report::LineItem only;
    only.description = "the only one";
    only.amount = report::Money{7};
    {
        spool::LineItemSpoolWriter writer(path);
        writer.write(only);
        writer.close();
    }
    struct stat second {};
    ASSERT_EQ(::stat(path.c_str(), &second), 0);
    EXPECT_EQ(second.st_ino, first.st_ino);
    spool::LineItemSpoolReader reader(path);
    report::LineItem read;
    ASSERT_TRUE(reader.next(read));
    EXPECT_EQ(read.description, "the only one");
    EXPECT_EQ(read.amount.minor_units, 7);
    EXPECT_FALSE(reader.next(read));
    std::remove(path.c_str());
}

// Both ends buffer 256 kB at a time: fields larger than that, and rows that straddle a
// refill, come back whole and in order, and the file is the same bytes as one written a
// field at a time would be (its length: the sum of the fields).
TEST(LineItemSpool, FieldsLargerThanTheBufferAndRowsAcrossRefillsComeBackWhole) {
    std::string path = temp_path("spool-big-fields");
    std::vector<report::LineItem> written;
    for (int i = 0; i < 3000; ++i) {
        report::LineItem item = item_with_everything();
        item.amount = report::Money{i};
        item.description = "row " + std::to_string(i) + std::string(static_cast<std::size_t>(i % 97), 'x');
        if (i == 1000) item.description = std::string(1 << 20, 'd');    // 1 MB: four buffers
        if (i == 2000) item.notes = std::string((256 << 10) + 1, 'n');  // just over one buffer
        written.push_back(item);
    }
    std::uint64_t expected_bytes = 0;
    for (const auto& item : written) {
        expected_bytes += 12 + 8 + 1 + 4 + 4 * (5 + item.tags.size()) + item.category.size() + item.description.size() +
                          item.vendor.size() + item.payment_method.size() + item.notes.size();
        for (const auto& tag : item.tags) expected_bytes += tag.size();
    }
    {
        spool::LineItemSpoolWriter writer(path);
        for (const auto& item : written) writer.write(item);
        writer.close();
    }
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(static_cast<std::uint64_t>(st.st_size), expected_bytes);
    spool::LineItemSpoolReader reader(path);
    for (int pass = 0; pass < 2; ++pass) {  // and again after a rewind
        report::LineItem read;
        for (const auto& item : written) {
            ASSERT_TRUE(reader.next(read)) << "row " << item.amount.minor_units;
            ASSERT_EQ(read.amount, item.amount);
            ASSERT_EQ(read.description, item.description) << "row " << item.amount.minor_units;
            ASSERT_EQ(read.notes, item.notes) << "row " << item.amount.minor_units;
            ASSERT_EQ(read.tags, item.tags);
        }
        EXPECT_FALSE(reader.next(read));
        ASSERT_TRUE(reader.rewind());
    }
    // cut inside the 1 MB field: an error, not a short field
    ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(expected_bytes / 3)), 0);
    spool::LineItemSpoolReader cut(path);
    report::LineItem read;
    EXPECT_THROW(
        {
            while (cut.next(read)) {
            }
        },
        std::runtime_error);
    std::remove(path.c_str());
}

TEST(LineItemSpool, TruncatedFileIsAnErrorNotAShortReport) {
    std::string path = temp_path("spool-truncated");
    {
        spool::LineItemSpoolWriter writer(path);
        writer.write(item_with_everything());
        writer.close();
    }
    ASSERT_EQ(::truncate(path.c_str(), 20), 0);
    spool::LineItemSpoolReader reader(path);
    report::LineItem item;
    EXPECT_THROW(reader.next(item), std::runtime_error);
    std::remove(path.c_str());
}

// A text field over the spool's 64 MB limit is the export's data, not a corrupt file: a
// permanent error the couple can act on, without the spool's server path.
TEST(LineItemSpool, OversizedFieldIsAClearErrorWithoutThePath) {
    std::string path = temp_path("spool-oversized");
    spool::LineItemSpoolWriter writer(path);
    report::LineItem item = item_with_everything();
    item.notes.assign((64u << 20) + 1, 'x');
    try {
        writer.write(item);
        FAIL() << "an oversized field was spooled";
    } catch (const spool::FieldTooLarge& e) {
        std::string message = e.what();
        EXPECT_NE(message.find("over 64 MB"), std::string::npos) << message;
        EXPECT_EQ(message.find(path), std::string::npos) << message;
        EXPECT_EQ(message.find("corrupt"), std::string::npos) << message;
    }
    item.notes.assign(64u << 20, 'x');  // exactly the limit still fits
    EXPECT_NO_THROW(writer.write(item));
    writer.close();
    std::remove(path.c_str());
}

TEST(RetryBackoff, DoublesFromTheBaseUpToTheCapWithJitter) {
    jobs::BackoffPolicy policy{1000, 30000};
    std::mt19937_64 random(42);
    for (int retries = 0; retries < 10; retries++) {
        long long ceiling = std::min<long long>(30000, 1000LL << retries);
        for (int i = 0; i < 200; i++) {
            long long delay = jobs::retry_delay_ms(policy, retries, random);
            EXPECT_GE(delay, ceiling - ceiling / 2) << "retries " << retries;
            EXPECT_LE(delay, ceiling) << "retries " << retries;
        }
    }
}

TEST(RetryBackoff, JitterSpreadsRetriesAndHugeCountsDoNotOverflow) {
    jobs::BackoffPolicy policy{1000, 300000};
    std::mt19937_64 random(7);
    std::set<long long> seen;
    for (int i = 0; i < 50; i++) seen.insert(jobs::retry_delay_ms(policy, 3, random));
    EXPECT_GT(seen.size(), 10u) << "workers retrying together should not retry in lockstep";
    EXPECT_LE(jobs::retry_delay_ms(policy, 1000, random), 300000);
    EXPECT_EQ(jobs::retry_delay_ms(jobs::BackoffPolicy{0, 0}, 5, random), 0);
}

TEST(ExportRequest, DefaultsWithoutFilters) {
    jobs::ExportRequest request = jobs::parse_export_filters("{}");
    EXPECT_TRUE(request.options.include_charts);
    EXPECT_TRUE(request.options.include_timeline);
    EXPECT_FALSE(request.options.include_notes);
    EXPECT_EQ(request.options.page_orientation, report::PageOrientation::portrait);
    EXPECT_EQ(request.options.font_size, report::FontSize::medium);
    EXPECT_EQ(request.payment_status, "all");
    EXPECT_EQ(request.custom_title, "");
}

TEST(ExportRequest, ReadsOptionsAndDescribesFilters) {
    const std::string filters = R"({"include_notes": true, "payment_status": "paid",
        "categories": ["Venue"], "date_range": {"start": "2026-01-01", "end": "2026-06-30"},
        "amount_range": {"min": 50},
        "options": {"include_charts": false, "custom_title": "Zoë & José", "page_orientation": "landscape",
                    "font_size": "small"}})";
    jobs::ExportRequest request = jobs::parse_export_filters(filters);
    EXPECT_TRUE(request.options.include_notes);
    EXPECT_FALSE(request.options.include_charts);
    EXPECT_EQ(request.options.page_orientation, report::PageOrientation::landscape);
    EXPECT_EQ(request.options.font_size, report::FontSize::small);
    EXPECT_EQ(request.custom_title, "Zoë & José");
    std::string summary = jobs::describe_export_filters(filters, report::currency_for("EUR"));
    EXPECT_NE(summary.find("Venue"), std::string::npos) << summary;
    EXPECT_NE(summary.find("2026"), std::string::npos) << summary;
    EXPECT_NE(summary.find("€50.00"), std::string::npos) << summary;
    EXPECT_EQ(summary, "Venue · 1 January – 30 June 2026 · paid only · amounts from €50.00");
    EXPECT_TRUE(request.scope.categories);
    EXPECT_TRUE(request.scope.dates);
    EXPECT_TRUE(request.scope.amounts);
    EXPECT_FALSE(request.scope.vendors);
    EXPECT_EQ(request.scope.payment_status, "paid");
    EXPECT_FALSE(jobs::parse_export_filters(R"({"amount_range": {}})").scope.amounts);
}

TEST(ExportRequest, AnAmountFinerThanTheCurrencyIsLeftOutOfTheLineNotAnError) {
    std::string summary =
        jobs::describe_export_filters(R"({"amount_range": {"min": 12.345, "max": 99}})", report::currency_for("EUR"));
    EXPECT_EQ(summary.find("12.34"), std::string::npos) << summary;
    EXPECT_NE(summary.find("€99.00"), std::string::npos) << summary;
}

TEST(ExportRequest, RejectsWhatTheDatabaseShouldNeverHaveLetThrough) {
    EXPECT_THROW(jobs::parse_export_filters("[1, 2]"), std::invalid_argument);
    EXPECT_THROW(jobs::parse_export_filters("{not json"), std::invalid_argument);
    EXPECT_THROW(jobs::parse_export_filters(R"({"include_notes": "yes"})"), std::invalid_argument);
    EXPECT_THROW(jobs::parse_export_filters(R"({"options": {"font_size": "huge"}})"), std::invalid_argument);
}
