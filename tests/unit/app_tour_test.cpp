// The walkthrough (src/app/tour.h): each step sets its view and selection and explains the current run
// with that run's own numbers; links and the state name the step.
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "app/tour.h"
#include "app/url_state.h"
#include "app_fixture.h"

namespace {

class AppTour : public AppWithText {};

static bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST_F(AppTour, FocusIsTheStrongestLinkFromTheLastTokenToAnEarlierWord) {
    const TourFocus f = app_tour_focus(app);
    const int T = app.cap.T;
    ASSERT_EQ(f.query, T - 1);
    ASSERT_GE(f.key, 1);
    ASSERT_LT(f.key, T - 1);
    for (int l = 0; l < app.cap.L; l++)
        for (int h = 0; h < app.cap.H; h++)
            for (int k = 1; k < T - 1; k++) EXPECT_LE(capture_weights_row(app.cap, l, h, T - 1)[k], f.weight);
    EXPECT_EQ(capture_weights_row(app.cap, f.layer, f.head, T - 1)[f.key], f.weight);
}

TEST_F(AppTour, EveryStepSetsItsViewAndExplainsWithTheRunsNumbers) {
    const int views[TOUR_STEPS] = {VIEW_TOKENS, VIEW_EMBED, VIEW_MATH, VIEW_MATH, VIEW_MATH,
                                   VIEW_MODEL,  VIEW_PREDICT, VIEW_CONTEXT, VIEW_MODEL};
    const TourFocus f = app_tour_focus(app);
    for (int step = 1; step <= TOUR_STEPS; step++) {
        app_tour_go(app, step);
        EXPECT_EQ(app.tour, step);
        EXPECT_EQ(app.view, views[step - 1]) << "step " << step;
        EXPECT_EQ(app.locked_token, app.cap.T - 1);
        EXPECT_EQ(app.layer, f.layer);
        EXPECT_EQ(app.head, f.head);
        const TourText t = app_tour_text(app);
        EXPECT_TRUE(contains(t.title, "Step " + std::to_string(step) + " of 9")) << t.title;
        EXPECT_GT(t.body.size(), 80u) << "step " << step;
    }
    char w[16];
    snprintf(w, sizeof w, "%.2f", f.weight);
    app_tour_go(app, 4);
    EXPECT_TRUE(contains(app_tour_text(app).body, w)) << app_tour_text(app).body;  // softmax: the focus weight
    AttentionSteps st;
    ASSERT_TRUE(attention_steps(app.cap, f.layer, f.head, f.query, st));
    char dot[16];
    snprintf(dot, sizeof dot, "%.2f", st.dot[f.key]);
    app_tour_go(app, 3);
    EXPECT_TRUE(contains(app_tour_text(app).body, dot)) << app_tour_text(app).body;
    app_tour_go(app, 1);
    EXPECT_TRUE(contains(app_tour_text(app).body, std::to_string(app.ids[0]))) << "the first token's id";
    app_tour_go(app, 9);
    EXPECT_TRUE(app.intervene) << "the experiments step opens Intervene mode";
    app_tour_go(app, 0);
    EXPECT_EQ(app_tour_text(app).title, "");
}

TEST_F(AppTour, LinksAndStateNameTheStep) {
    EXPECT_EQ(app_apply_json(app, R"({"tour":3})"), "");
    EXPECT_EQ(app.tour, 3);
    EXPECT_EQ(app.view, VIEW_MATH);
    nlohmann::json st = nlohmann::json::parse(app_state_json(app));
    EXPECT_EQ(st["tour"], 3);
    EXPECT_EQ(st["tour_title"], app_tour_text(app).title);
    const std::string frag = url_state_format(app_state_json(app));
    EXPECT_TRUE(contains(frag, "&tour=3")) << frag;
    std::string notice;
    EXPECT_EQ(nlohmann::json::parse(url_state_parse(frag, notice))["tour"], 3);
    for (const char* bad : {R"({"tour":10})", R"({"tour":-1})", R"({"tour":"3"})"}) {
        EXPECT_TRUE(contains(app_apply_json(app, bad), "ignored tour")) << bad;
        EXPECT_EQ(app.tour, 3);
    }
    app_set_text(app, "");
    EXPECT_EQ(app_tour_text(app).body, "Type a sentence: every step explains it with the model's own numbers.");
}

}  // namespace
