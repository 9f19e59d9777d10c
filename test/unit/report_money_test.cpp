#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "core/report/currency.hpp"
#include "core/report/date.hpp"
#include "core/report/money.hpp"

using namespace budget_exports::report;

TEST(ReportMoney, ParsesDecimalTextExactly) {
    EXPECT_EQ(parse_money("1234.50", 2).minor_units, 123450);
    EXPECT_EQ(parse_money("-0.05", 2).minor_units, -5);
    EXPECT_EQ(parse_money("+12", 2).minor_units, 1200);
    EXPECT_EQ(parse_money("0.1", 2).minor_units, 10);
    EXPECT_EQ(parse_money(".5", 2).minor_units, 50);
    EXPECT_EQ(parse_money("12.3400", 2).minor_units, 1234);  // numeric(12,4) trailing zeros
    EXPECT_EQ(parse_money("1500", 0).minor_units, 1500);     // JPY
    EXPECT_EQ(parse_money("1.234", 3).minor_units, 1234);    // KWD
    EXPECT_EQ(parse_money("92233720368547758.07", 2).minor_units, INT64_MAX);
}

TEST(ReportMoney, RejectsWhatWouldChangeASum) {
    EXPECT_THROW(parse_money("12.345", 2), std::invalid_argument);
    EXPECT_THROW(parse_money("1.5", 0), std::invalid_argument);
    EXPECT_THROW(parse_money("abc", 2), std::invalid_argument);
    EXPECT_THROW(parse_money("", 2), std::invalid_argument);
    EXPECT_THROW(parse_money("-", 2), std::invalid_argument);
    EXPECT_THROW(parse_money("1e3", 2), std::invalid_argument);
    EXPECT_THROW(parse_money("1.2.3", 2), std::invalid_argument);
    EXPECT_THROW(parse_money("92233720368547758.08", 2), std::invalid_argument);
}

TEST(ReportMoney, FormatsPlainAndForPeople) {
    EXPECT_EQ(format_plain(Money{123450}, 2), "1234.50");
    EXPECT_EQ(format_plain(Money{-5}, 2), "-0.05");
    EXPECT_EQ(format_plain(Money{0}, 3), "0.000");
    EXPECT_EQ(format_plain(Money{1500}, 0), "1500");
    EXPECT_EQ(format_plain(Money{INT64_MIN}, 2), "-92233720368547758.08");
    EXPECT_EQ(format_display(Money{123456789}, currency_for("EUR")), "€1,234,567.89");
    EXPECT_EQ(format_display(Money{-1200}, currency_for("gbp")), "-£12.00");
    EXPECT_EQ(format_display(Money{150000}, currency_for("JPY")), "¥150,000");
    EXPECT_EQ(format_display(Money{123450}, currency_for("SEK")), "1,234.50 kr");
    EXPECT_EQ(format_display(Money{100}, currency_for("XYZ")), "1.00 XYZ");
    EXPECT_DOUBLE_EQ(to_double(Money{123450}, 2), 1234.5);
}

// Excel cells get the double nearest to the decimal amount: exactly what strtod makes of
// the amount's text, for every digit count, sign and size (the fast path and the text path).
TEST(ReportMoney, ToDoubleIsTheNearestDoubleToTheDecimalText) {
    std::vector<std::int64_t> units = {0, 1, 5, 10, 15, 105, 110, 333, 999, 1001, 123450, 147746, 260002,
                                       (std::int64_t{1} << 53) - 1, std::int64_t{1} << 53,
                                       (std::int64_t{1} << 53) + 1, INT64_MAX};
    std::uint64_t state = 88172645463325252ULL;  // xorshift: many ordinary amounts, reproducibly
    for (int i = 0; i < 200000; ++i) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        units.push_back(static_cast<std::int64_t>(state % (i % 2 ? 100000000ULL : (1ULL << 60))));
    }
    for (int digits = 0; digits <= 3; ++digits) {
        for (const std::int64_t u : units) {
            for (const std::int64_t value : {u, u == INT64_MAX ? INT64_MIN : -u}) {
                const double expected = std::strtod(format_plain(Money{value}, digits).c_str(), nullptr);
                ASSERT_EQ(to_double(Money{value}, digits), expected) << value << " with " << digits << " digits";
            }
        }
    }
    EXPECT_EQ(to_double(Money{35}, 2), 0.35);
    EXPECT_NE(to_double(Money{35}, 2), 35 * 0.01) << "scaling by 0.01 would not be the nearest double";
}

TEST(ReportMoney, KnowsCurrencyDigits) {
    EXPECT_EQ(currency_for("").code, "USD");
    EXPECT_EQ(currency_for("JPY").minor_digits, 0);
    EXPECT_EQ(currency_for("KWD").minor_digits, 3);
    EXPECT_EQ(currency_for("BHD").minor_digits, 3);
    EXPECT_EQ(currency_for("EUR").minor_digits, 2);
    EXPECT_TRUE(currency_for("CHF").known);
    const Currency unknown = currency_for("abc");
    EXPECT_FALSE(unknown.known);
    EXPECT_EQ(unknown.code, "ABC");
    EXPECT_EQ(unknown.minor_digits, 2);
}

TEST(ReportDate, ParsesFormatsAndConvertsToExcelSerials) {
    const Date date = parse_date("2026-09-12");
    EXPECT_EQ(format_iso(date), "2026-09-12");
    EXPECT_EQ(format_long(date), "12 September 2026");
    EXPECT_EQ(format_short(date), "12 Sep 2026");
    EXPECT_EQ(format_iso(parse_date("2024-02-29 10:00:00+00")), "2024-02-29");
    EXPECT_EQ(excel_serial(Date{1900, 3, 1}), 61);
    EXPECT_EQ(excel_serial(Date{2026, 1, 1}), 46023);
    EXPECT_THROW(parse_date("2025-02-29"), std::invalid_argument);
    EXPECT_THROW(parse_date("12/09/2026"), std::invalid_argument);
    EXPECT_THROW(parse_date("2026-13-01"), std::invalid_argument);
}
