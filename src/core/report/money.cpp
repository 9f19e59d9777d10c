#include "core/report/money.hpp"

#include <cstdlib>
#include <limits>
#include <stdexcept>

#include "core/report/currency.hpp"

namespace budget_exports::report {
namespace {

constexpr std::int64_t kMaxMinorUnits = std::numeric_limits<std::int64_t>::max();

std::int64_t power_of_ten(int exponent) {
    std::int64_t value = 1;
    for (int i = 0; i < exponent; ++i) value *= 10;
    return value;
}

[[noreturn]] void reject(std::string_view text, const char* why) {
    throw std::invalid_argument("invalid amount \"" + std::string(text) + "\": " + why);
}

// "1234567" -> "1,234,567"
std::string group_thousands(const std::string& digits) {
    std::string grouped;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i != 0 && (digits.size() - i) % 3 == 0) grouped += ',';
        grouped += digits[i];
    }
    return grouped;
}

}  // namespace

Money parse_money(std::string_view text, int minor_digits) {
    std::size_t pos = 0;
    while (pos < text.size() && text[pos] == ' ') ++pos;
    std::size_t end = text.size();
    while (end > pos && text[end - 1] == ' ') --end;

    bool negative = false;
    if (pos < end && (text[pos] == '-' || text[pos] == '+')) negative = text[pos++] == '-';
    if (pos == end) reject(text, "no digits");

    std::int64_t value = 0;
    bool any_digit = false;
    bool in_fraction = false;
    int fraction_digits = 0;
    for (; pos < end; ++pos) {
        const char c = text[pos];
        if (c == '.' && !in_fraction) {
            in_fraction = true;
            continue;
        }
        if (c < '0' || c > '9') reject(text, "not a decimal number");
        any_digit = true;
        if (in_fraction && fraction_digits >= minor_digits) {
            if (c != '0') reject(text, "more decimal places than the currency allows");
            continue;
        }
        const int digit = c - '0';
        if (value > (kMaxMinorUnits - digit) / 10) reject(text, "too large");
        value = value * 10 + digit;
        if (in_fraction) ++fraction_digits;
    }
    if (!any_digit) reject(text, "no digits");
    const std::int64_t scale = power_of_ten(minor_digits - fraction_digits);
    if (value > std::numeric_limits<std::int64_t>::max() / scale) reject(text, "too large");
    value *= scale;
    return Money{negative ? -value : value};
}

std::string format_plain(Money amount, int minor_digits) {
    const bool negative = amount.minor_units < 0;
    // Work in unsigned so INT64_MIN negates safely.
    std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(amount.minor_units)
                                       : static_cast<std::uint64_t>(amount.minor_units);
    std::string digits = std::to_string(magnitude);
    if (minor_digits > 0) {
        if (digits.size() <= static_cast<std::size_t>(minor_digits))
            digits.insert(0, minor_digits + 1 - digits.size(), '0');
        digits.insert(digits.size() - minor_digits, 1, '.');
    }
    return negative ? "-" + digits : digits;
}

std::string format_display(Money amount, const Currency& currency) {
    std::string plain = format_plain(amount, currency.minor_digits);
    const bool negative = !plain.empty() && plain[0] == '-';
    if (negative) plain.erase(0, 1);
    const std::size_t dot = plain.find('.');
    std::string number = group_thousands(plain.substr(0, dot));
    if (dot != std::string::npos) number += plain.substr(dot);
    const std::string sign = negative ? "-" : "";
    return currency.symbol_before ? sign + currency.symbol + number : sign + number + currency.symbol;
}

double to_double(Money amount, int minor_digits) {
    // The nearest double to the decimal value, not a scaled one (units * 0.01 is off for
    // 0.1-style values). Units below 2^53 and 10^digits are exact doubles, and IEEE division
    // rounds their exact quotient once: the same nearest double strtod gives for the text,
    // without the text. Anything larger goes through the text.
    constexpr std::int64_t kExactUnits = std::int64_t{1} << 53;
    if (minor_digits >= 0 && minor_digits <= 18 && amount.minor_units > -kExactUnits &&
        amount.minor_units < kExactUnits)
        return static_cast<double>(amount.minor_units) / static_cast<double>(power_of_ten(minor_digits));
    return std::strtod(format_plain(amount, minor_digits).c_str(), nullptr);
}

}  // namespace budget_exports::report
