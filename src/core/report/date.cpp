#include "core/report/date.hpp"

#include <stdexcept>

namespace budget_exports::report {
namespace {

const char* const kMonthNames[] = {"January", "February", "March",     "April",   "May",      "June",
                                   "July",    "August",   "September", "October", "November", "December"};

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

// Days from 1970-01-01 (Howard Hinnant's days_from_civil).
long days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    const long era = (y >= 0 ? y : y - 399) / 400;
    const long yoe = y - era * 400;
    const long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int read_number(std::string_view text, std::size_t pos, std::size_t width) {
    int value = 0;
    for (std::size_t i = pos; i < pos + width; ++i) {
        if (text[i] < '0' || text[i] > '9')
            throw std::invalid_argument("invalid date \"" + std::string(text) + "\": expected YYYY-MM-DD");
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

std::string two_digits(int value) { return (value < 10 ? "0" : "") + std::to_string(value); }

}  // namespace

Date parse_date(std::string_view text) {
    if (text.size() < 10 || text[4] != '-' || text[7] != '-' || (text.size() > 10 && text[10] != ' ' && text[10] != 'T'))
        throw std::invalid_argument("invalid date \"" + std::string(text) + "\": expected YYYY-MM-DD");
    Date date{read_number(text, 0, 4), read_number(text, 5, 2), read_number(text, 8, 2)};
    if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > days_in_month(date.year, date.month))
        throw std::invalid_argument("invalid date \"" + std::string(text) + "\": no such day");
    return date;
}

std::string format_iso(const Date& date) {
    std::string year = std::to_string(date.year);
    if (year.size() < 4) year.insert(0, 4 - year.size(), '0');
    return year + "-" + two_digits(date.month) + "-" + two_digits(date.day);
}

std::string format_long(const Date& date) {
    return std::to_string(date.day) + " " + kMonthNames[date.month - 1] + " " + std::to_string(date.year);
}

std::string format_short(const Date& date) {
    return std::to_string(date.day) + " " + std::string(kMonthNames[date.month - 1], 3) + " " +
           std::to_string(date.year);
}

long excel_serial(const Date& date) {
    return days_from_civil(date.year, date.month, date.day) - days_from_civil(1899, 12, 30);
}

}  // namespace budget_exports::report
