#include "core/renderer/render_job.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/renderer/report_json.hpp"

namespace budget_exports::renderer {

namespace {

using nlohmann::json;

json parse_line(const std::string& line, const char* what) {
    json parsed = json::parse(line, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
        throw std::invalid_argument(std::string(what) + " is not a JSON object");
    }
    return parsed;
}

ReplyKind parse_kind(const std::string& text) {
    for (ReplyKind kind : {ReplyKind::ok, ReplyKind::render_error, ReplyKind::out_of_memory, ReplyKind::too_large,
                           ReplyKind::bad_request}) {
        if (text == to_string(kind)) return kind;
    }
    throw std::invalid_argument("unknown answer kind \"" + text + "\"");
}

}  // namespace

const char* to_string(ReplyKind kind) {
    switch (kind) {
        case ReplyKind::ok: return "ok";
        case ReplyKind::render_error: return "render_error";
        case ReplyKind::out_of_memory: return "out_of_memory";
        case ReplyKind::too_large: return "too_large";
        case ReplyKind::bad_request: return "bad_request";
    }
    return "?";
}

std::string encode_job(const RenderJob& job) {
    json::object_t encoded;  // emplaced: a braced list would copy the report (report_json.cpp)
    encoded.emplace("format", job.format);
    encoded.emplace("spool_path", job.spool_path);
    encoded.emplace("output_path", job.output_path);
    encoded.emplace("temp_dir", job.temp_dir);
    encoded.emplace("font_path", job.font_path);
    encoded.emplace("max_file_size", job.max_file_size);
    encoded.emplace("fault", job.fault);
    encoded.emplace("report", report_to_json(job.report));
    return json(std::move(encoded)).dump(-1, ' ', false, json::error_handler_t::replace);
}

RenderJob decode_job(const std::string& line) {
    json parsed = parse_line(line, "the job description");
    RenderJob job;
    try {
        job.format = parsed.at("format").get<std::string>();
        job.spool_path = parsed.at("spool_path").get<std::string>();
        job.output_path = parsed.at("output_path").get<std::string>();
        job.temp_dir = parsed.value("temp_dir", std::string());
        job.font_path = parsed.value("font_path", std::string());
        job.max_file_size = parsed.value("max_file_size", 0LL);
        job.fault = parsed.value("fault", std::string());
    } catch (const json::exception& e) {
        throw std::invalid_argument(std::string("the job description: ") + e.what());
    }
    if (job.format != "csv" && job.format != "excel" && job.format != "pdf") {
        throw std::invalid_argument("the job description: unknown format \"" + job.format + "\"");
    }
    if (job.spool_path.empty() || job.output_path.empty()) {
        throw std::invalid_argument("the job description: spool_path and output_path are required");
    }
    if (job.max_file_size < 0) throw std::invalid_argument("the job description: max_file_size is negative");
    if (!parsed.contains("report")) throw std::invalid_argument("the job description: report is missing");
    job.report = report_from_json(parsed["report"]);
    return job;
}

std::string encode_reply(const RenderReply& reply) {
    json encoded = {{"kind", to_string(reply.kind)},
                    {"message", reply.message},
                    {"size_bytes", reply.size_bytes},
                    {"peak_rss_kb", reply.peak_rss_kb},
                    {"busy_us", reply.busy_us},
                    {"exiting", reply.exiting}};
    return encoded.dump(-1, ' ', false, json::error_handler_t::replace);
}

RenderReply decode_reply(const std::string& line) {
    json parsed = parse_line(line, "the renderer's answer");
    RenderReply reply;
    try {
        reply.kind = parse_kind(parsed.at("kind").get<std::string>());
        reply.message = parsed.value("message", std::string());
        reply.size_bytes = parsed.value("size_bytes", 0LL);
        reply.peak_rss_kb = parsed.value("peak_rss_kb", 0LL);
        reply.busy_us = parsed.value("busy_us", 0LL);
        reply.exiting = parsed.value("exiting", false);
    } catch (const json::exception& e) {
        throw std::invalid_argument(std::string("the renderer's answer: ") + e.what());
    }
    return reply;
}

}  // namespace budget_exports::renderer
