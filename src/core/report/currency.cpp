#include "core/report/currency.hpp"

#include <algorithm>
#include <cctype>

namespace budget_exports::report {
namespace {

struct CurrencyRow {
    const char* code;
    int minor_digits;
    const char* symbol;
    bool symbol_before;
};

// Symbols chosen to be unambiguous in an international budget and present in DejaVu Sans.
constexpr CurrencyRow kCurrencies[] = {
    {"USD", 2, "$", true},     {"EUR", 2, "€", true},     {"GBP", 2, "£", true},
    {"JPY", 0, "¥", true},     {"CNY", 2, "CN¥", true},   {"CHF", 2, "CHF ", true},
    {"CAD", 2, "CA$", true},   {"AUD", 2, "A$", true},    {"NZD", 2, "NZ$", true},
    {"MXN", 2, "MX$", true},   {"BRL", 2, "R$", true},    {"ARS", 2, "AR$", true},
    {"CLP", 0, "CLP$", true},  {"COP", 2, "COL$", true},  {"INR", 2, "₹", true},
    {"KRW", 0, "₩", true},     {"SGD", 2, "S$", true},    {"HKD", 2, "HK$", true},
    {"TWD", 2, "NT$", true},   {"THB", 2, "฿", true},     {"PHP", 2, "₱", true},
    {"VND", 0, "₫", false},    {"IDR", 2, "Rp ", true},   {"MYR", 2, "RM ", true},
    {"ZAR", 2, "R ", true},    {"ILS", 2, "₪", true},     {"TRY", 2, "₺", true},
    {"RUB", 2, "₽", false},    {"UAH", 2, "₴", false},    {"PLN", 2, "zł", false},
    {"CZK", 2, "Kč", false},   {"HUF", 2, "Ft", false},   {"RON", 2, "lei", false},
    {"SEK", 2, "kr", false},   {"NOK", 2, "kr", false},   {"DKK", 2, "kr", false},
    {"ISK", 0, "kr", false},   {"AED", 2, "AED ", true},  {"SAR", 2, "SAR ", true},
    {"QAR", 2, "QAR ", true},  {"KWD", 3, "KWD ", true},  {"BHD", 3, "BHD ", true},
    {"OMR", 3, "OMR ", true},  {"JOD", 3, "JOD ", true},  {"TND", 3, "TND ", true},
    {"EGP", 2, "E£", true},    {"MAD", 2, "MAD ", true},  {"NGN", 2, "₦", true},
    {"KES", 2, "KSh ", true},
};

}  // namespace

Currency currency_for(std::string_view code) {
    std::string upper;
    for (char c : code) {
        if (!std::isspace(static_cast<unsigned char>(c)))
            upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (upper.empty()) upper = "USD";

    for (const CurrencyRow& row : kCurrencies) {
        if (upper == row.code) {
            std::string symbol = row.symbol;
            // Suffix symbols get their separating space here so callers just concatenate.
            if (!row.symbol_before) symbol = " " + symbol;
            return Currency{upper, row.minor_digits, symbol, row.symbol_before, true};
        }
    }
    return Currency{upper, 2, " " + upper, false, false};
}

}  // namespace budget_exports::report
