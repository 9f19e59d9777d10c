// The one exception every renderer throws: a message a person can act on,
// e.g. "PDF: cannot load font /x.ttf: file not found".
#pragma once

#include <stdexcept>
#include <string>

namespace budget_exports::render {

class RenderError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace budget_exports::render
