// The walkthrough's steps (see tour.h). Numbers come from the capture and the model's own accessors.
#include "app/tour.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>

#include "model/capture_json.h"  // capture_top_ids

static const char* TITLES[TOUR_STEPS] = {
    "Text \xE2\x86\x92 tokens",
    "Ids \xE2\x86\x92 embeddings (a fixed width)",
    "Q\xC2\xB7K: the query asks every earlier key",
    "\xC3\xB7\xE2\x88\x9A" "d, the causal mask, softmax",
    "The weighted sum of the values",
    "Many heads, many layers",
    "The next token, and sampling",
    "Memory is the context window",
    "Experiments: turn a head off",
};

TourFocus app_tour_focus(const App& app) {
    TourFocus f;
    const Capture& c = app.cap;
    if (c.T == 0) return f;
    f.query = c.T - 1;
    for (int l = 0; l < c.L; l++)
        for (int h = 0; h < c.H; h++) {
            const float* row = capture_weights_row(c, l, h, f.query);
            if (!row) continue;
            for (int k = 1; k < f.query; k++)
                if (row[k] > f.weight) f = {l, h, f.query, k, row[k]};
        }
    return f;
}

void app_tour_go(App& app, int step) {
    app.tour = std::clamp(step, 0, TOUR_STEPS);
    if (app.tour == 0) return;
    static const int VIEWS[TOUR_STEPS] = {VIEW_TOKENS, VIEW_EMBED, VIEW_MATH, VIEW_MATH, VIEW_MATH,
                                          VIEW_MODEL,  VIEW_PREDICT, VIEW_CONTEXT, VIEW_MODEL};
    app.view = VIEWS[app.tour - 1];
    const TourFocus f = app_tour_focus(app);
    app.locked_token = f.query;
    if (f.key >= 0) app.layer = f.layer, app.head = f.head;
    if (app.tour == TOUR_STEPS) app_set_intervene(app, true);
    else if (app.view == VIEW_PREDICT && app.cap.lens_k == 0) app_rerun(app);  // the view's lens, as the page does
}

static std::string token(const App& app, int i) {
    return i >= 0 && i < (int)app.token_bytes.size() ? app_prose_token(app.token_bytes[i]) : "?";
}

static std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
static std::string fmt(const char* f, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

TourText app_tour_text(const App& app) {
    TourText t;
    const Model* m = app_model(app);
    if (app.tour < 1 || app.tour > TOUR_STEPS || !m) return t;
    t.title = fmt("Step %d of %d: %s", app.tour, TOUR_STEPS, TITLES[app.tour - 1]);
    const Capture& c = app.cap;
    const int T = c.T;
    if (T == 0) {
        t.body = "Type a sentence: every step explains it with the model's own numbers.";
        return t;
    }
    const TourFocus f = app_tour_focus(app);
    const int q = f.query, k = f.key >= 0 ? f.key : 0;
    AttentionSteps st;
    const bool have_steps = attention_steps(c, f.layer, f.head, q, st);
    switch (app.tour) {
    case 1: {
        std::string pieces;
        for (int i = 0; i < T && i < 6; i++) pieces += (i ? ", " : "") + token(app, i) + " " + std::to_string(app.ids[i]);
        t.body = fmt("Your text is %d tokens: pieces from a vocabulary of %d, each just a row number: %s%s. Common "
                     "words are one token, rarer ones are split; a space belongs to the token after it.",
                     T, m->cfg.vocab_size, pieces.c_str(), T > 6 ? ", \xE2\x80\xA6" : "");
        break;
    }
    case 2:
        t.body = fmt("Token %s is id %d: row %d of the embedding table, %d numbers. Every token enters with exactly "
                     "%d numbers, however often it is used; its position (%d) adds another %d-wide vector. Only what "
                     "the layers add to it depends on the context.",
                     token(app, q).c_str(), app.ids[q], app.ids[q], m->cfg.n_embd, m->cfg.n_embd, q, m->cfg.n_embd);
        break;
    case 3:
        t.body = fmt("The last token %s is the query. In layer %d, head %d its query vector Q (%d numbers) is "
                     "compared with the key vector K of itself and every earlier token by a dot product. The largest "
                     "Q\xC2\xB7K with an earlier word is %s: %.2f.",
                     token(app, q).c_str(), f.layer, f.head, c.D, token(app, k).c_str(), have_steps ? st.dot[k] : 0.0f);
        break;
    case 4:
        t.body = fmt("Each Q\xC2\xB7K is divided by \xE2\x88\x9A%d = %.2f so the scores stay in range; later tokens are "
                     "masked (the model cannot look ahead); softmax turns the scores into weights that sum to 1. %s "
                     "gets %.2f of the attention of %s in this head.",
                     c.D, std::sqrt((float)c.D), token(app, k).c_str(), f.weight, token(app, q).c_str());
        break;
    case 5:
        t.body = fmt("The head's output is the sum of every token's value vector V times its weight, so %s "
                     "contributes %.0f%% of what this head adds to %s. That output joins %s's vector (the residual "
                     "stream) and the next layer reads it.",
                     token(app, k).c_str(), 100 * f.weight, token(app, q).c_str(), token(app, q).c_str());
        break;
    case 6:
        t.body = fmt("That was one head. This model has %d layers \xC3\x97 %d heads = %d such maps, each with its own "
                     "pattern, all computed at once; each layer reads what the earlier ones wrote. The outlined map is "
                     "the head of the last steps; click any map to open it.",
                     c.L, c.H, c.L * c.H);
        break;
    case 7: {
        std::vector<int> top = capture_top_ids(app.probs, 2);
        t.body = fmt("After the last layer, %s's vector becomes %d scores, one per vocabulary token, and softmax "
                     "makes them a distribution: %s %.0f%%, %s %.0f%%, \xE2\x80\xA6 Temperature, top-k and top-p "
                     "reshape it; \"step\" samples one token and appends it, and the whole text is read again.",
                     token(app, q).c_str(), m->cfg.vocab_size,
                     top.size() > 0 ? app_prose_token(tokenizer_token_bytes(m->tok, top[0])).c_str() : "?",
                     top.size() > 0 ? 100 * app.probs[top[0]] : 0.0f,
                     top.size() > 1 ? app_prose_token(tokenizer_token_bytes(m->tok, top[1])).c_str() : "?",
                     top.size() > 1 ? 100 * app.probs[top[1]] : 0.0f);
        break;
    }
    case 8:
        t.body = fmt("The model keeps no memory between runs: what it knows about earlier text is these %d tokens "
                     "of its %d-token window, read again by attention for every new token. Separate turns with a "
                     "blank line to see how much the last turn looks at each earlier one.",
                     T, m->cfg.n_positions);
        break;
    case 9:
        t.body = fmt("A map shows where a head looks; an experiment shows what it does. Intervene is on: click a head "
                     "in the grid to turn it off and the panel shows how the prediction and the loss change. Start "
                     "with layer %d, head %d, where %s looks at %s.",
                     f.layer, f.head, token(app, q).c_str(), token(app, k).c_str());
        break;
    }
    return t;
}
