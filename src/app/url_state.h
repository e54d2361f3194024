// Share links: the page state <-> a human-readable, versioned URL fragment.
//
//   #v=1&text=I%20have%20a%20dog&view=matrix&layer=1&head=2&token=3&temperature=0.8&top_k=40
//    &top_p=0.95&seed=7&compare=She%20donated%20to%20a%20good%20cause.&compare_token=5&model=<url>
//    &intervene=1&ablate=1.1,2.3&ablate_mode=mean&knockout=1.1:5:2&tour=3&quiz=attend&palette=cividis
//    &scale=row&values=scores
//
// Values are percent-encoded UTF-8 (RFC 3986 unreserved characters stay as they are, so a link
// stays readable). Unknown keys are ignored; a bad value is dropped with a notice and the page keeps
// its default. Pure C++ (no browser): the native fuzzer and unit tests use it too.
#pragma once
#include <string>

// Parses a fragment (with or without the leading '#') into a JSON object for app_apply_json plus
// "text" (if present) and "model" (if present). Problems go to notice (empty when all is well).
std::string url_state_parse(const std::string& fragment, std::string& notice);

// Formats a fragment (with '#') from the state JSON the app reports (app_state_json) — only the
// keys a link needs, defaults omitted.
std::string url_state_format(const std::string& state_json);

// Percent-decoding; returns false on a malformed escape (e.g. "%zz" or a lone "%").
bool url_decode(const std::string& in, std::string& out);
std::string url_encode(const std::string& in);
