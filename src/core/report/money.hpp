// Exact money: signed 64-bit counts of a currency's minor unit (cents, fils, yen).
// Never binary floating point; the database hands numeric values over as decimal text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace budget_exports::report {

struct Currency;

struct Money {
    std::int64_t minor_units = 0;

    friend Money operator+(Money a, Money b) { return {a.minor_units + b.minor_units}; }
    friend Money operator-(Money a, Money b) { return {a.minor_units - b.minor_units}; }
    Money& operator+=(Money other) { minor_units += other.minor_units; return *this; }
    friend bool operator==(Money a, Money b) { return a.minor_units == b.minor_units; }
    friend bool operator!=(Money a, Money b) { return a.minor_units != b.minor_units; }
    friend bool operator<(Money a, Money b) { return a.minor_units < b.minor_units; }
    friend bool operator>(Money a, Money b) { return a.minor_units > b.minor_units; }
};

// Parses decimal text such as "1234.50", "-0.5", "+12", "1e3" is rejected.
// Digits beyond the currency's precision must be zeros ("12.3400" is fine for EUR);
// anything else would silently change a sum, so it throws std::invalid_argument,
// as does text that is not a number or overflows.
Money parse_money(std::string_view text, int minor_digits);

// "1234.50", "-0.05", "1234" for zero-digit currencies: what CSV and tests want.
std::string format_plain(Money amount, int minor_digits);

// "€1,234.50", "-£12.00", "1,234.50 kr", "1,234.50 XYZ": what a person reads in a PDF.
std::string format_display(Money amount, const Currency& currency);

// The value as a double, only for spreadsheet cells (Excel stores doubles anyway).
double to_double(Money amount, int minor_digits);

}  // namespace budget_exports::report
