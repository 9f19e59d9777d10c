// Calendar dates as the database hands them over ("2026-09-12"), with the conversions
// the renderers need (ISO text, a readable form, Excel serial numbers).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace budget_exports::report {

struct Date {
    int year = 1970;
    int month = 1;  // 1..12
    int day = 1;    // 1..31

    friend bool operator==(const Date& a, const Date& b) {
        return a.year == b.year && a.month == b.month && a.day == b.day;
    }
    friend bool operator<(const Date& a, const Date& b) {
        if (a.year != b.year) return a.year < b.year;
        if (a.month != b.month) return a.month < b.month;
        return a.day < b.day;
    }
};

// Parses "YYYY-MM-DD" (a longer timestamp text is accepted and its time part ignored);
// throws std::invalid_argument on anything else or on an impossible date.
Date parse_date(std::string_view text);

std::string format_iso(const Date& date);       // "2026-09-12"
std::string format_long(const Date& date);      // "12 September 2026"
std::string format_short(const Date& date);     // "12 Sep 2026"

// Days since 1899-12-30: Excel's serial date (1900 date system; valid from 1900-03-01).
long excel_serial(const Date& date);

}  // namespace budget_exports::report
