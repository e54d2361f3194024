// attnlab: the engine on the command line (tokenize, run, generate, train ...).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "model/file.h"

struct CommandEntry {
    const char* name;
    const char* usage;
    cli_command_fn fn;
};

static std::vector<CommandEntry>& command_table() {
    static std::vector<CommandEntry> table;
    return table;
}

CliCommand::CliCommand(const char* name, const char* usage, cli_command_fn fn) {
    command_table().push_back({name, usage, fn});
}

bool cli_read_file(const char* path, std::string& out) { return file_read(path, out); }

const char* cli_take_flag(std::vector<char*>& args, const char* flag) {
    for (size_t i = 0; i + 1 < args.size(); i++) {
        if (strcmp(args[i], flag) == 0) {
            const char* value = args[i + 1];
            args.erase(args.begin() + i, args.begin() + i + 2);
            return value;
        }
    }
    return nullptr;
}

bool cli_take_switch(std::vector<char*>& args, const char* flag) {
    for (size_t i = 0; i < args.size(); i++) {
        if (strcmp(args[i], flag) == 0) {
            args.erase(args.begin() + i);
            return true;
        }
    }
    return false;
}

static void print_usage() {
    fprintf(stderr, "usage: attnlab <command> [options]\n\ncommands:\n");
    for (const CommandEntry& c : command_table()) fprintf(stderr, "  %-10s %s\n", c.name, c.usage);
}

int main(int argc, char** argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_usage();
        return argc < 2 ? 2 : 0;
    }
    for (const CommandEntry& c : command_table()) {
        if (strcmp(c.name, argv[1]) == 0) return c.fn(argc - 1, argv + 1);
    }
    fprintf(stderr, "attnlab: unknown command '%s'\n\n", argv[1]);
    print_usage();
    return 2;
}

bool cli_opt_int(const char* s, int& out) {
    if (!s) return true;
    char* end = nullptr;
    long v = strtol(s, &end, 10);
    if (!*s || *end) return false;
    out = (int)v;
    return true;
}

bool cli_opt_float(const char* s, float& out) {
    if (!s) return true;
    char* end = nullptr;
    float v = strtof(s, &end);
    if (!*s || *end) return false;
    out = v;
    return true;
}

bool cli_parse_long(const char* s, long lo, long hi, long& out) {
    if (!s || !*s) return false;
    char* end = nullptr;
    long v = strtol(s, &end, 10);
    if (*end != 0 || v < lo || v > hi) return false;
    out = v;
    return true;
}

bool cli_parse_ids(const char* s, std::vector<int>& ids) {
    ids.clear();
    std::string cur;
    for (const char* p = s;; p++) {
        if (*p == ',' || *p == 0) {
            long v;
            if (!cli_parse_long(cur.c_str(), 0, 1L << 30, v)) return false;
            ids.push_back((int)v);
            cur.clear();
            if (*p == 0) break;
        } else if (*p != ' ') {
            cur += *p;
        }
    }
    return !ids.empty();
}

double cli_now_seconds() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}
