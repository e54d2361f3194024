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
