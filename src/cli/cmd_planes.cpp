// attnlab planes SRC DST: writes the byte-planar F16 copy of a safetensors file (safetensors.h), which the
// page downloads instead of model.safetensors (scripts/build runs it for every built-in model). The copy
// is joined back and compared with SRC byte for byte before it is written.
#include <cstdio>
#include <string>

#include "cli/command.h"
#include "model/safetensors.h"

static int cmd_planes(int argc, char** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: attnlab planes SRC/model.safetensors DST/model.planes.safetensors\n");
        return 2;
    }
    std::string src, planar, joined, err;
    if (!cli_read_file(argv[1], src)) {
        fprintf(stderr, "planes: cannot read %s\n", argv[1]);
        return 1;
    }
    const uint8_t* bytes = (const uint8_t*)src.data();
    if (!safetensors_split_f16_planes(bytes, src.size(), planar, err) ||
        !safetensors_join_f16_planes((const uint8_t*)planar.data(), planar.size(), joined, err)) {
        fprintf(stderr, "planes: %s: %s\n", argv[1], err.c_str());
        return 1;
    }
    if (joined != src) {
        fprintf(stderr, "planes: %s: the planar copy does not join back to the source\n", argv[1]);
        return 1;
    }
    FILE* f = fopen(argv[2], "wb");
    const bool ok = f && fwrite(planar.data(), 1, planar.size(), f) == planar.size();
    if (!f || fclose(f) != 0 || !ok) {
        fprintf(stderr, "planes: cannot write %s\n", argv[2]);
        return 1;
    }
    return 0;
}

static CliCommand reg("planes", "SRC DST  write the byte-planar F16 copy of a safetensors file (the page's download)",
                      cmd_planes);
