// `attnlab <command> ...`: each command lives in its own cmd_*.cpp and registers itself here.
#pragma once
#include <string>
#include <vector>

typedef int (*cli_command_fn)(int argc, char** argv);  // argv[0] is the command name

struct CliCommand {
    CliCommand(const char* name, const char* usage, cli_command_fn fn);
};

// Small shared helpers for commands.
bool cli_read_file(const char* path, std::string& out);
// Returns the value after `--flag` (and removes both from args), or nullptr if absent.
const char* cli_take_flag(std::vector<char*>& args, const char* flag);
bool cli_take_switch(std::vector<char*>& args, const char* flag);  // --json style switches
// Option values: an absent option (s null) keeps the default and succeeds; a malformed one fails.
bool cli_opt_int(const char* s, int& out);
bool cli_opt_float(const char* s, float& out);
// A required decimal integer in [lo, hi].
bool cli_parse_long(const char* s, long lo, long hi, long& out);
// "1,2,3" (spaces ignored) -> ids, each a non-negative integer; false if empty or malformed.
bool cli_parse_ids(const char* s, std::vector<int>& ids);
double cli_now_seconds();  // a steady clock, for timing
