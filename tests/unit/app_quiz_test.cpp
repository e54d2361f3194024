// Predict, then reveal (src/app/quiz.h): the question pins its query, answers are checked against the
// run's own weights and probabilities, the options do not reveal the answer by their order, links carry
// the question only.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "app/quiz.h"
#include "app/url_state.h"
#include "model/capture_json.h"
#include "app_fixture.h"

namespace {

class AppQuiz : public AppWithText {};

TEST_F(AppQuiz, AttendAnswersAreRankedByTheHeadsWeights) {
    app.layer = 1, app.head = 1;
    quiz_set(app, QUIZ_ATTEND);
    const int q = app.cap.T - 1;
    EXPECT_EQ(app.locked_token, q) << "the question pins its query";
    EXPECT_NE(quiz_question(app).find("layer 1, head 1"), std::string::npos);
    EXPECT_FALSE(quiz_result(app).answered);
    EXPECT_FALSE(quiz_answer(app, q + 1)) << "a later token cannot be attended to";
    const float* row = capture_weights_row(app.cap, 1, 1, q);
    const int best = (int)(std::max_element(row, row + q + 1) - row), worst = (int)(std::min_element(row, row + q + 1) - row);
    ASSERT_TRUE(quiz_answer(app, best));
    QuizResult r = quiz_result(app);
    EXPECT_TRUE(r.answered);
    EXPECT_EQ(r.rank, 1);
    EXPECT_EQ(r.answer, best);
    EXPECT_FLOAT_EQ(r.guess_value, row[best]);
    EXPECT_EQ(r.of, q + 1);
    EXPECT_EQ(r.text.rfind("Right: ", 0), 0u) << r.text;
    ASSERT_TRUE(quiz_answer(app, worst));
    r = quiz_result(app);
    EXPECT_EQ(r.rank, q + 1 - (int)std::count(row, row + q + 1, row[worst]) + 1);
    EXPECT_NE(r.text.find("The model's answer"), std::string::npos) << r.text;
    nlohmann::json st = nlohmann::json::parse(app_state_json(app));
    EXPECT_EQ(st["quiz"]["kind"], "attend");
    EXPECT_EQ(st["quiz"]["guess"], worst);
    EXPECT_EQ(st["quiz"]["answer"], best);
    EXPECT_EQ(st["quiz"]["correct"], worst == best);
}

TEST_F(AppQuiz, NextOptionsAreTheTopFourInAnOrderThatDoesNotRevealTheAnswer) {
    quiz_set(app, QUIZ_NEXT);
    std::vector<int> opts = quiz_options(app), top = capture_top_ids(app.probs, 4);
    ASSERT_EQ(opts.size(), 4u);
    std::vector<int> a = opts, b = top;
    std::sort(a.begin(), a.end()), std::sort(b.begin(), b.end());
    EXPECT_EQ(a, b);
    EXPECT_EQ(quiz_options(app), opts) << "the order is fixed for a text";
    // over a few texts the answer is not always first
    int first = 0;
    for (const char* t : {"I have a dog", "It was raining.", "She donated to a good cause.", "How do you work?", "The cat"}) {
        app_set_text(app, t);
        first += quiz_options(app)[0] == capture_top_ids(app.probs, 1)[0];
    }
    EXPECT_LT(first, 5);
    EXPECT_FALSE(quiz_answer(app, 123456));
    const std::vector<int> o = quiz_options(app);
    ASSERT_TRUE(quiz_answer(app, o[2]));
    const QuizResult r = quiz_result(app);
    EXPECT_FLOAT_EQ(r.guess_value, app.probs[o[2]]);
    EXPECT_EQ(r.answer, capture_top_ids(app.probs, 1)[0]);
    EXPECT_EQ(r.of, 4);
}

TEST_F(AppQuiz, LinksCarryTheQuestionOnlyAndBadKindsGetANotice) {
    EXPECT_EQ(app_apply_json(app, R"({"quiz":"attend","layer":1,"head":0,"token":3})"), "");
    EXPECT_EQ(app.quiz, QUIZ_ATTEND);
    EXPECT_EQ(app.locked_token, 3);
    ASSERT_TRUE(quiz_answer(app, 1));
    const std::string frag = url_state_format(app_state_json(app));
    EXPECT_NE(frag.find("&quiz=attend"), std::string::npos) << frag;
    EXPECT_EQ(frag.find("guess"), std::string::npos);
    std::string notice;
    EXPECT_EQ(nlohmann::json::parse(url_state_parse(frag, notice))["quiz"], "attend");
    EXPECT_NE(app_apply_json(app, R"({"quiz":"essay"})").find("ignored quiz"), std::string::npos);
    EXPECT_NE(app_apply_json(app, R"({"quiz":3})").find("ignored quiz"), std::string::npos);
    EXPECT_EQ(app.quiz, QUIZ_ATTEND);
    app_apply_json(app, R"({"quiz":""})");
    EXPECT_EQ(app.quiz, QUIZ_NONE);
    EXPECT_FALSE(nlohmann::json::parse(app_state_json(app)).contains("quiz"));
}

}  // namespace
