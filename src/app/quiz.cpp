// Predict, then reveal (see quiz.h). Every number comes from the current capture and distribution.
#include "app/quiz.h"

#include <algorithm>
#include <cstdio>

#include "model/capture_json.h"  // capture_top_ids

static const char* KINDS[] = {"", "attend", "next"};

const char* quiz_kind_name(int kind) { return kind >= 0 && kind <= QUIZ_NEXT ? KINDS[kind] : ""; }

int quiz_kind_from_name(const std::string& name) {
    for (int i = 0; i <= QUIZ_NEXT; i++)
        if (name == KINDS[i]) return i;
    return -1;
}

static int quiz_query(const App& app) { return app_selected_token(app); }

std::string quiz_question(const App& app) {
    const Model* m = app_model(app);
    const int q = quiz_query(app);
    if (!m || q < 0) return "";
    if (app.quiz == QUIZ_ATTEND)
        return "Predict: in layer " + std::to_string(app.layer) + ", head " + std::to_string(app.head) + ", which token will " +
               app_prose_token(app.token_bytes[q]) + " attend to most? Click a token chip (itself or one before it).";
    if (app.quiz == QUIZ_NEXT) return "Predict: which token comes next? Pick one.";
    return "";
}

std::vector<int> quiz_options(const App& app) {
    std::vector<int> top = capture_top_ids(app.probs, 4);
    // an order fixed by the text (FNV-1a of it), not by probability: the link must not give the answer away
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : app.text) h = (h ^ c) * 1099511628211ull;
    for (size_t i = top.size(); i > 1; i--) std::swap(top[i - 1], top[(h >> (8 * (i % 8))) % i]);
    return top;
}

void quiz_set(App& app, int kind) {
    app.quiz = kind;
    app.quiz_guess = -1;
    // the question is about one query: pin it (hovering a chip must not change it)
    if (kind == QUIZ_ATTEND && app.locked_token < 0) app.locked_token = (int)app.ids.size() - 1;
}

static std::string fmt(const char* f, double x) {
    char buf[32];
    snprintf(buf, sizeof buf, f, x);
    return buf;
}

QuizResult quiz_result(const App& app) {
    QuizResult r;
    const Model* m = app_model(app);
    const int q = quiz_query(app), choice = app.quiz_guess;
    if (!m || q < 0 || choice < 0) return r;
    std::vector<float> vals;  // the candidates' numbers, indexed like the choice
    std::vector<int> cands;
    if (app.quiz == QUIZ_ATTEND) {
        const float* row = capture_weights_row(app.cap, app.layer, app.head, q);
        if (!row || choice > q) return r;
        for (int k = 0; k <= q; k++) cands.push_back(k), vals.push_back(row[k]);
    } else if (app.quiz == QUIZ_NEXT) {
        cands = quiz_options(app);
        for (int o : cands) vals.push_back(app.probs[o]);
    }
    const auto it = std::find(cands.begin(), cands.end(), choice);
    if (it == cands.end()) return r;
    const float gv = vals[it - cands.begin()];
    int best = 0;
    for (size_t i = 1; i < cands.size(); i++)
        if (vals[i] > vals[best]) best = (int)i;
    r.answered = true, r.guess = choice, r.answer = cands[best], r.guess_value = gv, r.answer_value = vals[best];
    r.of = (int)cands.size(), r.rank = 1;
    for (float v : vals) r.rank += v > gv;
    const bool attend = app.quiz == QUIZ_ATTEND;
    auto name = [&](int c) { return app_prose_token(attend ? app.token_bytes[c] : tokenizer_token_bytes(m->tok, c)); };
    auto value = [&](float v) { return attend ? fmt("%.2f", v) : fmt("%.1f%%", 100.0 * v); };
    r.text = (r.rank == 1 ? "Right: " : "Not quite: ") + name(choice) + (attend ? " gets " : " has ") + value(gv) +
             (attend ? " of " + name(q) + "'s attention" : " of the model's probability") + ", rank " +
             std::to_string(r.rank) + " of " + std::to_string(r.of) + (attend ? " tokens" : " options") + ".";
    if (r.rank != 1) r.text += " The model's answer: " + name(r.answer) + " with " + value(r.answer_value) + ".";
    return r;
}

bool quiz_answer(App& app, int choice) {
    const int old = app.quiz_guess;
    app.quiz_guess = choice;
    if (quiz_result(app).answered) return true;
    app.quiz_guess = old;
    return false;
}
