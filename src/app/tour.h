// The walkthrough: nine numbered steps through how the model reads the current sentence, each setting
// the view and selection that shows it and explaining it with that run's own numbers. Plain C++ (the
// attnlab_app library): the page draws the text; `#tour=N` and state().tour name the step.
#pragma once
#include <string>

#include "app/app.h"

constexpr int TOUR_STEPS = 9;

// Goes to step (1..TOUR_STEPS; 0 ends the walkthrough): sets app.tour and the step's view, layer, head
// and locked token.
void app_tour_go(App& app, int step);

struct TourText {
    std::string title, body;  // body: 2-4 sentences with the current run's numbers (UTF-8)
};
// The current step's text ({"", ""} when the walkthrough is off or there is nothing to explain yet).
TourText app_tour_text(const App& app);

// The head the walkthrough explains: where the last token puts the most attention on one earlier token
// other than itself and the first (the attention sink); layer 0, head 0 for texts under 3 tokens.
struct TourFocus {
    int layer = 0, head = 0, query = -1, key = -1;
    float weight = 0;
};
TourFocus app_tour_focus(const App& app);
