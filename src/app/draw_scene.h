// Draws a viz Scene with ImGui's ImDrawList (the on-screen backend; svg.h is the other one).
#pragma once
#include "imgui.h"
#include "viz/scene.h"

// Draws every prim offset by origin (screen position of the scene's (0,0)).
void scene_draw(const VizScene& s, ImDrawList* dl, ImVec2 origin);
// ImGui's text measurement, for VizTheme::text_width.
float scene_text_width(const char* str, int len, float size, void* user);
