// ISO 4217 currency facts the renderers need: minor-unit digits and a display symbol.
#pragma once

#include <string>
#include <string_view>

namespace budget_exports::report {

struct Currency {
    std::string code;            // "EUR"; upper-cased input
    int minor_digits = 2;        // JPY 0, KWD/BHD 3, most 2
    std::string symbol;          // "€"; for unknown codes the code itself
    bool symbol_before = true;   // "€12" vs "12 kr"
    bool known = false;          // false: unknown code, rendered with 2 digits and the code
};

// Looks the code up in a table of common currencies. An empty code means USD
// (budget_master.currency_code's default); an unknown code still yields a usable
// Currency (2 digits, code as symbol) so an export never fails on it.
Currency currency_for(std::string_view code);

}  // namespace budget_exports::report
