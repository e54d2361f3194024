// Predict, then reveal: a link asks the learner about its sentence, the learner answers, the page
// reveals the model's numbers and how close the guess was. Answers are computed from the run, never
// stored in the link. Plain C++ (the attnlab_app library).
//
//   quiz=attend   "In layer L, head H, which earlier token will T attend to most?" (the selected layer,
//                 head and token; the answer is a token index <= the query)
//   quiz=next     "Which token comes next?" (the answer is one of four options: the model's four most
//                 likely next tokens, in an order fixed by the text, so the link does not give it away)
#pragma once
#include <string>
#include <vector>

#include "app/app.h"

enum QuizKind { QUIZ_NONE = 0, QUIZ_ATTEND, QUIZ_NEXT };
const char* quiz_kind_name(int kind);      // "", "attend", "next"
int quiz_kind_from_name(const std::string& name);  // -1 if unknown

struct QuizResult {
    bool answered = false;
    int guess = -1;          // attend: token index; next: vocabulary id
    int answer = -1;         // the model's: the most-attended key / the most likely next token
    float guess_value = 0;   // the guess's weight / probability
    float answer_value = 0;
    int rank = 0;            // 1 = the model's answer
    int of = 0;              // among how many (keys the query sees / options)
    std::string text;        // the reveal, in words
};

// The question in words ("" when no quiz is set or nothing to ask yet).
std::string quiz_question(const App& app);
// The four options of a "next" quiz (vocabulary ids), in their shown order.
std::vector<int> quiz_options(const App& app);
// Records the learner's answer (app.quiz_guess); false (nothing recorded) for an invalid choice.
bool quiz_answer(App& app, int choice);
// The reveal of the recorded answer against the current run (answered = false when there is none).
QuizResult quiz_result(const App& app);
// Sets the quiz kind (0 clears it) and forgets any answer.
void quiz_set(App& app, int kind);
