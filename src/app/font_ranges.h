// The UI font's code point ranges: what the ImGui atlas rasterizes (src/app/main.cpp) and, read by
// scripts/build, what the shipped DejaVu Sans is subset to. One list, so the two always match.
// Characters outside it (e.g. CJK typed by the user) draw as ImGui's fallback glyph, U+FFFD.
// Format: pairs of inclusive hex bounds, one pair per line, ending with 0 (ImGui's convention).
#pragma once
#include "imgui.h"

static const ImWchar FONT_RANGES[] = {
    0x0020, 0x007E,  // Basic Latin
    0x00A0, 0x024F,  // Latin-1 (· × ÷ ° ²), Latin Extended-A and -B
    0x0370, 0x03FF,  // Greek (Σ)
    0x0400, 0x04FF,  // Cyrillic
    0x2000, 0x206F,  // General Punctuation (– — …)
    0x2070, 0x209F,  // Superscripts and Subscripts
    0x20A0, 0x20CF,  // Currency Symbols (€)
    0x2190, 0x21FF,  // Arrows (← → ↵)
    0x2200, 0x22FF,  // Mathematical Operators (√ ≤ ≈)
    0x2400, 0x243F,  // Control Pictures: DejaVu Sans has only ␢ ␣, so the labels viz gives control
                     // bytes (␀ ␍ ␡) draw as U+FFFD; the range costs nothing and follows a font that has them
    0x2500, 0x257F,  // Box Drawing
    0xFFFD, 0xFFFD,  // replacement character: ImGui's fallback glyph when the font has it
    0,
};
