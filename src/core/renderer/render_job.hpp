// The contract between the export worker and the renderer program (src/render/main.cpp).
//
// The worker starts `budget_exports_renderer --memory-limit-mb N --nice N --parent-pid P`
// once and keeps it for many jobs. Per job it writes one line of JSON (encode_job) to the
// renderer's stdin; the renderer renders the spooled line items to output_path and answers
// with one line of JSON (encode_reply) on stdout. The renderer exits with status 0 at the
// end of its input, 2 on a job description it cannot read (after answering bad_request),
// and 3 after running out of memory (after answering out_of_memory). Any other end (a
// signal, no answer) is a crash that only fails the job in flight.
//
// An answer other than `ok` guarantees that output_path does not exist.
#pragma once

#include <string>

#include "core/report/report.hpp"

namespace budget_exports::renderer {

constexpr int kExitBadRequest = 2;
constexpr int kExitOutOfMemory = 3;
constexpr int kExitStartup = 4;  // the renderer could not set itself up (limits, parent gone)

struct RenderJob {
    std::string format;       // "csv" | "excel" | "pdf"
    std::string spool_path;   // line items written by spool::LineItemSpoolWriter
    std::string output_path;  // where the file goes; removed unless the answer is ok
    std::string temp_dir;     // scratch space (Excel's temporary files)
    std::string font_path;    // PDF font; "" = the renderer's default (DejaVu Sans + bold)
    long long max_file_size = 0;  // bytes; 0 = no limit. Enforced while writing.
    std::string fault;        // test aid only: "abort" | "segv" makes the renderer crash
    report::Report report;    // finalized again by the renderer
};

enum class ReplyKind { ok, render_error, out_of_memory, too_large, bad_request };

struct RenderReply {
    ReplyKind kind = ReplyKind::ok;
    std::string message;         // for people; empty when ok
    long long size_bytes = 0;    // of the finished file, when ok
    long long peak_rss_kb = 0;   // the renderer's high-water mark so far
    long long busy_us = 0;       // time the renderer spent on this job, from its line to the answer
    bool exiting = false;        // the renderer exits after this answer (it will be restarted)
};

// One line, no newline inside (JSON escapes them).
std::string encode_job(const RenderJob& job);
// Throws std::invalid_argument with a readable message.
RenderJob decode_job(const std::string& line);

std::string encode_reply(const RenderReply& reply);
RenderReply decode_reply(const std::string& line);  // throws std::invalid_argument

const char* to_string(ReplyKind kind);

}  // namespace budget_exports::renderer
