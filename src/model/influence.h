// Occlusion influence, one measure for both architectures: how much each token of the text affects the
// next-token prediction at a chosen position.
//
//   influence[j] = KL(p || p_j)  for j = 0 .. P   (nats; j = P is the current token itself, distance 0)
//   p   = the model's next-token distribution at position P (softmax of the logits, temperature 1)
//   p_j = the same with token j replaced by the neutral token (everything else unchanged)
//
// Tokens after P are never looked at (both models are causal), so only ids[0..P] run.
//
// The neutral token is " the" (one token in GPT-2-style vocabularies, ours included): the most frequent
// token of English text, so a sentence with one word replaced by it stays close to the training
// distribution and carries almost no content of its own. The alternatives distort more: <|endoftext|>
// is a document boundary (both models learnt to discount what comes before it, so occluding j with it
// would also remove the influence of every token before j — the LSTM's state in particular is pushed
// towards a fresh-document state), and a bare space is a rare token in mid-text (spaces merge into the
// following word), i.e. out of distribution. Where " the" is not a single token, a space, then id 0.
#pragma once
#include <string>
#include <vector>

#include "model/lstm.h"
#include "model/model.h"

int influence_neutral_id(Tokenizer& tok, int vocab_size);

// kl receives P+1 values. false (err set) on bad ids, a position outside [0, T), or a bad neutral id.
bool influence_occlusion_gpt2(const Model& m, const std::vector<int>& ids, int position, int neutral,
                              std::vector<float>& kl, std::string& err);
bool influence_occlusion_lstm(const LSTMModel& m, const std::vector<int>& ids, int position, int neutral,
                              std::vector<float>& kl, std::string& err);
// KL(p || q) in nats of the softmaxes of two logit vectors [V] (double accumulation; 0 for equal inputs).
double influence_kl_logits(const float* p_logits, const float* q_logits, int V);
