// RFC 4180 row writer: CRLF line ends, quotes only where needed, buffered output, and
// text cells neutralised against spreadsheet formula injection.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace budget_exports::render {

class CsvWriter {
public:
    // Creates/truncates `path`; throws RenderError when it cannot.
    explicit CsvWriter(const std::string& path);
    ~CsvWriter();
    CsvWriter(const CsvWriter&) = delete;
    CsvWriter& operator=(const CsvWriter&) = delete;

    void byte_order_mark();
    // User text, cleaned (clean_text). A cell starting with = + - @ TAB CR or LF, also
    // after leading spaces, or with the full-width ＝ ＋ － ＠, gets a leading ' so Excel
    // and LibreOffice show it as text instead of running it as a formula.
    void text_cell(std::string_view text);
    // Text we generated ourselves (numbers, ISO dates, codes): written unprefixed, so a
    // negative amount stays a number.
    void number_cell(std::string_view number);
    void end_row();
    // Flushes and closes; throws RenderError on a write error (disk full...).
    void close();

private:
    void separator();
    void quoted_if_needed(std::string_view text, bool neutralise);
    void flush();

    std::string path_;
    std::FILE* file_ = nullptr;
    std::string buffer_;
    std::string cleaned_;  // the current text cell, cleaned
    bool row_started_ = false;
};

// Whether a spreadsheet would treat a cell starting like this as a formula.
bool starts_like_formula(std::string_view text);

}  // namespace budget_exports::render
