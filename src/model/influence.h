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

// ---- every position at once, in units of work --------------------------------------------------------
// The influence of each token on every later prediction: kl[P * T + j] for j <= P (0 above the
// diagonal); row P is what influence_occlusion_*(ids, P) gives. Occluding token j changes every
// prediction from j on, so one occluded run serves a whole column: T + 1 runs for the T×T matrix.
// The work comes in T units so a page can spread it over frames (influence_job_step):
//   GPT-2: one occluded run, tokens from the last back to the first (each run re-uses the keys and
//          values of the one before up to its first difference: T²/2 token rows in all); rows are
//          complete at the end;
//   LSTM:  one step t of all runs together (run t joins with the clean state; two GEMMs of t + 1 rows
//          per layer, and the decoder on those rows); row P is complete after step P.
// last_only: only the last position's row (kl has T values), what the two functions above compute; the
// GPT runs then keep only the last logits and the LSTM decodes once, after the last step.
struct InfluenceJob {
    const Model* gpt = nullptr;
    const LSTMModel* lstm = nullptr;
    std::vector<int> ids;
    int neutral = 0;
    bool last_only = false;
    int T = 0, done = 0;             // units done, of T
    std::vector<float> kl;           // [T, T], or [T] with last_only
    // the clean run's next-token probabilities and their negative entropies, per kept position
    std::vector<double> clean_p, clean_negent;
    // GPT-2: the previous run (re-used) and its tokens
    Capture cap;
    std::vector<int> run;
    // LSTM: the clean run's states, the runs' states [L, T, H] (row j = token j occluded), scratch
    LSTMCapture lcap;
    std::vector<float> hs, cs, x, z, rec, bias, logits;
};
// Checks the arguments and runs the clean run; false (err set) on bad ids or neutral id. Exactly one
// of gpt and lstm is set.
bool influence_job_start(InfluenceJob& job, const Model* gpt, const LSTMModel* lstm, const std::vector<int>& ids,
                         int neutral, bool last_only, std::string& err);
// One unit (no-op once done); false (err set) if the engine failed.
bool influence_job_step(InfluenceJob& job, std::string& err);
inline bool influence_job_done(const InfluenceJob& job) { return job.T > 0 && job.done >= job.T; }
// The mean over positions of a finished matrix's influence at each distance d = P - j: mean[d] averages
// the T - d pairs (P, P - d), d = 0 .. T-1.
void influence_by_distance(const std::vector<float>& kl, int T, std::vector<float>& mean);
