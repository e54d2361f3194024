// Reading a whole file: the one implementation the loader, the trainer, the CLI and the tests share.
#pragma once
#include <cstdio>
#include <string>

// On success `out` holds the file's bytes; on failure (cannot open, a read error) it is unchanged.
inline bool file_read(const std::string& path, std::string& out) {
    FILE* f = fopen(path.c_str(), "rb");
    if (!f) return false;
    std::string data;
    char buf[1 << 16];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, got);
    const bool ok = !ferror(f);
    fclose(f);
    if (ok) out.swap(data);
    return ok;
}
