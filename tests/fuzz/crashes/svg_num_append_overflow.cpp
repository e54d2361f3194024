// Reproducer: viz_svg_write overflows a stack buffer for a coordinate >= ~1e29.
//
//   clang++-14 -std=c++17 -g -fsanitize=address,undefined -Isrc tests/fuzz/crashes/svg_num_append_overflow.cpp \
//       src/viz/svg.cpp src/viz/scene.cpp -o build/fuzz/svg_num_append_overflow && build/fuzz/svg_num_append_overflow
//
// src/viz/svg.cpp num_append(): snprintf(b, 32, "%.2f", v) returns the length the number *would*
// have (34 for 1e30: 31 digits + ".00"), and out.append(b, n) then reads past the 32-byte buffer
// (ASan: stack-buffer-overflow). inf gives "inf", which is not a valid SVG number either.
// Fix: clamp v to a sane range (e.g. +-1e9) or treat non-finite like NaN before formatting, and
// append min(n, sizeof(b) - 1) bytes.
#include <cstdio>

#include "viz/svg.h"

int main() {
    VizScene s;
    viz_rect_fill(s, {1e30f, 0, 10, 10}, {0, 0, 0, 255});
    std::string svg;
    viz_svg_write(s, svg);
    printf("%s", svg.c_str());
    return 0;
}
